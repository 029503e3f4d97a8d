"""The convention to lint against: a preset, a file, or the portal's current one.

A file may be the JSON of `GET /api/v1/telemetry/conventions/current/` (`{"number", "preset",
"rules": {...}}`), the JSON of this command line's own endpoint `GET /api/v1/telemetry/cli/
convention/` (the same plus `team_words` and `no_lint`), a bare `Convention.to_dict()`, or the
portal's YAML export (`convention: {version, rules}` plus `events`, whose `no_lint` reasons
become exceptions).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from telemetry.naming import DEFAULT_PRESET, PRESETS, Convention


@dataclass
class LoadedConvention:
    convention: Convention
    version: int | None = None
    source: str = "preset"
    # Registered exceptions: event name -> the written reason.
    no_lint: dict[str, str] = field(default_factory=dict)


def from_document(data: object, source: str) -> LoadedConvention:
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object with the convention's rules")
    no_lint: dict[str, str] = {}
    version = None
    if isinstance(data.get("convention"), dict):  # the portal's YAML export
        for event in data.get("events") or []:
            if isinstance(event, dict) and event.get("no_lint"):
                no_lint[str(event.get("name"))] = str(event["no_lint"])
        version = data["convention"].get("version")
        data = {**data["convention"], "no_lint": data.get("no_lint") or []}
    if "rules" in data:
        rules = data.get("rules")
        if rules is None and data.get("preset") in PRESETS:
            convention = PRESETS[data["preset"]]
        else:
            convention = Convention.from_dict(rules)
        version = data.get("number", version) if version is None else version
    else:
        convention = Convention.from_dict(data)
    words = data.get("team_words") if "rules" in data else None
    if isinstance(words, dict) and (words.get("actions") or words.get("objects")):
        convention = convention.with_team_words(
            actions=words.get("actions") or {}, objects=words.get("objects") or []
        )
    for entry in data.get("no_lint") or [] if "rules" in data else []:
        if isinstance(entry, dict) and entry.get("name"):
            no_lint[str(entry["name"])] = str(entry.get("reason") or "")
    return LoadedConvention(convention, version, source, no_lint)


def from_file(path: str) -> LoadedConvention:
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    if path.endswith((".yml", ".yaml")):
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ValueError(f"not valid YAML: {str(exc).splitlines()[0]}") from exc
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON: {exc.msg} at line {exc.lineno}") from exc
    return from_document(data, path)


def preset(name: str | None) -> LoadedConvention:
    name = name or DEFAULT_PRESET
    if name not in PRESETS:
        raise ValueError(f"preset {name!r}: choose one of {', '.join(sorted(PRESETS))}")
    return LoadedConvention(PRESETS[name], None, f"preset {name}")
