"""Drift: where the registry and production traffic disagree. Pure Python, no Django import.

The nightly job (telemetry/drift_job.py) loads the registry and the daily aggregates into the
plain structures below and stores what `drift_find` returns; the rules live here so they are
fast to test and the same for every door.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

# How long without traffic before a live event counts as stale, and the window over which
# property types, missing required properties and platforms are judged.
STALE_AFTER_DAYS = 30
RECENT_DAYS = 30

UNREGISTERED = "unregistered"
STALE = "stale"
TYPE_MISMATCH = "type_mismatch"
MISSING_REQUIRED = "missing_required"
NEVER_SEEN = "never_seen"
PLATFORM_GAP = "platform_gap"

# An observed value type a registered type accepts: 3 is a fine number, and an ISO date is a
# string too. `null` is an unset optional value, not a type error.
_ACCEPTS = {
    "string": {"string", "datetime", "null"},
    "integer": {"integer", "null"},
    "number": {"number", "integer", "null"},
    "boolean": {"boolean", "null"},
    "datetime": {"datetime", "null"},
    "object": {"object", "null"},
    "array": {"array", "null"},
}


@dataclass(frozen=True)
class RegisteredProperty:
    type: str
    required: bool


@dataclass
class Registered:
    id: int
    name: str
    team_id: int
    status: str  # planned, active, deprecated
    created: datetime.date
    platforms: frozenset = frozenset()
    aliases: frozenset = frozenset()
    properties: dict = field(default_factory=dict)  # key -> RegisteredProperty


@dataclass
class Observed:
    """One name's traffic: per source, the last day seen and counts (all window / recent)."""

    name: str
    last_day: dict = field(default_factory=dict)  # source_id -> date
    total: dict = field(default_factory=dict)  # source_id -> count in the 90-day window
    recent: dict = field(default_factory=dict)  # source_id -> count in the last RECENT_DAYS
    # (key, type) -> events carrying it in the last RECENT_DAYS
    property_types: dict = field(default_factory=dict)
    suggestion: str = ""
    lint_ok: bool = True


@dataclass(frozen=True)
class SourceInfo:
    team_id: int | None
    platform: str
    key: str = ""


@dataclass(frozen=True)
class Finding:
    kind: str
    name: str
    detail: str
    team_id: int | None
    event_id: int | None
    data: dict

    @property
    def key(self) -> tuple:
        return (self.kind, self.name, self.detail)


def accepts(registered_type: str, observed_type: str) -> bool:
    return observed_type in _ACCEPTS.get(registered_type, {observed_type, "null"})


def _owner(observed: Observed, sources: dict) -> int | None:
    """The team whose sources sent the name most; unassigned sources count for nobody."""
    by_team: dict = {}
    for source_id, count in observed.total.items():
        team_id = sources[source_id].team_id
        if team_id is not None:
            by_team[team_id] = by_team.get(team_id, 0) + count
    if not by_team:
        return None
    return max(sorted(by_team), key=lambda t: by_team[t])


def drift_find(
    *,
    registered: Iterable[Registered],
    observed: dict,  # name -> Observed
    sources: dict,  # source_id -> SourceInfo
    today: datetime.date,
) -> list[Finding]:
    findings: list[Finding] = []
    by_name: dict = {}
    for event in registered:
        by_name[event.name] = event
        for alias in event.aliases:
            by_name.setdefault(alias, event)
    # Staleness only means something for a team whose traffic the portal can see.
    watched_teams = {s.team_id for s in sources.values() if s.team_id is not None}
    # A team's platforms: those its own sources send from. No iOS source, no iOS verdict.
    platforms_sending: dict = {}
    for s in sources.values():
        if s.platform and s.team_id is not None:
            platforms_sending.setdefault(s.team_id, set()).add(s.platform)
    stale_before = today - datetime.timedelta(days=STALE_AFTER_DAYS)

    traffic: dict = {}  # event id -> [Observed] (its name and its aliases)
    for name, seen in observed.items():
        event = by_name.get(name)
        if event is None:
            if not any(seen.recent.values()):
                continue
            findings.append(
                Finding(
                    UNREGISTERED,
                    name,
                    "",
                    _owner(seen, sources),
                    None,
                    {
                        "count": sum(seen.recent.values()),
                        "last_seen": max(seen.last_day.values()).isoformat(),
                        "sources": sorted(sources[source_id].key for source_id in seen.total),
                        "suggestion": seen.suggestion,
                        "lint_ok": seen.lint_ok,
                        "properties": _observed_types(seen),
                    },
                )
            )
        else:
            traffic.setdefault(event.id, []).append(seen)

    seen_events = set()
    for event in by_name.values():
        if event.id in seen_events:
            continue
        seen_events.add(event.id)
        findings.extend(
            _event_drift(
                event,
                traffic.get(event.id, []),
                sources,
                watched_teams,
                platforms_sending,
                stale_before,
            )
        )
    return findings


def _observed_types(seen: Observed) -> dict:
    types: dict = {}
    for (key, kind), _count in sorted(seen.property_types.items()):
        types.setdefault(key, []).append(kind)
    return types


def _event_drift(event, seen_list, sources, watched_teams, platforms_sending, stale_before):
    if event.status == "deprecated":
        return []
    out = []
    last = max((d for seen in seen_list for d in seen.last_day.values()), default=None)
    if last is None:
        if event.team_id in watched_teams:
            if event.status == "planned":
                out.append(Finding(NEVER_SEEN, event.name, "", event.team_id, event.id, {}))
            elif event.created < stale_before:
                out.append(
                    Finding(STALE, event.name, "", event.team_id, event.id, {"last_seen": None})
                )
        return out
    if last < stale_before and event.status == "active":
        out.append(
            Finding(STALE, event.name, "", event.team_id, event.id, {"last_seen": last.isoformat()})
        )
    recent_total = sum(sum(seen.recent.values()) for seen in seen_list)
    if not recent_total:
        return out
    carried: dict = {}
    types: dict = {}
    for seen in seen_list:
        for (key, kind), count in seen.property_types.items():
            carried[key] = carried.get(key, 0) + count
            types.setdefault(key, {})
            types[key][kind] = types[key].get(kind, 0) + count
    for key, prop in sorted(event.properties.items()):
        wrong = {
            kind: count
            for kind, count in types.get(key, {}).items()
            if not accepts(prop.type, kind)
        }
        if wrong:
            out.append(
                Finding(
                    TYPE_MISMATCH,
                    event.name,
                    key,
                    event.team_id,
                    event.id,
                    {
                        "registered": prop.type,
                        "observed": dict(sorted(wrong.items())),
                        "suggested": max(sorted(wrong), key=lambda k: wrong[k]),
                    },
                )
            )
        missing = recent_total - carried.get(key, 0)
        if prop.required and missing > 0:
            out.append(
                Finding(
                    MISSING_REQUIRED,
                    event.name,
                    key,
                    event.team_id,
                    event.id,
                    {"missing": missing, "of": recent_total},
                )
            )
    observed_platforms = {
        sources[source_id].platform
        for seen in seen_list
        for source_id, count in seen.recent.items()
        if count and sources[source_id].platform
    }
    if observed_platforms:
        for platform in sorted(event.platforms - observed_platforms):
            if platform in platforms_sending.get(event.team_id, ()):
                out.append(
                    Finding(
                        PLATFORM_GAP,
                        event.name,
                        platform,
                        event.team_id,
                        event.id,
                        {"seen_on": sorted(observed_platforms)},
                    )
                )
    return out
