"""Conformance of the events a test suite actually emitted: names and property keys against
the convention, and against the team's definitions (events.yml or the registry's export).

The capture format, written by the pytest plugin and by any other runner (jest, XCTest, ...):

    {
      "version": 1,
      "events": [
        {"event": "Order Completed", "properties": {"order_id": "o1", "total": 12.5},
         "source": "tests/test_checkout.py::test_pay"}
      ]
    }

`source` is optional (where the event was emitted, for the report). Check a capture with
`productops-events conform capture.json [--plan events.yml]`.
"""

from __future__ import annotations

import json

JSON_TYPES = {
    "string": (str,),
    "datetime": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list, tuple),
    "object": (dict,),
}


def read_capture(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        try:
            data = json.load(fh)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON: {exc.msg} at line {exc.lineno}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        raise ValueError('expected {"version": 1, "events": [{"event": ..., "properties": {...}}]}')
    events = []
    for index, item in enumerate(data["events"]):
        if not isinstance(item, dict) or not isinstance(item.get("event"), str):
            raise ValueError(f"events[{index}] needs an `event` string")
        props = item.get("properties") or {}
        if not isinstance(props, dict):
            raise ValueError(f"events[{index}].properties must be an object")
        events.append(
            {"event": item["event"], "properties": props, "source": str(item.get("source") or "")}
        )
    return events


def _type_ok(value, type_: str) -> bool:
    if value is None:
        return True
    if type_ in ("integer", "number") and isinstance(value, bool):
        return False
    return isinstance(value, JSON_TYPES.get(type_, (object,)))


def check_capture(events: list[dict], loaded, plan_events: list[dict] | None = None) -> list[dict]:
    """Problems, one per (event, rule, detail), each with the first source that showed it."""
    from telemetry.naming import canonical_type, lint_events, lint_properties

    conv = loaded.convention
    names = sorted({e["event"] for e in events})
    keys = sorted({k for e in events for k in e["properties"]})
    by_name = dict(zip(names, lint_events(names, conv), strict=True)) if names else {}
    by_key = dict(zip(keys, lint_properties(keys, conv), strict=True)) if keys else {}
    plan = None
    if plan_events is not None:
        plan = {e["name"]: e for e in plan_events if isinstance(e.get("name"), str)}
    problems: dict[tuple, dict] = {}

    def add(event, rule, message, source, suggestion=None):
        problems.setdefault(
            (event, rule, message),
            {
                "event": event,
                "rule": rule,
                "message": message,
                "source": source,
                "suggestion": suggestion,
            },
        )

    for emitted in events:
        name, source = emitted["event"], emitted["source"]
        result = by_name[name]
        exempt = name in loaded.no_lint or (plan and plan.get(name, {}).get("no_lint"))
        if not exempt:
            for v in result.violations:
                add(name, v.rule, v.message, source, result.suggestion)
        for key in emitted["properties"]:
            prop = by_key[key]
            for v in prop.violations:
                add(name, v.rule, f"property “{key}”: {v.message}", source, prop.suggestion)
        if plan is None:
            continue
        defined = plan.get(name)
        if defined is None:
            add(name, "unregistered", "not in the tracking plan; define it or fix the name", source)
            continue
        if defined.get("status") == "deprecated":
            add(name, "deprecated", "the tracking plan marks this event deprecated", source)
        specs = {
            p["name"]: p
            for p in defined.get("properties") or []
            if isinstance(p, dict) and p.get("name")
        }
        for key, value in emitted["properties"].items():
            spec = specs.get(key)
            if spec is None:
                add(
                    name,
                    "undefined_property",
                    f"property “{key}” is not defined for this event",
                    source,
                )
                continue
            type_ = canonical_type(spec.get("type", "string")) or "string"
            if not _type_ok(value, type_):
                add(
                    name,
                    "property_type",
                    f"property “{key}” is {type(value).__name__}, the plan says {type_}",
                    source,
                )
            allowed = [str(v) for v in spec.get("allowed_values") or []]
            if allowed and value is not None and str(value) not in allowed:
                add(
                    name,
                    "property_value",
                    f"property “{key}” = {value!r} is not one of {', '.join(allowed)}",
                    source,
                )
        for key, spec in specs.items():
            if spec.get("required") and key not in emitted["properties"]:
                add(name, "missing_property", f"required property “{key}” was not sent", source)
    return list(problems.values())


def format_problems(problems: list[dict], count: int) -> str:
    lines = [f"productops-events: {count} events emitted, {len(problems)} conformance problems"]
    for p in problems:
        hint = f" → suggestion: {p['suggestion']}" if p.get("suggestion") else ""
        where = f" ({p['source']})" if p.get("source") else ""
        lines.append(f"  {p['event']}: {p['rule']}: {p['message']}{hint}{where}")
    return "\n".join(lines)
