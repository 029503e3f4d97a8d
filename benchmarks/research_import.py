"""Panel import at scale: a CSV of 100,000 participants, checked and upserted, in a throwaway database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/po_x .venv/bin/python benchmarks/research_import.py

Prints the time to read, check and import the file the first time (all inserts), and again
(all updates, the CRM's nightly push). Without DATABASE_URL it runs on a temporary SQLite file.
"""

import csv
import io
import os
import random
import sys
import tempfile
import time
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

ROWS = int(os.environ.get("BENCH_ROWS", 100_000))


def throwaway_database():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        path = os.path.join(tempfile.mkdtemp(), "bench.sqlite3")
        return f"sqlite:///{path}", None, None
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/") + "_import_bench"
    admin = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parts._replace(path=f"/{name}")), admin, name


def make_csv(rows: int) -> bytes:
    rng = random.Random(3)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "Contact ID",
            "Full name",
            "E-mail",
            "Company ID",
            "Company",
            "Timezone",
            "Language",
            "Consent",
            "Plan",
            "Region",
            "Country",
            "Industry",
            "Company size",
            "Tenure",
            "Usage",
            "Renewal date",
        ]
    )
    zones = [
        "Europe/Berlin",
        "Europe/London",
        "America/New_York",
        "Asia/Tokyo",
        "America/Sao_Paulo",
    ]
    for i in range(rows):
        account = int(rows / 10 * rng.random() ** 3)  # skewed: a few big accounts
        writer.writerow(
            [
                f"C{i:07d}",
                f"Customer {i}",
                f"customer{i}@shop{account}.example",
                f"A{account}",
                f"Shop {account}",
                rng.choice(zones),
                "en",
                rng.choice(["granted", "granted", "granted", "pending"]),
                rng.choice(["free", "starter", "pro", "enterprise"]),
                rng.choice(["EMEA", "NA", "LATAM", "APAC"]),
                "DE",
                "Retail",
                rng.choice(["1-10", "11-50", "51-200"]),
                rng.choice(["<1y", "1-3y", "3y+"]),
                rng.choice(["low", "medium", "high"]),
                "2027-06-30" if account % 5 == 0 else "",
            ]
        )
    return buffer.getvalue().encode()


def main():
    url, admin, name = throwaway_database()
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from research import importing
    from research.models import Account, Participant

    try:
        call_command("migrate", verbosity=0)
        data = make_csv(ROWS)
        print(f"CSV: {ROWS:,} rows, {len(data) / 1e6:.1f} MB")
        for label in ("first import (inserts)", "second import (updates, the nightly CRM push)"):
            t0 = time.perf_counter()
            headers, rows = importing.read_table(data, "crm.csv")
            mapping = importing.guess_mapping(headers, importing.targets())
            mapping.update(
                {
                    "name": "Full name",
                    "plan": "Plan",
                    "region": "Region",
                    "country": "Country",
                    "industry": "Industry",
                    "company_size": "Company size",
                    "tenure": "Tenure",
                    "usage_level": "Usage",
                    "renewal_date": "Renewal date",
                    "consent": "Consent",
                    "language": "Language",
                }
            )
            t1 = time.perf_counter()
            report = importing.import_commit(headers=headers, rows=rows, mapping=mapping, by=None)
            t2 = time.perf_counter()
            print(
                f"{label}: read {t1 - t0:.1f} s + check, upsert and eligibility {t2 - t1:.1f} s = "
                f"{t2 - t0:.1f} s ({report['new']:,} new, {report['updated']:,} updated, "
                f"{report['accounts']:,} accounts)"
            )
        print(
            f"in the database: {Participant.objects.count():,} participants, {Account.objects.count():,} accounts, "
            f"{Participant.objects.eligible().count():,} eligible"
        )
        bad = data.replace(b"customer17@", b"customer17-at-", 1).replace(
            b"Europe/Berlin", b"Europe/Berln", 1
        )
        t0 = time.perf_counter()
        headers, rows = importing.read_table(bad, "crm.csv")
        report = importing.import_check(headers=headers, rows=rows, mapping=mapping)
        print(
            f"dry run of a file with 2 bad rows: {time.perf_counter() - t0:.1f} s, "
            f"{report['error_count']} errors: {[e['message'] for e in report['errors']]}"
        )
    finally:
        connections.close_all()
        if admin:
            import psycopg

            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
