"""A baseline lets a legacy repository adopt strict mode and fail only on new violations.

Entries are keyed by file, name and the rules broken, never by line, so moving code does not
make an old violation look new; each entry has a count, so a second copy of a known bad call
is new.
"""

from __future__ import annotations

import json
from collections import Counter


def _key(finding: dict) -> tuple:
    rules = sorted({v["rule"] for v in finding["violations"]})
    props = sorted(p["name"] for p in finding["properties"] if not p["ok"])
    return (finding["file"], finding["name"] or "", ",".join(rules), ",".join(props))


def write_baseline(path: str, findings: list[dict]) -> int:
    counts = Counter(_key(f) for f in findings if not f["ok"] and not f["exempt"])
    entries = [
        {"file": k[0], "name": k[1], "rules": k[2], "properties": k[3], "count": n}
        for k, n in sorted(counts.items())
    ]
    with open(path, "w", encoding="utf-8") as fh:
        json.dump({"version": 1, "entries": entries}, fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    return sum(counts.values())


def apply_baseline(path: str, findings: list[dict]) -> None:
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise ValueError(
            "a baseline is a JSON object with `entries`; write one with --write-baseline"
        )
    remaining = Counter(
        {
            (e["file"], e["name"], e["rules"], e.get("properties", "")): int(e.get("count", 1))
            for e in data["entries"]
        }
    )
    for finding in findings:
        if finding["ok"] or finding["exempt"]:
            continue
        key = _key(finding)
        if remaining[key] > 0:
            remaining[key] -= 1
            finding["baselined"] = True
