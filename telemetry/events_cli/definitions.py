"""`events.yml`: a team's event definitions next to its code, in the portal's YAML export format.

    version: 1
    convention: {version: 7, rules: {...}}     # optional; written by the export
    events:
      - name: Order Completed
        team: checkout                          # `owner:` is read as a synonym
        status: planned                         # planned | active | deprecated
        description: The buyer paid and we confirmed the order.
        platforms: [web, ios]
        tags: [checkout]
        aliases: [order_done]
        no_lint: Kept for the finance dashboards until Q3.   # optional, the reason
        properties:
          - {name: order_id, type: string, required: true, pii: false, description: ...}

Each mapping remembers its line, so problems point at the file like a compiler would.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from telemetry.naming import PROPERTY_TYPES, canonical_type

STATUSES = ("planned", "active", "deprecated")


@dataclass
class Plan:
    events: list[dict] = field(default_factory=list)
    convention: dict | None = None


def _loader():
    import yaml

    class LineLoader(yaml.SafeLoader):
        pass

    def construct_mapping(loader, node, deep=False):
        mapping = yaml.SafeLoader.construct_mapping(loader, node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping

    LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return LineLoader


def read(path: str) -> Plan:
    with open(path, encoding="utf-8") as fh:
        return read_text(fh.read())


def read_text(text: str) -> Plan:
    import yaml

    try:
        document = yaml.load(text, Loader=_loader())  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ValueError(f"not valid YAML: {str(exc).splitlines()[0]}") from exc
    if isinstance(document, list):
        document = {"events": document}
    if not isinstance(document, dict) or not isinstance(document.get("events"), list):
        raise ValueError("expected `events:` with a list of events (see the portal's YAML export)")
    events = []
    for index, event in enumerate(document["events"]):
        if not isinstance(event, dict):
            raise ValueError(f"events[{index}] is not a mapping with name, description, ...")
        event = dict(event)
        event["line"] = event.pop("__line__", 0)
        if "owner" in event and "team" not in event:
            event["team"] = event.pop("owner")
        props = []
        for prop in event.get("properties") or []:
            if isinstance(prop, dict):
                prop = dict(prop)
                prop["line"] = prop.pop("__line__", event["line"])
            props.append(prop)
        event["properties"] = props
        events.append(event)
    convention = document.get("convention")
    if isinstance(convention, dict):
        convention = {k: v for k, v in convention.items() if k != "__line__"}
        if isinstance(convention.get("rules"), dict):
            convention["rules"] = _clean(convention["rules"])
    return Plan(events, convention)


def _clean(value):
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _problem(line, rule, message, level="warning", suggestion=None, name=None):
    return {
        "line": line,
        "rule": rule,
        "message": message,
        "level": level,
        "suggestion": suggestion,
        "name": name,
    }


def check(plan: Plan, loaded) -> list[dict]:
    """Structure problems are errors (the file cannot be published as is); naming problems are
    warnings unless the team asks for strict mode."""
    from telemetry.naming import lint_event, lint_property

    conv = loaded.convention
    problems = []
    seen: dict[str, int] = {}
    for event in plan.events:
        line = event["line"]
        name = event.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(_problem(line, "missing_name", "Every event needs a `name`.", "error"))
            continue
        if name in seen:
            problems.append(
                _problem(
                    line,
                    "duplicate_definition",
                    f"“{name}” is already defined at line {seen[name]}.",
                    "error",
                    name=name,
                )
            )
        seen.setdefault(name, line)
        if not str(event.get("description") or "").strip():
            problems.append(
                _problem(
                    line,
                    "missing_description",
                    f"“{name}”: say when it fires in `description`.",
                    name=name,
                )
            )
        if not event.get("team"):
            problems.append(
                _problem(
                    line,
                    "missing_owner",
                    f"“{name}”: set `team` (the owning team's slug).",
                    name=name,
                )
            )
        status = event.get("status", "planned")
        if status not in STATUSES:
            problems.append(
                _problem(
                    line,
                    "bad_status",
                    f"“{name}”: status {status!r} is not one of {', '.join(STATUSES)}.",
                    "error",
                    name=name,
                )
            )
        no_lint = event.get("no_lint")
        if no_lint is True or (no_lint is not None and not str(no_lint).strip()):
            problems.append(
                _problem(
                    line,
                    "no_lint_without_reason",
                    f"“{name}”: `no_lint` takes the reason, e.g. `no_lint: kept for the finance dashboards`.",
                    "error",
                    name=name,
                )
            )
        elif not no_lint and name not in loaded.no_lint:
            result = lint_event(name, conv)
            for v in result.violations:
                problems.append(
                    _problem(
                        line,
                        v.rule,
                        f"“{name}”: {v.message}",
                        suggestion=result.suggestion,
                        name=name,
                    )
                )
        props_seen = set()
        for prop in event["properties"]:
            if (
                not isinstance(prop, dict)
                or not isinstance(prop.get("name"), str)
                or not prop["name"]
            ):
                problems.append(
                    _problem(
                        line,
                        "bad_property",
                        f"“{name}”: each property needs a `name` and a `type`.",
                        "error",
                        name=name,
                    )
                )
                continue
            pline, pname = prop["line"], prop["name"]
            if pname in props_seen:
                problems.append(
                    _problem(
                        pline,
                        "duplicate_property",
                        f"“{name}”.{pname} is listed twice.",
                        "error",
                        name=name,
                    )
                )
            props_seen.add(pname)
            type_ = prop.get("type", "string")
            if canonical_type(type_) is None:
                problems.append(
                    _problem(
                        pline,
                        "bad_type",
                        f"“{name}”.{pname}: type {type_!r} is not one of {', '.join(PROPERTY_TYPES)}.",
                        "error",
                        name=name,
                    )
                )
            result = lint_property(pname, conv)
            for v in result.violations:
                problems.append(
                    _problem(
                        pline,
                        v.rule,
                        f"“{name}” property “{pname}”: {v.message}",
                        suggestion=result.suggestion,
                        name=name,
                    )
                )
    return problems


def collisions(plan: Plan, portal, team: str | None) -> list[dict]:
    """Events this file defines that another team already has (the same or a near-duplicate name)."""
    names = [e["name"] for e in plan.events if isinstance(e.get("name"), str) and e["name"].strip()]
    if not names:
        return []
    found = portal.request("POST", "cli/collisions/", {"names": names, "team": team})["collisions"]
    lines = {e.get("name"): e["line"] for e in plan.events}
    return [
        _problem(
            lines.get(c["name"], 0),
            "collision",
            f"“{c['name']}” collides with “{c['existing']}” of team {c['team']} ({c['reason']}).",
            "error" if c["existing"] == c["name"] else "warning",
            name=c["name"],
        )
        for c in found
    ]


def sync_entry(event: dict, location: str) -> dict:
    return {
        "name": event["name"],
        "description": str(event.get("description") or ""),
        "properties": [
            {
                "name": p["name"],
                "type": canonical_type(p.get("type", "string")) or "string",
                "required": bool(p.get("required")),
            }
            for p in event["properties"]
            if isinstance(p, dict) and p.get("name")
        ],
        "locations": [location],
    }
