"""Custom participant attributes: declared, edited and retired by ProductOps admins, audited.

An attribute's name is the key in every participant's `attributes` and in request criteria, so
it never changes once declared. A type or value-list change is checked against the values
participants already hold and against open requests, and either converts those values in the
same transaction or is refused with the values that stand in the way.
"""

import json
import re
from collections import Counter

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.db.models.fields.json import KeyTransform
from django.utils import timezone

from productops.accounts.models import User
from productops.accounts.services import audit_record
from research.models import BUILTIN_ATTRIBUTES, AttributeDefinition, Participant, ResearchRequest

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
MAX_VALUES = 50
MAX_VALUE_LENGTH = 80
# Names a participant already has as a column or an import field: an attribute would shadow them.
RESERVED = set(BUILTIN_ATTRIBUTES) | {
    "id",
    "external_id",
    "name",
    "email",
    "account",
    "account_id",
    "account_name",
    "time_zone",
    "consent",
    "consent_at",
    "do_not_contact",
    "opted_out",
    "contact_block_reason",
    "renewal_date",
    "account_owner",
    "owner_flagged",
    "attributes",
}
TYPE_LABELS = dict(AttributeDefinition.Type.choices)


def name_clean(name: str) -> str:
    name = (name or "").strip().lower()
    if not NAME_PATTERN.fullmatch(name) or len(name) > 40:
        raise ValidationError(
            {
                "name": "Use up to 40 lower-case letters, digits and single underscores, "
                "starting with a letter (e.g. product_line)."
            }
        )
    if name in RESERVED:
        raise ValidationError(
            {"name": f"'{name}' is already a participant field; pick another name."}
        )
    existing = AttributeDefinition.objects.filter(name=name).first()
    if existing:
        hint = " (retired: reinstate it instead)" if existing.retired_at else ""
        raise ValidationError({"name": f"An attribute named '{name}' exists already{hint}."})
    return name


def values_clean(*, type: str, allowed_values) -> list:
    """The allowed values, trimmed and without repeats; only a choice attribute has them."""
    if type not in TYPE_LABELS:
        raise ValidationError(
            {"type": f"Unknown type '{type}'; use one of: {', '.join(TYPE_LABELS)}."}
        )
    if isinstance(allowed_values, str):
        allowed_values = allowed_values.splitlines()
    if not isinstance(allowed_values, list | tuple):
        raise ValidationError({"allowed_values": "Give the allowed values as a list."})
    values = list(dict.fromkeys(str(v).strip() for v in allowed_values if str(v).strip()))
    if type != AttributeDefinition.Type.CHOICE:
        if values:
            raise ValidationError(
                {
                    "allowed_values": f"Only 'one of a list' attributes take allowed values; "
                    f"clear them for '{TYPE_LABELS[type].lower()}'."
                }
            )
        return []
    if not values:
        raise ValidationError(
            {"allowed_values": "List the allowed values, one per line, for 'one of a list'."}
        )
    if len(values) > MAX_VALUES:
        raise ValidationError(
            {"allowed_values": f"At most {MAX_VALUES} values; use free text for more."}
        )
    long = [v for v in values if len(v) > MAX_VALUE_LENGTH]
    if long:
        raise ValidationError(
            {
                "allowed_values": f"Keep each value under {MAX_VALUE_LENGTH} characters: "
                f"'{long[0][:30]}…' is longer."
            }
        )
    return values


def label_clean(label: str, name: str) -> str:
    label = " ".join((label or "").split())
    if len(label) > 80:
        raise ValidationError({"label": "Keep the label under 80 characters."})
    return label or name.replace("_", " ").capitalize()


def open_requests_using(name: str) -> list[ResearchRequest]:
    """Open requests that filter or stratify on this attribute (few: checked in Python on any database)."""
    return [
        r
        for r in ResearchRequest.objects.open().only("id", "title", "criteria", "dimensions")
        if name in (r.criteria or {}) or name in (r.dimensions or [])
    ]


def stored_values(name: str) -> list[tuple[object, int]]:
    """Each distinct value participants hold for this attribute, with how many hold it."""
    held = Participant.objects.filter(attributes__has_key=name)
    if connection.vendor != "postgresql":
        # SQLite's JSON_EXTRACT loses the difference between "12" and 12: count in Python.
        counts = Counter(json.dumps(a.get(name)) for a in held.values_list("attributes", flat=True))
        return [(json.loads(value), n) for value, n in counts.most_common()]
    rows = (
        held.annotate(value=KeyTransform(name, "attributes"))
        .values("value")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    return [(row["value"], row["n"]) for row in rows]


def _titles(requests) -> str:
    return ", ".join(f"“{r.title}”" for r in requests[:5]) + (" …" if len(requests) > 5 else "")


@transaction.atomic
def attribute_declare(
    *, name: str, label: str = "", type: str, allowed_values=(), by: User
) -> AttributeDefinition:
    name = name_clean(name)
    values = values_clean(type=type, allowed_values=allowed_values)
    try:
        # A savepoint: another admin may declare the same name between the check and the insert.
        with transaction.atomic():
            definition = AttributeDefinition.objects.create(
                name=name, label=label_clean(label, name), type=type, allowed_values=values
            )
    except IntegrityError:
        raise ValidationError({"name": f"An attribute named '{name}' exists already."}) from None
    audit_record(
        actor=by,
        action="research.attribute.declared",
        target=definition,
        data={"name": name, "type": type, "allowed_values": values},
    )
    return definition


def attribute_update(
    *, definition: AttributeDefinition, label: str, type: str, allowed_values=(), by: User
) -> int:
    """Change the label, type or values; returns how many participants' values were converted."""
    values = values_clean(type=type, allowed_values=allowed_values)
    with transaction.atomic():
        definition = AttributeDefinition.objects.select_for_update().get(pk=definition.pk)
        before = {
            "label": definition.label,
            "type": definition.type,
            "allowed_values": definition.allowed_values,
        }
        after = {
            "label": label_clean(label, definition.name),
            "type": type,
            "allowed_values": values,
        }
        changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if not changed:
            return 0
        converted = 0
        if "type" in changed or "allowed_values" in changed:
            converted = _convert_values(definition, new_type=type, allowed_values=values)
        for field, value in after.items():
            setattr(definition, field, value)
        definition.save(update_fields=list(after))
        audit_record(
            actor=by,
            action="research.attribute.edited",
            target=definition,
            data={**changed, "converted": converted},
        )
    return converted


def _convert_values(definition, *, new_type, allowed_values) -> int:
    """Check every stored value against the new type and list; rewrite those whose form changes."""
    name = definition.name
    users = open_requests_using(name)
    if new_type != definition.type and users:
        raise ValidationError(
            {
                "type": f"Open requests filter on '{name}': {_titles(users)}. Edit or cancel them "
                "before changing its type."
            }
        )
    removed = set(definition.allowed_values or []) - set(allowed_values)
    if new_type == definition.type and removed:
        named = [
            r
            for r in users
            if set(map(str, (r.criteria or {}).get(name) or [])) & removed
            and isinstance(r.criteria.get(name), list)
        ]
        if named:
            raise ValidationError(
                {
                    "allowed_values": f"Open requests ask for {', '.join(map(repr, sorted(removed)))}: "
                    f"{_titles(named)}. Edit or cancel them first."
                }
            )
    target = AttributeDefinition(name=name, type=new_type, allowed_values=allowed_values)
    rewrites, bad, total_bad = [], [], 0
    for value, n in stored_values(name):
        try:
            new = target.coerce(value)
        except ValueError:
            bad.append(f"'{value}' ({n})")
            total_bad += n
            continue
        if new is not None and (new != value or type(new) is not type(value)):
            rewrites.append((value, new, n))
    if bad:
        field = "type" if new_type != definition.type else "allowed_values"
        raise ValidationError(
            {
                field: f"{total_bad} participant{'s' if total_bad != 1 else ''} hold values that are "
                f"not valid as {TYPE_LABELS[new_type].lower()}"
                f"{' from the new list' if field == 'allowed_values' else ''}: "
                f"{', '.join(bad[:8])}{' …' if len(bad) > 8 else ''}. Keep those values allowed, "
                "re-import the participants with valid ones, or declare a new attribute."
            }
        )
    return _rewrite(name, rewrites)


def _rewrite(name: str, rewrites) -> int:
    if not rewrites:
        return 0
    if connection.vendor == "postgresql":
        # One pass over the panel, matching each row's old JSON value to its new one.
        with connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE research_participant AS p
                   SET attributes = jsonb_set(p.attributes, ARRAY[%s], v.new)
                  FROM unnest(%s::jsonb[], %s::jsonb[]) AS v(old, new)
                 WHERE p.attributes -> %s = v.old
                """,
                [
                    name,
                    [json.dumps(old) for old, _new, _n in rewrites],
                    [json.dumps(new) for _old, new, _n in rewrites],
                    name,
                ],
            )
            return cursor.rowcount
    mapping = {json.dumps(old): new for old, new, _n in rewrites}
    people = []
    for person in Participant.objects.filter(attributes__has_key=name).only("id", "attributes"):
        key = json.dumps(person.attributes.get(name))
        if key in mapping:
            person.attributes[name] = mapping[key]
            people.append(person)
    Participant.objects.bulk_update(people, ["attributes"], batch_size=500)
    return len(people)


@transaction.atomic
def attribute_retire(*, definition: AttributeDefinition, by: User, reason: str = "") -> None:
    """Take an attribute out of forms, filters and imports; participants keep their values."""
    definition = AttributeDefinition.objects.select_for_update().get(pk=definition.pk)
    if definition.retired_at:
        return
    users = open_requests_using(definition.name)
    if users:
        raise ValidationError(
            {
                "name": f"Open requests filter or stratify on '{definition.name}': {_titles(users)}. "
                "Edit or cancel them before retiring it."
            }
        )
    definition.retired_at = timezone.now()
    definition.save(update_fields=["retired_at"])
    audit_record(
        actor=by, action="research.attribute.retired", target=definition, reason=reason.strip()
    )


@transaction.atomic
def attribute_reinstate(*, definition: AttributeDefinition, by: User) -> None:
    updated = AttributeDefinition.objects.filter(pk=definition.pk, retired_at__isnull=False).update(
        retired_at=None
    )
    if updated:
        audit_record(actor=by, action="research.attribute.reinstated", target=definition)
