"""Workflows of the event registry, shared by pages, the API, imports and tasks.

Nothing here ever refuses a name for not following the convention: the linter's
verdict is stored as warnings. Refusals are only for broken input (empty names,
control characters) and for editing another team's events.
"""

import datetime
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from productops.accounts.models import Team, User
from productops.accounts.services import audit_record
from telemetry import naming
from telemetry.duplicates import DuplicateIndex, TypeConflict, property_type_conflicts
from telemetry.models import (
    Alias,
    ConventionVersion,
    Event,
    EventProperty,
    NamingHealthSnapshot,
    Platform,
    Property,
    Tag,
    TeamVocabulary,
)

NAME_MAX_LENGTH = 200
LINT_NAME_MAX_LENGTH = 1000
LINT_BATCH_LIMIT = 10_000
EVENT_FIELDS = ("description", "status", "example_payload")


# ---------------------------------------------------------------- input checks


def clean_name(value, *, field: str = "name", max_length: int = NAME_MAX_LENGTH) -> str:
    """Names are trimmed; empty, over-long, invisible or emoji characters are refused with the fix."""
    if not isinstance(value, str):
        raise ValidationError({field: "Give the name as text."})
    value = unicodedata.normalize("NFC", value.strip())
    if not value:
        raise ValidationError(
            {field: "The name is empty; type the event's name, e.g. “Order Completed”."}
        )
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


# ---------------------------------------------------------------- convention


@dataclass(frozen=True)
class CurrentConvention:
    version: ConventionVersion | None
    convention: naming.Convention

    @property
    def preset(self) -> str:
        return self.version.preset if self.version else naming.DEFAULT_PRESET


# Parsing a convention builds the linter's word tables, so each version is parsed once per process.
_parsed: dict = {}


def _parsed_convention(key, build) -> naming.Convention:
    convention = _parsed.get(key)
    if convention is None:
        if len(_parsed) > 256:
            _parsed.clear()
        convention = _parsed[key] = build()
    return convention


def current_convention() -> CurrentConvention:
    version = ConventionVersion.objects.current()
    if version is None:
        return CurrentConvention(None, naming.PRESETS[naming.DEFAULT_PRESET])
    return CurrentConvention(
        version, _parsed_convention(("version", version.pk, version.created_at), version.convention)
    )


def team_convention(base: naming.Convention, team: Team | None) -> naming.Convention:
    if team is None:
        return base
    vocabulary = TeamVocabulary.objects.filter(team=team).first()
    return _with_vocabulary(base, vocabulary)


def _with_vocabulary(
    base: naming.Convention, vocabulary: TeamVocabulary | None
) -> naming.Convention:
    if vocabulary is None or not (vocabulary.actions or vocabulary.object_words):
        return base
    key = ("team", id(base), vocabulary.pk, vocabulary.updated_at)
    cached = _parsed.get(key)
    # The base is kept with the result so a recycled id() can never match another convention.
    if cached is None or cached[0] is not base:
        try:
            extended = base.with_team_words(
                actions=vocabulary.actions, objects=vocabulary.object_words
            )
        except ValueError:
            # Words saved before the engine tightened its rules: ignore them rather than fail.
            extended = base
        cached = _parsed[key] = (base, extended)
    return cached[1]


def convention_publish(*, by: User, rules: dict, preset: str, note: str = "") -> ConventionVersion:
    """Publish a new numbered version; existing events are re-linted after commit."""
    if not by.is_productops_admin:
        raise PermissionDenied("Only ProductOps admins can change the organisation's convention.")
    try:
        convention = naming.Convention.from_dict(rules)
    except (ValueError, TypeError) as exc:
        raise ValidationError({"rules": str(exc)}) from exc
    if preset not in naming.PRESETS and preset != "custom":
        raise ValidationError({"preset": f"Choose one of {', '.join(naming.PRESETS)} or custom."})
    from telemetry.tasks import relint_events

    for attempt in range(3):
        try:
            with transaction.atomic():
                latest = ConventionVersion.objects.aggregate(n=Max("number"))["n"] or 0
                version = ConventionVersion.objects.create(
                    number=latest + 1,
                    preset=preset,
                    rules=convention.to_dict(),
                    note=note[:500],
                    author=by,
                )
                audit_record(
                    actor=by,
                    action="telemetry.convention.published",
                    target=version,
                    reason=note,
                    data={"number": version.number, "preset": preset},
                )
                relint_events.delay_on_commit()
            return version
        except IntegrityError:
            # Two admins published at once; the loser takes the next number.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def team_vocabulary_save(
    *, team: Team, by: User, actions: dict, objects: Iterable[str]
) -> TeamVocabulary:
    """A team's own words, saved at once by any member; they only ever add to the organisation's."""
    if not by.is_member_of(team):
        raise PermissionDenied("Only members of this team can change its vocabulary.")
    from telemetry.tasks import relint_events

    clean_actions = {}
    for base, past in actions.items():
        base, past = base.strip().lower(), past.strip().lower()
        if not re.fullmatch(r"[a-z][a-z-]{0,39}", base) or not re.fullmatch(
            r"[a-z][a-z-]{0,39}", past
        ):
            raise ValidationError(
                {
                    "actions": f"“{base} = {past}”: use single lowercase words, e.g. “rebook = rebooked”."
                }
            )
        clean_actions[base] = past
    clean_objects = []
    for word in objects:
        word = word.strip().lower()
        if not word:
            continue
        if not re.fullmatch(r"[a-z][a-z0-9 -]{0,39}", word):
            raise ValidationError({"objects": f"“{word}”: use lowercase words, e.g. “voucher”."})
        clean_objects.append(word)
    try:
        current_convention().convention.with_team_words(
            actions=clean_actions, objects=clean_objects
        )
    except ValueError as exc:
        field = "objects" if str(exc).startswith("objects") else "actions"
        raise ValidationError({field: str(exc)}) from exc
    with transaction.atomic():
        vocabulary, _ = TeamVocabulary.objects.update_or_create(
            team=team,
            defaults={
                "actions": clean_actions,
                "object_words": sorted(set(clean_objects)),
                "updated_by": by,
            },
        )
        audit_record(
            actor=by,
            action="telemetry.vocabulary.saved",
            target=vocabulary,
            data={"actions": clean_actions, "objects": vocabulary.object_words},
        )
        relint_events.delay_on_commit(team.pk)
    return vocabulary


# ---------------------------------------------------------------- linting


def _result_dict(result) -> dict:
    return {
        "ok": result.ok,
        "violations": [
            {"rule": v.rule, "message": v.message, "part": v.part} for v in result.violations
        ],
        "suggestion": result.suggestion,
        "note": result.note,
    }


def _apply_lint(
    event: Event, convention: naming.Convention, version: ConventionVersion | None
) -> None:
    result = naming.lint_event(event.name, convention)
    event.lint_violations = _result_dict(result)["violations"]
    event.lint_suggestion = (result.suggestion or "")[:400]
    event.lint_note = (result.note or "")[:400]
    event.linted_convention = version
    if event.no_lint:
        event.lint_state = Event.LintState.EXCEPTION
    else:
        event.lint_state = Event.LintState.OK if result.ok else Event.LintState.WARNINGS


def events_relint(*, team_id: int | None = None, chunk: int = 2000) -> int:
    """Lint every event again against the current convention (and its team's words)."""
    current = current_convention()
    conventions: dict[int, naming.Convention] = {}
    vocabularies = {v.team_id: v for v in TeamVocabulary.objects.all()}
    queryset = Event.objects.order_by("pk").only("pk", "name", "team_id", "no_lint")
    if team_id:
        queryset = queryset.filter(team_id=team_id)
    changed = 0
    last_pk = 0
    while True:
        batch = list(queryset.filter(pk__gt=last_pk)[:chunk])
        if not batch:
            break
        for event in batch:
            if event.team_id not in conventions:
                conventions[event.team_id] = _with_vocabulary(
                    current.convention, vocabularies.get(event.team_id)
                )
            _apply_lint(event, conventions[event.team_id], current.version)
        Event.objects.bulk_update(
            batch,
            ["lint_state", "lint_violations", "lint_suggestion", "lint_note", "linted_convention"],
        )
        changed += len(batch)
        last_pk = batch[-1].pk
    health_snapshots_take()
    return changed


class _RegistryIndex:
    """The duplicate index of the whole registry, built once per process and kept current.

    Building it for 50,000 events takes seconds, so each request only asks the database what
    changed: counts and newest ids (for deletions and new aliases) and the events saved in the
    last few minutes. Looking back a few minutes, rather than only past the newest change seen,
    catches a transaction that saved before another but committed after it.
    """

    LOOKBACK = datetime.timedelta(minutes=10)
    lock = threading.Lock()
    stamp = None
    index = None
    owners: dict = {}
    property_stamp = None
    property_index = None
    # Duplicate look-ups already answered for this registry state: CI lints the same plan again and again.
    found: dict = {}
    # Events registered since those answers were cached; a cached answer is topped up from these.
    recent: DuplicateIndex | None = None

    @staticmethod
    def _owner_rows(queryset) -> dict:
        rows = queryset.annotate(usage=Count("used_by")).values_list(
            "pk", "name", "team__name", "team__slug", "usage", "status"
        )
        return {
            pk: {"name": name, "team": team, "team_slug": slug, "usage": usage, "status": status}
            for pk, name, team, slug, usage, status in rows
        }

    @classmethod
    def events(cls, convention: naming.Convention, version_number):
        summary = Event.objects.aggregate(n=Count("pk"), top=Max("pk"))
        alias_summary = Alias.objects.aggregate(n=Count("pk"), top=Max("pk"))
        basis = (version_number, id(convention))
        stamp = (summary["n"], summary["top"], alias_summary["n"], alias_summary["top"], basis)
        changed = cls._owner_rows(
            Event.objects.filter(updated_at__gte=timezone.now() - cls.LOOKBACK)
        )
        with cls.lock:
            current = cls.index is not None and cls.stamp[-1] == basis
            if (
                current
                and cls.stamp == stamp
                and all(cls.owners.get(pk) == owner for pk, owner in changed.items())
            ):
                return cls.index, cls.owners, cls.found, cls.recent
            if current and cls._catch_up(summary, alias_summary, changed, convention):
                cls.stamp = stamp
                return cls.index, cls.owners, cls.found, cls.recent
            owners = cls._owner_rows(Event.objects.all())
            entries = [(owner["name"], pk) for pk, owner in owners.items()]
            entries += list(Alias.objects.values_list("old_name", "event_id"))
            cls.index = DuplicateIndex(entries, convention)
            cls.owners = owners
            cls.found = {}
            cls.recent = None
            cls.stamp = stamp
            return cls.index, owners, cls.found, cls.recent

    @classmethod
    def _catch_up(cls, summary, alias_summary, changed, convention) -> bool:
        """Apply new events and edits that kept their names without rebuilding; False when a rebuild is due."""
        count, _, alias_count, alias_top, _ = cls.stamp
        added = {pk: o for pk, o in changed.items() if pk not in cls.owners}
        renamed = any(
            cls.owners[pk]["name"] != o["name"] for pk, o in changed.items() if pk in cls.owners
        )
        new_aliases = list(
            Alias.objects.filter(pk__gt=alias_top or 0).values_list("old_name", "event_id")
        )
        consistent = summary["n"] == count + len(added) and alias_summary["n"] == (
            alias_count or 0
        ) + len(new_aliases)
        if renamed or new_aliases or not consistent:
            return False
        if added and cls.found and (cls.recent is None or len(cls.recent) < 1000):
            cls.recent = cls.recent or DuplicateIndex([], convention)
        elif added:
            cls.found, cls.recent = {}, None
        for pk, owner in added.items():
            cls.index.add(owner["name"], pk)
            if cls.recent is not None:
                cls.recent.add(owner["name"], pk)
        # Usage, status or team changed: answers hold event ids, so they show the new values.
        cls.owners.update(changed)
        return True

    @classmethod
    def properties(cls, convention: naming.Convention) -> DuplicateIndex:
        summary = Property.objects.aggregate(n=Count("pk"), top=Max("pk"))
        stamp = (summary["n"], summary["top"], id(convention))
        with cls.lock:
            if cls.property_stamp != stamp or cls.property_index is None:
                entries = list(Property.objects.values_list("name", "pk"))
                cls.property_index = DuplicateIndex(entries, convention)
                cls.property_stamp = stamp
            return cls.property_index


def _merged(cached: tuple, fresh: list, limit: int) -> tuple:
    """A cached answer topped up with events registered since, best first."""
    best = {c[3]: c for c in cached}
    for c in fresh:
        if c.key not in best or best[c.key][2] < c.score:
            best[c.key] = (c.name, c.reason, c.score, c.key)
    return tuple(sorted(best.values(), key=lambda c: (-c[2], c[0])))[:limit]


def lint_names(
    names: list[str],
    *,
    team: Team | None = None,
    kind: str = "event",
    exclude_event: int | None = None,
    duplicate_limit: int = 5,
) -> list[dict]:
    """Lint each name and look for near-duplicates in the registry; results follow input order."""
    current = current_convention()
    convention = team_convention(current.convention, team)
    results = []
    memo: dict[str, dict] = {}
    if kind == "property":
        index = _RegistryIndex.properties(convention)
        for name in names:
            if name not in memo:
                entry = {"name": name, **_result_dict(naming.lint_property(name, convention))}
                entry["duplicates"] = [
                    {"name": c.name, "team": None, "reason": c.reason, "score": round(c.score, 3)}
                    for c in index.find(name, limit=duplicate_limit)
                    if c.name != name
                ]
                memo[name] = entry
            results.append(memo[name])
        return results
    # Duplicates are judged with the organisation's words, the same for every team.
    index, owners, found, recent = _RegistryIndex.events(
        current.convention, current.version.number if current.version else 0
    )
    if len(found) > 200_000:
        found.clear()
    for name in names:
        if name in memo:
            results.append(memo[name])
            continue
        entry = {"name": name, **_result_dict(naming.lint_event(name, convention))}
        lookup = (name, exclude_event, duplicate_limit)
        # Cached as plain tuples: the collector skips them, and a big cache costs it nothing.
        candidates = found.get(lookup)
        if candidates is None:
            candidates = found[lookup] = tuple(
                (c.name, c.reason, c.score, c.key)
                for c in index.find(name, limit=duplicate_limit, exclude_key=exclude_event)
            )
        elif recent is not None:
            fresh = recent.find(name, limit=duplicate_limit, exclude_key=exclude_event)
            if fresh:
                candidates = _merged(candidates, fresh, duplicate_limit)
        duplicates = []
        seen = set()
        for matched, reason, score, key in candidates:
            owner = owners.get(key)
            if owner is None or key in seen:
                continue
            seen.add(key)
            duplicates.append(
                {
                    "name": owner["name"],
                    "matched": matched,
                    "id": key,
                    "team": owner["team"],
                    "team_slug": owner["team_slug"],
                    "usage": owner["usage"],
                    "status": owner["status"],
                    "reason": reason,
                    "score": round(float(score), 3),
                }
            )
        entry["duplicates"] = duplicates
        memo[name] = entry
        results.append(entry)
    return results


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
        _apply_lint(event, team_convention(current.convention, team), current.version)
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
        _apply_lint(event, team_convention(current.convention, event.team), current.version)
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
        _apply_lint(event, team_convention(current.convention, event.team), current.version)
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


# The parts of a property that are the same on every event (the shared catalogue).
SHARED_PROPERTY_FIELDS = ("type", "description", "pii", "allowed_values", "pattern")
_FIELD_LABELS = {"allowed_values": "allowed values", "pii": "personal data"}


def _shared_value(field: str, value):
    if field == "description":
        return clean_description(value or "")[:2000]
    if field == "pii":
        return bool(value)
    if field == "allowed_values":
        return [str(v) for v in value or []]
    return value or ""


def event_set_properties(*, event: Event, by: User, rows: list[dict]) -> None:
    """Replace an event's properties, all or nothing.

    Each row is {name, required, and any of type, description, pii, allowed_values, pattern}.
    A property name means the same on every event, so a row that gives another definition for a
    property already in the catalogue changes the catalogue's, which only the property's team (or
    a ProductOps admin) may do; anyone else is told which row and field to put back.
    """
    require_team_member(by, event.team)
    errors = []
    names = {}
    for number, row in enumerate(rows, start=1):
        number = row.get("row", number)
        try:
            row["name"] = clean_name(row.get("name"), field="name")
        except ValidationError as exc:
            errors.append(f"Property {number}, name: {exc.message_dict['name'][0]}")
            continue
        if row["name"] in names:
            errors.append(
                f"Property {number}, name: “{row['name']}” is already property {names[row['name']]}; "
                "keep one row per property."
            )
        names.setdefault(row["name"], number)
    if errors:
        raise ValidationError({"properties": errors})
    with transaction.atomic():
        catalogue = {
            p.name: p
            for p in Property.objects.select_for_update(of=("self",))
            .select_related("team")
            .filter(name__in=list(names))
        }
        changed = []
        for number, row in enumerate(rows, start=1):
            number = row.get("row", number)
            prop = catalogue.get(row["name"])
            given = {f: _shared_value(f, row[f]) for f in SHARED_PROPERTY_FIELDS if f in row}
            if prop is None:
                continue
            differing = [
                f for f, v in given.items() if getattr(prop, f) != v and (f != "type" or v)
            ]
            if not differing:
                continue
            if not prop.can_be_edited_by(by):
                field = differing[0]
                owner = prop.team.name if prop.team else "ProductOps"
                raise ValidationError(
                    {
                        "properties": [
                            f"Property {number}, {_FIELD_LABELS.get(field, field)}: “{prop.name}” is "
                            "shared by every event and the catalogue defines it differently "
                            f"({_FIELD_LABELS.get(field, field)}: {_shown(getattr(prop, field))}). "
                            f"Put that back, or ask {owner} to change the property."
                        ]
                    }
                )
            for field in differing:
                setattr(prop, field, given[field])
            prop.full_clean(validate_unique=False)
            prop.save(update_fields=differing)
            changed.append(prop.name)
        properties = properties_ensure(
            [{**row, "type": row.get("type") or "string"} for row in rows], team=event.team
        )
        kept = dict(
            EventProperty.objects.filter(event=event).values_list("property__name", "description")
        )
        EventProperty.objects.filter(event=event).delete()
        EventProperty.objects.bulk_create(
            [
                EventProperty(
                    event=event,
                    property=properties[row["name"]],
                    required=bool(row.get("required")),
                    description=(row.get("event_description") or kept.get(row["name"], ""))[:1000],
                )
                for row in rows
            ]
        )
        audit_record(
            actor=by,
            action="telemetry.event.properties_set",
            target=event,
            data={"properties": [row["name"] for row in rows], "redefined": changed},
        )


def _shown(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(value) or "none"
    return f"“{value}”" if value else "none"


def properties_ensure(rows: list[dict], *, team: Team | None) -> dict[str, Property]:
    """Find or create catalogue properties by name; an existing property keeps its definition."""
    current = current_convention()
    names = [clean_name(row["name"], field="property") for row in rows]
    existing = {p.name: p for p in Property.objects.filter(name__in=names)}
    fresh = []
    for row, name in zip(rows, names, strict=True):
        row["name"] = name
        if name in existing or any(p.name == name for p in fresh):
            continue
        result = naming.lint_property(name, current.convention, type=row.get("type"))
        fresh.append(
            Property(
                name=name,
                type=row.get("type") or "string",
                description=clean_description(row.get("description", ""))[:2000],
                pii=bool(row.get("pii")),
                allowed_values=list(row.get("allowed_values") or []),
                pattern=(row.get("pattern") or "")[:500],
                team=team,
                lint_ok=result.ok,
                lint_suggestion=(result.suggestion or "")[:400],
            )
        )
    if fresh:
        Property.objects.bulk_create(fresh)
        existing.update(
            {p.name: p for p in Property.objects.filter(name__in=[p.name for p in fresh])}
        )
    return existing


def property_conflicts() -> dict[str, TypeConflict]:
    """Each property whose name, ignoring case and separators, is also defined with another type.

    `plan_type` (string) and `planType` (integer) are two catalogue entries for what readers take
    to be one property; both are flagged, each pointing at the other spellings and their types.
    """
    rows = Property.objects.values_list("name", "name", "type")
    return {
        spelling: conflict
        for conflict in property_type_conflicts(rows)
        for spellings in conflict.types.values()
        for spelling in spellings
    }


# ---------------------------------------------------------------- naming health


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
