"""Reading one batch of observed events (Segment's batch format) into per-day counts.

Pure Python with no Django import: the endpoint calls it before touching the database, so a bad
batch is refused whole and nothing is counted. Only names, sources, times, property keys and the
types of their values survive; property values themselves are never kept.
"""

import datetime
import json
import re
from dataclasses import dataclass, field

MAX_EVENTS = 10_000
MAX_NAME_LENGTH = 200
MAX_SOURCE_LENGTH = 200
MAX_MESSAGE_ID_LENGTH = 200
MAX_PROPERTIES = 500
# The only traffic kind with an event name; identify/page/screen/group calls carry none.
TRACK = "track"

_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")

# SDK names (context.library.name) and the platform they run on, for sources seen first.
_LIBRARY_PLATFORMS = (
    ("ios", "ios"),
    ("swift", "ios"),
    ("android", "android"),
    ("kotlin", "android"),
    ("analytics.js", "web"),
    ("javascript", "web"),
    ("browser", "web"),
    ("web", "web"),
    ("node", "server"),
    ("python", "server"),
    ("ruby", "server"),
    ("java", "server"),
    ("go", "server"),
    ("php", "server"),
    ("dotnet", "server"),
    ("server", "server"),
)


class BatchError(ValueError):
    """The batch cannot be counted; `field` says where (e.g. `batch[12].event`)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass
class Batch:
    """What one request adds: counts per (name, source, day) and per property key and type.

    `events` keeps one tuple per countable event, (name, source, when, message_id, kinds), so the
    caller can drop the ones whose messageId was already counted before adding up.
    """

    events: list = field(default_factory=list)
    skipped: int = 0


@dataclass
class Totals:
    days: dict = field(default_factory=dict)  # (name, source, day) -> [count, first, last]
    properties: dict = field(default_factory=dict)  # (name, source, day, key, type) -> count
    counted: int = 0


def platform_for(source: str) -> str:
    lowered = source.lower()
    for marker, platform in _LIBRARY_PLATFORMS:
        if marker in lowered:
            return platform
    return ""


_TYPES = {
    type(None): "null",
    bool: "boolean",
    int: "integer",
    float: "number",
    dict: "object",
    list: "array",
}


def value_type(value) -> str:
    kind = _TYPES.get(type(value))
    if kind is not None:
        return kind
    if isinstance(value, str):
        # Only strings starting with a digit can be timestamps; the regex is the slow part.
        if value[:1].isdigit() and _DATETIME.match(value):
            return "datetime"
        return "string"
    return "array"


def _parse_time(value, where: str, now: datetime.datetime) -> datetime.datetime:
    if value is None:
        return now
    if not isinstance(value, str) or len(value) > 40:
        raise BatchError(where, "give an ISO 8601 time such as 2026-03-01T12:00:00Z.")
    try:
        when = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise BatchError(where, "give an ISO 8601 time such as 2026-03-01T12:00:00Z.") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    when = when.astimezone(datetime.UTC)
    # A device clock running ahead must not create days that have not happened yet.
    return min(when, now)


def _source(item: dict, default: str | None, where: str) -> str:
    source = item.get("source")
    if source is None:
        context = item.get("context")
        library = context.get("library") if isinstance(context, dict) else None
        source = library.get("name") if isinstance(library, dict) else None
    if source is None:
        source = default
    if not isinstance(source, str) or not source.strip():
        raise BatchError(
            f"{where}.source",
            "say where the event comes from: `source`, or `context.library.name` as Segment sends.",
        )
    source = source.strip()
    if len(source) > MAX_SOURCE_LENGTH:
        raise BatchError(f"{where}.source", f"keep it under {MAX_SOURCE_LENGTH} characters.")
    return source


def _default_source(body: dict) -> str | None:
    if isinstance(body.get("source"), str):
        return body["source"]
    context = body.get("context")
    library = context.get("library") if isinstance(context, dict) else None
    name = library.get("name") if isinstance(library, dict) else None
    return name if isinstance(name, str) else None


def batch_read(raw: bytes, *, now: datetime.datetime) -> Batch:
    """Check a whole request body; raise BatchError naming the first bad field."""
    try:
        body = json.loads(raw)
    except UnicodeDecodeError:
        raise BatchError("body", "send UTF-8 JSON; this is not text.") from None
    except (ValueError, RecursionError) as exc:
        raise BatchError(
            "body", f'send JSON like {{"batch": [...]}}; it does not parse ({exc}).'
        ) from None
    if not isinstance(body, dict) or "batch" not in body:
        raise BatchError(
            "batch", 'send an object with a "batch" list, as Segment\'s batch API does.'
        )
    items = body["batch"]
    if not isinstance(items, list):
        raise BatchError("batch", "must be a list of events.")
    if not items:
        raise BatchError("batch", "is empty; send at least one event.")
    if len(items) > MAX_EVENTS:
        raise BatchError(
            "batch", f"has {len(items):,} events; send at most {MAX_EVENTS:,} per request."
        )
    default_source = _default_source(body)
    batch = Batch()
    for i, item in enumerate(items):
        where = f"batch[{i}]"
        if not isinstance(item, dict):
            raise BatchError(where, "each event must be an object.")
        kind = item.get("type", TRACK)
        if kind != TRACK:
            if not isinstance(kind, str):
                raise BatchError(f"{where}.type", 'use "track" (or a Segment call type).')
            batch.skipped += 1
            continue
        name = item.get("event")
        if not isinstance(name, str) or not name.strip():
            raise BatchError(f"{where}.event", "give the event name as a non-empty string.")
        if len(name) > MAX_NAME_LENGTH:
            raise BatchError(
                f"{where}.event",
                f"is {len(name):,} characters; event names are at most {MAX_NAME_LENGTH}.",
            )
        if "\x00" in name:
            raise BatchError(f"{where}.event", "contains a NUL character.")
        source = _source(item, default_source, where)
        when = _parse_time(item.get("timestamp"), f"{where}.timestamp", now)
        message_id = item.get("messageId")
        if message_id is not None and (
            not isinstance(message_id, str) or len(message_id) > MAX_MESSAGE_ID_LENGTH
        ):
            raise BatchError(
                f"{where}.messageId",
                f"give a string of at most {MAX_MESSAGE_ID_LENGTH} characters, or leave it out.",
            )
        properties = item.get("properties")
        if properties is None:
            properties = {}
        if not isinstance(properties, dict):
            raise BatchError(f"{where}.properties", "must be an object of key: value.")
        if len(properties) > MAX_PROPERTIES:
            raise BatchError(
                f"{where}.properties", f"has {len(properties)} keys; at most {MAX_PROPERTIES}."
            )
        kinds = []
        for key, value in properties.items():
            if len(key) > MAX_NAME_LENGTH or "\x00" in key:
                raise BatchError(
                    f"{where}.properties",
                    f"a key is longer than {MAX_NAME_LENGTH} characters or holds a NUL.",
                )
            kinds.append((key, value_type(value)))
        batch.events.append((name.strip(), source, when, message_id or None, kinds))
    return batch


def batch_totals(events) -> Totals:
    """Add up events (already stripped of repeats) per name, source and UTC day."""
    totals = Totals()
    days = totals.days
    properties = totals.properties
    for name, source, when, _message_id, kinds in events:
        day = when.date()
        key = (name, source, day)
        row = days.get(key)
        if row is None:
            days[key] = [1, when, when]
        else:
            row[0] += 1
            if when < row[1]:
                row[1] = when
            elif when > row[2]:
                row[2] = when
        for prop, kind in kinds:
            pkey = (name, source, day, prop, kind)
            properties[pkey] = properties.get(pkey, 0) + 1
        totals.counted += 1
    return totals


def first_of_each_message(events) -> tuple[list, int]:
    """Drop repeats of a messageId inside one batch (retries resend whole batches)."""
    seen = set()
    kept = []
    repeats = 0
    for event in events:
        message_id = event[3]
        if message_id is not None:
            if message_id in seen:
                repeats += 1
                continue
            seen.add(message_id)
        kept.append(event)
    return kept, repeats
