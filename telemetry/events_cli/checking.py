"""From tracking calls to findings: each call's name and property keys linted, exceptions applied."""

from __future__ import annotations

from telemetry.events_cli.conventions import LoadedConvention
from telemetry.events_cli.scan import Call


def _violations(result) -> list[dict]:
    return [{"rule": v.rule, "message": v.message, "part": v.part} for v in result.violations]


def check_calls(
    calls: list[Call], loaded: LoadedConvention, duplicates: dict[str, list[dict]] | None = None
) -> list[dict]:
    """One finding per call, in the `json` format's shape (see reports.py)."""
    from telemetry.naming import lint_events, lint_properties

    conv = loaded.convention
    names = sorted({c.name for c in calls if c.name is not None and not c.dynamic})
    keys = sorted({k for c in calls for k, _ in c.properties})
    by_name = dict(zip(names, lint_events(names, conv), strict=True)) if names else {}
    by_key = dict(zip(keys, lint_properties(keys, conv), strict=True)) if keys else {}
    findings = []
    for call in calls:
        finding = {
            "file": call.file,
            "line": call.line,
            "column": call.column,
            "sdk": call.sdk,
            "name": call.name,
            "dynamic": call.dynamic,
            "ok": True,
            "violations": [],
            "suggestion": None,
            "note": "",
            "properties": [],
            "duplicates": [],
            "exempt": None,
            "baselined": False,
            "fixable": call.fixable and call.span is not None,
        }
        if call.dynamic:
            finding["note"] = f"dynamic, not checked: {call.expression}"
        else:
            result = by_name[call.name]
            finding["violations"] = _violations(result)
            finding["suggestion"] = result.suggestion
            finding["note"] = result.note
            for dup in (duplicates or {}).get(call.name, []):
                if dup.get("name") == call.name:
                    continue
                finding["duplicates"].append(dup)
                owner = f" (team {dup['team']})" if dup.get("team") else ""
                finding["violations"].append(
                    {
                        "rule": "near_duplicate",
                        "message": f"“{dup['name']}”{owner} is already registered ({dup.get('reason', 'similar')}); reuse it or alias it.",
                        "part": "",
                    }
                )
        for key, line in call.properties:
            prop = by_key[key]
            finding["properties"].append(
                {
                    "name": key,
                    "line": line,
                    "ok": prop.ok,
                    "violations": _violations(prop),
                    "suggestion": prop.suggestion,
                }
            )
        finding["ok"] = not finding["violations"] and all(p["ok"] for p in finding["properties"])
        if call.ignored:
            finding["exempt"] = f"inline: {call.ignored}"
        elif call.name in loaded.no_lint:
            finding["exempt"] = (
                f"registry no_lint: {loaded.no_lint[call.name] or 'no reason given'}"
            )
        if call.ignore_without_reason:
            finding["ok"] = False
            finding["violations"].append(
                {
                    "rule": "ignore_without_reason",
                    "message": "An ignore comment needs a reason: `productops-events: ignore <why>`.",
                    "part": "",
                }
            )
        findings.append(finding)
    return findings


def counts_as_failure(finding: dict) -> bool:
    return not finding["ok"] and not finding["exempt"] and not finding["baselined"]
