"""Panel-health figures against hand-computed values."""

from datetime import UTC, datetime

import pytest

from research.fatigue import Eligibility, Refusal
from research.stats import (
    distribution,
    gini,
    lorenz,
    quarter_start,
    refusals_by_rule,
    share_heard_from,
    top_share,
)


class TestGini:
    def test_equal_attention_is_zero(self):
        assert gini([2, 2, 2, 2]) == pytest.approx(0)

    def test_one_person_carrying_everything(self):
        # Sorted (0, 0, 0, 4): 2·(4·4)/(4·4) − 5/4 = 0.75, the most four people can reach.
        assert gini([4, 0, 0, 0]) == pytest.approx(0.75)

    def test_a_ramp_by_hand(self):
        # Σ i·x = 1 + 4 + 9 + 16 = 30; 2·30/(4·10) − 5/4 = 0.25.
        assert gini([3, 1, 4, 2]) == pytest.approx(0.25)

    def test_nobody_contacted_or_nobody_at_all(self):
        assert gini([]) == 0.0
        assert gini([0, 0, 0]) == 0.0

    def test_negative_counts_are_refused(self):
        with pytest.raises(ValueError, match="negative"):
            gini([-1, 3])


def test_top_share_names_how_much_the_vocal_few_got():
    assert top_share([0, 0, 0, 0, 0, 0, 0, 0, 1, 9], 0.1) == pytest.approx(0.9)
    # 0.25 of 5 people rounds up to 2: (9 + 1) / 10.
    assert top_share([9, 1, 0, 0, 0], 0.25) == pytest.approx(1.0)
    assert top_share([], 0.1) == 0.0
    with pytest.raises(ValueError, match="fraction"):
        top_share([1], 0)


def test_the_lorenz_curve_runs_from_nothing_to_everything():
    curve = lorenz([0, 0, 0, 4], points=4)
    assert curve == [(0.0, 0.0), (0.25, 0.0), (0.5, 0.0), (0.75, 0.0), (1.0, 1.0)]
    assert lorenz([1, 1], points=2) == [(0.0, 0.0), (0.5, 0.5), (1.0, 1.0)]
    assert lorenz([]) == [(0.0, 0.0), (1.0, 1.0)]


def test_the_contact_distribution_uses_readable_bins():
    assert distribution([0, 0, 1, 2, 3, 4, 5, 12, 40]) == [
        ("0", 2),
        ("1", 1),
        ("2", 1),
        ("3–4", 2),
        ("5–9", 1),
        ("10+", 2),
    ]


def test_the_quarter_starts_on_the_first_of_its_first_month():
    assert quarter_start(datetime(2026, 11, 27, 15, tzinfo=UTC)) == datetime(
        2026, 10, 1, tzinfo=UTC
    )
    assert quarter_start(datetime(2026, 3, 31, 23, tzinfo=UTC)) == datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="time zone"):
        quarter_start(datetime(2026, 3, 31))


def test_share_heard_from_counts_everyone_including_the_never_contacted():
    since = datetime(2026, 10, 1, tzinfo=UTC)
    last = [None, None, since, datetime(2026, 9, 30, 23, 59, tzinfo=UTC), datetime.now(UTC)]
    assert share_heard_from(last, since) == pytest.approx(2 / 5)
    assert share_heard_from([], since) == 0.0


def test_refusals_are_counted_per_rule_most_frequent_first():
    def refused(*rules):
        return Eligibility(False, tuple(Refusal(r, r, None) for r in rules), None)

    results = [
        refused("session-cooldown"),
        refused("session-cooldown", "opt-out"),
        refused("consent"),
        Eligibility(True, (), None),
    ]
    assert refusals_by_rule(results) == [
        ("session-cooldown", "Session cooldown", 2),
        ("consent", "Consent", 1),
        ("opt-out", "Opt-out", 1),
    ]
