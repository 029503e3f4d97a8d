"""The catalogue list's rows, built from five flat queries.

A page holds up to 500 events. DRF's nested serializers over prefetch_related cost about 1 ms of
CPU per event (a related manager and a queryset per event and relation, a field object per
value), which made this the most expensive read in the portal. These rows are the same dicts
`EventSerializer` writes, which the tests hold them to; the serializer still documents them
and serves single events.
"""

from collections import defaultdict

from productops.api_rows import moment
from productops.reversing import url_with_id
from telemetry.models import Alias, Event, EventProperty
from telemetry.payloads import example_payload


def _grouped(pairs) -> dict[int, list]:
    grouped = defaultdict(list)
    for event_id, value in pairs:
        grouped[event_id].append(value)
    return grouped


def event_rows(events) -> list[dict]:
    """`events`: Event instances with `team` selected. Related lists keep the serializer's order."""
    events = list(events)
    ids = [event.pk for event in events]
    platforms = _grouped(
        Event.platforms.through.objects.filter(event_id__in=ids)
        .order_by("platform__code")
        .values_list("event_id", "platform__code")
    )
    tags = _grouped(
        Event.tags.through.objects.filter(event_id__in=ids)
        .order_by("tag__name")
        .values_list("event_id", "tag__name")
    )
    used_by = _grouped(
        Event.used_by.through.objects.filter(event_id__in=ids)
        .order_by("team__name")
        .values_list("event_id", "team__slug")
    )
    aliases = _grouped(
        Alias.objects.filter(event_id__in=ids)
        .order_by("-created_at", "-id")
        .values_list("event_id", "old_name")
    )
    properties = _grouped(
        (
            row["event_id"],
            {
                "name": row["property__name"],
                "type": row["property__type"],
                "required": row["required"],
                "pii": row["property__pii"],
                "allowed_values": row["property__allowed_values"],
                "pattern": row["property__pattern"],
                "meaning": row["property__description"],
                "description": row["description"],
            },
        )
        for row in EventProperty.objects.filter(event_id__in=ids)
        .order_by("property__name")
        .values(
            "event_id",
            "required",
            "description",
            "property__name",
            "property__type",
            "property__pii",
            "property__allowed_values",
            "property__pattern",
            "property__description",
        )
    )
    url = url_with_id("telemetry:event_detail")
    when = moment()
    return [
        {
            "id": event.pk,
            "name": event.name,
            "description": event.description,
            "team": event.team.slug,
            "status": event.status,
            "platforms": platforms.get(event.pk, []),
            "tags": tags.get(event.pk, []),
            "used_by": used_by.get(event.pk, []),
            "aliases": aliases.get(event.pk, []),
            "properties": properties.get(event.pk, []),
            "example_payload": event.example_payload,
            "generated_example": example_payload(event.name, properties.get(event.pk, [])),
            "lint_state": event.lint_state,
            "lint_violations": event.lint_violations,
            "lint_suggestion": event.lint_suggestion,
            "no_lint": event.no_lint,
            "no_lint_reason": event.no_lint_reason,
            "created_at": when(event.created_at),
            "updated_at": when(event.updated_at),
            "url": url(event.pk),
        }
        for event in events
    ]
