"""Naming health: adoption across the organisation and per team, with its trend."""

import datetime

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from productops.accounts.models import Team
from telemetry.health import Health, naming_health_by_team
from telemetry.models import (
    ConventionVersion,
    DriftItem,
    Event,
    NamingHealthSnapshot,
    TeamVocabulary,
)
from telemetry.trends import TREND_DAYS, trend_chart


def _trends(days: int = TREND_DAYS) -> dict[int, list]:
    since = timezone.now().date() - datetime.timedelta(days=days)
    trends: dict[int, list] = {}
    snapshots = (
        NamingHealthSnapshot.objects.filter(day__gte=since)
        .select_related("convention")
        .only("team_id", "day", "total", "conforming", "convention__number")
        .order_by("day")
    )
    for snap in snapshots:
        trends.setdefault(snap.team_id, []).append(snap)
    return trends


WARNING_LIMIT = 5000


def _warning_groups(events) -> list[dict]:
    """The same warning on many events reads as one line with a count, not 29 identical lines."""
    groups: dict[str, dict] = {}
    for event in events:
        for violation in event.lint_violations:
            group = groups.setdefault(
                violation["rule"],
                {"rule": violation["rule"], "message": violation["message"], "events": []},
            )
            group["events"].append(event)
    return sorted(groups.values(), key=lambda g: (-len(g["events"]), g["rule"]))


def _chart(snaps, **size):
    days = [(s.day, s.share, s.convention.number if s.convention else None) for s in snaps]
    return trend_chart(days, end=timezone.now().date(), **size)


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
                "chart": _chart(snaps),
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
            t, c, _ = org_days.get(s.day, (0, 0, None))
            org_days[s.day] = (t + s.total, c + s.conforming, s.convention)
    org_chart = trend_chart(
        [
            (day, c / t if t else 1.0, version.number if version else None)
            for day, (t, c, version) in sorted(org_days.items())
        ],
        end=timezone.now().date(),
        width=320,
        height=72,
    )
    return render(
        request,
        "telemetry/health.html",
        {
            "rows": rows,
            "total": total,
            "org_chart": org_chart,
            "trend_days": TREND_DAYS,
            "current": ConventionVersion.objects.current(),
            "drift_open": DriftItem.objects.filter(resolved_at=None).count(),
        },
    )


@login_required
def team_health(request, slug):
    team = get_object_or_404(Team, slug=slug)
    h = naming_health_by_team().get(team.pk, Health())
    snaps = _trends().get(team.pk, [])
    flagged = (
        Event.objects.for_team(team)
        .counted_for_health()
        .filter(lint_state=Event.LintState.WARNINGS)
        .order_by("name")
        .only("pk", "name", "lint_suggestion", "lint_violations", "team_id")
    )
    flagged = list(flagged[:WARNING_LIMIT])
    warnings = flagged[:50]
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
            "chart": _chart(snaps, width=320, height=72),
            "trend_days": TREND_DAYS,
            "warnings": warnings,
            "warning_groups": _warning_groups(flagged),
            "with_suggestion": sum(1 for e in flagged if e.lint_suggestion),
            "exceptions": exceptions,
            "is_member": request.user.is_member_of(team),
            "vocabulary": TeamVocabulary.objects.filter(team=team).first(),
            "drift_open": DriftItem.objects.filter(team=team, resolved_at=None).count(),
        },
    )
