"""Resolving duplicates instead of multiplying them: a team reuses an event another team already
sends, and a duplicate is merged into the event it copies (its name living on as an alias)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from productops.accounts.models import Team, User
from productops.accounts.services import audit_record
from telemetry.models import Alias, Event, EventMerge, EventProperty
from telemetry.services import require_team_member


def event_reuse(*, event: Event, team: Team, by: User) -> bool:
    """Put an existing event in a team's plan (the team says it sends it) instead of a copy.

    Returns False when the team already owns or uses it, so a second click changes nothing.
    """
    require_team_member(by, team)
    with transaction.atomic():
        if event.team_id == team.pk or event.used_by.filter(pk=team.pk).exists():
            return False
        event.used_by.add(team)
        Event.objects.filter(pk=event.pk).update(updated_at=timezone.now())
        audit_record(
            actor=by,
            action="telemetry.event.reused",
            target=event,
            data={"team": team.slug},
        )
    return True


def can_merge(user: User, source: Event) -> bool:
    """The team that owns the duplicate folds it away (or a ProductOps admin does)."""
    return user.is_authenticated and (user.is_productops_admin or user.is_member_of(source.team))


def _snapshot(event: Event) -> dict:
    return {
        "name": event.name,
        "team": event.team.slug,
        "description": event.description,
        "status": event.status,
        "created_by": event.created_by.username if event.created_by else None,
        "created_at": event.created_at.isoformat(),
        "lint_state": event.lint_state,
        "no_lint_reason": event.no_lint_reason,
        "platforms": sorted(event.platforms.values_list("code", flat=True)),
        "tags": sorted(event.tags.values_list("name", flat=True)),
        "aliases": list(event.aliases.values_list("old_name", flat=True)),
        "properties": [
            {"name": ep.property.name, "required": ep.required, "description": ep.description}
            for ep in event.event_properties.select_related("property")
        ],
    }


def event_merge(*, source: Event, into: Event, by: User, reason: str = "") -> Event:
    """Fold `source` into `into`: its name and old names become aliases of `into`, its properties,
    platforms, tags and users carry over, its owning team becomes a user, and where it came from
    is kept (an EventMerge row and the audit log) so its history still shows on `into`."""
    if not can_merge(by, source):
        raise PermissionDenied(
            f"Only members of {source.team.name} (or ProductOps admins) can merge “{source.name}” away."
        )
    if source.pk == into.pk:
        raise ValidationError({"into": "Choose another event to merge into; it cannot be itself."})
    with transaction.atomic():
        # Both rows are locked in id order, so two merges of the same pair cannot interleave.
        locked = {
            e.pk: e
            for e in Event.objects.select_for_update(of=("self",))
            .select_related("team", "created_by")
            .filter(pk__in=[source.pk, into.pk])
            .order_by("pk")
        }
        if len(locked) != 2:
            raise ValidationError(
                {"into": "One of the two events no longer exists; reload the page."}
            )
        source, into = locked[source.pk], locked[into.pk]
        snapshot = _snapshot(source)

        target_props = {ep.property_id: ep for ep in into.event_properties.all()}
        for ep in source.event_properties.all():
            kept = target_props.get(ep.property_id)
            if kept is None:
                EventProperty.objects.filter(pk=ep.pk).update(event=into)
            elif ep.required and not kept.required:
                # Someone relied on it being sent; the merged event keeps that promise.
                kept.required = True
                kept.save(update_fields=["required"])
        into.platforms.add(*source.platforms.all())
        into.tags.add(*source.tags.all())
        users = [t for t in source.used_by.all() if t.pk != into.team_id]
        if source.team_id != into.team_id:
            users.append(source.team)
        into.used_by.add(*users)

        Alias.objects.filter(event=source).update(event=into)
        # Events merged into the source earlier keep their provenance on the new home.
        EventMerge.objects.filter(into=source).update(into=into)
        EventMerge.objects.create(
            into=into,
            source_id=source.pk,
            source_name=source.name,
            source_team=source.team,
            snapshot=snapshot,
            merged_by=by,
        )
        if not into.description and source.description:
            into.description = source.description
        into.save(update_fields=["description", "updated_at"])
        source_name, source_pk = source.name, source.pk
        source.delete()
        # After the delete, so the unique old name is free of the event that held it.
        Alias.objects.create(old_name=source_name, event=into, created_by=by)
        audit_record(
            actor=by,
            action="telemetry.event.merged",
            target=into,
            reason=reason[:2000],
            data={"from": source_name, "from_id": source_pk, "from_team": snapshot["team"]},
        )
    return into


def suggestions_apply(*, team: Team, by: User, event_ids=None) -> tuple[list, list]:
    """Rename a team's events to their suggested names in one go; each old name stays an alias.

    `event_ids` limits it to some events (None: every live event with a suggestion). Returns
    (renamed events, (event, why) for those left as they are): a suggestion another event
    already uses is skipped rather than guessed around.
    """
    from telemetry.services import event_rename

    require_team_member(by, team)
    events = (
        Event.objects.for_team(team)
        .counted_for_health()
        .filter(lint_state=Event.LintState.WARNINGS)
        .exclude(lint_suggestion="")
        .select_related("team")
        .order_by("name")
    )
    if event_ids is not None:
        events = events.filter(pk__in=event_ids)
    events = list(events)
    taken = set(
        Event.objects.filter(name__in=[e.lint_suggestion for e in events]).values_list(
            "name", flat=True
        )
    ) | set(
        Alias.objects.filter(old_name__in=[e.lint_suggestion for e in events]).values_list(
            "old_name", flat=True
        )
    )
    renamed, skipped = [], []
    with transaction.atomic():
        for event in events:
            target = event.lint_suggestion
            if target in taken:
                skipped.append((event, f"“{target}” is already taken; merge or rename it by hand."))
                continue
            old = event.name
            try:
                with transaction.atomic():
                    event_rename(event=event, new_name=target, by=by)
            except ValidationError as exc:
                skipped.append((event, " ".join(m for ms in exc.message_dict.values() for m in ms)))
                continue
            taken.add(target)
            renamed.append((old, event))
        if renamed:
            audit_record(
                actor=by,
                action="telemetry.team.suggestions_applied",
                target=team,
                data={"renamed": [[old, e.name] for old, e in renamed][:500]},
            )
    return renamed, skipped
