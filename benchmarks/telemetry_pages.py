"""Catalogue list and search pages with 50,000 events: server time (target < 100 ms) and query counts.

    DATABASE_URL=postgres://... .venv/bin/python benchmarks/telemetry_pages.py [--events 50000]

Creates a throwaway database (bench_telemetry_pages), fills it, renders the pages through the
Django test client (middleware, view, ORM, template) and drops the database.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from benchmarks.telemetry_api import registry_names  # noqa: E402

RUNS = 15
PAGES = [
    ("catalogue, page 1", "/telemetry/", {}),
    ("catalogue, page 100", "/telemetry/", {"page": "100"}),
    ("filter: team", "/telemetry/", {"team": "team-3"}),
    ("filter: status + lint state", "/telemetry/", {"status": "active", "lint": "warnings"}),
    ("filter: platform", "/telemetry/", {"platform": "ios"}),
    ("filter: tag", "/telemetry/", {"tag": "funnel"}),
    ("search: one common word", "/telemetry/", {"q": "order"}),
    ("search: two words", "/telemetry/", {"q": "payment failed"}),
    ("search: prefix", "/telemetry/", {"q": "check"}),
    ("search: rare word", "/telemetry/", {"q": "zebra"}),
    ("search + filters", "/telemetry/", {"q": "product", "team": "team-1", "lint": "ok"}),
    ("htmx results fragment", "/telemetry/", {"q": "cart"}),
    ("API list", "/api/v1/telemetry/events/", {"team": "team-2"}),
    ("API search", "/api/v1/telemetry/search/", {"q": "order"}),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--keep", action="store_true", help="keep the filled database for the next run"
    )
    args = parser.parse_args()
    global RUNS
    RUNS = args.runs
    # No setup_test_environment(): its instrumented template rendering would inflate the figures.
    connection.settings_dict["TEST"]["NAME"] = "bench_telemetry_pages"
    old_name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, keepdb=args.keep, serialize=False
    )
    try:
        run(args)
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)


def run(args) -> None:
    from productops.accounts.models import Membership, Team, User
    from telemetry.models import Event, Platform, Tag

    rng = random.Random(3)
    if Event.objects.count() >= args.events:
        user = User.objects.get(username="bench")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        print(f"reusing {Event.objects.count():,} events")
        return measure(user)
    teams = [Team.objects.create(name=f"Team {i}", slug=f"team-{i}") for i in range(8)]
    user = User.objects.create(username="bench")
    Membership.objects.create(user=user, team=teams[0])
    platforms = [Platform.objects.create(code=c) for c in ["web", "ios", "android", "server"]]
    tags = [
        Tag.objects.create(name=n) for n in ["funnel", "revenue", "onboarding", "engagement", "ops"]
    ]

    started = time.perf_counter()
    names = registry_names(args.events, rng)
    Event.objects.bulk_create(
        [
            Event(
                name=n,
                normalised_name=n.lower(),
                description=f"Sent when the {n.lower()} happens.",
                team=teams[i % 8],
                status=rng.choice(["active"] * 8 + ["planned", "deprecated"]),
                lint_state=rng.choice(["ok", "ok", "warnings", "exception"]),
            )
            for i, n in enumerate(names)
        ],
        batch_size=5000,
    )
    ids = list(Event.objects.values_list("pk", flat=True))
    Event.platforms.through.objects.bulk_create(
        [
            Event.platforms.through(event_id=i, platform=p)
            for i in ids
            for p in rng.sample(platforms, 2)
        ],
        batch_size=10000,
    )
    Event.tags.through.objects.bulk_create(
        [
            Event.tags.through(event_id=i, tag=t)
            for i in ids
            for t in rng.sample(tags, rng.randint(0, 2))
        ],
        batch_size=10000,
    )
    if connection.vendor == "postgresql":
        # What autovacuum does on a live database: statistics and the visibility map for index-only counts.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(
        f"{len(ids):,} events on {connection.vendor}, filled in {time.perf_counter() - started:.1f} s"
    )
    measure(user)


def measure(user) -> None:
    from django.test import Client

    client = Client()
    client.force_login(user)
    from telemetry.catalogue import catalogue_filter, filtered_events

    print(f"{'page':32} {'median':>8} {'p90':>8} {'cpu':>8} {'queries':>8} {'results':>8}")
    for label, url, params in PAGES:
        headers = (
            {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "results"} if "htmx" in label else {}
        )
        client.get(url, params, **headers)  # warm caches and connections
        timings, cpu = [], []
        for _ in range(RUNS):
            with CaptureQueriesContext(connection) as queries:
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(url, params, **headers)
                timings.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        if url.startswith("/api/v1/telemetry/search/"):
            count = len(response.json()["events"])
        else:
            count = filtered_events(params)[1].count()
            # The page's cheaper count must be the same number as counting the rows.
            assert catalogue_filter(params).count() == count, label
        timings.sort()
        print(
            f"{label:32} {statistics.median(timings):6.1f}ms {timings[int(len(timings) * 0.9) - 1]:6.1f}ms "
            f"{statistics.median(cpu):6.1f}ms {len(queries):8} {count:>8}"
        )
    with open("/proc/loadavg") as fh:
        print(f"load average while measuring: {fh.read().split()[0]} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
