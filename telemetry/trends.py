"""Naming-health trend charts as SVG coordinates: a fixed 0–100% scale, days placed by date
(a missed snapshot leaves a gap in time, not a squeeze), and a mark where the convention changed.

Pure Python with no Django import.
"""

import datetime
from dataclasses import dataclass, field

# One window for every trend on every page.
TREND_DAYS = 60


@dataclass
class Chart:
    width: int
    height: int
    left: int
    top: int
    plot_width: float
    plot_height: float
    points: str
    start: datetime.date
    end: datetime.date
    first: float
    last: float
    markers: list = field(default_factory=list)  # (x, label) where a new convention version began

    @property
    def bottom(self) -> float:
        return self.top + self.plot_height

    @property
    def right(self) -> float:
        return self.left + self.plot_width

    @property
    def middle(self) -> float:
        return self.top + self.plot_height / 2

    @property
    def first_percent(self) -> int:
        return round(self.first * 100)

    @property
    def last_percent(self) -> int:
        return round(self.last * 100)


def trend_chart(
    days: list[tuple[datetime.date, float, int | None]],
    *,
    end: datetime.date,
    width: int = 200,
    height: int = 48,
    window: int = TREND_DAYS,
) -> Chart | None:
    """`days` is (day, conforming share 0..1, convention version number) in day order."""
    if len(days) < 2:
        return None
    left, top, right_pad, bottom_pad = 30, 4, 4, 12
    plot_width = width - left - right_pad
    plot_height = height - top - bottom_pad
    start = end - datetime.timedelta(days=window)

    def x(day: datetime.date) -> float:
        return left + plot_width * (day - start).days / window

    def y(share: float) -> float:
        return top + plot_height * (1 - max(0.0, min(1.0, share)))

    points = " ".join(f"{x(day):.1f},{y(share):.1f}" for day, share, _ in days)
    markers = []
    for (_, _, before), (day, _, after) in zip(days, days[1:], strict=False):
        if after is not None and after != before:
            markers.append((round(x(day), 1), f"v{after}"))
    return Chart(
        width=width,
        height=height,
        left=left,
        top=top,
        plot_width=plot_width,
        plot_height=plot_height,
        points=points,
        start=start,
        end=end,
        first=days[0][1],
        last=days[-1][1],
        markers=markers,
    )
