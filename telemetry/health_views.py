"""Naming health: adoption across the organisation and per team, with its trend."""

import datetime

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from productops import page_cache
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


def _trends(days: int = TREND_DAYS, *, team=None) -> dict[int, list[tuple]]:
    """Per team, (day, total, conforming, convention number) in day order. Plain rows: the page
    draws every team's whole window, which as model instances was a thousand objects."""
    since = timezone.now().date() - datetime.timedelta(days=days)
    trends: dict[int, list] = {}
    snapshots = NamingHealthSnapshot.objects.filter(day__gte=since)
    if team is not None:
        snapshots = snapshots.filter(team=team)
    snapshots = snapshots.order_by("day").values_list(
        "team_id", "day", "total", "conforming", "convention__number"
    )
    for team_id, *snap in snapshots:
        trends.setdefault(team_id, []).append(snap)
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


def _share(total: int, conforming: int) -> float:
    return conforming / total if total else 1.0


def _chart(snaps, **size):
    days = [(day, _share(total, conforming), number) for day, total, conforming, number in snaps]
    return trend_chart(days, end=timezone.now().date(), **size)


@login_required
@page_cache.per_person
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
        for day, events, conforming, number in snaps:
            t, c, _ = org_days.get(day, (0, 0, None))
            org_days[day] = (t + events, c + conforming, number)
    org_chart = trend_chart(
        [(day, _share(t, c), number) for day, (t, c, number) in sorted(org_days.items())],
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
@page_cache.per_person
def team_health(request, slug):
    team = get_object_or_404(Team, slug=slug)
    h = naming_health_by_team().get(team.pk, Health())
    snaps = _trends(team=team).get(team.pk, [])
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
