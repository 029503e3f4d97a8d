"""The shared property catalogue: a property name means the same on every event."""

from django.core.exceptions import ValidationError
from django.db import transaction

from productops.accounts.models import Team, User
from productops.accounts.services import audit_record
from telemetry import naming
from telemetry.conventions import current_convention
from telemetry.duplicates import TypeConflict, property_type_conflicts
from telemetry.models import Event, EventProperty, Property
from telemetry.services import clean_description, clean_name, require_team_member

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


def _relint_for_required_properties(event: Event, names: set[str]) -> None:
    """A team that requires properties sees the verdict change as soon as they are declared."""
    from telemetry.conventions import team_convention
    from telemetry.linting import apply_lint, team_rules

    rules = team_rules(event.team_id)
    if not rules.required_properties:
        return
    current = current_convention()
    apply_lint(
        event,
        team_convention(current.convention, event.team),
        current.version,
        rules=rules,
        property_names=names,
    )
    event.save(
        update_fields=[
            "lint_state",
            "lint_violations",
            "lint_suggestion",
            "lint_note",
            "linted_convention",
            "updated_at",
        ]
    )


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
        _relint_for_required_properties(event, {row["name"] for row in rows})
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
