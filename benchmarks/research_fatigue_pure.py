"""Fatigue check speed, pure Python (no database): per participant and for a nightly sweep.

    .venv/bin/python benchmarks/research_fatigue_pure.py [--participants 100000] [--seed 1]

Builds a synthetic panel (skewed accounts, touches concentrated on a vocal few), evaluates every
participant the way the nightly job does (one shared Ledger per account) and the way a page does
(plain lists), and prints per-call times, throughput and the projection to 500,000 participants.
Wall and CPU time are both printed: on a shared machine the CPU time is the steadier figure.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from research.fatigue import (  # noqa: E402
    ACCOUNT_LOOKBACK,
    Ledger,
    ParticipantFacts,
    Rules,
    Touch,
    evaluate,
)

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
METHODS = ("interview", "usability test", "survey")


def build_panel(participants, seed):
    rng = random.Random(seed)
    accounts = max(1, participants // 6)
    # A few big accounts, many small ones (Pareto sizes).
    weights = [rng.paretovariate(1.2) for _ in range(accounts)]
    owner = rng.choices(range(accounts), weights, k=participants)
    vocal = set(rng.sample(range(participants), participants // 20))
    ledgers = []
    for person in range(participants):
        k = rng.randrange(6, 25) if person in vocal else rng.choice((0, 0, 0, 1, 1, 2, 3))
        touches = []
        for _ in range(k):
            kind = rng.choices(
                ("invitation", "session", "no_show", "incentive", "other"), (5, 3, 0.4, 1.5, 0.6)
            )[0]
            touches.append(
                Touch(
                    kind,
                    NOW - timedelta(hours=rng.randrange(-24 * 14, 24 * 500)),
                    minutes=rng.choice((30, 45, 60)) if kind in ("session", "other") else 0,
                    method=rng.choice(METHODS) if kind == "session" else None,
                    incentive_cents=rng.choice((2500, 5000, 10000)) if kind == "incentive" else 0,
                )
            )
        ledgers.append(touches)
    by_account = [[] for _ in range(accounts)]
    for person, account in enumerate(owner):
        by_account[account].extend(ledgers[person])
    renewals = [
        date(2027, 1, 1) + timedelta(days=rng.randrange(0, 365)) if rng.random() < 0.8 else None
        for _ in range(accounts)
    ]
    flagged = [rng.random() < 0.02 for _ in range(accounts)]
    facts = []
    for person in range(participants):
        account = owner[person]
        attributes = {"owner_flagged": flagged[account]}
        if renewals[account]:
            attributes["renewal_date"] = renewals[account]
        facts.append(
            ParticipantFacts(
                consent=rng.random() < 0.97,
                opted_out=rng.random() < 0.01,
                do_not_contact=rng.random() < 0.005,
                account_attributes=attributes,
            )
        )
    return facts, ledgers, owner, by_account


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rules = Rules(max_sessions_per_year_by_method={"interview": 2})

    (facts, ledgers, owner, by_account), wall, _ = timed(
        lambda: build_panel(args.participants, args.seed)
    )
    touches = sum(map(len, ledgers))
    print(
        f"panel: {args.participants:,} participants, {len(by_account):,} accounts "
        f"(largest {max(map(len, by_account)):,} touches), {touches:,} ledger rows; "
        f"built in {wall:.1f} s"
    )

    def sweep():
        account_ledgers, refused = {}, 0
        for person in range(args.participants):
            account = owner[person]
            shared = account_ledgers.get(account)
            if shared is None:
                shared = account_ledgers[account] = Ledger(by_account[account])
            result = evaluate(
                facts=facts[person],
                touches=ledgers[person],
                account_touches=shared,
                rules=rules,
                now=NOW,
                method="interview",
            )
            refused += not result.eligible
        return refused

    refused, wall, cpu = timed(sweep)
    n = args.participants
    print(
        f"nightly sweep (shared Ledger per account): {wall / n * 1e6:.1f} µs/participant wall, "
        f"{cpu / n * 1e6:.1f} µs CPU; {n / wall:,.0f} participants/s; "
        f"{refused / n:.1%} refused"
    )
    print(
        f"  projected for 500,000 participants: {wall / n * 500_000:.0f} s wall, "
        f"{cpu / n * 500_000:.0f} s CPU (target: under 120 s)"
    )

    sample = random.Random(args.seed).sample(range(n), min(n, 5_000))

    cpu_each = []
    for person in sample:
        _, _, cpu = timed(
            lambda person=person: evaluate(
                facts=facts[person],
                touches=ledgers[person],
                account_touches=by_account[owner[person]],
                rules=rules,
                now=NOW,
            )
        )
        cpu_each.append(cpu)
    cpu_each.sort()
    print(
        f"single check with plain lists (a page or API call), {len(sample):,} participants, "
        f"CPU per check: median {cpu_each[len(cpu_each) // 2] * 1e3:.3f} ms, "
        f"p99 {cpu_each[int(len(cpu_each) * 0.99)] * 1e3:.2f} ms, "
        f"max {cpu_each[-1] * 1e3:.2f} ms (target: under 5 ms)"
    )

    # The heaviest case: a vocal participant of the biggest account.
    biggest = max(range(len(by_account)), key=lambda a: len(by_account[a]))
    heavy_person = max((p for p in range(n) if owner[p] == biggest), key=lambda p: len(ledgers[p]))
    account = by_account[biggest]
    recent = [t for t in account if t.at > NOW - ACCOUNT_LOOKBACK]
    timed_only = [t for t in recent if t.kind == "session" or t.minutes]
    for label, account_touches in (
        ("the account's whole ledger", account),
        ("its last 91 days", recent),
        (
            "its sessions and timed touches of the last 91 days, as a query would load them",
            timed_only,
        ),
    ):
        walls, cpus = [], []
        for _ in range(30):
            _, wall, cpu = timed(
                lambda account_touches=account_touches: evaluate(
                    facts=facts[heavy_person],
                    touches=ledgers[heavy_person],
                    account_touches=account_touches,
                    rules=rules,
                    now=NOW,
                )
            )
            walls.append(wall)
            cpus.append(cpu)
        print(
            f"worst case: {len(ledgers[heavy_person])} own touches and {label} "
            f"({len(account_touches):,} touches) as a plain list: median "
            f"{statistics.median(walls) * 1e3:.2f} ms wall, "
            f"{statistics.median(cpus) * 1e3:.2f} ms CPU"
        )


if __name__ == "__main__":
    main()
