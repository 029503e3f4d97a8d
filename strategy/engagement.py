"""Engagement without nagging: figures the owner and ProductOps see per strategy after the reveal.

Counts only, and only over what the pages already show: points withheld under the k floor are left
out, and the time to answer runs from the reveal (anonymous points carry the window's opening as
their creation time, so their own time would say nothing true).
"""

import statistics
from collections import Counter
from dataclasses import dataclass

from strategy import feedback
from strategy.models import Disposition, Point, Strategy, TeamVoices
from strategy.where_we_disagree import report_for


@dataclass
class Engagement:
    teams_answered: int
    teams: int
    median_hours_to_answer: float | None
    answered: int
    by_kind: list[tuple[str, list[tuple[str, int]]]]  # (point type, [(status, n)])
    dominance_percent: int | None
    voices: int

    @property
    def teams_answered_percent(self) -> int:
        return round(100 * self.teams_answered / self.teams) if self.teams else 0


def engagement_for(strategy: Strategy) -> Engagement | None:
    if not strategy.is_revealed:
        return None
    floor = feedback.floor_for(strategy)
    voices = dict(TeamVoices.objects.filter(strategy=strategy).values_list("team_id", "voices"))
    visible = feedback.without_withheld(Point.objects.filter(strategy=strategy), floor)
    rows = list(visible.values_list("type", "disposition__status", "disposition__decided_at"))
    type_labels = dict(Point.Type.choices)
    status_labels = dict(Disposition.Status.choices)
    kinds: dict[str, Counter] = {}
    hours = []
    for kind, status, decided_at in rows:
        kinds.setdefault(kind, Counter())[status_labels.get(status, "Not answered yet")] += 1
        if decided_at and strategy.revealed_at:
            hours.append(max((decided_at - strategy.revealed_at).total_seconds(), 0) / 3600)
    report = report_for(strategy)
    return Engagement(
        teams_answered=sum(1 for n in voices.values() if n > 0),
        teams=strategy.audience_teams.count(),
        median_hours_to_answer=round(statistics.median(hours), 1) if hours else None,
        answered=len(hours),
        by_kind=[(type_labels[k], sorted(c.items())) for k, c in sorted(kinds.items())],
        dominance_percent=report.dominance_percent,
        voices=report.voices,
    )
