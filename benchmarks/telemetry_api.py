"""Lint endpoint: 10,000 names with duplicate checks against a registry of 50,000 events (target < 1 s, issue 13).

    DATABASE_URL=postgres://... .venv/bin/python benchmarks/telemetry_api.py [--events 50000] [--names 10000]
        [--profile]   # and where one more cold request spends its time (cProfile, top functions)

Creates a throwaway database (<database>_telemetry_api), fills it, times POST /api/v1/telemetry/lint/
through the real view (serializer, lint, duplicate index, JSON rendering) and drops the database.
"""

import argparse
import datetime
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


def registry_names(count: int, rng: random.Random) -> list[str]:
    """Object-action names the way a large company has them: two-word objects, many verbs."""
    from telemetry import naming

    convention = naming.PRESETS[naming.DEFAULT_PRESET]
    objects = sorted(convention.objects)
    actions = sorted(set(convention.actions.values()))
    names: set[str] = set()
    while len(names) < count:
        words = rng.sample(objects, rng.choice([1, 2, 2, 3]))
        names.add(" ".join(w.title() for w in words) + " " + rng.choice(actions).title())
    return sorted(names)


def variants(registry: list[str], count: int, rng: random.Random) -> list[str]:
    """What CI sends: some registered names, many restyled copies, some new ones, some bad ones."""
    out = []
    for _ in range(count):
        name = rng.choice(registry)
        words = name.split()
        style = rng.random()
        if style < 0.3:
            out.append(name)
        elif style < 0.5:
            out.append("_".join(w.lower() for w in words))
        elif style < 0.7:
            out.append(words[0].lower() + "".join(w.title() for w in words[1:]))
        elif style < 0.8:
            out.append(" ".join([words[-1], *words[:-1]]))
        else:
            out.append(
                f"{rng.choice(words)} {rng.choice(registry).split()[0]} Viewed {rng.randint(1, 9)}"
            )
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--names", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    # Named after the configured database, so that benchmarks run from two work trees (each
    # with its own DATABASE_URL) never drop each other's throwaway database.
    connection.settings_dict["TEST"]["NAME"] = f"{connection.settings_dict['NAME']}_telemetry_api"
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, keepdb=False, serialize=False
    )
    try:
        run(args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(args) -> None:
    from django.utils import timezone
    from rest_framework.test import APIClient

    from productops.accounts.models import Membership, Team, User
    from telemetry import linting, naming, services
    from telemetry.models import Event

    rng = random.Random(42)
    teams = [Team.objects.create(name=f"Team {i}", slug=f"team-{i}") for i in range(8)]
    user = User.objects.create(username="bench")
    Membership.objects.create(user=user, team=teams[0])

    started = time.perf_counter()
    names = registry_names(args.events, rng)
    Event.objects.bulk_create(
        [
            Event(name=n, normalised_name=naming.normalise(n), team=teams[i % 8], lint_state="ok")
            for i, n in enumerate(names)
        ],
        batch_size=5000,
    )
    # A real registry grew over months; events saved minutes ago are re-read by the index's
    # freshness check, which would otherwise be all 50,000 here.
    Event.objects.update(updated_at=timezone.now() - datetime.timedelta(days=30))
    print(
        f"registry: {Event.objects.count():,} events ({connection.vendor}), filled in {time.perf_counter() - started:.1f} s"
    )

    client = APIClient()
    client.force_authenticate(user)

    started = time.perf_counter()
    linting.lint_names(["Warm Up Viewed"])
    print(
        f"duplicate index built (cold, once per registry change): {time.perf_counter() - started:.2f} s"
    )

    cpu_times: list[float] = []

    def post(names):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.post(
            "/api/v1/telemetry/lint/", {"names": names, "team": "team-0"}, format="json"
        )
        elapsed = time.perf_counter() - started
        cpu_times.append(time.process_time() - started_cpu)
        assert response.status_code == 200, response.content[:500]
        results = response.json()["results"]
        assert [r["name"] for r in results] == names
        return elapsed, results

    # Cold: names this registry state has never been asked about (every look-up is computed).
    cold = []
    for run_number in range(args.runs):
        fresh = variants(names, args.names, random.Random(1000 + run_number))
        elapsed, results = post(fresh)
        cold.append(elapsed)
    cold_cpu = list(cpu_times)
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(post, variants(names, args.names, random.Random(999)))
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(40)
    # Warm: CI sending the same tracking plan again (look-ups served from the per-registry-state cache).
    warm = [post(fresh)[0] for _ in range(args.runs)]
    failing = sum(1 for r in results if not r["ok"])
    with_duplicates = sum(1 for r in results if r["duplicates"])
    print(
        f"POST /lint/ {args.names:,} new names vs {len(names):,} events (cold): "
        f"median {statistics.median(cold):.2f} s, best {min(cold):.2f} s, worst {max(cold):.2f} s (target < 1 s, issue 13)"
    )
    print(f"  CPU time of the process per cold request: median {statistics.median(cold_cpu):.2f} s")
    split(names, args, team=teams[0])
    print(
        f"POST /lint/ the same {args.names:,} names again (warm): "
        f"median {statistics.median(warm):.2f} s, best {min(warm):.2f} s, worst {max(warm):.2f} s"
    )
    print(
        f"  last batch: {failing:,} break the convention, {with_duplicates:,} have near-duplicates"
    )

    services.event_register(team=teams[0], name="Bench Event Added", by=user)
    after = [post(fresh)[0] for _ in range(args.runs)]
    print(
        "POST /lint/ the same names after a new event was registered (index caught up): "
        f"first {after[0]:.2f} s, then median {statistics.median(after[1:] or after):.2f} s"
    )
    with open("/proc/loadavg") as fh:
        print(f"load average while measuring: {fh.read().split()[0]} on {os.cpu_count()} CPUs")


def split(registry: list[str], args, *, team) -> None:
    """Where a cold request's time goes: the linter vs the duplicate look-ups (CPU, fresh names)."""
    from telemetry import conventions, naming
    from telemetry.linting import _RegistryIndex

    current = conventions.current_convention()
    convention = conventions.team_convention(current.convention, team)
    index = _RegistryIndex.events(current.convention, 0)[0]
    lint, duplicates = [], []
    for run_number in range(args.runs):
        fresh = variants(registry, args.names, random.Random(5000 + run_number))
        started = time.process_time()
        for name in fresh:
            naming.lint_event(name, convention)
        lint.append(time.process_time() - started)
        started = time.process_time()
        index.find_many(fresh, limit=1)  # as the endpoint looks them up
        duplicates.append(time.process_time() - started)
    print(
        f"  split, CPU for {args.names:,} fresh names: lint {statistics.median(lint):.2f} s, "
        f"duplicate look-ups {statistics.median(duplicates):.2f} s (the rest is the request, "
        "serializers, JSON and garbage collection)"
    )


if __name__ == "__main__":
    main()
