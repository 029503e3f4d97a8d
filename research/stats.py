"""Panel-health figures: how evenly the org's attention is spread over customers.

Pure functions over plain numbers and datetimes (no Django import), for the panel-health page:
contacts per participant and per account, the share heard from this quarter, refusals by rule.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from research.fatigue import RULE_NAMES, Eligibility

# Histogram bins for "contacts per participant": 0, 1, 2, 3-4, 5-9, 10+.
CONTACT_BINS = (0, 1, 2, 3, 5, 10)


def gini(values: Iterable[float]) -> float:
    """Gini coefficient: 0 when everyone got the same number of contacts, towards 1 when a few
    got them all. Zeros count: a participant never contacted is part of the inequality."""
    ordered = sorted(values)
    n = len(ordered)
    total = sum(ordered)
    if n == 0 or total == 0:
        return 0.0
    if ordered[0] < 0:
        raise ValueError("Contact counts cannot be negative.")
    weighted = sum(rank * value for rank, value in enumerate(ordered, start=1))
    return 2 * weighted / (n * total) - (n + 1) / n


def top_share(values: Iterable[float], fraction: float = 0.1) -> float:
    """Share of all contacts that went to the most-contacted ``fraction`` of participants
    ("the top 10% got 64% of the contacts"); the top group is rounded up to whole people."""
    if not 0 < fraction <= 1:
        raise ValueError(f"The fraction must be above 0 and at most 1: {fraction!r}.")
    ordered = sorted(values, reverse=True)
    total = sum(ordered)
    if not ordered or total == 0:
        return 0.0
    top = math.ceil(len(ordered) * fraction)
    return sum(ordered[:top]) / total


def lorenz(values: Iterable[float], points: int = 10) -> list[tuple[float, float]]:
    """Points of the Lorenz curve, from (0, 0) to (1, 1): the least-contacted share of people
    against the share of contacts they received, for a small chart."""
    ordered = sorted(values)
    n, total = len(ordered), sum(ordered)
    curve = [(0.0, 0.0)]
    if n == 0 or total == 0:
        return [(0.0, 0.0), (1.0, 1.0)]
    running, cumulative = 0, [0.0]
    for value in ordered:
        running += value
        cumulative.append(running)
    for step in range(1, points + 1):
        people = round(n * step / points)
        curve.append((people / n, cumulative[people] / total))
    return curve


def distribution(
    values: Iterable[int], bins: Sequence[int] = CONTACT_BINS
) -> list[tuple[str, int]]:
    """How many participants fall in each contact-count bin, labelled "0", "1", "3–4", "10+"."""
    counts = Counter()
    edges = list(bins)
    for value in values:
        # The last bin whose lower edge is at or below the value.
        index = 0
        for i, edge in enumerate(edges):
            if value >= edge:
                index = i
        counts[index] += 1
    labels = []
    for i, edge in enumerate(edges):
        if i == len(edges) - 1:
            label = f"{edge}+"
        elif edges[i + 1] - edge == 1:
            label = str(edge)
        else:
            label = f"{edge}–{edges[i + 1] - 1}"
        labels.append((label, counts[i]))
    return labels


def quarter_start(now: datetime) -> datetime:
    """Start (UTC midnight) of the calendar quarter ``now`` falls in, for "this quarter"."""
    if now.tzinfo is None:
        raise ValueError(f"now={now!r} has no time zone; pass an aware UTC datetime.")
    now = now.astimezone(UTC)
    return datetime(now.year, 3 * ((now.month - 1) // 3) + 1, 1, tzinfo=UTC)


def share_heard_from(last_heard: Iterable[datetime | None], since: datetime) -> float:
    """Share of participants with a session (or other contact) at or after ``since``;
    ``last_heard`` holds one entry per participant, None for never."""
    people = heard = 0
    for at in last_heard:
        people += 1
        if at is not None and at >= since:
            heard += 1
    return heard / people if people else 0.0


def refusals_by_rule(results: Iterable[Eligibility]) -> list[tuple[str, str, int]]:
    """(rule id, rule name, participants refused by it), most frequent first.

    A participant refused by several rules counts once under each.
    """
    counts = Counter()
    for result in results:
        counts.update({refusal.rule for refusal in result.refusals})
    order = list(RULE_NAMES)
    return [
        (rule, RULE_NAMES[rule], count)
        for rule, count in sorted(counts.items(), key=lambda kv: (-kv[1], order.index(kv[0])))
    ]
