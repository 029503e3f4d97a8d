"""Where we disagree: how split the audience is on each section, assumption and alternative.
Pure Python, no Django.

Every subject gets four signals, each on a 0–1 scale so they can be compared and explained:
- spread: the standard deviation of confidence ratings (1–5), divided by its maximum of 2;
- balance: how evenly support weighs against concern and pushback (1 = an even split);
- open blocking concerns: pushbacks, concerns and alternatives without a disposition;
- unclear: questions asked about it, a sign that people read it differently.
A subject is on the agenda when any of them crosses its threshold; its score orders and
time-boxes the agenda (strategy/agenda.py).
"""

import statistics
from dataclasses import dataclass

# Below these nothing counts as split: two raters or two points are not a pattern.
MIN_RATINGS = 3
MIN_POINTS = 2
SPREAD_SPLIT = 0.5  # a standard deviation of 1 point on the 1–5 scale
BALANCE_SPLIT = 0.5  # the smaller side is at least a third of the points
UNCLEAR_QUESTIONS = 2
TOP_VOICES = 3


@dataclass(frozen=True)
class Subject:
    kind: str  # "section", "assumption" or "alternative"
    key: str  # section key, or the public id of the assumption or alternative
    label: str
    scores: tuple[int, ...] = ()
    support: int = 0
    against: int = 0  # concerns, pushbacks and risks
    open_blockers: int = 0
    questions: int = 0
    disposition: str = ""  # how it was settled in writing, for the "settled" list


@dataclass(frozen=True)
class Disagreement:
    subject: Subject
    spread: float
    balance: float
    blocking: bool
    unclear: bool

    @property
    def split(self) -> bool:
        return self.spread >= SPREAD_SPLIT or self.balance >= BALANCE_SPLIT

    @property
    def needs_time(self) -> bool:
        return self.split or self.blocking or self.unclear

    @property
    def reasons(self) -> list[str]:
        out = []
        if self.spread >= SPREAD_SPLIT:
            out.append("confidence is spread")
        if self.balance >= BALANCE_SPLIT:
            out.append("support and concern are balanced")
        if self.blocking:
            n = self.subject.open_blockers
            out.append(f"{n} blocking point{'s' if n != 1 else ''} open")
        if self.unclear:
            out.append(f"{self.subject.questions} questions: read differently")
        return out

    @property
    def score(self) -> float:
        """0–1: how much time this deserves relative to the others."""
        raw = (
            max(self.spread, self.balance)
            + 0.25 * min(self.subject.open_blockers, 3) / 3
            + (0.15 if self.unclear else 0.0)
        )
        return round(min(raw, 1.0), 3)

    @property
    def percent(self) -> int:
        return round(100 * self.score)


def spread_of(scores) -> float:
    if len(scores) < MIN_RATINGS:
        return 0.0
    return round(statistics.pstdev(scores) / 2, 3)


def balance_of(support: int, against: int) -> float:
    total = support + against
    if total < MIN_POINTS or not support or not against:
        return 0.0
    return round(1 - abs(support - against) / total, 3)


def assess(subject: Subject) -> Disagreement:
    return Disagreement(
        subject=subject,
        spread=spread_of(subject.scores),
        balance=balance_of(subject.support, subject.against),
        blocking=subject.open_blockers > 0,
        unclear=subject.questions >= UNCLEAR_QUESTIONS,
    )


def assess_all(subjects) -> list[Disagreement]:
    """Most disagreement first; ties keep the subjects' own order (sections as written)."""
    assessed = [assess(s) for s in subjects]
    return sorted(assessed, key=lambda d: -d.score)


def dominance(contributions_per_voice) -> float:
    """Share of all contributions made by the TOP_VOICES most active voices (0–1).

    With three voices or fewer it is 1 by definition; callers show it only with more.
    """
    counts = sorted((c for c in contributions_per_voice if c > 0), reverse=True)
    total = sum(counts)
    if not total:
        return 0.0
    return round(sum(counts[:TOP_VOICES]) / total, 3)
