"""Reading and writing tracking plans: CSV/XLSX sheets, JSON Schema per event, Glean metrics.yaml.

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
}
REQUIRED_FIELDS = ("event",)
MAX_ROWS = 50_000


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


@dataclass
class InvalidRow:
    where: str
    reason: str


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
    rows = [
        row for row in csv.reader(io.StringIO(text), dialect) if any(cell.strip() for cell in row)
    ]
    if not rows:
        raise PlanError("The file has no rows; it needs a header row and one row per event.")
    if len(rows) > MAX_ROWS + 1:
        raise PlanError(f"The file has {len(rows) - 1} rows; import at most {MAX_ROWS} at a time.")
    return [h.strip() for h in rows[0]], rows[1:]


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


def _load_json(data: bytes):
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise PlanError(
            "The file is not UTF-8 text; export the JSON Schema again as UTF-8."
        ) from exc
    except json.JSONDecodeError as exc:
        raise PlanError(
            f"The file is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from exc


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


def events_from_json_schema(data: bytes) -> tuple[list[PlanEvent], list[InvalidRow]]:
    document = _load_json(data)
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


def events_from_glean(data: bytes) -> tuple[list[PlanEvent], list[InvalidRow]]:
    try:
        document = yaml.safe_load(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise PlanError("The file is not UTF-8 text; save metrics.yaml as UTF-8.") from exc
    except yaml.YAMLError as exc:
        raise PlanError(f"The file is not valid YAML: {str(exc).splitlines()[0]}") from exc
    if not isinstance(document, dict):
        raise PlanError("A Glean metrics.yaml maps categories to metrics; this file does not.")
    events, invalid = [], []
    for category, metrics in document.items():
        if str(category).startswith("$") or category == "no_lint" or not isinstance(metrics, dict):
            continue
        for metric, spec in metrics.items():
            where = f"{category}.{metric}"
            if not isinstance(spec, dict):
                invalid.append(InvalidRow(where, "The metric has no definition."))
                continue
            if spec.get("type") != "event":
                invalid.append(
                    InvalidRow(
                        where, f"A {spec.get('type', 'untyped')} metric, not an event; skipped."
                    )
                )
                continue
            event = PlanEvent(
                name=f"{category}.{metric}",
                where=where,
                description=str(spec.get("description") or "").strip(),
                tags=[str(t).lower() for t in spec.get("metadata", {}).get("tags", []) or []]
                if isinstance(spec.get("metadata"), dict)
                else [],
                status="deprecated" if spec.get("disabled") else "active",
            )
            for key, extra in (spec.get("extra_keys") or {}).items():
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
        if not event["properties"]:
            writer.writerow(base + [""] * 7)
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
