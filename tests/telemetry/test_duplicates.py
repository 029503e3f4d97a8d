"""Near-duplicate names and property type conflicts. Pure Python, no database."""

import pytest

from telemetry.duplicates import Candidate, DuplicateIndex, TypeConflict, property_type_conflicts
from telemetry.naming import PRESETS, Convention

REGISTRY = [
    ("App Opened", "e1"),
    ("Email Updated", "e2"),
    ("Sign Up Completed", "e3"),
    ("credit_cards", "e4"),
    ("User Signed Up", "e5"),
    ("Order Completed", "e6"),
    ("Product Added", "e7"),
    ("Checkout Started", "e8"),
    ("Product List Viewed", "e9"),
    ("Coupon Applied", "e10"),
]


@pytest.fixture(scope="module")
def index():
    return DuplicateIndex(REGISTRY, PRESETS["segment"])


@pytest.mark.parametrize(
    ("query", "name", "reason"),
    [
        ("App Opened", "App Opened", "identical"),
        ("app_opened", "App Opened", "identical"),
        ("app-opened", "App Opened", "identical"),
        ("appOpened", "App Opened", "identical"),
        ("APP OPENED", "App Opened", "identical"),
        ("Updated Email", "Email Updated", "reordered"),
        ("update_email", "Email Updated", "reordered"),
        ("Signup Completed", "Sign Up Completed", "spelling"),
        ("creditcards", "credit_cards", "spelling"),
        ("Credit Card", "credit_cards", "spelling"),
        ("User Registered", "User Signed Up", "synonym"),
        ("Purchased", "Order Completed", "synonym"),
        ("Item Added", "Product Added", "synonym"),
        ("Voucher Applied", "Coupon Applied", "synonym"),
        ("Chekout Started", "Checkout Started", "spelling"),
        ("Product Lsit Viewed", "Product List Viewed", "spelling"),
        ("Coupon Code Applied", "Coupon Applied", "reordered"),
    ],
)
def test_it_finds_the_duplicate_and_says_why(index, query, name, reason):
    found = index.find(query)
    assert found, query
    assert (found[0].name, found[0].reason) == (name, reason)
    assert found[0].key == dict(REGISTRY)[name]


@pytest.mark.parametrize("query", ["Totally Unrelated Thing", "", "   ", "🚀", "x" * 10_000])
def test_it_finds_nothing_for_unrelated_or_bad_names(index, query):
    assert index.find(query) == []


def test_the_drift_of_the_issue_is_one_family():
    idx = DuplicateIndex(
        [("Add to Cart", 1), ("add_to_cart", 2), ("addToCart", 3), ("cart_item_added", 4)],
        PRESETS["segment"],
    )
    found = idx.find("Add to Cart", limit=10)
    # Equal scores are ordered by name, so the answer is the same every time.
    assert [(c.key, c.reason) for c in found] == [
        (1, "identical"),
        (3, "identical"),
        (2, "identical"),
        (4, "reordered"),
    ]
    assert found[3].score < found[2].score
    assert [c.key for c in idx.find("cart_item_added", limit=10)] == [4, 1, 3, 2]


def test_one_shared_word_is_not_a_duplicate():
    idx = DuplicateIndex([("Cart Viewed", 1), ("Cart Shared", 2)], PRESETS["segment"])
    assert idx.find("Cart Emptied") == []


def test_scores_rank_exact_matches_above_close_spellings():
    idx = DuplicateIndex(
        [("Order Completed", 1), ("order_completed", 2), ("Order Complted", 3)], PRESETS["segment"]
    )
    found = idx.find("Order Completed")
    assert [c.key for c in found] == [1, 2, 3]
    assert [c.reason for c in found] == ["identical", "identical", "spelling"]
    assert found[0].score == 1.0 > found[2].score


def test_exclude_key_leaves_out_the_event_itself(index):
    assert [c.key for c in index.find("App Opened", exclude_key="e1")] == []
    assert index.find("App Opened")[0].key == "e1"


def test_limit_caps_the_answer():
    idx = DuplicateIndex([(f"Order Completed{'!' * i}", i) for i in range(20)], PRESETS["segment"])
    assert len(idx.find("order completed", limit=3)) == 3
    assert idx.find("order completed", limit=0) == []


def test_answers_are_deterministic_and_ordered():
    entries = [("Order Completed", i) for i in range(5)] + [("Order Complete", 9)]
    first = DuplicateIndex(entries, PRESETS["segment"]).find("order completed", limit=10)
    second = DuplicateIndex(entries, PRESETS["segment"]).find("order completed", limit=10)
    assert first == second
    assert [c.key for c in first] == [0, 1, 2, 3, 4, 9]


def test_team_synonyms_come_from_the_convention():
    conv = Convention(synonyms=(("playlist", "mixtape"),))
    idx = DuplicateIndex([("Playlist Shared", 1)], conv)
    assert idx.find("Mixtape Shared")[0].reason == "synonym"
    assert DuplicateIndex([("Playlist Shared", 1)], PRESETS["segment"]).find("Mixtape Shared") == []


def test_index_accepts_new_entries_and_skips_blank_ones():
    idx = DuplicateIndex([("", 1), ("   ", 2), (None, 3)], PRESETS["segment"])
    assert len(idx) == 0
    idx.add("Cart Viewed", 4)
    assert idx.find("cart_viewed") == [Candidate("Cart Viewed", "identical", 1.0, 4)]


def test_looking_up_many_names_at_once_answers_what_one_by_one_does():
    """find_many runs the close-spelling search for a whole batch per block (rapidfuzz's
    cdist); ties in ratio and the length window must come out as process.extract's."""
    import random

    rng = random.Random(11)
    words = ["order", "cart", "item", "checkout", "coupon", "product", "list", "page", "card"]
    actions = ["Viewed", "Added", "Removed", "Completed", "Applied", "Opened"]
    registry = sorted(
        {
            " ".join(w.title() for w in rng.sample(words, rng.choice((1, 2, 3))))
            + " "
            + rng.choice(actions)
            for _ in range(3000)
        }
    )
    idx = DuplicateIndex([(n, k) for k, n in enumerate(registry)], PRESETS["segment"])
    letters = "abcdeilmnoprtuv"
    queries = [rng.choice(registry) for _ in range(300)]
    queries += [q.replace(" ", "_").lower() for q in queries[:100]]
    # Typos, so that the close-spelling search has work: a letter dropped, changed or added.
    for q in list(queries[:300]):
        i = rng.randrange(1, len(q))
        queries.append(q[:i] + rng.choice(("", rng.choice(letters))) + q[i + 1 :])
    queries += ["", "   ", "zz", "Checkout Viewed", None, "Kart Itme Aded"]
    reasons = set()
    for limit, exclude in ((1, None), (3, 5), (5, None), (0, None)):
        one_by_one = [idx.find(q, limit=limit, exclude_key=exclude) for q in queries]
        assert idx.find_many(queries, limit=limit, exclude_key=exclude) == one_by_one
        reasons |= {c.reason for found in one_by_one for c in found}
    assert {"identical", "spelling", "reordered"} <= reasons


# --- property types -------------------------------------------------------------------------


def test_it_flags_a_property_sent_with_different_types():
    rows = [
        ("e1", "plan_type", "string"),
        ("e2", "plan_type", "integer"),
        ("e3", "planType", "str"),
        ("e4", "price", "number"),
        ("e5", "price", "float"),
    ]
    assert property_type_conflicts(rows) == [
        TypeConflict("planType", {"integer": ["e2"], "string": ["e1", "e3"]})
    ]


def test_it_finds_no_conflict_when_types_agree():
    rows = [("e1", "plan_type", "string"), ("e2", "plan_type", "string"), ("e2", "x", "bool")]
    assert property_type_conflicts(rows) == []


def test_type_conflicts_list_each_event_once_and_skip_bad_rows():
    rows = [
        ("e1", "count", "integer"),
        ("e1", "count", "integer"),
        ("e2", "count", "string"),
        ("e3", None, "string"),
        ("e4", "", "string"),
        ("e5", "count", None),
        ("e6", "count"),
        None,
        ("e7", "count", "Int"),
    ]
    (conflict,) = property_type_conflicts(rows)
    assert conflict.property == "count"
    assert conflict.types == {"integer": ["e1", "e7"], "string": ["e2"], "unknown": ["e5"]}
