"""Slot maths: open interview slots from a researcher's availability and existing bookings.

Pure Python (no Django): windows are wall-clock times in the researcher's zone, turned into UTC
instants day by day so a DST change moves the instants, never the researcher's 09:00. Everything
returned is an aware UTC datetime; callers show it in the viewer's zone.
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class Window:
    """Weekly recurring availability: weekday 0 = Monday, wall-clock times in the researcher's zone."""

    weekday: int
    start: time
    end: time


@dataclass(frozen=True, slots=True)
class OneOff:
    """A one-off stretch of availability on one date (researcher's zone)."""

    day: date
    start: time
    end: time


@dataclass(frozen=True, slots=True)
class Availability:
    time_zone: str
    windows: tuple[Window, ...] = ()
    one_offs: tuple[OneOff, ...] = ()
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)
    min_notice: timedelta = timedelta(hours=24)
    max_per_day: int | None = None
    max_per_week: int | None = None
    blackout: frozenset[date] = field(default_factory=frozenset)
    # Slots start on this grid inside a window (minutes), so offered times look like 09:00, 09:30.
    step_minutes: int = 30


@dataclass(frozen=True, slots=True, order=True)
class Slot:
    start: datetime
    end: datetime


def _to_utc(day: date, at: time, tz: ZoneInfo) -> datetime:
    # fold=0: an ambiguous wall time (the repeated autumn hour) means its first occurrence;
    # a non-existent one (the skipped spring hour) is normalised forward by the UTC round trip.
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def _stretches(avail: Availability, start_day: date, end_day: date, tz: ZoneInfo):
    """(day, UTC start, UTC end) of every availability stretch between the two dates (inclusive)."""
    by_weekday: dict[int, list[Window]] = {}
    for w in avail.windows:
        by_weekday.setdefault(w.weekday, []).append(w)
    one_offs: dict[date, list[OneOff]] = {}
    for o in avail.one_offs:
        one_offs.setdefault(o.day, []).append(o)
    day = start_day
    while day <= end_day:
        if day not in avail.blackout:
            for w in by_weekday.get(day.weekday(), ()):
                yield day, _to_utc(day, w.start, tz), _to_utc(day, w.end, tz)
            for o in one_offs.get(day, ()):
                yield day, _to_utc(day, o.start, tz), _to_utc(day, o.end, tz)
        day += timedelta(days=1)


def _week(day: date) -> tuple[int, int]:
    iso = day.isocalendar()
    return iso[0], iso[1]


def open_slots(
    avail: Availability,
    *,
    length: timedelta,
    busy: list[tuple[datetime, datetime]],
    now: datetime,
    start: datetime,
    end: datetime,
) -> list[Slot]:
    """Every bookable slot starting in [start, end).

    ``busy`` are the researcher's booked sessions (UTC start, end), without buffers: the buffers
    of the researcher's availability are kept around each of them and around each new slot.
    Daily and weekly maxima count sessions by the researcher's local day and ISO week.
    """
    tz = ZoneInfo(avail.time_zone)
    earliest = max(start, now + avail.min_notice)
    local_start = start.astimezone(tz).date() - timedelta(days=1)
    local_end = end.astimezone(tz).date() + timedelta(days=1)

    # Busy intervals widened by the buffers on both sides, sorted by start, for bisect lookups.
    before, after = avail.buffer_before, avail.buffer_after
    blocked = sorted((b0 - after - before, b1 + before + after) for b0, b1 in busy)
    starts = [b[0] for b in blocked]
    # Longest blocked interval, so a lookup need only look back that far.
    longest = max((b1 - b0 for b0, b1 in blocked), default=timedelta(0))

    per_day: Counter = Counter()
    per_week: Counter = Counter()
    if avail.max_per_day is not None or avail.max_per_week is not None:
        for b0, _ in busy:
            d = b0.astimezone(tz).date()
            per_day[d] += 1
            per_week[_week(d)] += 1

    step = timedelta(minutes=avail.step_minutes)
    found: list[Slot] = []
    for day, w0, w1 in _stretches(avail, local_start, local_end, tz):
        if avail.max_per_day is not None and per_day[day] >= avail.max_per_day:
            continue
        if avail.max_per_week is not None and per_week[_week(day)] >= avail.max_per_week:
            continue
        s = w0
        while s + length <= w1:
            e = s + length
            if s >= earliest and start <= s < end and not _overlaps(blocked, starts, longest, s, e):
                found.append(Slot(s, e))
            s += step
    found.sort()
    # One-off slots may repeat a weekly window's times: offer each instant once.
    unique = []
    for slot in found:
        if not unique or unique[-1] != slot:
            unique.append(slot)
    return unique


def _overlaps(blocked, starts, longest, s: datetime, e: datetime) -> bool:
    # Any blocked (b0, b1) with b0 < e and b1 > s; candidates have b0 in (s - longest, e).
    i = bisect.bisect_left(starts, s - longest)
    j = bisect.bisect_left(starts, e)
    return any(blocked[k][1] > s for k in range(i, j))


def slot_is_open(
    avail: Availability, *, slot_start: datetime, length: timedelta, busy, now
) -> bool:
    """Whether a slot starting at this instant is offered right now (for the booking check)."""
    slots = open_slots(
        avail,
        length=length,
        busy=busy,
        now=now,
        start=slot_start,
        end=slot_start + timedelta(seconds=1),
    )
    return any(s.start == slot_start for s in slots)


def group_by_local_day(slots: list[Slot], viewer_zone: str) -> list[tuple[date, list[datetime]]]:
    """Slots as the viewer sees them: their local date, with local start times."""
    tz = ZoneInfo(viewer_zone)
    days: dict[date, list[datetime]] = {}
    for slot in slots:
        local = slot.start.astimezone(tz)
        days.setdefault(local.date(), []).append(local)
    return sorted(days.items())
