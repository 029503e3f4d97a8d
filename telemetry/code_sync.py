"""What `productops-events` asks of the registry: sync events found in code or events.yml as
planned events with their file:line, collisions with other teams, typed helpers to download."""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from productops.accounts.models import Team, User
from productops.accounts.services import audit_record
from telemetry import linting, services
from telemetry.locations import EventLocation
from telemetry.models import Event, EventProperty
from telemetry.properties import event_set_properties

SYNC_LIMIT = 5000
LOCATIONS_PER_EVENT = 200


def _parse_location(value: str) -> tuple[str, int]:
    path, _, line = value.rpartition(":")
    if not path or not line.isdigit():
        return value[:500], 0
    return path[:500], int(line)


def events_sync(*, team: Team, by: User, entries: list[dict], dry_run: bool = False) -> dict:
    """Register the names not yet in the registry as planned events of `team`, record where each
    is defined, and report the team's events that the repository no longer mentions.

    Idempotent: a second run with the same input changes nothing. Never deletes an event; only
    this team's recorded locations of events that disappeared from the input are cleared.
    """
    services.require_team_member(by, team)
    names = [e["name"] for e in entries]
    report = {
        "created": [],
        "updated": [],
        "unchanged": [],
        "missing_from_code": [],
        "other_team": [],
    }
    kinds = {e["source"] for e in entries} or {EventLocation.Kind.CODE}
    with transaction.atomic():
        existing = {
            e.name: e
            for e in Event.objects.select_related("team")
            .filter(name__in=names)
            .prefetch_related(
                Prefetch(
                    "locations",
                    queryset=EventLocation.objects.filter(team=team),
                    to_attr="team_locations",
                )
            )
        }
        now = timezone.now()
        new_locations = []
        stale = []
        created = set()
        for entry in sorted(entries, key=lambda e: e["name"]):
            event = existing.get(entry["name"])
            is_new = False
            if event is None:
                event, is_new = _register_or_find(team=team, by=by, entry=entry)
            if is_new:
                if entry.get("properties"):
                    rows = [
                        {"name": p["name"], "required": p.get("required", False)}
                        | ({"type": p["type"]} if entry["source"] == "definitions" else {})
                        for p in entry["properties"]
                    ]
                    event_set_properties(event=event, by=by, rows=rows)
                created.add(event.name)
                report["created"].append(event.name)
            elif event.team_id != team.pk:
                report["other_team"].append({"name": event.name, "team": event.team.slug})
            wanted = {
                (entry["source"], *_parse_location(loc))
                for loc in entry.get("locations", [])[:LOCATIONS_PER_EVENT]
            }
            have = {(loc.kind, loc.path, loc.line): loc for loc in event.team_locations}
            have_of_kind = {k: v for k, v in have.items() if k[0] == entry["source"]}
            if event.name in created:
                pass
            elif set(have_of_kind) != wanted:
                report["updated"].append(event.name)
            else:
                report["unchanged"].append(event.name)
            stale += [loc.pk for key, loc in have_of_kind.items() if key not in wanted]
            new_locations += [
                EventLocation(
                    event=event, team=team, kind=k, path=p, line=n, synced_at=now, synced_by=by
                )
                for (k, p, n) in wanted - set(have_of_kind)
            ]
        missing = (
            Event.objects.filter(team=team)
            .exclude(status=Event.Status.DEPRECATED)
            .exclude(name__in=names)
            .order_by("name")
        )
        report["missing_from_code"] = list(missing.values_list("name", flat=True)[:1000])
        # Locations that no longer exist in this repository's code (events themselves stay).
        gone = EventLocation.objects.filter(team=team, kind__in=kinds).exclude(
            event__name__in=names
        )
        EventLocation.objects.filter(pk__in=stale).delete()
        gone.delete()
        EventLocation.objects.bulk_create(new_locations, ignore_conflicts=True)
        audit_record(
            actor=by,
            action="telemetry.sync",
            target=team,
            data={k: len(v) for k, v in report.items()} | {"dry_run": dry_run},
        )
        if dry_run:
            transaction.set_rollback(True)
    return report


def _register_or_find(*, team: Team, by: User, entry: dict) -> tuple[Event, bool]:
    """A new planned event; or, when a concurrent sync (or a person) registered the name a moment
    ago, that event, so two CI jobs syncing at once both succeed."""
    try:
        event = services.event_register(
            team=team,
            name=entry["name"],
            by=by,
            description=entry.get("description", ""),
            status=Event.Status.PLANNED,
        )
    except ValidationError:
        found = Event.objects.select_related("team").filter(name=entry["name"]).first()
        if found is None:
            raise
        found.team_locations = list(found.locations.filter(team=team))
        return found, False
    event.team_locations = []
    return event, True


def collisions_find(*, names: list[str], team: Team | None) -> list[dict]:
    """Registered events of other teams with the same or a near-duplicate name."""
    found = []
    for result in linting.lint_names(names, team=team, duplicate_limit=3):
        for dup in result["duplicates"]:
            if team is not None and dup["team_slug"] == team.slug:
                continue
            found.append(
                {
                    "name": result["name"],
                    "existing": dup["name"],
                    "team": dup["team_slug"],
                    "reason": dup["reason"],
                    "score": dup["score"],
                }
            )
    return found


def codegen_events(*, team: Team | None) -> list[dict]:
    """The registry's events as the export's dicts, for telemetry.events_cli.codegen."""
    events = Event.objects.exclude(status=Event.Status.DEPRECATED).order_by("name")
    if team is not None:
        events = events.filter(team=team)
    events = events.select_related("team").prefetch_related(
        Prefetch("event_properties", queryset=EventProperty.objects.select_related("property"))
    )
    return [
        {
            "name": e.name,
            "team": e.team.slug,
            "status": e.status,
            "description": e.description,
            "properties": [
                {
                    "name": ep.property.name,
                    "type": ep.property.type,
                    "required": ep.required,
                    "description": ep.description or ep.property.description,
                    "allowed_values": ep.property.allowed_values,
                }
                for ep in e.event_properties.all()
            ],
        }
        for e in events
    ]


def locations_by_event(events) -> dict[int, list[EventLocation]]:
    grouped = defaultdict(list)
    for loc in EventLocation.objects.filter(event__in=events).select_related("team"):
        grouped[loc.event_id].append(loc)
    return grouped


def clean_sync_entries(entries: list[dict]) -> list[dict]:
    errors = []
    seen = set()
    for index, entry in enumerate(entries):
        try:
            entry["name"] = services.clean_name(entry["name"])
        except ValidationError as exc:
            errors.append(f"events[{index}].name: {exc.message_dict['name'][0]}")
            continue
        if entry["name"] in seen:
            errors.append(f"events[{index}].name: “{entry['name']}” is listed twice; send it once.")
        seen.add(entry["name"])
    if errors:
        raise ValidationError({"events": errors})
    return entries
