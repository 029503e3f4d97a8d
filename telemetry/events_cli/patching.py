"""`fix`: rename non-conforming literal event names to the suggested ones, as a unified diff a
reviewer can read (and `git apply`), or written in place."""

from __future__ import annotations

import difflib
import os
import re

_IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*")


def renames(calls, findings) -> dict[str, list[tuple[int, int, str]]]:
    """Per file, (start, end, new text) for every event name and property key with a confident
    suggestion."""
    edits: dict[str, list[tuple[int, int, str]]] = {}
    for call, finding in zip(calls, findings, strict=True):
        if finding["exempt"]:
            continue
        for prop, span in zip(finding["properties"], call.property_spans, strict=False):
            new = prop["suggestion"]
            if prop["ok"] or not new or span is None or new == prop["name"]:
                continue
            start, end, how = span
            if how == "identifier" and not _IDENTIFIER.fullmatch(new):
                continue
            edits.setdefault(call.path_on_disk, []).append((start, end, new))
        suggestion = finding["suggestion"]
        if (
            finding["dynamic"]
            or finding["exempt"]
            or not finding["fixable"]
            or not suggestion
            or suggestion == call.name
            or not any(v["rule"] != "near_duplicate" for v in finding["violations"])
        ):
            continue
        edits.setdefault(call.path_on_disk, []).append((*call.span, suggestion))
    return edits


def apply_edits(text: str, edits: list[tuple[int, int, str]]) -> str:
    for start, end, new in sorted(set(edits), reverse=True):
        text = text[:start] + new + text[end:]
    return text


def make_patch(edits, root: str, texts: dict[str, str]) -> tuple[str, dict[str, str]]:
    """The unified diff (paths relative to `root`, a/ and b/ prefixes) and the new file texts."""
    out = []
    new_texts = {}
    for path in sorted(edits):
        before = texts[path]
        after = apply_edits(before, edits[path])
        if after == before:
            continue
        new_texts[path] = after
        rel = os.path.relpath(path, root).replace(os.sep, "/")
        out.extend(
            difflib.unified_diff(
                before.splitlines(keepends=True),
                after.splitlines(keepends=True),
                fromfile=f"a/{rel}",
                tofile=f"b/{rel}",
            )
        )
    patch = "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in out
    )
    return patch, new_texts
