"""Importing a tracking plan into the catalogue (preview, then all or nothing) and exporting it."""

import datetime
from dataclasses import asdict, dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from productops.accounts.models import Team, User
from productops.accounts.services import audit_record
from telemetry import conventions, linting, naming, services, tracking_plan
from telemetry.duplicates import property_type_conflicts
from telemetry.models import (
    PLATFORM_CHOICES,
    Alias,
    Event,
    EventProperty,
    PlanImport,
    Platform,
    Tag,
)
from telemetry.properties import properties_ensure
from telemetry.tracking_plan import InvalidRow, PlanError, PlanEvent, PlanProperty

PLATFORMS = {code for code, _ in PLATFORM_CHOICES}
# Files above this size are read (and committed) by a Celery worker while the page shows progress.
BACKGROUND_BYTES = 256 * 1024
BACKGROUND_EVENTS = 2000
READERS = {
    "jsonschema": tracking_plan.events_from_json_schema,
    "glean": tracking_plan.events_from_glean,
    "yaml": tracking_plan.events_from_portal_yaml,
}


@dataclass
class Preview:
    create: list = field(default_factory=list)  # PlanEvent
    update: list = field(default_factory=list)  # (PlanEvent, Event)
    failing: list = field(
        default_factory=list
    )  # lint result dicts for names that break the convention
    invalid: list = field(default_factory=list)  # InvalidRow
    skipped: list = field(default_factory=list)  # InvalidRow: kept out, never blocking
    conflicts: list = field(default_factory=list)  # (property, {type: [event names]})
    formulas: list = field(default_factory=list)  # (where, column, value): imported as text
    owners: dict = field(default_factory=dict)  # event name -> Team it goes into

    @property
    def can_commit(self) -> bool:
        return not self.invalid and bool(self.create or self.update)


def parse(
    data: bytes, fmt: str, mapping: dict | None = None, progress=None
) -> tuple[list[PlanEvent], list[InvalidRow]]:
    if fmt in {"csv", "xlsx"}:
        headers, rows = tracking_plan.read_table(data, fmt)
        return tracking_plan.events_from_table(
            headers, rows, mapping or tracking_plan.guess_mapping(headers)
        )
    if fmt in READERS:
        return READERS[fmt](data, progress=progress)
    raise PlanError(f"Unknown format “{fmt}”.")


# ---------------------------------------------------------------- import jobs


def _stored(events: list[PlanEvent], invalid: list[InvalidRow]) -> dict:
    return {"events": [asdict(e) for e in events], "invalid": [asdict(r) for r in invalid]}


def parsed_plan(job: PlanImport) -> tuple[list[PlanEvent], list[InvalidRow]]:
    """What the job's file held, as read once by plan_import_read."""
    events = []
    for row in job.parsed["events"]:
        properties = [PlanProperty(**p) for p in row["properties"]]
        events.append(PlanEvent(**{**row, "properties": properties}))
    return events, [InvalidRow(**r) for r in job.parsed["invalid"]]


def _progress(job: PlanImport):
    def report(done: int, total: int) -> None:
        PlanImport.objects.filter(pk=job.pk).update(done=done, total=total)

    return report


def plan_import_read(*, job: PlanImport) -> PlanImport:
    """Read the file once and keep what it holds; a problem with the whole file fails the job."""
    job.status = PlanImport.Status.READING
    job.save(update_fields=["status", "updated_at"])
    try:
        events, invalid = parse(bytes(job.data), job.format, job.mapping, progress=_progress(job))
    except PlanError as exc:
        job.status, job.error = PlanImport.Status.FAILED, str(exc)
        job.save(update_fields=["status", "error", "updated_at"])
        return job
    job.parsed = _stored(events, invalid)
    job.status = PlanImport.Status.READY
    job.done = job.total = len(events) + len(invalid)
    job.save(update_fields=["parsed", "status", "done", "total", "updated_at"])
    return job


# An upload holds its file in the database; nobody comes back to one after this long.
KEEP_IMPORTS = datetime.timedelta(days=2)


def plan_imports_prune() -> int:
    """Drop uploads untouched for two days, so files do not pile up in the database."""
    cutoff = timezone.now() - KEEP_IMPORTS
    return PlanImport.objects.filter(updated_at__lt=cutoff).delete()[0]


def plan_import_start(*, job: PlanImport) -> PlanImport:
    """Read a small file now; queue a big one for a worker so the page can show progress."""
    from telemetry.tasks import run_plan_import

    if len(job.data) <= BACKGROUND_BYTES:
        return plan_import_read(job=job)
    job.status = PlanImport.Status.QUEUED
    job.save(update_fields=["status", "updated_at"])
    run_plan_import.delay_on_commit(job.pk)
    return job


def plan_import_commit(*, job: PlanImport) -> PlanImport:
    """Commit a previewed job (in a worker for big plans); it records the outcome on the job."""
    events, invalid = parsed_plan(job)
    try:
        preview = import_commit(
            team=job.team, by=job.created_by, events=events, invalid=invalid, source=job.filename
        )
    except ValidationError as exc:
        job.status = PlanImport.Status.READY
        job.error = " ".join(m for ms in exc.message_dict.values() for m in ms)
        job.save(update_fields=["status", "error", "updated_at"])
        return job
    job.status, job.error = PlanImport.Status.DONE, ""
    job.result = {"created": len(preview.create), "updated": len(preview.update)}
    job.done = job.total
    job.save(update_fields=["status", "error", "result", "done", "updated_at"])
    return job


def plan_import_request_commit(*, job: PlanImport, by: User) -> PlanImport:
    """Commit now, or hand a big plan to a worker; a second click while it runs changes nothing."""
    from telemetry.tasks import run_plan_import

    services.require_team_member(by, job.team)
    if len(job.parsed["events"]) <= BACKGROUND_EVENTS:
        return plan_import_commit(job=job)
    claimed = PlanImport.objects.filter(pk=job.pk, status=PlanImport.Status.READY).update(
        status=PlanImport.Status.COMMIT_QUEUED, error=""
    )
    if claimed:
        run_plan_import.delay_on_commit(job.pk)
    job.refresh_from_db()
    return job


def import_preview(
    *, team: Team, by: User, events: list[PlanEvent], invalid: list[InvalidRow]
) -> Preview:
    services.require_team_member(by, team)
    preview = Preview(
        invalid=[r for r in invalid if not r.skipped], skipped=[r for r in invalid if r.skipped]
    )
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
        Alias.objects.filter(
            old_name__in=[e.name for e in valid] + [a for e in valid for a in e.aliases]
        ).values_list("old_name", "event__name")
    )
    named_events = set(
        Event.objects.filter(name__in=[a for e in valid for a in e.aliases]).values_list(
            "name", flat=True
        )
    )
    teams = _named_teams({e.team for e in valid if e.team})
    my_team_ids = set(by.memberships.values_list("team_id", flat=True))
    for event in valid:
        current = existing.get(event.name)
        owner = team
        if event.team:
            owner = teams.get(event.team.lower())
            if owner is None:
                preview.invalid.append(
                    InvalidRow(
                        event.where,
                        f"Team “{event.team}” is not in the portal; use a team's slug "
                        "(as the export writes it) or leave the team column empty.",
                    )
                )
                continue
        if owner.pk not in my_team_ids:
            if current is not None and current.team_id == owner.pk:
                # A whole-catalogue export re-imported by one team: other teams' events stay theirs.
                preview.skipped.append(
                    InvalidRow(
                        event.where,
                        f"“{event.name}” belongs to {owner.name}, which you are not in; left as it is.",
                        skipped=True,
                    )
                )
            else:
                preview.invalid.append(
                    InvalidRow(
                        event.where,
                        f"The file puts “{event.name}” in {owner.name}; you can only import "
                        "into teams you are in.",
                    )
                )
            continue
        if current is not None and current.team_id != owner.pk:
            preview.invalid.append(
                InvalidRow(
                    event.where,
                    f"“{event.name}” belongs to {current.team.name}; leave it out, or mark your team as using it.",
                )
            )
            continue
        if event.name in aliases:
            preview.invalid.append(
                InvalidRow(
                    event.where,
                    f"“{event.name}” is an old name of “{aliases[event.name]}”; use the new name.",
                )
            )
            continue
        taken = [a for a in event.aliases if a in aliases and aliases[a] != event.name]
        taken += [a for a in event.aliases if a in named_events or a in preview.owners]
        if taken:
            preview.invalid.append(
                InvalidRow(
                    event.where,
                    f"Old name “{taken[0]}” already names another event; remove it from the aliases.",
                )
            )
            continue
        preview.owners[event.name] = owner
        if current is not None:
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


def _named_teams(names: set[str]) -> dict:
    """Teams a file names, by slug or by name, case-insensitively."""
    if not names:
        return {}
    lowered = {n.lower() for n in names}
    found = {}
    for t in Team.objects.all():
        for key in (t.slug.lower(), t.name.lower()):
            if key in lowered:
                found[key] = t
    return found


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
    team_conventions = {}
    with transaction.atomic():
        fresh = []
        for plan in preview.create:
            owner = preview.owners[plan.name]
            if owner.pk not in team_conventions:
                team_conventions[owner.pk] = (
                    conventions.team_convention(current.convention, owner),
                    linting.team_rules(owner.pk),
                )
            team_conv, rules = team_conventions[owner.pk]
            reason = plan.no_lint[:2000]
            event = Event(
                team=owner,
                name=plan.name,
                normalised_name=naming.normalise(plan.name)[:400],
                description=services.clean_description(plan.description)[:5000],
                status=plan.status,
                created_by=by,
                no_lint=bool(reason),
                no_lint_reason=reason,
            )
            linting.apply_lint(
                event,
                team_conv,
                current.version,
                rules=rules,
                property_names={p.name for p in plan.properties},
            )
            fresh.append(event)
        Event.objects.bulk_create(fresh, batch_size=1000)
        created = {e.name: e for e in Event.objects.filter(name__in=[e.name for e in fresh])}
        updated = []
        for plan, event in preview.update:
            event.description = (
                services.clean_description(plan.description)[:5000] or event.description
            )
            event.status = plan.status
            if plan.no_lint and not event.no_lint:
                event.no_lint, event.no_lint_reason = True, plan.no_lint[:2000]
                event.lint_state = Event.LintState.EXCEPTION
            updated.append(event)
        Event.objects.bulk_update(
            updated,
            ["description", "status", "no_lint", "no_lint_reason", "lint_state", "updated_at"],
            batch_size=1000,
        )
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
        Alias.objects.bulk_create(
            [
                Alias(old_name=old, event=by_name[plan.name], created_by=by)
                for plan in plans
                # The export lists the newest alias first; create it last so the order survives.
                for old in reversed(list(dict.fromkeys(plan.aliases)))
            ],
            ignore_conflicts=True,
        )
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
