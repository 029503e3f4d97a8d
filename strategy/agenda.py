"""Proposes a review meeting's agenda from disagreement. Pure Python, no Django.

Only subjects that are split, blocking or unclear get the meeting's time, each time-boxed in
proportion to how much disagreement it carries, with a floor so nothing gets a token minute.
If more need time than fit, the most split go on the agenda and the rest are listed as
"settled in writing" with a note that they did not fit, alongside the ones written feedback settled.
"""

from dataclasses import dataclass

MIN_SLOT = 5  # minutes: less than this is not a discussion
# Kept free at the end for the question queue and the wrap-up.
WRAP_UP_SHARE = 0.1
DID_NOT_FIT = "Did not fit the meeting: to settle in writing"


@dataclass(frozen=True)
class Candidate:
    key: str
    kind: str
    label: str
    weight: float  # 0–1; 0 means settled in writing
    reason: str = ""
    disposition: str = ""


@dataclass(frozen=True)
class Slot:
    key: str
    kind: str
    label: str
    minutes: int
    reason: str


@dataclass(frozen=True)
class Settled:
    key: str
    kind: str
    label: str
    disposition: str


@dataclass(frozen=True)
class Agenda:
    slots: list[Slot]
    settled: list[Settled]
    wrap_up: int

    @property
    def minutes(self) -> int:
        return sum(s.minutes for s in self.slots) + self.wrap_up


def _proportional(weights: list[float], total: int, floor: int) -> list[int]:
    """Integers >= floor summing to exactly `total`, in proportion to weights (largest remainder)."""
    spare = total - floor * len(weights)
    weight_sum = sum(weights)
    shares = [spare * w / weight_sum for w in weights]
    whole = [int(s) for s in shares]
    left = spare - sum(whole)
    order = sorted(range(len(weights)), key=lambda i: (-(shares[i] - whole[i]), i))
    for i in order[:left]:
        whole[i] += 1
    return [floor + w for w in whole]


def propose(candidates, *, meeting_minutes: int, min_slot: int = MIN_SLOT) -> Agenda:
    needs_time = sorted(
        (c for c in candidates if c.weight > 0), key=lambda c: -c.weight
    )  # sorted() is stable: equal weights keep the caller's order
    settled = [Settled(c.key, c.kind, c.label, c.disposition) for c in candidates if c.weight <= 0]
    wrap_up = max(int(meeting_minutes * WRAP_UP_SHARE), 0) if needs_time else 0
    available = meeting_minutes - wrap_up
    fits = max(available // min_slot, 0)
    chosen, dropped = needs_time[:fits], needs_time[fits:]
    settled += [Settled(c.key, c.kind, c.label, DID_NOT_FIT) for c in dropped]
    if not chosen:
        return Agenda([], settled, 0)
    minutes = _proportional([max(c.weight, 0.01) for c in chosen], available, min_slot)
    slots = [
        Slot(c.key, c.kind, c.label, m, c.reason) for c, m in zip(chosen, minutes, strict=True)
    ]
    return Agenda(slots, settled, wrap_up)
