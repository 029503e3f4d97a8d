"""How often the naming linter says what a reviewer would: precision and recall on real names.

    .venv/bin/python benchmarks/telemetry_eval.py             # figures, per source
    .venv/bin/python benchmarks/telemetry_eval.py --misses    # and every name it gets wrong
    .venv/bin/python benchmarks/telemetry_eval.py --twins     # and, for each wrong suggestion,
                                                              # the names read alike that it gets right

Reads tests/data/event-names/evaluation.tsv: real-world names, each labelled by hand with the
preset it is judged under, the verdict (ok / fix) and the suggestion a reviewer would accept
("a | b" when either reads right; "-" when the name needs a person, not a rewrite). See the
README beside it for the sources and the labelling rules.

Figures (targets from issue 13):
- correct names flagged: ok names the linter fails (≤ 2%);
- fixable names with the right suggestion: names labelled with a suggestion that get one of the
  accepted ones (≥ 95%);
- meaning-changing suggestions: suggestions that are not an accepted one, among all made (≤ 1%);
- also: bad names passed, and names needing a person that the linter declines to rewrite.
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from telemetry.naming import PRESETS, lexicon, lint_event  # noqa: E402
from telemetry.naming.text import segments  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "event-names" / "evaluation.tsv"
TARGETS = {"flagged": 0.02, "right": 0.95, "wrong": 0.01}


@dataclass
class Row:
    source: str
    preset: str
    name: str
    verdict: str
    accepted: tuple[str, ...]  # empty for "-" and for ok names


@dataclass
class Tally:
    ok: int = 0
    flagged: int = 0
    fix: int = 0
    passed: int = 0
    fixable: int = 0
    right: int = 0
    manual: int = 0
    declined: int = 0
    made: int = 0
    wrong: int = 0
    misses: list = field(default_factory=list)


def load(path: Path = DATA) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        rows = []
        for r in reader:
            expected = r["expected"].strip()
            accepted = (
                () if expected in ("", "-") else tuple(s.strip() for s in expected.split("|"))
            )
            rows.append(Row(r["source"], r["preset"], r["name"], r["verdict"], accepted))
    return rows


def score(rows: list[Row]) -> dict[str, Tally]:
    """Tallies per source, and "all"."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    for row in rows:
        result = lint_event(row.name, PRESETS[row.preset])
        for t in (tallies[row.source], tallies["all"]):
            t.made += result.suggestion is not None
            if row.verdict == "ok":
                t.ok += 1
                if not result.ok:
                    t.flagged += 1
                    t.misses.append(("flagged", row, result))
                continue
            t.fix += 1
            if result.ok:
                t.passed += 1
                t.misses.append(("passed", row, result))
                continue
            if row.accepted:
                t.fixable += 1
                if result.suggestion in row.accepted:
                    t.right += 1
                else:
                    t.misses.append(("no right suggestion", row, result))
            else:
                t.manual += 1
                t.declined += result.suggestion is None
            if result.suggestion is not None and result.suggestion not in row.accepted:
                t.wrong += 1
                if not row.accepted:
                    t.misses.append(("guessed", row, result))
    return tallies


def _share(part: int, whole: int) -> str:
    return f"{part:>4}/{whole:<4} {part / whole:6.1%}" if whole else f"{'-':>17}"


def report(tallies: dict[str, Tally], misses: bool = False) -> bool:
    print(
        f"{'source':<14} {'ok flagged':>17}  {'fixable right':>17}  {'wrong suggestion':>17}"
        f"  {'bad passed':>17}  {'declined (needs a person)':>25}"
    )
    for source in sorted(tallies, key=lambda s: (s == "all", s)):
        t = tallies[source]
        print(
            f"{source:<14} {_share(t.flagged, t.ok)}  {_share(t.right, t.fixable)}  "
            f"{_share(t.wrong, t.made)}  {_share(t.passed, t.fix)}  {_share(t.declined, t.manual):>25}"
        )
    t = tallies["all"]
    figures = {
        "flagged": t.flagged / t.ok,
        "right": t.right / t.fixable,
        "wrong": t.wrong / t.made if t.made else 0.0,
    }
    met = (
        figures["flagged"] <= TARGETS["flagged"]
        and figures["right"] >= TARGETS["right"]
        and figures["wrong"] <= TARGETS["wrong"]
    )
    print()
    print(
        f"correct names flagged {figures['flagged']:.1%} (target ≤ 2%); fixable names with the"
        f" right suggestion {figures['right']:.1%} (≥ 95%); meaning-changing suggestions"
        f" {figures['wrong']:.1%} of {t.made} (≤ 1%): {'MET' if met else 'NOT MET'}"
    )
    if misses:
        print()
        for kind, row, result in t.misses:
            said = result.suggestion or result.note or "; ".join(v.rule for v in result.violations)
            want = " | ".join(row.accepted) or ("ok" if row.verdict == "ok" else "-")
            print(f"{kind:<20} [{row.preset}] {row.name!r}: wanted {want!r}, got {said!r}")
    return met


_CLASS_LETTERS = ((lexicon.NOUN, "N"), (lexicon.VERB, "V"), (lexicon.ADJ, "A"), (lexicon.ADV, "R"))


def word_classes(name: str) -> tuple[str, ...]:
    """The dictionary's classes of each word after the category, e.g. ("NV", "NV") for
    "return_search": all that a linter reading names alone knows of their grammar."""
    words = (segments(name) or ((),))[-1]
    return tuple(
        "".join(letter for bit, letter in _CLASS_LETTERS if lexicon.classes(w) & bit) or "?"
        for w in words
    )


def _reading(name: str, suggestion: str) -> tuple:
    """The word classes, and whether the suggestion moved the first word (a verb first)."""
    first = (segments(name) or (("",),))[-1][:1]
    moved = first != (segments(suggestion) or (("",),))[-1][:1]
    return (*word_classes(name), "verb first" if moved else "")


def twins(rows: list[Row]) -> None:
    """For each wrong suggestion, the names read the same way (the same word classes, the action
    found in the same place) whose suggestion is right: what a rule declining the one would also
    decline."""
    right: dict[tuple, list[str]] = defaultdict(list)
    wrong = []
    for row in rows:
        if row.verdict != "fix":
            continue
        suggestion = lint_event(row.name, PRESETS[row.preset]).suggestion
        if suggestion is None:
            continue
        if suggestion in row.accepted:
            right[_reading(row.name, suggestion)].append(row.name)
        else:
            wrong.append((row, suggestion))
    print()
    for row, suggestion in wrong:
        alike = right.get(_reading(row.name, suggestion), [])
        shown = ", ".join(alike[:6]) + (f" and {len(alike) - 6} more" if len(alike) > 6 else "")
        print(
            f"{row.name!r} -> {suggestion!r} ({' '.join(word_classes(row.name))}):"
            f" {len(alike)} read alike and right{': ' + shown if alike else ''}"
        )


def main() -> int:
    rows = load()
    print(
        f"{len(rows)} labelled names from {DATA.relative_to(Path.cwd()) if DATA.is_relative_to(Path.cwd()) else DATA}"
    )
    met = report(score(rows), misses="--misses" in sys.argv)
    if "--twins" in sys.argv:
        twins(rows)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
