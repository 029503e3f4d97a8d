"""Workflows of the event registry, shared by pages, the API, imports and tasks.

Nothing here ever refuses a name for not following the convention: the linter's
verdict is stored as warnings. Refusals are only for broken input (empty names,
control characters) and for editing another team's events.
"""

import re
import unicodedata
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from productops.accounts.models import Team, User
from productops.accounts.services import audit_record
from telemetry import naming
from telemetry.conventions import current_convention, team_convention
from telemetry.linting import apply_lint
from telemetry.models import Alias, Event, Platform, Tag
from telemetry.naming.messages import example

NAME_MAX_LENGTH = 200
EVENT_FIELDS = ("description", "status", "example_payload")


# ---------------------------------------------------------------- input checks


def empty_name_message() -> str:
    # The example follows the published convention: "order_completed" under snake_case, not
    # a Title Case name the linter would then flag. One query, only when the name is empty.
    sample = example(current_convention().convention)
    return f"The name is empty; type the event's name, e.g. “{sample}”."


def clean_name(value, *, field: str = "name", max_length: int = NAME_MAX_LENGTH) -> str:
    """Names are trimmed; empty, over-long, invisible or emoji characters are refused with the fix."""
    if not isinstance(value, str):
        raise ValidationError({field: "Give the name as text."})
    value = unicodedata.normalize("NFC", value.strip())
    if not value:
        raise ValidationError({field: empty_name_message()})
    if len(value) > max_length:
        raise ValidationError(
            {field: f"The name has {len(value):,} characters; keep it to {max_length} or fewer."}
        )
    for char in value:
        category = unicodedata.category(char)
        if category in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}:
            raise ValidationError(
                {
                    field: f"The name contains an invisible or control character (U+{ord(char):04X}); "
                    "remove it and use letters, digits, spaces, “_”, “.” or “-”."
                }
            )
        if category == "So":
            raise ValidationError(
                {
                    field: f"The name contains the symbol “{char}”; use words instead of emoji or symbols."
                }
            )
    return value


def clean_description(value: str) -> str:
    """Descriptions are plain text: tags are stripped, so pasted HTML cannot run in the catalogue."""
    import nh3

    value = (value or "").strip()
    if "<" in value or "&" in value:
        value = (
            nh3.clean(value, tags=set())
            .replace("&amp;", "&")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
        )
        value = value.replace("&quot;", '"').replace("&#39;", "'")
    return value


# ---------------------------------------------------------------- events


def can_edit_event(user: User, event: Event) -> bool:
    return user.is_authenticated and user.is_member_of(event.team)


def require_team_member(user: User, team: Team) -> None:
    if not (user.is_authenticated and user.is_member_of(team)):
        raise PermissionDenied(f"Only members of {team.name} can change {team.name}'s events.")


def _check_name_free(name: str, *, event: Event | None = None) -> None:
    clash = Event.objects.filter(name=name).exclude(pk=event.pk if event else None).first()
    if clash:
        raise ValidationError(
            {
                "name": f"“{name}” is already in the catalogue (owned by {clash.team.name}); "
                "open it and mark your team as using it instead of registering it again."
            }
        )
    alias = Alias.objects.filter(old_name=name).select_related("event").first()
    if alias and (event is None or alias.event_id != event.pk):
        raise ValidationError(
            {
                "name": f"“{name}” is an old name of “{alias.event.name}”; reuse that event or pick another name."
            }
        )


def _labels(model, field: str, values: Iterable[str]):
    values = sorted({v.strip() for v in values if v and v.strip()})
    existing = {
        getattr(obj, field): obj for obj in model.objects.filter(**{f"{field}__in": values})
    }
    missing = [model(**{field: v}) for v in values if v not in existing]
    if missing:
        model.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {
            getattr(obj, field): obj for obj in model.objects.filter(**{f"{field}__in": values})
        }
    return list(existing.values())


def clean_tags(values: Iterable[str]) -> list[str]:
    tags = []
    for value in values:
        value = value.strip().lower()
        if not value:
            continue
        if not re.fullmatch(r"[\w][\w .:/-]{0,39}", value):
            raise ValidationError(
                {"tags": f"“{value[:40]}”: tags are short words (letters, digits, - . : /)."}
            )
        tags.append(value)
    return tags


def event_register(
    *,
    team: Team,
    name: str,
    by: User,
    description: str = "",
    status: str = Event.Status.ACTIVE,
    platforms: Iterable[str] = (),
    tags: Iterable[str] = (),
    example_payload: dict | None = None,
    no_lint_reason: str = "",
) -> Event:
    """Register an event at once; a name that breaks the convention is stored with its warnings."""
    require_team_member(by, team)
    name = clean_name(name)
    current = current_convention()
    with transaction.atomic():
        _check_name_free(name)
        event = Event(
            team=team,
            name=name,
            normalised_name=naming.normalise(name)[:400],
            description=clean_description(description),
            status=status,
            example_payload=example_payload or {},
            created_by=by,
            no_lint=bool(no_lint_reason.strip()),
            no_lint_reason=no_lint_reason.strip(),
        )
        apply_lint(event, team_convention(current.convention, team), current.version)
        event.full_clean(exclude=["search_vector"], validate_unique=False)
        try:
            with transaction.atomic():
                event.save()
        except IntegrityError as exc:
            # Someone registered the same name a moment ago; the unique constraint caught it.
            raise ValidationError(
                {"name": f"“{name}” was just registered by someone else; open it."}
            ) from exc
        event.platforms.set(_labels(Platform, "code", platforms))
        event.tags.set(_labels(Tag, "name", clean_tags(tags)))
        audit_record(
            actor=by,
            action="telemetry.event.registered",
            target=event,
            data={"team": team.slug, "lint_state": event.lint_state},
        )
        if event.no_lint:
            audit_record(
                actor=by,
                action="telemetry.event.exception_set",
                target=event,
                reason=event.no_lint_reason,
            )
    return event


def event_update(*, event: Event, by: User, **changes) -> Event:
    """Edit an event of one's own team; a new name goes through event_rename so the old one survives."""
    require_team_member(by, event.team)
    with transaction.atomic():
        new_name = changes.pop("name", None)
        if new_name is not None and clean_name(new_name) != event.name:
            event = event_rename(event=event, new_name=new_name, by=by)
        changed = []
        for field in EVENT_FIELDS:
            if field in changes:
                value = changes[field]
                if field == "description":
                    value = clean_description(value)
                if getattr(event, field) != value:
                    setattr(event, field, value)
                    changed.append(field)
        if changed:
            event.full_clean(exclude=["search_vector"], validate_unique=False)
            event.save(update_fields=[*changed, "updated_at"])
        if "platforms" in changes:
            before = set(event.platforms.values_list("code", flat=True))
            if before != set(changes["platforms"]):
                event.platforms.set(_labels(Platform, "code", changes["platforms"]))
                changed.append("platforms")
        if "tags" in changes:
            tags = clean_tags(changes["tags"])
            before = set(event.tags.values_list("name", flat=True))
            if before != set(tags):
                event.tags.set(_labels(Tag, "name", tags))
                changed.append("tags")
        if changed:
            audit_record(
                actor=by, action="telemetry.event.edited", target=event, data={"fields": changed}
            )
    return event


def event_rename(*, event: Event, new_name: str, by: User) -> Event:
    """Rename and keep the old name as an alias pointing here."""
    require_team_member(by, event.team)
    new_name = clean_name(new_name)
    if new_name == event.name:
        return event
    current = current_convention()
    with transaction.atomic():
        _check_name_free(new_name, event=event)
        old_name = event.name
        # Renaming back to an earlier name turns that alias back into the name.
        Alias.objects.filter(old_name=new_name, event=event).delete()
        Alias.objects.create(old_name=old_name, event=event, created_by=by)
        event.name = new_name
        event.normalised_name = naming.normalise(new_name)[:400]
        apply_lint(event, team_convention(current.convention, event.team), current.version)
        event.save(
            update_fields=[
                "name",
                "normalised_name",
                "lint_state",
                "lint_violations",
                "lint_suggestion",
                "lint_note",
                "linted_convention",
                "updated_at",
            ]
        )
        audit_record(
            actor=by,
            action="telemetry.event.renamed",
            target=event,
            data={"from": old_name, "to": new_name},
        )
    return event


def event_set_exception(*, event: Event, by: User, reason: str) -> Event:
    """Keep a non-conforming name on purpose. A written reason is needed; nobody has to approve it."""
    require_team_member(by, event.team)
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError(
            {
                "reason": "Say in a sentence why this name stays as it is (legacy, partner-mandated, …)."
            }
        )
    if len(reason) > 2000:
        raise ValidationError({"reason": "Keep the reason under 2,000 characters."})
    with transaction.atomic():
        event.no_lint = True
        event.no_lint_reason = reason
        event.lint_state = Event.LintState.EXCEPTION
        event.save(update_fields=["no_lint", "no_lint_reason", "lint_state", "updated_at"])
        audit_record(actor=by, action="telemetry.event.exception_set", target=event, reason=reason)
    return event


def event_clear_exception(*, event: Event, by: User) -> Event:
    require_team_member(by, event.team)
    current = current_convention()
    with transaction.atomic():
        event.no_lint = False
        event.no_lint_reason = ""
        apply_lint(event, team_convention(current.convention, event.team), current.version)
        event.save()
        audit_record(actor=by, action="telemetry.event.exception_cleared", target=event)
    return event


def event_set_usage(*, event: Event, team: Team, by: User, using: bool) -> None:
    """A team says it sends (or stopped sending) an event another team owns."""
    require_team_member(by, team)
    with transaction.atomic():
        if using:
            event.used_by.add(team)
        else:
            event.used_by.remove(team)
        # Usage is shown beside "did you mean…?"; the duplicate index refreshes what was saved.
        Event.objects.filter(pk=event.pk).update(updated_at=timezone.now())
        audit_record(
            actor=by,
            action="telemetry.event.used" if using else "telemetry.event.unused",
            target=event,
            data={"team": team.slug},
        )
