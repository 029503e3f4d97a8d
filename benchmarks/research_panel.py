"""Research panel at scale: 500,000 participants and 2,000,000 ledger rows in a throwaway database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/po_x .venv/bin/python benchmarks/research_panel.py

Prints the time to build the data, the nightly refresh over the whole panel, one participant's
fatigue check, and a dry run plus a stratified sample of 50. Needs PostgreSQL; the database named
in DATABASE_URL is left alone (a `<name>_bench` database is created and dropped).
"""

import io
import json
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

PARTICIPANTS = int(os.environ.get("BENCH_PARTICIPANTS", 500_000))
LEDGER_ROWS = int(os.environ.get("BENCH_LEDGER", 2_000_000))
# Worker processes sharing a fresh refresh at the end, as Celery prefork workers take the chunk
# tasks; 0 skips it.
WORKERS = int(os.environ.get("BENCH_WORKERS", 2))
ACCOUNTS = PARTICIPANTS // 10


def throwaway_database() -> tuple[str, str]:
    import psycopg

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL=postgres://... (the benchmark needs PostgreSQL).")
    parts = urlparse(url)
    name = parts.path.lstrip("/") + "_bench"
    admin = urlunparse(parts._replace(path="/postgres"))
    if os.environ.get("BENCH_REUSE"):
        return urlunparse(parts._replace(path=f"/{name}")), admin
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parts._replace(path=f"/{name}")), admin


def drop(admin: str, name: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    if os.environ.get("BENCH_KEEP"):
        return
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def copy_rows(cursor, table, columns, rows) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
    buffer.seek(0)
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        while chunk := buffer.read(1 << 20):
            copy.write(chunk)


def build(now) -> None:
    from django.db import connection

    from research.models import BUILTIN_ATTRIBUTES

    rng = random.Random(7)
    plans, regions = BUILTIN_ATTRIBUTES["plan"], BUILTIN_ATTRIBUTES["region"]
    sizes, tenures, usage = (
        BUILTIN_ATTRIBUTES["company_size"],
        BUILTIN_ATTRIBUTES["tenure"],
        BUILTIN_ATTRIBUTES["usage_level"],
    )
    stamp = now.isoformat()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        # Bulk-load like a restore: no per-row foreign-key triggers, indexes rebuilt once at the end.
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("SET maintenance_work_mem = '256MB'")
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN "
            "('research_participant', 'research_ledgerentry') AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        )
        indexes = cursor.fetchall()
        for index_name, _definition in indexes:
            cursor.execute(f'DROP INDEX IF EXISTS "{index_name}"')
        copy_rows(
            raw,
            "research_account",
            [
                "external_id",
                "name",
                "renewal_date",
                "owner_name",
                "owner_flagged",
                "owner_flag_reason",
                "attributes",
                "created_at",
                "updated_at",
            ],
            (
                (
                    f"A{i}",
                    f"Account {i}",
                    (now + timedelta(days=rng.randrange(-30, 365))).date().isoformat()
                    if i % 3 == 0
                    else None,
                    "",
                    "t" if i % 97 == 0 else "f",
                    "",
                    "{}",
                    stamp,
                    stamp,
                )
                for i in range(ACCOUNTS)
            ),
        )
        cursor.execute("SELECT min(id) FROM research_account")
        first_account = cursor.fetchone()[0]
        # Zipf-ish skew: a few accounts hold many people.
        weights = [1 / (i + 1) ** 0.8 for i in range(ACCOUNTS)]
        account_of = rng.choices(
            range(first_account, first_account + ACCOUNTS), weights=weights, k=PARTICIPANTS
        )
        copy_rows(
            raw,
            "research_participant",
            [
                "external_id",
                "name",
                "email",
                "account_id",
                "time_zone",
                "language",
                "consent",
                "consent_at",
                "do_not_contact",
                "opted_out",
                "contact_block_reason",
                "plan",
                "region",
                "country",
                "industry",
                "company_size",
                "tenure",
                "usage_level",
                "attributes",
                "next_eligible_at",
                "blocked_rules",
                "blocked_mask",
                "contact_count",
                "last_contacted_at",
                "refreshed_at",
                "created_at",
                "updated_at",
            ],
            (
                (
                    f"P{i}",
                    f"Person {i}",
                    f"p{i}@example.com",
                    account_of[i],
                    "Europe/Berlin",
                    "en",
                    "granted" if i % 20 else "pending",
                    stamp,
                    "t" if i % 211 == 0 else "f",
                    "t" if i % 157 == 0 else "f",
                    "",
                    rng.choice(plans),
                    rng.choice(regions),
                    "DE",
                    "Retail",
                    rng.choice(sizes),
                    rng.choice(tenures),
                    rng.choice(usage),
                    "{}",
                    None,
                    "[]",
                    0,
                    0,
                    None,
                    None,
                    stamp,
                    stamp,
                )
                for i in range(PARTICIPANTS)
            ),
        )
        cursor.execute("SELECT min(id) FROM research_participant")
        first = cursor.fetchone()[0]
        pid_account = {first + i: account_of[i] for i in range(PARTICIPANTS)}
        # The vocal few: 5% of people receive 60% of the touches.
        vocal = PARTICIPANTS // 20
        kinds = ["invitation"] * 6 + ["session"] * 2 + ["no_show", "incentive", "other"]

        def ledger():
            for _ in range(LEDGER_ROWS):
                i = rng.randrange(vocal) if rng.random() < 0.6 else rng.randrange(PARTICIPANTS)
                pid = first + i
                kind = rng.choice(kinds)
                at = now - timedelta(seconds=rng.randrange(0, 730 * 86400))
                yield (
                    pid,
                    pid_account[pid],
                    kind,
                    "interview" if kind == "session" else "",
                    at.isoformat(),
                    45 if kind == "session" else 0,
                    5000 if kind == "incentive" else 0,
                    "demo",
                    "",
                    stamp,
                )

        copy_rows(
            raw,
            "research_ledgerentry",
            [
                "participant_id",
                "account_id",
                "kind",
                "method",
                "at",
                "minutes",
                "incentive_cents",
                "source",
                "note",
                "created_at",
            ],
            ledger(),
        )
        for _index_name, definition in indexes:
            cursor.execute(definition)
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("ANALYZE")


def _chunk_in_worker(chunk_id: int) -> None:
    from research import nightly

    nightly.panel_chunk_refresh(chunk_id=chunk_id)


def refresh_in_workers(now, workers: int):
    """A fresh refresh (every row rewritten) with its chunks spread over worker processes."""
    import multiprocessing

    from django.db import connection, connections

    from research import nightly

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE research_participant SET next_eligible_at = NULL, blocked_rules = '[]', "
            "blocked_mask = 0, contact_count = 0, last_contacted_at = NULL"
        )
        cursor.execute("VACUUM ANALYZE research_participant")
    t = time.perf_counter()
    run = nightly.panel_refresh_start(now=now, day=(now + timedelta(days=5)).date())
    chunk_ids = list(run.chunks.values_list("pk", flat=True))
    connections.close_all()  # each forked worker opens its own
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pool.map(_chunk_in_worker, chunk_ids, chunksize=1)
    run.refresh_from_db()
    print(
        f"nightly refresh, fresh again, {workers} worker processes sharing {len(chunk_ids)} chunks: "
        f"{run.participants:,} participants, {run.changed:,} changed in {time.perf_counter() - t:.1f} s "
        f"(finished: {bool(run.finished_at)})"
    )


def main():
    url, admin = throwaway_database()
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from productops.accounts.models import Team, User
    from research import eligibility, nightly, services, targeting
    from research.models import Participant, ResearchRequest

    name = connection.settings_dict["NAME"]
    try:
        call_command("migrate", verbosity=0)
        now = timezone.now()
        if os.environ.get("BENCH_REUSE"):
            from research.models import PanelRefresh, ResearchRequest, Sample

            PanelRefresh.objects.all().delete()
            Sample.objects.all().delete()
            ResearchRequest.objects.all().delete()
            Team.objects.filter(slug="bench").delete()
            User.objects.filter(username="bench").delete()
        t = time.perf_counter()
        if not os.environ.get("BENCH_REUSE"):
            build(now)
        print(
            f"build: {PARTICIPANTS:,} participants, {LEDGER_ROWS:,} ledger rows in {time.perf_counter() - t:.1f} s"
        )

        # Wall time depends on what else the machine runs; this process's CPU time does not.
        t, cpu = time.perf_counter(), time.process_time()
        run = nightly.panel_refresh(now=now)
        print(
            f"nightly refresh, day 1 (a fresh build writes every row): {run.participants:,} participants, "
            f"{run.changed:,} changed in {time.perf_counter() - t:.1f} s ({time.process_time() - cpu:.1f} s Python CPU)"
        )
        t, cpu = time.perf_counter(), time.process_time()
        run = nightly.panel_refresh(
            now=now + timedelta(days=1), day=(now + timedelta(days=1)).date()
        )
        print(
            f"nightly refresh, day 2 (only changes written): {run.participants:,} participants, "
            f"{run.changed:,} changed in {time.perf_counter() - t:.1f} s ({time.process_time() - cpu:.1f} s Python CPU)"
        )
        later = now + timedelta(days=1, minutes=1)

        ids = list(Participant.objects.order_by("?").values_list("pk", flat=True)[:200])
        rules = services.rules_current()
        timings = []
        for pid in ids:
            t = time.perf_counter()
            eligibility.eligibility_check(participant=pid, now=later, rules=rules)
            timings.append((time.perf_counter() - t) * 1000)
        print(
            f"one participant's fatigue check by id (load participant, account, ledger, overrides + evaluate): median {statistics.median(timings):.2f} ms, "
            f"p95 {sorted(timings)[int(len(timings) * 0.95)]:.2f} ms"
        )

        team = Team.objects.create(name="Bench", slug="bench")
        user = User.objects.create(username="bench", is_researcher=True)
        request = ResearchRequest.objects.create(
            title="Bench",
            team=team,
            researcher=user,
            goal="Bench",
            participants_needed=50,
            criteria={"plan": ["pro", "enterprise"], "usage_level": ["medium", "high"]},
            dimensions=["plan", "region"],
            deadline=(now + timedelta(days=30)).date(),
        )
        from django.core.cache import cache

        for attempt in range(4):
            # Cold: past response rates recomputed from the ledger; warm: from the 10-minute cache.
            if attempt < 2:
                cache.clear()
            t = time.perf_counter()
            # The request's own dry run: session length against the account minutes caps, what
            # one sample can take under the caps, holds of other requests, time to fill and the
            # eligible panel's skew on the request's dimensions.
            dry = targeting.request_dry_run(request, now=later)
            t_dry = time.perf_counter() - t
            t = time.perf_counter()
            sample = targeting.sample_draw(request=request, by=user, seed=attempt + 1, now=later)
            t_sample = time.perf_counter() - t
            print(
                f"{'cold' if attempt < 2 else 'warm'} dry run {t_dry * 1000:.0f} ms (match {dry['matching']:,}, eligible {dry['eligible']:,}, "
                f"{len(dry['by_rule'])} rules) + sample of {sample.size} (+{sample.members.filter(standby=True).count()} standby, "
                f"TVD {sample.tvd:.3f}, PSI {sample.psi:.3f}) {t_sample * 1000:.0f} ms = "
                f"{(t_dry + t_sample) * 1000:.0f} ms"
            )
        print(json.dumps({"by_rule": dry["by_rule"][:5]}, default=str))
        if WORKERS:
            refresh_in_workers(now + timedelta(days=5), WORKERS)
    finally:
        drop(admin, name)


if __name__ == "__main__":
    main()
