"""Naming health: the share of each team's live events that follow the convention, and its trend."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from productops.accounts.models import Team
from telemetry.models import ConventionVersion, Event, NamingHealthSnapshot


@dataclass
class Health:
    total: int = 0
    conforming: int = 0
    warnings: int = 0
    exceptions: int = 0

    @property
    def share(self) -> float:
        return self.conforming / self.total if self.total else 1.0

    @property
    def percent(self) -> int:
        return round(self.share * 100)


def naming_health_by_team() -> dict[int, Health]:
    """Live counts per team in one query (deprecated events left out)."""
    rows = (
        Event.objects.counted_for_health()
        .values("team_id")
        .annotate(
            total=Count("pk"),
            conforming=Count("pk", filter=Q(lint_state=Event.LintState.OK)),
            warnings=Count("pk", filter=Q(lint_state=Event.LintState.WARNINGS)),
            exceptions=Count("pk", filter=Q(lint_state=Event.LintState.EXCEPTION)),
        )
        .order_by()
    )
    return {
        row["team_id"]: Health(row["total"], row["conforming"], row["warnings"], row["exceptions"])
        for row in rows
    }


def health_snapshots_take(*, day: datetime.date | None = None) -> int:
    """Write today's (or the given day's) numbers per team; running twice just refreshes them."""
    day = day or timezone.now().date()
    version = ConventionVersion.objects.current()
    health = naming_health_by_team()
    rows = []
    for team_id in Team.objects.values_list("pk", flat=True):
        h = health.get(team_id, Health())
        rows.append(
            NamingHealthSnapshot(
                team_id=team_id,
                day=day,
                total=h.total,
                conforming=h.conforming,
                exceptions=h.exceptions,
                convention=version,
            )
        )
    NamingHealthSnapshot.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["team", "day"],
        update_fields=["total", "conforming", "exceptions", "convention"],
    )
    return len(rows)
