"""Reading and writing tracking plans: CSV/XLSX sheets, JSON Schema per event, Glean metrics.yaml
and the portal's own YAML export.

Pure Python (no Django) so the command line can use it too. Readers return the
events they understood plus the rows they could not, each with a reason; a
problem with the whole file (encoding, missing columns) raises PlanError.
"""

import csv
import io
import json
import re
from dataclasses import dataclass, field

import yaml

from productops import spreadsheets

TYPES = {"string", "integer", "number", "boolean", "datetime", "object", "array"}
TYPE_ALIASES = {
    "str": "string",
    "text": "string",
    "int": "integer",
    "float": "number",
    "double": "number",
    "decimal": "number",
    "bool": "boolean",
    "date": "datetime",
    "timestamp": "datetime",
    "list": "array",
    "dict": "object",
    "quantity": "number",
    "counter": "integer",
}
STATUSES = {"planned", "active", "deprecated"}

# What the importer needs to know, and the column headers that usually carry it.
TARGET_FIELDS = {
    "event": ("event", "event name", "name", "event_name", "eventname"),
    "team": ("team", "owning team", "owner", "team slug"),
    "description": ("description", "event description", "desc", "definition"),
    "status": ("status", "state"),
    "platforms": ("platforms", "platform", "sources", "source"),
    "tags": ("tags", "tag", "labels", "category"),
    "property": ("property", "property name", "property_name", "prop", "attribute"),
    "property_type": ("property type", "type", "property_type", "data type", "datatype"),
    "required": ("required", "mandatory", "is required"),
    "property_description": ("property description", "property_description", "prop description"),
    "pii": ("pii", "personal data", "is pii"),
    "allowed_values": ("allowed values", "enum", "values", "allowed_values"),
    "pattern": ("pattern", "regex"),
    "aliases": ("aliases", "old names", "alias"),
    "no_lint": ("kept_because", "no_lint", "kept because", "exception reason"),
}
# How the column-mapping page names each field.
FIELD_LABELS = {
    "event": "Event name",
    "team": "Owning team",
    "description": "Description",
    "status": "Status",
    "platforms": "Platforms",
    "tags": "Tags",
    "property": "Property name",
    "property_type": "Property type",
    "required": "Required",
    "property_description": "Property description",
    "pii": "Personal data (PII)",
    "allowed_values": "Allowed values",
    "pattern": "Pattern",
    "aliases": "Old names (aliases)",
    "no_lint": "Why a non-conforming name is kept",
}
REQUIRED_FIELDS = ("event",)
MAX_ROWS = 50_000
# Deeper than this, a JSON Schema is not a tracking plan; Python's parser would also give up
# near 1,000 levels with a RecursionError.
MAX_JSON_DEPTH = 64
# libyaml reads a 5,000-metric file about ten times faster than the pure-Python loader.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class PlanError(ValueError):
    """The whole file cannot be read; the message says what to do."""


@dataclass
class PlanProperty:
    name: str
    type: str = "string"
    required: bool = False
    description: str = ""
    pii: bool = False
    allowed_values: list = field(default_factory=list)
    pattern: str = ""


@dataclass
class PlanEvent:
    name: str
    where: str
    description: str = ""
    status: str = "active"
    platforms: list = field(default_factory=list)
    tags: list = field(default_factory=list)
    properties: list = field(default_factory=list)
    # Sheet cells that a spreadsheet would run, kept as text: (where, column, value).
    formulas: list = field(default_factory=list)
    team: str = ""  # the owning team's slug or name, when the file says
    aliases: list = field(default_factory=list)
    no_lint: str = ""  # the reason a non-conforming name is kept


@dataclass
class InvalidRow:
    where: str
    reason: str
    # Skipped rows are not errors: the file holds things the registry does not keep (a Glean
    # counter), and they never block the import.
    skipped: bool = False


class UnreadableRow(list):
    """A sheet row the CSV reader could not read (e.g. a cell over the size limit)."""

    def __init__(self, reason: str):
        super().__init__()
        self.reason = reason


def _report(progress, done: int, total: int) -> None:
    if progress is not None and (done == total or done % 500 == 0):
        progress(done, total)


def _truthy(value) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "y", "x", "required", "✓"}


def _type(value) -> str | None:
    value = str(value or "").strip().lower()
    if not value:
        return "string"
    value = TYPE_ALIASES.get(value, value)
    return value if value in TYPES else None


def _list(value) -> list[str]:
    return [p.strip() for p in re.split(r"[,;|\n]", str(value or "")) if p.strip()]


# ---------------------------------------------------------------- sheets


def read_table(data: bytes, fmt: str) -> tuple[list[str], list[list[str]]]:
    if fmt == "xlsx":
        return _read_xlsx(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlanError(
            f"The file is not UTF-8 text (byte 0x{data[exc.start]:02x} at position {exc.start}). "
            "Save it as “CSV UTF-8” (Excel: File › Save As › CSV UTF-8) and upload it again."
        ) from exc
    if "\x00" in text:
        raise PlanError("The file contains NUL bytes; it looks like a binary file, not a CSV.")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = []
    reader = csv.reader(io.StringIO(text), dialect)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            # The reader goes on with the next line, so one bad cell costs one row, not the file.
            rows.append(UnreadableRow(_csv_reason(exc)))
            continue
        if any(cell.strip() for cell in row):
            rows.append(row)
        if len(rows) > MAX_ROWS + 1:
            break
    if rows and isinstance(rows[0], UnreadableRow):
        raise PlanError(f"The header row cannot be read: {rows[0].reason}")
    if not rows:
        raise PlanError("The file has no rows; it needs a header row and one row per event.")
    if len(rows) > MAX_ROWS + 1:
        raise PlanError(f"The file has {len(rows) - 1} rows; import at most {MAX_ROWS} at a time.")
    return [h.strip() for h in rows[0]], rows[1:]


def _csv_reason(exc: csv.Error) -> str:
    if "field limit" in str(exc):
        return (
            f"A cell is longer than {csv.field_size_limit():,} characters; shorten it "
            "(a stray quote mark can also make the rest of the file one cell)."
        )
    return f"The row cannot be read as CSV ({exc}); check its quote marks."


def _read_xlsx(data: bytes) -> tuple[list[str], list[list[str]]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        # data_only=False: a formula cell comes in as its text (flagged in the preview), never as a
        # result some spreadsheet computed.
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise PlanError(
            "This is not an .xlsx workbook; save the sheet as Excel .xlsx or as CSV UTF-8."
        ) from exc
    sheet = book.worksheets[0]
    rows = []
    for row in sheet.iter_rows(values_only=True):
        cells = ["" if v is None else str(v) for v in row]
        if any(c.strip() for c in cells):
            rows.append(cells)
        if len(rows) > MAX_ROWS + 1:
            raise PlanError(
                f"The sheet has more than {MAX_ROWS} rows; import at most {MAX_ROWS} at a time."
            )
    book.close()
    if not rows:
        raise PlanError("The first sheet is empty; put the tracking plan on the first sheet.")
    return [h.strip() for h in rows[0]], rows[1:]


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """Pick, for each field the importer knows, the column whose header looks like it."""
    lowered = {h.strip().lower(): h for h in headers}
    mapping = {}
    for target, names in TARGET_FIELDS.items():
        for name in names:
            if name in lowered and lowered[name] not in mapping.values():
                mapping[target] = lowered[name]
                break
    return mapping


def events_from_table(
    headers: list[str], rows: list[list[str]], mapping: dict[str, str]
) -> tuple[list[PlanEvent], list[InvalidRow]]:
    missing = [t for t in REQUIRED_FIELDS if not mapping.get(t)]
    if missing:
        raise PlanError(
            f"Choose the column that holds the {', '.join(missing)} name; it is required."
        )
    unknown = [column for column in mapping.values() if column and column not in headers]
    if unknown:
        raise PlanError(
            f"The file has no column “{unknown[0]}”; its columns are: {', '.join(headers)}."
        )
    position = {target: headers.index(column) for target, column in mapping.items() if column}

    def cell(row, target):
        index = position.get(target)
        if index is None or index >= len(row):
            return ""
        return spreadsheets.unescape(row[index]).strip()

    def formulas(row, where):
        # Only raw cells: one the portal's own export marked with an apostrophe is text already.
        return [
            (where, mapping[target], row[index].strip())
            for target, index in position.items()
            if index < len(row) and spreadsheets.looks_like_formula(row[index].strip())
        ]

    events: dict[str, PlanEvent] = {}
    invalid = []
    for number, row in enumerate(rows, start=2):
        where = f"row {number}"
        if isinstance(row, UnreadableRow):
            invalid.append(InvalidRow(where, row.reason))
            continue
        name = cell(row, "event")
        if not name:
            invalid.append(
                InvalidRow(where, "The event name is empty; fill it in or delete the row.")
            )
            continue
        status = (cell(row, "status") or "active").lower()
        if status not in STATUSES:
            invalid.append(
                InvalidRow(where, f"Status “{status}” is not one of planned, active, deprecated.")
            )
            continue
        event = events.get(name)
        if event is None:
            event = events[name] = PlanEvent(
                name=name,
                where=where,
                description=cell(row, "description"),
                status=status,
                platforms=[p.lower() for p in _list(cell(row, "platforms"))],
                tags=[t.lower() for t in _list(cell(row, "tags"))],
                team=cell(row, "team"),
                aliases=_list(cell(row, "aliases")),
                no_lint=cell(row, "no_lint"),
            )
        elif cell(row, "description") and not event.description:
            event.description = cell(row, "description")
        event.formulas += formulas(row, where)
        prop = cell(row, "property")
        if prop:
            type_ = _type(cell(row, "property_type"))
            if type_ is None:
                invalid.append(
                    InvalidRow(
                        where,
                        f"Type “{cell(row, 'property_type')}” of {prop} is not one of {', '.join(sorted(TYPES))}.",
                    )
                )
                continue
            event.properties.append(
                PlanProperty(
                    name=prop,
                    type=type_,
                    required=_truthy(cell(row, "required")),
                    description=cell(row, "property_description"),
                    pii=_truthy(cell(row, "pii")),
                    allowed_values=_list(cell(row, "allowed_values")),
                    pattern=cell(row, "pattern"),
                )
            )
    return list(events.values()), invalid


# ---------------------------------------------------------------- JSON Schema (Segment Protocols, Avo)


def _json_text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlanError(
            "The file is not UTF-8 text; export the JSON Schema again as UTF-8."
        ) from exc


def _load_json(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanError(
            f"The file is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from exc


_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _json_depth(text: str) -> int:
    depth = deepest = 0
    for match in _JSON_TOKENS.finditer(text):
        char = match.group()
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _deep_schemas(text: str) -> list:
    """The schemas of a too-deeply nested file, each parsed alone: a too-deep one becomes an
    InvalidRow, so one bad schema costs one row and the parser never recurses past its limit."""
    stack: list[str] = []
    container = None  # depth of the list that holds the schemas
    start = deepest = 0
    schemas: list = []
    for match in _JSON_TOKENS.finditer(text):
        char = match.group()
        if char[0] == '"':
            continue
        if char in "[{":
            if container is None and char == "[" and len(stack) <= 1:
                container = len(stack) + 1
            elif container is not None and len(stack) == container and char == "{":
                start, deepest = match.start(), 0
            stack.append(char)
            if container is not None and len(stack) > container:
                deepest = max(deepest, len(stack) - container)
        else:
            if not stack:
                break
            stack.pop()
            if container is not None and len(stack) == container and char == "}":
                if deepest > MAX_JSON_DEPTH:
                    schemas.append(
                        InvalidRow(
                            "",
                            f"The schema nests objects {deepest} levels deep; "
                            f"a tracking plan needs at most {MAX_JSON_DEPTH}.",
                        )
                    )
                else:
                    schemas.append(_load_json(text[start : match.end()]))
            elif container is not None and len(stack) < container:
                container = None
    if not schemas:
        # One schema (not a list of them) that is itself too deep.
        schemas.append(
            InvalidRow(
                "",
                f"The schema nests objects {_json_depth(text)} levels deep; "
                f"a tracking plan needs at most {MAX_JSON_DEPTH}.",
            )
        )
    return schemas


def _schema_properties(schema: dict) -> tuple[dict, list]:
    properties = schema.get("properties") or {}
    # Segment Protocols nests the event's own properties under properties.properties.
    inner = properties.get("properties") if isinstance(properties, dict) else None
    if isinstance(inner, dict) and isinstance(inner.get("properties"), dict):
        return inner["properties"], list(inner.get("required") or [])
    return (properties if isinstance(properties, dict) else {}), list(schema.get("required") or [])


def _json_type(spec: dict) -> str:
    value = spec.get("type", "string")
    if isinstance(value, list):
        value = next((v for v in value if v != "null"), "string")
    if value == "string" and spec.get("format") in {"date-time", "date"}:
        return "datetime"
    return _type(value) or "string"


def events_from_json_schema(data: bytes, progress=None) -> tuple[list[PlanEvent], list[InvalidRow]]:
    text = _json_text(data)
    deep = _json_depth(text) > MAX_JSON_DEPTH + 2
    document = _deep_schemas(text) if deep else _load_json(text)
    if isinstance(document, dict) and isinstance(document.get("events"), list):
        schemas = document["events"]
    elif isinstance(document, dict) and isinstance(document.get("schemas"), list):
        schemas = document["schemas"]
    elif isinstance(document, list):
        schemas = document
    elif isinstance(document, dict):
        schemas = [document]
    else:
        raise PlanError("Expected a JSON Schema object, or a list of them (one per event).")
    events, invalid = [], []
    for number, schema in enumerate(schemas, start=1):
        where = f"schema {number}"
        _report(progress, number, len(schemas))
        if isinstance(schema, InvalidRow):
            invalid.append(InvalidRow(where, schema.reason))
            continue
        if not isinstance(schema, dict):
            invalid.append(InvalidRow(where, "Not a JSON object."))
            continue
        name = schema.get("title") or schema.get("name") or schema.get("event") or ""
        if not isinstance(name, str) or not name.strip():
            invalid.append(
                InvalidRow(where, "The schema has no “title”; set it to the event's name.")
            )
            continue
        props, required = _schema_properties(schema)
        event = PlanEvent(
            name=name.strip(), where=where, description=str(schema.get("description") or "")
        )
        for prop_name, spec in props.items():
            spec = spec if isinstance(spec, dict) else {}
            event.properties.append(
                PlanProperty(
                    name=prop_name,
                    type=_json_type(spec),
                    required=prop_name in required,
                    description=str(spec.get("description") or ""),
                    allowed_values=[str(v) for v in spec.get("enum") or []],
                    pattern=str(spec.get("pattern") or ""),
                )
            )
        events.append(event)
    return events, invalid


# ---------------------------------------------------------------- Glean metrics.yaml


def _load_yaml(data: bytes, what: str):
    try:
        return yaml.load(data.decode("utf-8-sig"), Loader=YAML_LOADER)  # noqa: S506 (a safe loader)
    except UnicodeDecodeError as exc:
        raise PlanError(f"The file is not UTF-8 text; save {what} as UTF-8.") from exc
    except RecursionError as exc:
        raise PlanError(f"The file nests too deeply to be {what}.") from exc
    except yaml.YAMLError as exc:
        raise PlanError(f"The file is not valid YAML: {str(exc).splitlines()[0]}") from exc


def _glean_tags(spec: dict) -> list[str]:
    metadata = spec.get("metadata")
    tags = metadata.get("tags") if isinstance(metadata, dict) else None
    return [str(t).lower() for t in tags] if isinstance(tags, list) else []


def events_from_glean(data: bytes, progress=None) -> tuple[list[PlanEvent], list[InvalidRow]]:
    """Glean's event metrics become events; its other metrics (counters, strings…) are listed as
    skipped, since the registry only keeps events, and never block the import."""
    document = _load_yaml(data, "metrics.yaml")
    if not isinstance(document, dict):
        raise PlanError("A Glean metrics.yaml maps categories to metrics; this file does not.")
    events, invalid = [], []
    categories = [
        (category, metrics)
        for category, metrics in document.items()
        if not (str(category).startswith("$") or category == "no_lint")
    ]
    total = sum(len(m) if isinstance(m, dict) else 1 for _, m in categories)
    done = 0
    for category, metrics in categories:
        if not isinstance(metrics, dict):
            done += 1
            invalid.append(
                InvalidRow(
                    str(category),
                    "A category maps metric names to their definitions; this one is a "
                    f"{type(metrics).__name__}. Indent its metrics under the category name.",
                )
            )
            continue
        for metric, spec in metrics.items():
            done += 1
            _report(progress, done, total)
            where = f"{category}.{metric}"
            if not isinstance(spec, dict):
                invalid.append(
                    InvalidRow(where, "The metric has no definition (type, description…).")
                )
                continue
            if spec.get("type") != "event":
                invalid.append(
                    InvalidRow(
                        where,
                        f"A {spec.get('type', 'untyped')} metric, not an event: the registry "
                        "keeps events only.",
                        skipped=True,
                    )
                )
                continue
            extra_keys = spec.get("extra_keys") or {}
            if not isinstance(extra_keys, dict):
                invalid.append(
                    InvalidRow(
                        where,
                        "extra_keys maps each key's name to its description and type; "
                        f"here it is a {type(extra_keys).__name__}.",
                    )
                )
                continue
            event = PlanEvent(
                name=f"{category}.{metric}",
                where=where,
                description=str(spec.get("description") or "").strip(),
                tags=_glean_tags(spec),
                status="deprecated" if spec.get("disabled") else "active",
            )
            for key, extra in extra_keys.items():
                extra = extra if isinstance(extra, dict) else {}
                event.properties.append(
                    PlanProperty(
                        name=str(key),
                        type=_type(extra.get("type", "string")) or "string",
                        description=str(extra.get("description") or "").strip(),
                    )
                )
            events.append(event)
    return events, invalid


# ---------------------------------------------------------------- the portal's own YAML


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _strings(value) -> list[str]:
    if isinstance(value, list):
        return [_text(v) for v in value if _text(v)]
    return _list(value)


def events_from_portal_yaml(data: bytes, progress=None) -> tuple[list[PlanEvent], list[InvalidRow]]:
    """The tracking plan this portal exports (and its command line reads), back in: every field
    the export writes, including the owning team, aliases and kept-on-purpose reasons."""
    document = _load_yaml(data, "a tracking plan")
    if not isinstance(document, dict) or not isinstance(document.get("events"), list):
        raise PlanError(
            "A tracking plan YAML has an “events:” list, as the portal's YAML export writes."
        )
    events, invalid = [], []
    rows = document["events"]
    for number, row in enumerate(rows, start=1):
        _report(progress, number, len(rows))
        where = f"event {number}"
        if not isinstance(row, dict):
            invalid.append(InvalidRow(where, "Each event is a mapping with at least a name."))
            continue
        name = _text(row.get("name"))
        if not name:
            invalid.append(InvalidRow(where, "The event has no “name”; add it."))
            continue
        status = (_text(row.get("status")) or "active").lower()
        if status not in STATUSES:
            invalid.append(
                InvalidRow(where, f"Status “{status}” is not one of planned, active, deprecated.")
            )
            continue
        properties = row.get("properties") or []
        if not isinstance(properties, list) or not all(isinstance(p, dict) for p in properties):
            invalid.append(
                InvalidRow(where, "“properties” is a list of mappings, each with a name.")
            )
            continue
        event = PlanEvent(
            name=name,
            where=where,
            description=_text(row.get("description")),
            status=status,
            platforms=[p.lower() for p in _strings(row.get("platforms"))],
            tags=[t.lower() for t in _strings(row.get("tags"))],
            team=_text(row.get("team")),
            aliases=_strings(row.get("aliases")),
            no_lint=_text(row.get("no_lint")),
        )
        for prop in properties:
            type_ = _type(prop.get("type"))
            if type_ is None or not _text(prop.get("name")):
                invalid.append(
                    InvalidRow(
                        where,
                        f"Property “{_text(prop.get('name'))}” needs a name and one of the types "
                        f"{', '.join(sorted(TYPES))}.",
                    )
                )
                break
            event.properties.append(
                PlanProperty(
                    name=_text(prop["name"]),
                    type=type_,
                    required=prop.get("required") is True,
                    description=_text(prop.get("description")),
                    pii=prop.get("pii") is True,
                    allowed_values=_strings(prop.get("allowed_values")),
                    pattern=_text(prop.get("pattern")),
                )
            )
        else:
            events.append(event)
    return events, invalid


# ---------------------------------------------------------------- export

CSV_COLUMNS = [
    "event",
    "team",
    "status",
    "description",
    "platforms",
    "tags",
    "lint_state",
    "property",
    "property_type",
    "required",
    "pii",
    "allowed_values",
    "pattern",
    "property_description",
    "aliases",
    "kept_because",
]


def export_csv(events: list[dict]) -> str:
    """One row per event property (one row for an event without properties), re-importable as is."""
    out = io.StringIO()
    writer = spreadsheets.writer(out)
    writer.writerow(CSV_COLUMNS)
    for event in events:
        base = [
            event["name"],
            event["team"],
            event["status"],
            event["description"],
            ", ".join(event["platforms"]),
            ", ".join(event["tags"]),
            event["lint_state"],
        ]
        # Aliases and the kept-on-purpose reason close each row, so old sheets keep their columns.
        tail = [", ".join(event.get("aliases", [])), event.get("no_lint_reason", "")]
        if not event["properties"]:
            writer.writerow(base + [""] * 7 + tail)
        for prop in event["properties"]:
            writer.writerow(
                base
                + [
                    prop["name"],
                    prop["type"],
                    "yes" if prop["required"] else "",
                    "yes" if prop["pii"] else "",
                    ", ".join(prop["allowed_values"]),
                    prop["pattern"],
                    prop["description"],
                ]
                + tail
            )
    return out.getvalue()


def _schema_type(type_: str) -> dict:
    if type_ == "datetime":
        return {"type": "string", "format": "date-time"}
    return {"type": type_}


def export_json_schema(events: list[dict]) -> list[dict]:
    """One JSON Schema per event in Segment Protocols' shape (properties under properties.properties)."""
    schemas = []
    for event in events:
        props = {}
        for prop in event["properties"]:
            spec = {**_schema_type(prop["type"]), "description": prop["description"]}
            if prop["allowed_values"]:
                spec["enum"] = prop["allowed_values"]
            if prop["pattern"]:
                spec["pattern"] = prop["pattern"]
            props[prop["name"]] = spec
        schemas.append(
            {
                "$schema": "http://json-schema.org/draft-07/schema#",
                "title": event["name"],
                "description": event["description"],
                "type": "object",
                "properties": {
                    "properties": {
                        "type": "object",
                        "properties": props,
                        "required": [p["name"] for p in event["properties"] if p["required"]],
                    }
                },
            }
        )
    return schemas


def export_yaml(*, convention: dict, convention_version: int | None, events: list[dict]) -> str:
    """The tracking plan the command line reads: the convention plus every event."""
    document = {
        "version": 1,
        "convention": {"version": convention_version, "rules": convention},
        "events": [
            {
                "name": e["name"],
                "team": e["team"],
                "status": e["status"],
                "description": e["description"],
                "platforms": e["platforms"],
                "tags": e["tags"],
                "aliases": e.get("aliases", []),
                **({"no_lint": e["no_lint_reason"]} if e.get("no_lint_reason") else {}),
                "properties": [
                    {
                        k: p[k]
                        for k in (
                            "name",
                            "type",
                            "required",
                            "pii",
                            "description",
                            "allowed_values",
                            "pattern",
                        )
                    }
                    for p in e["properties"]
                ],
            }
            for e in events
        ],
    }
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
