"""Strategy page with 40 sections and 2,000 feedback items (target < 150 ms server time).

    DATABASE_URL=postgres://... .venv/bin/python benchmarks/strategy_page.py [--items 2000] [--runs 30]

Creates a throwaway database (bench_strategy_page), builds one strategy, then times GET of the
strategy page through the whole Django stack (middleware, sessions, views, templates) during the
feedback window and after the reveal, plus one page of the discussion. Prints median and p95 server
time and the query count of each, then drops the database.
"""

import argparse
import os
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


def measure(client, url, runs):
    client.get(url)  # warm caches and the template loader
    times, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, response.status_code
    db = []
    for _ in range(5):
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        db.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
    times.sort()
    return (
        statistics.median(times),
        times[int(len(times) * 0.95) - 1],
        statistics.median(cpu),
        statistics.median(db),
        len(ctx.captured_queries),
        len(response.content),
    )


def run(args) -> None:
    from django.test import Client
    from django.urls import reverse

    from productops.accounts.models import Membership, Team, User
    from tests.strategy.bulk import big_strategy, close_window

    teams = [Team.objects.create(name=f"Team {n}", slug=f"team-{n}") for n in range(4)]
    owner = User.objects.create(username="owner", is_leadership=True)
    reader = User.objects.create(username="reader")
    Membership.objects.create(user=reader, team=teams[0])
    start = time.perf_counter()
    strategy = big_strategy(owner=owner, teams=teams, sections=40, items=args.items, people=60)
    print(
        f"built 1 strategy, {strategy.versions.get().sections.count()} sections, {strategy.points.count()} feedback items in {time.perf_counter() - start:.1f} s"
    )
    member, lead = Client(), Client()
    member.force_login(reader)
    lead.force_login(owner)
    url = strategy.get_absolute_url()
    rows = [
        ("strategy page, window open (member)", member, url),
        ("strategy page, window open (owner)", lead, url),
    ]
    results = [(label, *measure(client, u, args.runs)) for label, client, u in rows]
    close_window(strategy)
    rows = [
        ("strategy page, revealed (member)", member, url),
        (
            "discussion, first 25 points (owner)",
            lead,
            reverse("strategy:discussion", args=[strategy.pk]),
        ),
        ("owner's dashboard", lead, reverse("strategy:dashboard", args=[strategy.pk])),
    ]
    results += [(label, *measure(client, u, args.runs)) for label, client, u in rows]
    print(
        f"{'page':42} {'median ms':>10} {'p95 ms':>8} {'CPU ms':>7} {'DB ms':>6} {'queries':>8} {'KB':>5}"
    )
    for label, median, p95, cpu, db, queries, size in results:
        print(
            f"{label:42} {median:10.1f} {p95:8.1f} {cpu:7.1f} {db:6.1f} {queries:8d} {size / 1024:5.0f}"
        )
    print("Wall: server time through the whole Django stack (test client, no network). CPU: this")
    print(
        "process only (Python, templates), steadier on a busy machine. DB: time waiting for queries."
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    connection.settings_dict["TEST"]["NAME"] = "bench_strategy_page"
    # No setup_test_environment(): its template instrumentation would inflate the figures.
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        run(args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
