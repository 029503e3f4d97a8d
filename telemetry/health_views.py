"""Naming health: adoption across the organisation and per team, with its trend."""

import datetime

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from productops.accounts.models import Team
from telemetry.health import Health, naming_health_by_team
from telemetry.models import ConventionVersion, Event, NamingHealthSnapshot, TeamVocabulary


def _sparkline(values: list[float], width: int = 160, height: int = 36) -> str:
    if len(values) < 2:
        return ""
    step = width / (len(values) - 1)
    return " ".join(f"{i * step:.1f},{height - v * height:.1f}" for i, v in enumerate(values))


def _trends(days: int = 30) -> dict[int, list]:
    since = timezone.now().date() - datetime.timedelta(days=days)
    trends: dict[int, list] = {}
    for snap in NamingHealthSnapshot.objects.filter(day__gte=since).order_by("day"):
        trends.setdefault(snap.team_id, []).append(snap)
    return trends


@login_required
def health(request):
    """Naming health across the organisation: adoption made visible, nobody singled out."""
    by_team = naming_health_by_team()
    trends = _trends()
    rows = []
    for team in Team.objects.order_by("name"):
        h = by_team.get(team.pk, Health())
        snaps = trends.get(team.pk, [])
        rows.append(
            {
                "team": team,
                "health": h,
                "points": _sparkline([s.share for s in snaps]),
                "first": snaps[0] if snaps else None,
            }
        )
    total = Health(
        sum(r["health"].total for r in rows),
        sum(r["health"].conforming for r in rows),
        sum(r["health"].warnings for r in rows),
        sum(r["health"].exceptions for r in rows),
    )
    org_days: dict = {}
    for snaps in trends.values():
        for s in snaps:
            t, c = org_days.get(s.day, (0, 0))
            org_days[s.day] = (t + s.total, c + s.conforming)
    org_points = _sparkline(
        [c / t if t else 1.0 for _, (t, c) in sorted(org_days.items())], width=320, height=60
    )
    return render(
        request,
        "telemetry/health.html",
        {
            "rows": rows,
            "total": total,
            "org_points": org_points,
            "current": ConventionVersion.objects.current(),
        },
    )


@login_required
def team_health(request, slug):
    team = get_object_or_404(Team, slug=slug)
    h = naming_health_by_team().get(team.pk, Health())
    snaps = _trends(90).get(team.pk, [])
    warnings = (
        Event.objects.for_team(team)
        .counted_for_health()
        .filter(lint_state=Event.LintState.WARNINGS)
        .order_by("name")[:50]
    )
    exceptions = (
        Event.objects.for_team(team).filter(lint_state=Event.LintState.EXCEPTION).order_by("name")
    )
    return render(
        request,
        "telemetry/team_health.html",
        {
            "team": team,
            "health": h,
            "snapshots": snaps,
            "points": _sparkline([s.share for s in snaps], width=480, height=80),
            "warnings": warnings,
            "exceptions": exceptions,
            "is_member": request.user.is_member_of(team),
            "vocabulary": TeamVocabulary.objects.filter(team=team).first(),
        },
    )
