"""Importing a tracking plan into the catalogue (preview, then all or nothing) and exporting it."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch

from productops.accounts.models import Team, User
from productops.accounts.services import audit_record
from telemetry import conventions, linting, naming, services, tracking_plan
from telemetry.duplicates import property_type_conflicts
from telemetry.models import PLATFORM_CHOICES, Alias, Event, EventProperty, Platform, Tag
from telemetry.properties import properties_ensure
from telemetry.tracking_plan import InvalidRow, PlanError, PlanEvent

PLATFORMS = {code for code, _ in PLATFORM_CHOICES}


@dataclass
class Preview:
    create: list = field(default_factory=list)  # PlanEvent
    update: list = field(default_factory=list)  # (PlanEvent, Event)
    failing: list = field(
        default_factory=list
    )  # lint result dicts for names that break the convention
    invalid: list = field(default_factory=list)  # InvalidRow
    conflicts: list = field(default_factory=list)  # (property, {type: [event names]})
    formulas: list = field(default_factory=list)  # (where, column, value): imported as text

    @property
    def can_commit(self) -> bool:
        return not self.invalid and bool(self.create or self.update)


def parse(
    data: bytes, fmt: str, mapping: dict | None = None
) -> tuple[list[PlanEvent], list[InvalidRow]]:
    if fmt in {"csv", "xlsx"}:
        headers, rows = tracking_plan.read_table(data, fmt)
        return tracking_plan.events_from_table(
            headers, rows, mapping or tracking_plan.guess_mapping(headers)
        )
    if fmt == "jsonschema":
        return tracking_plan.events_from_json_schema(data)
    if fmt == "glean":
        return tracking_plan.events_from_glean(data)
    raise PlanError(f"Unknown format “{fmt}”.")


def import_preview(
    *, team: Team, by: User, events: list[PlanEvent], invalid: list[InvalidRow]
) -> Preview:
    services.require_team_member(by, team)
    preview = Preview(invalid=list(invalid))
    valid: list[PlanEvent] = []
    seen = set()
    for event in events:
        try:
            event.name = services.clean_name(event.name, field="event")
            for prop in event.properties:
                prop.name = services.clean_name(prop.name, field="property")
            event.tags = services.clean_tags(event.tags)
        except ValidationError as exc:
            reason = "; ".join(m for messages in exc.message_dict.values() for m in messages)
            preview.invalid.append(InvalidRow(event.where, f"{event.name[:80]!r}: {reason}"))
            continue
        unknown = [p for p in event.platforms if p not in PLATFORMS]
        if unknown:
            preview.invalid.append(
                InvalidRow(
                    event.where,
                    f"Platform “{unknown[0]}” is unknown; use {', '.join(sorted(PLATFORMS))}.",
                )
            )
            continue
        if event.name in seen:
            preview.invalid.append(
                InvalidRow(event.where, f"“{event.name}” appears twice in the file.")
            )
            continue
        seen.add(event.name)
        valid.append(event)
        preview.formulas += event.formulas

    existing = {
        e.name: e
        for e in Event.objects.filter(name__in=[e.name for e in valid]).select_related("team")
    }
    aliases = dict(
        Alias.objects.filter(old_name__in=[e.name for e in valid]).values_list(
            "old_name", "event__name"
        )
    )
    for event in valid:
        current = existing.get(event.name)
        if current is not None and current.team_id != team.pk:
            preview.invalid.append(
                InvalidRow(
                    event.where,
                    f"“{event.name}” belongs to {current.team.name}; leave it out, or mark your team as using it.",
                )
            )
        elif event.name in aliases:
            preview.invalid.append(
                InvalidRow(
                    event.where,
                    f"“{event.name}” is an old name of “{aliases[event.name]}”; use the new name.",
                )
            )
        elif current is not None:
            preview.update.append((event, current))
        else:
            preview.create.append(event)

    names = [e.name for e in preview.create] + [e.name for e, _ in preview.update]
    preview.failing = [r for r in linting.lint_names(names, team=team) if not r["ok"]]
    rows = [(e.name, p.name, p.type) for e in valid for p in e.properties]
    from telemetry.models import Property

    catalogue = Property.objects.filter(name__in={p for _, p, _ in rows}).values_list(
        "name", "type"
    )
    rows += [("catalogue", name, type_) for name, type_ in catalogue]
    preview.conflicts = [(c.property, c.types) for c in property_type_conflicts(rows)]
    return preview


def import_commit(
    *, team: Team, by: User, events: list[PlanEvent], invalid: list[InvalidRow], source: str
) -> Preview:
    """Write the whole plan or nothing: any invalid row stops the import before a single write."""
    preview = import_preview(team=team, by=by, events=events, invalid=invalid)
    if preview.invalid:
        raise ValidationError(
            {
                "file": f"{len(preview.invalid)} row(s) are invalid; fix them and upload again. Nothing was imported."
            }
        )
    current = conventions.current_convention()
    convention = conventions.team_convention(current.convention, team)
    with transaction.atomic():
        fresh = []
        for plan in preview.create:
            event = Event(
                team=team,
                name=plan.name,
                normalised_name=naming.normalise(plan.name)[:400],
                description=services.clean_description(plan.description)[:5000],
                status=plan.status,
                created_by=by,
            )
            linting.apply_lint(event, convention, current.version)
            fresh.append(event)
        Event.objects.bulk_create(fresh, batch_size=1000)
        created = {e.name: e for e in Event.objects.filter(name__in=[e.name for e in fresh])}
        updated = []
        for plan, event in preview.update:
            event.description = (
                services.clean_description(plan.description)[:5000] or event.description
            )
            event.status = plan.status
            updated.append(event)
        Event.objects.bulk_update(updated, ["description", "status", "updated_at"], batch_size=1000)
        by_name = {**created, **{e.name: e for e in updated}}
        plans = preview.create + [p for p, _ in preview.update]

        platforms = {
            p.code: p
            for p in services._labels(Platform, "code", {c for p in plans for c in p.platforms})
        }
        tags = {
            t.name: t for t in services._labels(Tag, "name", {t for p in plans for t in p.tags})
        }
        platform_links, tag_links = [], []
        for plan in plans:
            event = by_name[plan.name]
            platform_links += [
                Event.platforms.through(event=event, platform=platforms[c])
                for c in set(plan.platforms)
            ]
            tag_links += [Event.tags.through(event=event, tag=tags[t]) for t in set(plan.tags)]
        Event.platforms.through.objects.bulk_create(platform_links, ignore_conflicts=True)
        Event.tags.through.objects.bulk_create(tag_links, ignore_conflicts=True)

        rows = [
            {
                "name": p.name,
                "type": p.type,
                "description": p.description,
                "pii": p.pii,
                "allowed_values": p.allowed_values,
                "pattern": p.pattern,
            }
            for plan in plans
            for p in plan.properties
        ]
        properties = properties_ensure(rows, team=team)
        EventProperty.objects.filter(
            event__in=[by_name[p.name] for p, _ in preview.update]
        ).delete()
        links = {}
        for plan in plans:
            for p in plan.properties:
                links[(plan.name, p.name)] = EventProperty(
                    event=by_name[plan.name],
                    property=properties[p.name],
                    required=p.required,
                    description=p.description[:1000],
                )
        EventProperty.objects.bulk_create(list(links.values()), batch_size=1000)
        audit_record(
            actor=by,
            action="telemetry.plan.imported",
            target=team,
            data={"source": source[:200], "created": len(fresh), "updated": len(updated)},
        )
    return preview


# ---------------------------------------------------------------- export


def export_rows(queryset) -> list[dict]:
    """The catalogue as plain dicts for tracking_plan's writers, in a fixed number of queries."""
    events = queryset.select_related("team").prefetch_related(
        "platforms",
        "tags",
        "aliases",
        Prefetch("event_properties", queryset=EventProperty.objects.select_related("property")),
    )
    return [
        {
            "name": e.name,
            "team": e.team.slug,
            "status": e.status,
            "description": e.description,
            "platforms": [p.code for p in e.platforms.all()],
            "tags": [t.name for t in e.tags.all()],
            "lint_state": e.lint_state,
            "no_lint_reason": e.no_lint_reason,
            "aliases": [a.old_name for a in e.aliases.all()],
            "properties": [
                {
                    "name": ep.property.name,
                    "type": ep.property.type,
                    "required": ep.required,
                    "pii": ep.property.pii,
                    "description": ep.description or ep.property.description,
                    "allowed_values": ep.property.allowed_values,
                    "pattern": ep.property.pattern,
                }
                for ep in e.event_properties.all()
            ],
        }
        for e in events
    ]
