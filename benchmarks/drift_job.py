"""The nightly drift job over 50,000 registered events and 90 days of observed aggregates (< 30 s).

    DATABASE_URL=postgres://... .venv/bin/python benchmarks/drift_job.py [--events 50000] [--keep]

Creates a throwaway database (bench_drift_job) and fills it in SQL: 8 teams with web, iOS,
Android and server sources; 50,000 events (most active, some planned or deprecated, two
platforms and four properties each); traffic for 90% of them on one or two sources every third
day for 90 days, with property types for the last 30 days (some sent with the wrong type or
without a required property) and 5,000 names nobody registered. Then it runs drift_refresh()
twice (the first run creates every item, the second refreshes them, as on every later night)
and prints the time and the items found.
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from benchmarks.telemetry_api import registry_names  # noqa: E402


def fill(events: int) -> None:
    from productops.accounts.models import Team
    from telemetry.models import Event, EventProperty, Platform, Property, Source

    rng = random.Random(5)
    teams = [Team.objects.create(name=f"Team {i}", slug=f"team-{i}") for i in range(8)]
    platforms = {c: Platform.objects.create(code=c) for c in ["web", "ios", "android", "server"]}
    for team in teams:
        for code in platforms:
            Source.objects.create(key=f"{team.slug}-{code}", team=team, platform=code)
    properties = Property.objects.bulk_create(
        [
            Property(name=f"prop_{i}", type=rng.choice(["string", "integer", "number", "boolean"]))
            for i in range(2000)
        ]
    )
    names = registry_names(events, rng)
    Event.objects.bulk_create(
        [
            Event(
                name=n,
                normalised_name=n.lower(),
                team=teams[i % 8],
                status=rng.choice(["active"] * 8 + ["planned", "deprecated"]),
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
            for p in rng.sample(list(platforms.values()), 2)
        ],
        batch_size=10000,
    )
    EventProperty.objects.bulk_create(
        [
            EventProperty(event_id=i, property=p, required=rng.random() < 0.3)
            for i in ids
            for p in rng.sample(properties, 4)
        ],
        batch_size=10000,
    )
    Event.objects.update(
        created_at=django.utils.timezone.now() - django.utils.timezone.timedelta(days=120)
    )
    with connection.cursor() as cursor:
        # Observed names: 90% of the registered ones plus 5,000 nobody registered.
        cursor.execute(
            """
            INSERT INTO telemetry_observedname (name, first_seen, lint_ok, lint_violations, lint_suggestion)
            SELECT name, now() - interval '90 days', true, '[]'::jsonb, '' FROM telemetry_event
            WHERE id % 10 <> 0
            UNION ALL
            SELECT 'unplanned_thing_' || g, now() - interval '10 days', false, '[]'::jsonb, 'Unplanned Thing Sent'
            FROM generate_series(1, 5000) g
            """
        )
        # Each name on one or two of its team's sources, every third day for 90 days (about
        # 2.4 million daily rows); some names stopped 40+ days ago and are stale.
        cursor.execute(
            """
            INSERT INTO telemetry_observedday (observed_id, source_id, day, count, first_seen, last_seen)
            SELECT o.id, s.id, d::date, 1 + (o.id % 50), d, d + interval '1 hour'
            FROM telemetry_observedname o
            LEFT JOIN telemetry_event e ON e.name = o.name
            JOIN telemetry_source s ON s.team_id = (SELECT id FROM accounts_team ORDER BY id
                                                    LIMIT 1 OFFSET (coalesce(e.team_id, o.id) % 8))
                                   AND (s.platform = 'web' OR (o.id % 3 = 0 AND s.platform = 'ios'))
            CROSS JOIN generate_series(current_date - 89, current_date, interval '3 days') d
            WHERE (o.id % 17 <> 0 OR d < current_date - 40)
            """
        )
        # Property types for the last 30 days: the registered ones, some as the wrong type,
        # and a required one left out now and then.
        cursor.execute(
            """
            INSERT INTO telemetry_observedproperty (observed_id, source_id, day, key, type, count)
            SELECT od.observed_id, od.source_id, od.day, p.name,
                   CASE WHEN od.observed_id % 23 = 0 THEN 'string' ELSE p.type END,
                   CASE WHEN ep.required AND od.observed_id % 29 = 0 THEN od.count - 1 ELSE od.count END
            FROM telemetry_observedday od
            JOIN telemetry_observedname o ON o.id = od.observed_id
            JOIN telemetry_event e ON e.name = o.name
            JOIN telemetry_eventproperty ep ON ep.event_id = e.id
            JOIN telemetry_property p ON p.id = ep.property_id
            WHERE od.day >= current_date - 30
            """
        )
        cursor.execute("VACUUM ANALYZE")
        cursor.execute(
            "SELECT (SELECT count(*) FROM telemetry_observedday), (SELECT count(*) FROM telemetry_observedproperty)"
        )
        days, props = cursor.fetchone()
    print(f"  {len(ids):,} events, {days:,} daily rows, {props:,} property-type rows")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--keep", action="store_true", help="keep the filled database")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL=postgres://... (the benchmark needs PostgreSQL).")
    connection.settings_dict["TEST"]["NAME"] = "bench_drift_job"
    old_name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, keepdb=args.keep, serialize=False
    )
    try:
        from telemetry.drift_job import drift_refresh
        from telemetry.models import Event

        if not Event.objects.exists():
            started = time.perf_counter()
            fill(args.events)
            print(f"  filled in {time.perf_counter() - started:.1f} s")
        for label in ["first night (creates every item)", "next night (refreshes them)"]:
            started = time.perf_counter()
            counts = drift_refresh()
            seconds = time.perf_counter() - started
            print(
                f"drift_refresh, {label}: {seconds:.1f} s  -> {'met' if seconds < 30 else 'NOT met'} (< 30 s)"
            )
            print("  open items: " + ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items())))
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
