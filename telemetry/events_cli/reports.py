"""Printing findings: text for people, json for scripts, github for workflow annotations and
sarif 2.1.0 for code scanning.

`json` is one object: {"convention": {...}, "summary": {...}, "calls": [finding, ...]} where a
finding is {file, line, column, sdk, name, ok, violations: [{rule, message, part}], suggestion,
note, dynamic, properties: [{name, line, ok, violations, suggestion}], duplicates, exempt,
baselined, fixable}.
"""

from __future__ import annotations

import json

from telemetry.events_cli.checking import counts_as_failure

TOOL = "productops-events"
INFO_URI = "https://github.com/productops/portal#productops-events"


def summary(findings: list[dict], errors: list[str]) -> dict:
    return {
        "calls": len(findings),
        "ok": sum(f["ok"] and not f["dynamic"] for f in findings),
        "failing": sum(counts_as_failure(f) for f in findings),
        "dynamic": sum(f["dynamic"] for f in findings),
        "exempt": sum(bool(f["exempt"]) and not f["ok"] for f in findings),
        "baselined": sum(f["baselined"] for f in findings),
        "unreadable": len(errors),
    }


def _problems(finding: dict):
    """(line, rule, message, suggestion) for every violation of a call and its properties."""
    for v in finding["violations"]:
        yield finding["line"], v["rule"], v["message"], finding["suggestion"], finding["name"]
    for prop in finding["properties"]:
        for v in prop["violations"]:
            yield (
                prop["line"],
                v["rule"],
                f"property “{prop['name']}”: {v['message']}",
                prop["suggestion"],
                prop["name"],
            )


def text(findings, errors, source: str) -> str:
    out = []
    for f in findings:
        where = f"{f['file']}:{f['line']}"
        if f["dynamic"]:
            out.append(f"{where}: dynamic, not checked ({f['note'].split(': ', 1)[-1]})")
        if f["ok"] or (f["exempt"] and not f["violations"]):
            continue
        tag = (
            " [exempt: " + f["exempt"] + "]"
            if f["exempt"]
            else " [baseline]"
            if f["baselined"]
            else ""
        )
        for line, rule, message, suggestion, _ in _problems(f):
            hint = f" → suggestion: {suggestion}" if suggestion else ""
            out.append(f"{f['file']}:{line}: {rule}: {message}{hint}{tag}")
    for error in errors:
        out.append(f"unreadable: {error}")
    s = summary(findings, errors)
    out.append(
        f"{s['calls']} tracking calls, {s['ok']} ok, {s['failing']} failing, {s['dynamic']} dynamic"
        f" (not checked), {s['exempt']} exempt, {s['baselined']} in the baseline,"
        f" {s['unreadable']} unreadable files; convention: {source}"
    )
    return "\n".join(out) + "\n"


def as_json(findings, errors, source: str, version) -> str:
    document = {
        "convention": {"source": source, "version": version},
        "summary": summary(findings, errors),
        "calls": findings,
        "unreadable": errors,
    }
    # One line: the C encoder is four times faster than the indenting one on big repositories.
    return json.dumps(document, ensure_ascii=False) + "\n"


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github(findings, errors, source: str) -> str:
    """GitHub Actions workflow commands: one annotation per problem on the changed line."""
    out = []
    for f in findings:
        if f["ok"] or f["exempt"] or f["baselined"]:
            continue
        for line, rule, message, suggestion, _ in _problems(f):
            hint = f" Suggestion: {suggestion}" if suggestion else ""
            out.append(
                f"::warning file={_escape_property(f['file'])},line={line},"
                f"title={_escape_property('productops-events ' + rule)}::{_escape_data(message + hint)}"
            )
    for error in errors:
        out.append(f"::warning title=productops-events::{_escape_data('unreadable: ' + error)}")
    return "\n".join(out) + ("\n" if out else "")


def sarif(findings, errors, source: str) -> str:
    rules: dict[str, dict] = {}
    results = []
    for f in findings:
        if f["ok"]:
            continue
        for line, rule, message, suggestion, name in _problems(f):
            rules.setdefault(
                rule,
                {
                    "id": rule,
                    "name": "".join(w.title() for w in rule.split("_")),
                    "shortDescription": {"text": rule.replace("_", " ")},
                    "helpUri": INFO_URI,
                },
            )
            result = {
                "ruleId": rule,
                "level": "note" if f["baselined"] or f["exempt"] else "warning",
                "message": {"text": message + (f" Suggestion: {suggestion}" if suggestion else "")},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": f["file"], "uriBaseId": "%SRCROOT%"},
                            "region": {"startLine": line},
                        }
                    }
                ],
                "partialFingerprints": {"eventName/v1": f"{f['file']}:{name}:{rule}"},
            }
            if f["exempt"]:
                result["suppressions"] = [{"kind": "inSource", "justification": f["exempt"]}]
            elif f["baselined"]:
                result["baselineState"] = "unchanged"
            results.append(result)
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL,
                        "informationUri": INFO_URI,
                        "rules": list(rules.values()),
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": "./"}},
                "results": results,
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": [
                            {"level": "warning", "message": {"text": f"unreadable: {e}"}}
                            for e in errors
                        ],
                    }
                ],
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
