"""Properties of the linter on thousands of generated names: total, deterministic, and every
suggestion passes the linter itself. Seeded, so a failure reproduces."""

import random

import pytest

from telemetry.duplicates import DuplicateIndex
from telemetry.naming import PRESETS, Convention, lint_event, lint_property, parse, render
from telemetry.naming.words import ABBREVIATIONS, OBJECTS, REGULAR_VERBS

CONVENTIONS = {
    **PRESETS,
    "action_object": Convention(word_order="action_object"),
    "present": Convention(tense="present"),
    "any": Convention(tense="any", event_case="camel"),
}

ALPHABET = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    "     ___---...$@#!()[]{}<>:/\\'\"\t\n\x00\x07\x1b\u200f\u202e"
    "éüß日本語🚀🛒مرحباשלום"
)


def _random_strings(n, seed):
    rng = random.Random(seed)
    return ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 40))) for _ in range(n)]


def _random_names(n, seed):
    rng = random.Random(seed)
    objects = sorted(OBJECTS) + sorted(ABBREVIATIONS)
    verbs = sorted(REGULAR_VERBS)
    out = []
    for _ in range(n):
        words = rng.sample(objects, rng.randint(0, 3))
        verb = rng.choice(verbs)
        verb = rng.choice([verb, verb + "s", verb + "ing", verb + "ed", verb.rstrip("e") + "ed"])
        words.insert(rng.randint(0, len(words)), verb)
        if rng.random() < 0.2:
            words += [rng.choice(["to", "from", "as", "in"]), rng.choice(objects)]
        if rng.random() < 0.1:
            words.insert(rng.randint(0, len(words)), str(rng.randint(0, 10**6)))
        style = rng.choice(["title", "snake", "camel", "kebab", "dotted", "upper"])
        if style == "title":
            name = " ".join(w.title() for w in words)
        elif style == "snake":
            name = "_".join(words)
        elif style == "camel":
            name = words[0] + "".join(w.title() for w in words[1:])
        elif style == "kebab":
            name = "-".join(words)
        elif style == "dotted":
            name = rng.choice(objects) + "." + "_".join(words)
        else:
            name = "_".join(words).upper()
        out.append(name)
    return out


@pytest.mark.parametrize("conv_name", sorted(CONVENTIONS))
@pytest.mark.parametrize("source", ["strings", "names"])
def test_suggestions_always_pass_and_answers_repeat(conv_name, source):
    conv = CONVENTIONS[conv_name]
    names = _random_strings(600, 1) if source == "strings" else _random_names(1500, 2)
    suggested = 0
    for name in names:
        result = lint_event(name, conv)
        assert result.ok == (not result.violations)
        assert result.ok or result.suggestion or result.note
        if result.suggestion is not None:
            suggested += 1
            assert result.suggestion != name
            assert lint_event(result.suggestion, conv).ok, (name, result.suggestion)
            # Re-rendering a suggestion gives it back: the structure survives the round trip.
            assert render(parse(result.suggestion, conv), conv) == result.suggestion
        prop = lint_property(name, conv)
        if prop.suggestion is not None:
            assert lint_property(prop.suggestion, conv).ok, (name, prop.suggestion)
    if source == "names":
        # Generated names are often repairable; the linter is not just refusing everything.
        # (Under the dotted preset only the names that have a category can be.)
        share = 10 if conv_name == "dotted" else 3
        assert suggested > len(names) // share


def test_duplicate_lookup_never_raises_on_garbage():
    conv = PRESETS["segment"]
    names = _random_strings(300, 3)
    index = DuplicateIndex([(n, i) for i, n in enumerate(names)], conv)
    for name in names + _random_strings(300, 4):
        for candidate in index.find(name, limit=3):
            assert 0 < candidate.score <= 1


@pytest.mark.parametrize("conv_name", sorted(CONVENTIONS))
def test_the_lean_suggestion_check_agrees_with_the_full_linter(conv_name):
    from telemetry.naming.lint import _candidate_check, _event_violations, _same_structure

    conv = CONVENTIONS[conv_name]
    checked = 0
    for name in _random_names(800, 5) + _random_strings(300, 6):
        parsed = parse(name, conv)
        if not parsed.action:
            continue
        candidate = render(parsed, conv)
        if not candidate:
            continue
        problems, again = _event_violations(candidate, conv)
        passes_full_linter = not problems and _same_structure(parsed, again, conv)
        lean = _candidate_check(candidate, parsed, conv)[1]
        assert lean == passes_full_linter, (name, candidate, problems)
        checked += 1
    assert checked > 300


@pytest.mark.parametrize("conv_name", sorted(CONVENTIONS))
def test_the_lean_property_check_agrees_with_the_full_linter(conv_name):
    from telemetry.naming.lint import _property_candidate_ok, _property_style, _property_violations

    conv = CONVENTIONS[conv_name]
    for name in _random_names(500, 7) + _random_strings(300, 8):
        words = _property_violations(name, conv)[1]
        if not words:
            continue
        candidate = _property_style(words, conv)
        full = not _property_violations(candidate, conv)[0]
        assert _property_candidate_ok(candidate, conv) == full, (name, candidate)


def _answers(names, conv):
    return [
        (lint_event(n, conv).to_dict(), lint_property(n, conv, "string").to_dict()) for n in names
    ]


@pytest.mark.parametrize("conv_name", sorted(CONVENTIONS))
def test_answers_do_not_depend_on_the_words_learnt_before(conv_name):
    # The engine remembers words, word patterns and shared messages across names; an answer
    # must be the same whether a name comes first or after thousands of others.
    from telemetry.naming.structure import engine

    conv = CONVENTIONS[conv_name]
    # Pairs that differ only in whether a word is a known object, a small word or a verb form.
    pairs = [
        "Viewed Product",
        "Viewed Frobnitz",
        "Closed Selected Tabs",
        "Closed Selected Frobs",
        "Clicked Button to Cart",
        "Clicked Button Cart",
        "order history viewed",
        "frobnitz history viewed",
        "Signed Up",
        "Signed Upper",
        "sign_up_completed",
        "sign_in_completed",
    ]
    names = pairs + _random_names(600, 9) + _random_strings(200, 10)

    def cold():
        engine(conv).clear_caches()

    cold()
    forwards = _answers(names, conv)
    cold()
    backwards = _answers(names[::-1], conv)[::-1]
    one_by_one = []
    for name in names[:150]:
        cold()
        one_by_one += _answers([name], conv)
    assert forwards == backwards
    assert forwards[:150] == one_by_one


def test_team_words_are_not_answered_from_another_conventions_memory():
    base = PRESETS["segment"]
    # "frobnicate" is in no dictionary, so only the team's words make it an action.
    team = base.with_team_words(actions={"frobnicate": "frobnicated"}, objects=["widgetron"])
    names = [
        "Widgetron Frobnicated",
        "widgetron_frobnicated",
        "Frobnicated Widgetron",
        "Widget Frobnicated",
    ]
    before = [lint_event(n, base) for n in names]
    with_team = [lint_event(n, team) for n in names]
    assert [lint_event(n, base) for n in names] == before
    assert all("unknown-action" in {v.rule for v in r.violations} for r in before)
    assert all(r.suggestion is None for r in before)
    assert with_team[0].ok and with_team[3].ok
    assert with_team[1].suggestion == "Widgetron Frobnicated"
    assert with_team[2].suggestion == "Widgetron Frobnicated"
