"""Figures for the pure naming engine: linter throughput and duplicate lookups.

    .venv/bin/python benchmarks/telemetry_lint.py

No database: the linter and the duplicate index are pure Python. Caches are cleared before each
timed run, so every name is linted from scratch (the names are distinct).
"""

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from telemetry import duplicates, naming, naming_structure, naming_text  # noqa: E402
from telemetry.duplicates import DuplicateIndex  # noqa: E402
from telemetry.naming import PRESETS, lint_event, lint_property  # noqa: E402
from telemetry.words import ABBREVIATIONS, OBJECTS, REGULAR_VERBS  # noqa: E402

STYLES = (
    lambda w: " ".join(x.title() for x in w),
    lambda w: "_".join(w),
    lambda w: w[0] + "".join(x.title() for x in w[1:]),
    lambda w: "-".join(w),
    lambda w: " ".join(w),
)


def synthetic_names(count: int, seed: int = 7) -> list[str]:
    """Distinct names with the drift real registries have: styles, tenses, orders, typos."""
    rng = random.Random(seed)
    objects = sorted(OBJECTS) + sorted(ABBREVIATIONS)
    verbs = sorted(REGULAR_VERBS)
    forms = ("", "ed", "s", "ing")
    names: set[str] = set()
    while len(names) < count:
        obj = rng.sample(objects, rng.choice((1, 1, 2, 3)))
        verb = rng.choice(verbs)
        form = rng.choice(forms)
        action = verb + form if not (form == "ed" and verb.endswith("e")) else verb + "d"
        words = obj + [action] if rng.random() < 0.7 else [action] + obj
        if rng.random() < 0.1:
            words += [rng.choice(("to", "from")), rng.choice(objects)]
        name = rng.choice(STYLES)(words)
        if rng.random() < 0.05:
            name += f" {rng.randint(1, 99999)}"
        if rng.random() < 0.05:
            i = rng.randrange(len(name))
            name = name[:i] + name[i + 1 :]
        names.add(name)
    return sorted(names)


def clear_caches() -> None:
    for fn in (
        naming._lint_event,
        naming._lint_property,
        naming._event_violations,
        naming._property_violations,
        naming_structure._parse,
        naming_text.segments,
        naming_text.strip_dynamic,
        naming_text.normalise,
        naming_text.singular,
        duplicates._keys,
    ):
        fn.cache_clear()


def calibrate() -> float:
    """Microseconds for sum(range(1000)); about 8-12 µs on an idle modern core.

    Printed so figures from a busy machine (other processes competing for the 2 cores) can be read
    for what they are."""
    best = float("inf")
    for _ in range(200):
        start = time.perf_counter()
        sum(range(1000))
        best = min(best, time.perf_counter() - start)
    return best * 1e6


def bench_lint(names: list[str], preset: str) -> None:
    conv = PRESETS[preset]
    lint_event("warm up the compiled convention", conv)
    clear_caches()
    cpu = time.process_time()
    start = time.perf_counter()
    results = [lint_event(n, conv) for n in names]
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    suggested = sum(r.suggestion is not None for r in results)
    ok = sum(r.ok for r in results)
    print(
        f"lint_event  preset={preset:<8} {len(names):>6} distinct names in {elapsed:6.3f} s"
        f" = {len(names) / elapsed:>9,.0f} names/s (CPU time: {len(names) / cpu:,.0f}/s)"
        f"   ok {ok}, with suggestion {suggested}"
    )
    start = time.perf_counter()
    for n in names:
        lint_event(n, conv)
    cached = time.perf_counter() - start
    print(
        f"lint_event  preset={preset:<8} same names again (cached): {len(names) / cached:,.0f} names/s"
    )


def bench_properties(names: list[str]) -> None:
    conv = PRESETS["segment"]
    clear_caches()
    start = time.perf_counter()
    for n in names:
        lint_property(n, conv, "string")
    elapsed = time.perf_counter() - start
    print(
        f"lint_property            {len(names):>6} names in {elapsed:6.3f} s = {len(names) / elapsed:,.0f} names/s"
    )


def bench_duplicates(registry: list[str], queries: list[str]) -> None:
    conv = PRESETS["segment"]
    clear_caches()
    start = time.perf_counter()
    index = DuplicateIndex(((n, i) for i, n in enumerate(registry)), conv)
    built = time.perf_counter() - start
    start = time.perf_counter()
    hits = sum(bool(index.find(q, limit=5)) for q in queries)
    elapsed = time.perf_counter() - start
    print(
        f"DuplicateIndex  build {len(registry):,} names in {built:.3f} s;"
        f" {len(queries):,} lookups in {elapsed:.3f} s ({elapsed / len(queries) * 1e6:.0f} µs each,"
        f" {hits:,} with candidates)"
    )


def main() -> None:
    names = synthetic_names(60_000)
    registry, queries = names[:50_000], names[50_000:]
    print(
        f"python {sys.version.split()[0]}, one process, one core;"
        f" calibration sum(range(1000)) = {calibrate():.1f} µs (idle machine: ~8-12 µs)"
    )
    for preset in ("segment", "snake", "dotted"):
        bench_lint(names[:50_000], preset)
    bench_properties(names[:50_000])
    bench_duplicates(registry, queries)
    real = Path(__file__).resolve().parents[2] / "shared" / "data" / "event-names"
    if real.exists():
        real_names = []
        for path in sorted(real.glob("*.txt")):
            real_names += [line for line in path.read_text().splitlines() if line.strip()]
        bench_lint(real_names, "segment")


if __name__ == "__main__":
    main()
