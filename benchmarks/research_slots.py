"""Open slots for 4 weeks of a researcher's availability with 200 existing bookings (< 20 ms).

.venv/bin/python benchmarks/research_slots.py
"""

import statistics
import sys
import time as clock
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from research import slots  # noqa: E402

LIMIT_MS = 20.0


def main() -> float:
    avail = slots.Availability(
        time_zone="Europe/Berlin",
        windows=tuple(slots.Window(d, time(7), time(21)) for d in range(7)),
        buffer_before=timedelta(minutes=5),
        buffer_after=timedelta(minutes=10),
        min_notice=timedelta(hours=24),
        max_per_day=12,
        max_per_week=70,
        step_minutes=15,
    )
    now = datetime(2026, 3, 16, 0, 0, tzinfo=UTC)
    busy = []
    start = now + timedelta(days=1, hours=7)
    for i in range(200):
        day, n = divmod(i, 7)
        s = start + timedelta(days=day, hours=n * 2)
        busy.append((s, s + timedelta(minutes=45)))
    runs = []
    for _ in range(30):
        t0 = clock.perf_counter()
        found = slots.open_slots(
            avail,
            length=timedelta(minutes=45),
            busy=busy,
            now=now,
            start=now,
            end=now + timedelta(days=28),
        )
        runs.append((clock.perf_counter() - t0) * 1000)
    median = statistics.median(runs)
    print(
        f"open slots, 4 weeks, 200 bookings: {len(found)} slots, median {median:.2f} ms, "
        f"max {max(runs):.2f} ms (limit {LIMIT_MS:.0f} ms)"
    )
    return median


if __name__ == "__main__":
    sys.exit(0 if main() < LIMIT_MS else 1)
