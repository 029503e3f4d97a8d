"""The linter over names nobody here wrote: Firefox's Glean events and Snowplow's Iglu schemas."""

from pathlib import Path

import pytest

from telemetry.duplicates import DuplicateIndex
from telemetry.naming import PRESETS, lint_event, lint_property

DATA = Path(__file__).resolve().parents[1] / "data" / "event-names"
FILES = ("fenix-events.txt", "iglu-central-schemas.txt")


def _names(filename):
    path = DATA / filename
    names = [line.rstrip("\n") for line in path.read_text(encoding="utf-8").splitlines()]
    return [n for n in names if n.strip()]


@pytest.mark.parametrize("filename", FILES)
@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_linter_is_total_deterministic_and_suggests_only_passing_names(filename, preset):
    conv = PRESETS[preset]
    names = _names(filename)
    assert len(names) > 300
    for name in names:
        first = lint_event(name, conv)
        assert lint_event(name, conv) == first
        assert first.ok == (not first.violations)
        if first.suggestion is not None:
            again = lint_event(first.suggestion, conv)
            assert again.ok, (name, first.suggestion, again.violations)
        elif not first.ok:
            assert first.note, name
        prop = lint_property(name, conv, "string")
        if prop.suggestion is not None:
            assert lint_property(prop.suggestion, conv).ok, (name, prop.suggestion)


@pytest.mark.parametrize("filename", FILES)
def test_fresh_conventions_give_the_same_answers(filename):
    names = _names(filename)
    fresh = PRESETS["segment"].from_dict(PRESETS["segment"].to_dict())
    assert [lint_event(n, PRESETS["segment"]) for n in names] == [
        lint_event(n, fresh) for n in names
    ]


def test_the_linter_repairs_a_good_share_of_glean_names():
    names = _names("fenix-events.txt")
    results = [lint_event(n, PRESETS["dotted"]) for n in names]
    passing = sum(r.ok for r in results)
    repaired = sum(r.suggestion is not None for r in results)
    # Glean names are already category.snake_case; most fail only on tense or word order.
    assert passing + repaired > len(names) // 3, (passing, repaired)


def test_duplicate_index_over_real_names_finds_each_name_itself():
    names = _names("iglu-central-schemas.txt")
    index = DuplicateIndex([(n, i) for i, n in enumerate(names)], PRESETS["segment"])
    for i, name in enumerate(names):
        found = index.find(name, limit=3)
        assert found and found[0].reason == "identical", name
        assert all(c.key != i for c in index.find(name, exclude_key=i))


def _evaluation():
    import csv

    with (DATA / "evaluation.tsv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    for row in rows:
        expected = row["expected"].strip()
        row["accepted"] = [] if expected in ("", "-") else [s.strip() for s in expected.split("|")]
    return rows


def test_the_evaluation_set_is_big_labelled_and_drawn_from_several_sources():
    rows = _evaluation()
    assert len(rows) >= 500
    assert {r["verdict"] for r in rows} == {"ok", "fix"}
    assert all(r["preset"] in PRESETS for r in rows)
    assert all(not r["accepted"] for r in rows if r["verdict"] == "ok")
    assert len({r["source"] for r in rows}) >= 5


def test_suggestions_on_the_evaluation_set_are_what_a_reviewer_labelled():
    """The figures of benchmarks/telemetry_eval.py, held to issue 13's targets where they are met:
    correct names flagged ≤ 2%, fixable names with the right suggestion ≥ 95%. Meaning-changing
    suggestions are held at today's level (3.8%, 10 of 261), NOT at the 1% target, which is not
    met."""
    ok = flagged = fixable = right = made = wrong = 0
    for row in _evaluation():
        result = lint_event(row["name"], PRESETS[row["preset"]])
        made += result.suggestion is not None
        if result.suggestion is not None and result.suggestion not in row["accepted"]:
            wrong += 1
        if row["verdict"] == "ok":
            ok += 1
            flagged += not result.ok
        elif row["accepted"]:
            fixable += 1
            right += result.suggestion in row["accepted"]
    assert flagged / ok <= 0.02
    assert right / fixable >= 0.95
    assert wrong / made <= 0.039
