"""Rolling-window arithmetic on sorted instants, for the fatigue rules.

A touch at ``at`` counts in a window of ``window`` at instant ``t`` while ``t < at + window``;
every function here answers "refused now?" and "from which instant not?" with bisect on sorted
lists, so a check costs a few logarithms however long the ledger.
"""

from __future__ import annotations

import bisect
import math
from datetime import UTC, date, datetime, timedelta


def count_since(times: list[datetime], start: datetime) -> int:
    """How many instants are still inside a window that began at ``start`` (exclusive)."""
    return len(times) - bisect.bisect_right(times, start)


def count_lapse(
    times: list[datetime], now: datetime, window: timedelta, limit: int
) -> datetime | None | bool:
    """False when fewer than ``limit`` touches are in the window; else when enough have lapsed.

    Returns None when nothing can ever fit (a limit of 0).
    """
    first = bisect.bisect_right(times, now - window)
    count = len(times) - first
    if count < limit:
        return False
    if limit == 0:
        return None
    # The window must lose count - limit + 1 touches; the last of those leaves at at + window.
    return times[first + count - limit] + window


def sum_lapse(
    times: list[datetime],
    prefix: list[int],
    now: datetime,
    window: timedelta,
    cap: int,
    planned: int,
) -> tuple[datetime | None | bool, int]:
    """(False, used) when ``planned`` (at least 1) fits under the cap; else when it will fit."""
    first = bisect.bisect_right(times, now - window)
    total = prefix[-1]
    used = total - prefix[first]
    need = max(planned, 1)
    if used + need <= cap:
        return False, used
    if need > cap:
        return None, used
    # The smallest j with total - prefix[j] + need <= cap: touches before j must have lapsed.
    j = bisect.bisect_left(prefix, total + need - cap)
    return times[j - 1] + window, used


def no_show_lapse(
    no_shows: list[datetime], now: datetime, limit: int, exclusion_days: int
) -> datetime | None:
    """End of the exclusion in force at ``now``, or None.

    A no-show that is at least the ``limit``-th within ``exclusion_days`` (itself included)
    excludes the participant for ``exclusion_days`` from that no-show: one no-show now and then
    is forgiven, a pattern is not.
    """
    if not exclusion_days or not no_shows:
        return None
    if limit <= 1:
        lapse = no_shows[-1] + timedelta(days=exclusion_days)
        return lapse if now < lapse else None
    span = timedelta(days=exclusion_days)
    # Only no-shows that started an exclusion still running matter: at > now - span.
    start = bisect.bisect_right(no_shows, now - span)
    for i in range(len(no_shows) - 1, start - 1, -1):
        at = no_shows[i]
        # Count no-shows within (at - span, at].
        if i + 1 - bisect.bisect_right(no_shows, at - span) >= limit:
            return at + span
    return None


def as_date(value: object, name: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            pass
    raise ValueError(f"Account attribute {name!r} must be a date (YYYY-MM-DD), got {value!r}.")


def days_until(instant: datetime, now: datetime) -> int:
    """Whole days (rounded up) from ``now`` until ``instant``, for "eligible in N days"."""
    return max(0, math.ceil((instant - now) / timedelta(days=1)))
