"""The catalogue's filters, and an exact count that stays cheap on a registry of 50,000 events.

Counting events with a tag by joining the events table scans every event (35 ms at 50,000);
counting the tag's rows in the link table, which holds each (event, tag) pair once, reads a
small index (3 ms) and gives the same number.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property
from django.utils.text import Truncator

from productops.reversing import url_with_id
from telemetry.forms import CatalogueFilterForm
from telemetry.models import PLATFORM_CHOICES, Event

# What a catalogue row shows; the search vector and the JSON columns stay in the database.
LIST_COLUMNS = (
    "id",
    "name",
    "description",
    "status",
    "lint_state",
    "lint_suggestion",
    "team__name",
    "team__slug",
)


@dataclass
class Catalogue:
    form: CatalogueFilterForm
    events: QuerySet
    filters: dict

    def count(self) -> int:
        """The number of events the filters match, exactly."""
        links = []
        if self.filters.get("tag"):
            links.append(Event.tags.through.objects.filter(tag__name=self.filters["tag"]))
        if self.filters.get("platform"):
            links.append(
                Event.platforms.through.objects.filter(platform__code=self.filters["platform"])
            )
        if not links:
            return self.events.count()
        driving, *others = links
        for other in others:
            driving = driving.filter(event_id__in=other.values("event_id"))
        own = _event_filters(Event.objects.all(), self.filters)
        if own is not None:
            driving = driving.filter(event_id__in=own.values("pk"))
        return driving.count()


def _event_filters(events: QuerySet, data: dict) -> QuerySet | None:
    """Filters on the event's own columns, or None when there are none."""
    filtered = False
    if data.get("team"):
        events, filtered = events.filter(team__slug=data["team"]), True
    if data.get("status"):
        events, filtered = events.filter(status=data["status"]), True
    if data.get("lint"):
        events, filtered = events.filter(lint_state=data["lint"]), True
    if data.get("q"):
        events, filtered = events.search(data["q"]), True
    return events if filtered else None


def catalogue_filter(params) -> Catalogue:
    form = CatalogueFilterForm(params)
    form.is_valid()
    data = {k: v for k, v in form.cleaned_data.items() if v}
    if data.get("tag"):
        data["tag"] = data["tag"].strip().lower()
    events = _event_filters(Event.objects.all(), data)
    if events is None:
        events = Event.objects.all()
    if data.get("platform"):
        events = events.filter(platforms__code=data["platform"])
    if data.get("tag"):
        events = events.filter(tags__name=data["tag"])
    return Catalogue(form, events, data)


def filtered_events(params):
    catalogue = catalogue_filter(params)
    return catalogue.form, catalogue.events


class CountedPaginator(Paginator):
    """A paginator that takes its total from a function that knows a cheaper exact count."""

    def __init__(self, object_list, per_page, *, count, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._count = count

    @cached_property
    def count(self) -> int:
        return self._count()


_PLATFORM_LABELS = dict(PLATFORM_CHOICES)


def catalogue_rows(events) -> list[Event]:
    """The page's events, each with what its row shows already worked out.

    Two flat queries replace two prefetches (which build a related manager per event), and the
    link, status label and shortened description are made here rather than by template tags and
    filters per row: together they were most of the catalogue's CPU.
    """
    events = list(events)
    ids = [event.pk for event in events]
    platforms, tags = defaultdict(list), defaultdict(list)
    for event_id, code in (
        Event.platforms.through.objects.filter(event_id__in=ids)
        .order_by("platform__code")
        .values_list("event_id", "platform__code")
    ):
        platforms[event_id].append(_PLATFORM_LABELS.get(code, code))
    for event_id, name in (
        Event.tags.through.objects.filter(event_id__in=ids)
        .order_by("tag__name")
        .values_list("event_id", "tag__name")
    ):
        tags[event_id].append(name)
    url = url_with_id("telemetry:event_detail")
    statuses = dict(Event.Status.choices)
    for event in events:
        event.platform_labels = platforms.get(event.pk, [])
        event.tag_names = tags.get(event.pk, [])
        event.url = url(event.pk)
        event.status_label = statuses.get(event.status, event.status)
        # Truncator costs ~50 µs a call; a description that fits is shown as it is anyway.
        description = event.description
        event.short_description = (
            description if len(description) <= 90 else Truncator(description).chars(90)
        )
    return events
