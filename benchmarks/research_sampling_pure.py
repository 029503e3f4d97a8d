"""Sampling speed, pure Python (no database): a stratified sample of 50 from 500,000 candidates.

    .venv/bin/python benchmarks/research_sampling_pure.py [--candidates 500000] [--n 50]

Prints per-draw wall and CPU times for the usual panel (most never contacted, a vocal few
contacted often), the same with ids in random order, a panel where everyone was contacted at
a different time (the slowest ranking path), and finer strata. On a shared machine the CPU
time is the steadier figure.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from research.sampling import Candidate, draw  # noqa: E402

NOW = datetime(2026, 11, 27, tzinfo=UTC)
PLANS = ("Free", "Starter", "Pro", "Enterprise")
REGIONS = ("EU", "NA", "APAC")
SIZES = ("1-10", "11-50", "51-200", "201-1000", "1000+")


def panel(size, seed, with_size=False, shuffled_ids=False):
    rng = random.Random(seed)
    ids = list(range(size))
    if shuffled_ids:
        # As a query without ORDER BY id would give them.
        rng.shuffle(ids)
    plan_weights, region_weights = (5, 3, 2, 1), (4, 4, 2)
    people = []
    for i in range(size):
        stratum = (
            rng.choices(PLANS, plan_weights)[0],
            rng.choices(REGIONS, region_weights)[0],
        )
        if with_size:
            stratum += (rng.choice(SIZES),)
        count = 0 if rng.random() < 0.7 else rng.choice((1, 1, 1, 2, 3, 5, 9))
        last = None if count == 0 else NOW - timedelta(seconds=rng.randrange(86400 * 700))
        people.append(Candidate(ids[i], stratum, count, last))
    return people


def measure(label, candidates, n, response_rate, runs):
    walls, cpus = [], []
    for seed in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        sample = draw(candidates=candidates, n=n, seed=seed, response_rate=response_rate)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    print(
        f"{label}: median {statistics.median(walls) * 1e3:.0f} ms wall "
        f"(max {max(walls) * 1e3:.0f}), median {statistics.median(cpus) * 1e3:.0f} ms CPU; "
        f"{len(sample.selected)} selected, {len(sample.standby)} standby, "
        f"{len(sample.strata)} strata, TVD {sample.tvd:.3f}, PSI {sample.psi:.4f}, "
        f"{len(candidates) / statistics.median(walls):,.0f} candidates/s"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=500_000)
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    size, n, runs = args.candidates, args.n, args.runs

    usual = panel(size, 1)
    print(f"{size:,} candidates, n={n}, {runs} seeds each (target: well under 1 s)")
    measure("usual panel, plan × region, no standby", usual, n, 1.0, runs)
    measure("usual panel, plan × region, 30% response rate", usual, n, 0.3, runs)
    measure("ids in random order", panel(size, 1, shuffled_ids=True), n, 0.3, runs)
    everyone = [
        Candidate(c.id, c.strata, 1, NOW - timedelta(seconds=c.id * 7 % 10**8)) for c in usual
    ]
    del usual
    measure("everyone contacted once, all at different times", everyone, n, 0.3, runs)
    del everyone
    measure("plan × region × company size (60 strata)", panel(size, 3, True), n, 0.3, runs)


if __name__ == "__main__":
    main()
