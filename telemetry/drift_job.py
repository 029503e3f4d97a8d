"""The nightly drift job: load the registry and 90 days of aggregates, apply telemetry.drift's
rules, and keep the findings as DriftItems (new, still open, or resolved)."""

import datetime

from django.db import transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone

from productops.accounts.models import Team
from telemetry import drift, linting
from telemetry.models import (
    Alias,
    DriftItem,
    Event,
    EventProperty,
    ObservedDay,
    ObservedName,
    ObservedProperty,
    Source,
)

WINDOW_DAYS = 90
# Unregistered names are judged with their team's words and get a registry look-alike; judging
# thousands of junk names would only slow the job down.
ALIAS_CANDIDATES_FOR = 2000


def _registered() -> list[drift.Registered]:
    platforms: dict = {}
    for event_id, code in Event.platforms.through.objects.values_list("event_id", "platform__code"):
        platforms.setdefault(event_id, set()).add(code)
    aliases: dict = {}
    for old_name, event_id in Alias.objects.values_list("old_name", "event_id"):
        aliases.setdefault(event_id, set()).add(old_name)
    properties: dict = {}
    for event_id, name, kind, required in EventProperty.objects.values_list(
        "event_id", "property__name", "property__type", "required"
    ):
        properties.setdefault(event_id, {})[name] = drift.RegisteredProperty(kind, required)
    return [
        drift.Registered(
            id=pk,
            name=name,
            team_id=team_id,
            status=status,
            created=created_at.date(),
            platforms=frozenset(platforms.get(pk, ())),
            aliases=frozenset(aliases.get(pk, ())),
            properties=properties.get(pk, {}),
        )
        for pk, name, team_id, status, created_at in Event.objects.values_list(
            "pk", "name", "team_id", "status", "created_at"
        ).order_by()
    ]


def _observed(today: datetime.date) -> dict:
    since = today - datetime.timedelta(days=WINDOW_DAYS)
    recent_since = today - datetime.timedelta(days=drift.RECENT_DAYS)
    names = {
        pk: drift.Observed(name=name, suggestion=suggestion, lint_ok=lint_ok)
        for pk, name, suggestion, lint_ok in ObservedName.objects.values_list(
            "pk", "name", "lint_suggestion", "lint_ok"
        ).order_by()
    }
    per_source = (
        ObservedDay.objects.filter(day__gte=since)
        .values("observed_id", "source_id")
        .annotate(
            last=Max("day"),
            total=Sum("count"),
            recent=Sum("count", filter=Q(day__gte=recent_since)),
        )
        .order_by()
    )
    for row in per_source.iterator(chunk_size=5000):
        seen = names[row["observed_id"]]
        seen.last_day[row["source_id"]] = row["last"]
        seen.total[row["source_id"]] = row["total"]
        seen.recent[row["source_id"]] = row["recent"] or 0
    types = (
        ObservedProperty.objects.filter(day__gte=recent_since)
        .values_list("observed_id", "key", "type")
        .annotate(n=Sum("count"))
        .order_by()
    )
    for observed_id, key, kind, count in types.iterator(chunk_size=5000):
        names[observed_id].property_types[(key, kind)] = count
    return {seen.name: seen for seen in names.values() if seen.total}


def _judge_unregistered(findings: list[drift.Finding]) -> None:
    """Lint each unregistered name with its team's words (ingestion only knew the organisation's)
    and find the registered event it most looks like, so "alias it" is one click."""
    unregistered = [f for f in findings if f.kind == drift.UNREGISTERED][:ALIAS_CANDIDATES_FOR]
    by_team: dict = {}
    for finding in unregistered:
        by_team.setdefault(finding.team_id, []).append(finding)
    teams = Team.objects.in_bulk([t for t in by_team if t is not None])
    for team_id, group in by_team.items():
        results = linting.lint_names(
            [f.name for f in group], team=teams.get(team_id), duplicate_limit=1
        )
        for finding, result in zip(group, results, strict=True):
            finding.data["lint_ok"] = result["ok"]
            finding.data["suggestion"] = result["suggestion"] or ""
            if result["duplicates"]:
                best = result["duplicates"][0]
                finding.data["alias_to"] = {
                    "id": best["id"],
                    "name": best["name"],
                    "team": best["team"],
                }


def drift_refresh(*, now: datetime.datetime | None = None) -> dict:
    """Recompute drift for every team. Returns the number of open items per kind."""
    now = now or timezone.now()
    today = now.date()
    sources = {
        pk: drift.SourceInfo(team_id, platform, key)
        for pk, team_id, platform, key in Source.objects.values_list(
            "pk", "team_id", "platform", "key"
        )
    }
    findings = drift.drift_find(
        registered=_registered(), observed=_observed(today), sources=sources, today=today
    )
    _judge_unregistered(findings)
    keys = {f.key for f in findings}
    with transaction.atomic():
        # Drift that went away and came back is new again, so the digest mentions it again.
        reborn = [
            pk
            for pk, kind, name, detail in DriftItem.objects.exclude(resolved_at=None).values_list(
                "pk", "kind", "name", "detail"
            )
            if (kind, name, detail) in keys
        ]
        if reborn:
            DriftItem.objects.filter(pk__in=reborn).delete()
        DriftItem.objects.bulk_create(
            [
                DriftItem(
                    team_id=f.team_id,
                    kind=f.kind,
                    name=f.name,
                    detail=f.detail,
                    event_id=f.event_id,
                    data=f.data,
                    first_found=now,
                    last_found=now,
                    resolved_at=None,
                )
                for f in findings
            ],
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["kind", "name", "detail"],
            update_fields=["team", "event", "data", "last_found", "resolved_at"],
        )
        DriftItem.objects.filter(resolved_at=None, last_found__lt=now).update(resolved_at=now)
    counts: dict = {}
    for f in findings:
        counts[f.kind] = counts.get(f.kind, 0) + 1
    return counts
