"""One-click answers to drift, each through the registry's own services so the same rules,
audit entries and lint verdicts apply as on the event pages; plus who owns which source."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from productops.accounts.models import Team, User
from productops.accounts.services import audit_record
from telemetry import services
from telemetry.models import Alias, DriftItem, Event, EventProperty, ObservedDay, Source
from telemetry.observed_batch import platform_for
from telemetry.properties import event_set_properties


def can_act_on(user: User, item: DriftItem) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_productops_admin:
        return True
    return item.team_id is not None and user.is_member_of(item.team)


def _require(user: User, item: DriftItem) -> None:
    if not can_act_on(user, item):
        owner = item.team.name if item.team else "a team (assign its source first)"
        raise PermissionDenied(f"Only members of {owner} can act on this drift.")


def _resolve(item: DriftItem) -> None:
    DriftItem.objects.filter(pk=item.pk).update(resolved_at=timezone.now())


def _registry_type(observed: list[str]) -> str:
    for kind in observed:
        if kind != "null":
            return kind
    return "string"


def drift_register(
    *, item: DriftItem, by: User, team: Team | None = None, use_suggestion: bool = False
) -> Event:
    """Register an observed name: its platforms from its sources, its properties with the types
    seen. With `use_suggestion` the event takes the convention's suggested name and the name as
    sent becomes its alias, so the traffic already flowing still counts for it."""
    _require(by, item)
    if item.kind != DriftItem.Kind.UNREGISTERED:
        raise ValidationError({"kind": "Only an observed, unregistered name can be registered."})
    team = team or item.team
    if team is None:
        raise ValidationError({"team": "Choose the team that owns this event."})
    platforms = sorted(
        set(
            ObservedDay.objects.filter(observed__name=item.name)
            .exclude(source__platform="")
            .values_list("source__platform", flat=True)
        )
    )
    suggestion = (item.data.get("suggestion") or "").strip()
    name = suggestion if use_suggestion and suggestion else item.name
    with transaction.atomic():
        event = services.event_register(
            team=team,
            name=name,
            by=by,
            description=f"Registered from production traffic ({item.data.get('count', 0)} events in 30 days).",
            status=Event.Status.ACTIVE,
            platforms=platforms,
        )
        rows = [
            {"name": key, "type": _registry_type(types), "required": False}
            for key, types in sorted((item.data.get("properties") or {}).items())
        ]
        if rows:
            event_set_properties(event=event, by=by, rows=rows)
        if name != item.name:
            Alias.objects.create(old_name=item.name, event=event, created_by=by)
        _resolve(item)
    return event


def drift_alias(*, item: DriftItem, into: Event, by: User) -> Alias:
    """Say an observed name is an old or other spelling of an existing event."""
    _require(by, item)
    if item.kind != DriftItem.Kind.UNREGISTERED:
        raise ValidationError({"kind": "Only an observed, unregistered name can become an alias."})
    if not (by.is_productops_admin or by.is_member_of(into.team)):
        raise PermissionDenied(
            f"Only members of {into.team.name} can add names to “{into.name}”; ask them to alias it."
        )
    with transaction.atomic():
        if (
            Event.objects.filter(name=item.name).exists()
            or Alias.objects.filter(old_name=item.name).exists()
        ):
            raise ValidationError(
                {"name": f"“{item.name}” is already in the registry; reload the page."}
            )
        alias = Alias.objects.create(old_name=item.name, event=into, created_by=by)
        audit_record(
            actor=by,
            action="telemetry.event.alias_added",
            target=into,
            data={"alias": item.name, "from": "observed traffic"},
        )
        _resolve(item)
    return alias


def drift_deprecate(*, item: DriftItem, by: User) -> Event:
    """Deprecate an event nobody sends any more (stale) or never shipped (planned, never seen)."""
    _require(by, item)
    if item.event is None or item.kind not in {DriftItem.Kind.STALE, DriftItem.Kind.NEVER_SEEN}:
        raise ValidationError({"kind": "Only stale or never-seen events are deprecated from here."})
    with transaction.atomic():
        event = services.event_update(event=item.event, by=by, status=Event.Status.DEPRECATED)
        _resolve(item)
    return event


def drift_fix_type(*, item: DriftItem, by: User) -> Event:
    """Make the registry say what production sends: the property takes the observed type."""
    _require(by, item)
    if item.event is None or item.kind != DriftItem.Kind.TYPE_MISMATCH:
        raise ValidationError({"kind": "Only a type mismatch can be fixed from here."})
    event = item.event
    suggested = item.data.get("suggested")
    rows = []
    for ep in EventProperty.objects.filter(event=event).select_related("property"):
        rows.append(
            {
                "name": ep.property.name,
                "type": suggested if ep.property.name == item.detail else ep.property.type,
                "required": ep.required,
            }
        )
    with transaction.atomic():
        event_set_properties(event=event, by=by, rows=rows)
        _resolve(item)
    return event


def source_assign(*, source: Source, team: Team | None, by: User) -> Source:
    """Members claim an unassigned source for their team or release their own; admins do anything."""
    if not by.is_authenticated:
        raise PermissionDenied("Sign in first.")
    if not by.is_productops_admin:
        if source.team_id is not None and not by.is_member_of(source.team):
            raise PermissionDenied(
                f"{source.key} belongs to {source.team.name}; ask them or a ProductOps admin."
            )
        if team is not None and not by.is_member_of(team):
            raise PermissionDenied(f"Only members of {team.name} can claim sources for it.")
    with transaction.atomic():
        before = source.team.slug if source.team else None
        source.team = team
        source.save(update_fields=["team"])
        audit_record(
            actor=by,
            action="telemetry.source.assigned",
            target=source,
            data={"from": before, "to": team.slug if team else None},
        )
    return source


def source_claim(*, key: str, team: Team, by: User) -> Source:
    """Name a source before it sends (or claim one that already did) for a team."""
    key = (key or "").strip()
    if not key or len(key) > 200:
        raise ValidationError({"key": "Give the source key as your pipeline sends it (max 200)."})
    source, _ = Source.objects.get_or_create(key=key, defaults={"platform": platform_for(key)})
    return source_assign(source=source, team=team, by=by)
