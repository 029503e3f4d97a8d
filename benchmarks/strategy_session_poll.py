"""Review session poll: 50 attendees each polling every 2 s (target < 5 ms server time per poll,
fixed query count).

    DATABASE_URL=postgres://... .venv/bin/python benchmarks/strategy_session_poll.py [--runs 20]

Creates a throwaway database (bench_strategy_session_poll), builds a revealed strategy with 50
attendees in a live review session (each with a recorded position on the current item and a
question in the queue, positions revealed), then times GET of the poll fragment through the whole
Django stack for each attendee in turn, as their browsers would every two seconds. Prints median
and p95 server time per poll, the query count, and what 50 attendees cost per second.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

ATTENDEES = 50


def run(args) -> None:
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from productops.accounts.models import Membership, Team, User
    from strategy import live, reviews
    from tests.strategy.bulk import big_strategy, close_window

    teams = [Team.objects.create(name=f"Team {n}", slug=f"team-{n}") for n in range(2)]
    owner = User.objects.create(username="owner", is_leadership=True)
    people = [User.objects.create(username=f"attendee{n}") for n in range(ATTENDEES)]
    Membership.objects.bulk_create([Membership(user=p, team=teams[0]) for p in people])
    strategy = big_strategy(owner=owner, teams=teams, sections=12, items=300, people=40)
    close_window(strategy)
    session = reviews.session_create(
        strategy=strategy,
        by=owner,
        title="Bench review",
        starts_at=timezone.now() + timedelta(hours=1),
        length_minutes=60,
        send_before_hours=2,
    )
    if not session.items.filter(settled=False).exists():
        reviews.agenda_item_add(session=session, by=owner, title="Open discussion", minutes=30)
    live.session_start(session=session, by=owner)
    session.refresh_from_db()
    item = session.current_item
    for n, person in enumerate(people):
        live.position_record(item=item, by=person, stance="concern", line=f"Reason {n}")
        live.question_add(session=session, by=person, body=f"Question {n} about the bet?")
    live.positions_reveal(item=item, by=owner)
    clients = []
    for person in people:
        c = Client(HTTP_HX_REQUEST="true")
        c.force_login(person)
        clients.append(c)
    base = reverse("strategy:session_poll", args=[session.public_id])
    session.refresh_from_db()
    unchanged = f"{base}?since={session.revision}"  # the page has seen the latest state
    changed = f"{base}?since=stale"  # something happened since: the full fragment
    results = [
        measure(clients, unchanged, args.runs, expect=204, label="poll, nothing new (typical)"),
        measure(clients, changed, args.runs, expect=200, label="poll, something changed"),
    ]
    if os.environ.get("PROFILE"):
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        for c in clients:
            c.get(changed)
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(35)
    print(f"{ATTENDEES} attendees polling every 2 s = {ATTENDEES / 2:.0f} polls/s")
    print(
        f"{'poll':32} {'median ms':>10} {'p95 ms':>8} {'CPU ms':>7} {'queries':>8}  {'server ms/s':>11}"
    )
    for label, median, p95, cpu, queries in results:
        print(
            f"{label:32} {median:10.2f} {p95:8.2f} {cpu:7.2f} {str(queries):>8}  {ATTENDEES / 2 * median:11.0f}"
        )
    print("Wall: server time through the whole Django stack (test client, no network).")
    print("CPU: this process only, steadier on a busy machine. Queries: per poll, every attendee.")
    typical = results[0][1]
    print(
        f"target < 5 ms per poll (nothing new): {'met' if typical < 5 else 'MISSED'} ({typical:.2f} ms)"
    )


def measure(clients, url, runs, *, expect, label):
    for c in clients[:3]:
        c.get(url)  # warm caches and the template loader
    times, cpu = [], []
    for _ in range(runs):
        for c in clients:
            start, start_cpu = time.perf_counter(), time.process_time()
            response = c.get(url)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
            assert response.status_code == expect, response.status_code
    counts = set()
    for c in clients:
        with CaptureQueriesContext(connection) as ctx:
            c.get(url)
        counts.add(len(ctx.captured_queries))
    times.sort()
    return (
        label,
        statistics.median(times),
        times[int(len(times) * 0.95) - 1],
        statistics.median(cpu),
        sorted(counts)[0] if len(counts) == 1 else sorted(counts),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    connection.settings_dict["TEST"]["NAME"] = "bench_strategy_session_poll"
    # No setup_test_environment(): its template instrumentation would inflate the figures.
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        run(args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
