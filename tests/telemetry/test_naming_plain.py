"""The linter's short way for plain names (`naming_plain`) answers exactly what the full rules
answer, for every preset and for conventions that change each rule it plans around."""

import random
from pathlib import Path

import pytest

from telemetry import naming
from telemetry.naming.plain import lint_plain_event, lint_plain_property
from telemetry.naming.structure import engine
from telemetry.naming.words import ABBREVIATIONS, ACRONYMS, OBJECTS, REGULAR_VERBS

DATA = Path(__file__).resolve().parents[1] / "data" / "event-names"
STYLES = (
    lambda w: " ".join(x.title() for x in w),
    lambda w: "_".join(w),
    lambda w: w[0] + "".join(x.title() for x in w[1:]),
    lambda w: "-".join(w),
    lambda w: " ".join(w),
    lambda w: " ".join(x.upper() for x in w),
)


def _drifting_names(count: int) -> list[str]:
    """Names with the drift registries have: every case style, tense and word order,
    abbreviations, acronyms, reserved words and prefixes, numbers, typos, filler words."""
    rng = random.Random(11)
    objects = sorted(OBJECTS) + sorted(ABBREVIATIONS) + sorted(ACRONYMS) + ["a", "x", "segment"]
    verbs = sorted(REGULAR_VERBS) + ["sign up", "log in", "opt out", "frobnicate"]
    tails = ("", "", "", " event", " to cart", " from menu", " 2019-11-01", " 42", " v2")
    heads = ("", "", "", "", "mp_", "Page ", "test ", "track ")
    names = set()
    while len(names) < count:
        verb = rng.choice(verbs)
        action = verb + rng.choice(("", "ed", "s", "ing", "d"))
        obj = rng.sample(objects, rng.choice((0, 1, 1, 2, 3)))
        words = obj + action.split() if rng.random() < 0.6 else action.split() + obj
        name = rng.choice(heads) + rng.choice(STYLES)(words) + rng.choice(tails)
        if rng.random() < 0.05:
            i = rng.randrange(len(name))
            name = name[:i] + name[i + 1 :]
        names.add(name)
    return sorted(names)


def _real_names() -> list[str]:
    names = []
    for path in sorted(DATA.glob("*.txt")):
        names += [n for n in path.read_text(encoding="utf-8").splitlines() if n.strip()]
    return names[:2000]


CONVENTIONS = {
    **naming.PRESETS,
    "action first": naming.Convention(word_order="action_object"),
    "present, snake, action first": naming.Convention(
        event_case="snake", word_order="action_object", tense="present"
    ),
    "any tense": naming.Convention(tense="any"),
    "present camel": naming.Convention(event_case="camel", tense="present"),
    "short names": naming.Convention(max_length=16),
    "forbidden letters": naming.Convention(forbidden_chars="xq!"),
    "no dashes or spaces": naming.Convention(forbidden_chars="- "),
    "dynamic values allowed": naming.Convention(forbid_dynamic_values=False),
    "no prefixes or reserved names": naming.Convention(reserved_prefixes=(), reserved_names=()),
    "a prefix that is a word": naming.Convention(reserved_prefixes=("sign", "ad")),
    "team words": naming.PRESETS["segment"].with_team_words(
        actions={"frobnicate": "frobnicated"}, objects=["widget", "zork"]
    ),
}


@pytest.fixture(scope="module")
def names():
    return _drifting_names(2500) + _real_names()


@pytest.mark.parametrize("label", sorted(CONVENTIONS))
def test_the_short_way_answers_what_the_full_rules_answer(label, names):
    conv = CONVENTIONS[label]
    eng = engine(conv)
    eng.clear_caches()
    taken = 0
    for name in names:
        short = lint_plain_event(name, conv, eng)
        if short is None:
            continue
        taken += 1
        assert short == naming.lint_event_in_full(conv, name), name
        if short.suggestion:
            assert naming.lint_event_in_full(conv, short.suggestion).ok, (name, short.suggestion)
    # Most drifting names are plain: the short way is what makes the linter fast. (With
    # letters forbidden, no name is plain; with dashes and spaces forbidden or a 16-character
    # limit, few are.)
    if label not in ("forbidden letters", "no dashes or spaces", "short names"):
        assert taken > len(names) * 0.45, taken


def test_the_short_way_is_taken_for_plain_names_and_not_for_the_unusual():
    conv = naming.PRESETS["segment"]
    eng = engine(conv)
    for name in ("clickedSignupBtn", "view_product", "Order Complete", "User Signed Up 2019"):
        assert lint_plain_event(name, conv, eng) is not None, name
    for name in (
        "$pageview",
        "checkout.order_completed",
        "Signed Up 😀",
        "a" * 100,
        "Ad Click Event",
    ):
        assert lint_plain_event(name, conv, eng) is None, name


def test_abbreviations_of_the_same_classes_share_a_plan_but_keep_their_own_words():
    conv = naming.Convention()  # an engine of its own, so its plans start empty
    eng = engine(conv)
    first = lint_plain_event("addr_clicked", conv, eng)
    plans = len(eng.plain.plans)
    second = lint_plain_event("txn_clicked", conv, eng)
    assert len(eng.plain.plans) == plans  # "txn" reads as "addr" does: a plain noun
    assert (first.suggestion, second.suggestion) == ("Address Clicked", "Transaction Clicked")
    assert "'txn' is an abbreviation; write 'transaction'." in [
        v.message for v in second.violations
    ]
    # The same abbreviation twice is one violation; two different ones are two.
    twice = lint_plain_event("addr_addr_clicked", conv, eng)
    both = lint_plain_event("addr_txn_clicked", conv, eng)
    assert [v.rule for v in twice.violations].count("abbreviation") == 1
    assert [v.rule for v in both.violations].count("abbreviation") == 2
    assert both.suggestion == "Address Transaction Clicked"
    for result in (first, second, twice, both):
        assert result == naming.lint_event_in_full(conv, result.name)


def test_a_batch_lints_in_order_and_restores_the_collector():
    import gc

    conv = naming.PRESETS["segment"]
    names = ["clickedSignupBtn", "Order Completed", "view_product"] * 400
    assert gc.isenabled()
    results = naming.lint_events(names, conv)
    assert gc.isenabled()
    assert [r.name for r in results] == names
    assert results[0].suggestion == "Signup Button Clicked"
    assert results[1].ok
    assert results[2].suggestion == "Product Viewed"
    props = naming.lint_properties(["planType", "plan_type"] * 600, conv, "string")
    assert gc.isenabled()
    assert [p.suggestion for p in props[:2]] == ["plan_type", None]


PROPERTY_CONVENTIONS = {
    **naming.PRESETS,
    "title properties": naming.Convention(event_case="snake", property_case="title"),
    "no underscores or spaces": naming.Convention(forbidden_chars="_ ", property_case="title"),
    "short names": naming.Convention(max_length=12),
    "no prefixes or reserved names": naming.Convention(
        reserved_prefixes=(), reserved_property_names=()
    ),
}


@pytest.mark.parametrize("label", sorted(PROPERTY_CONVENTIONS))
@pytest.mark.parametrize("type", ["string", "Int", "weird", None])
def test_the_short_way_for_properties_answers_what_the_full_rules_answer(label, type, names):
    conv = PROPERTY_CONVENTIONS[label]
    eng = engine(conv)
    eng.clear_caches()
    taken = 0
    for name in names:
        short = lint_plain_property(name, conv, eng, type)
        if short is None:
            continue
        taken += 1
        assert short == naming.lint_property_in_full(conv, type, name), name
    # Few names are plain when their separators are forbidden or names are short.
    least = {"short names": 0.1, "no underscores or spaces": 0.0}.get(label, 0.4)
    assert taken >= len(names) * least, taken


def test_threads_sharing_an_engine_never_see_a_half_built_plan(names):
    """The dev server and a threaded worker lint with one engine per convention: a plan or an
    outcome another thread is still building must not be read, and two threads meeting new
    words at once must not give different word classes the same number."""
    import sys
    import threading
    import traceback

    conv = naming.Convention(word_order="action_object")
    eng = engine(conv)
    expected = [naming.lint_event_in_full(conv, n) for n in names[:1500]]
    errors = []

    def lint_all():
        try:
            got = [
                lint_plain_event(n, conv, eng) or naming.lint_event_in_full(conv, n)
                for n in names[:1500]
            ]
            assert got == expected
        except Exception:  # noqa: BLE001 - reported below, with its traceback
            errors.append(traceback.format_exc())

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        for _ in range(3):
            eng.clear_caches()
            threads = [threading.Thread(target=lint_all) for _ in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
    finally:
        sys.setswitchinterval(old)
    assert errors == []
