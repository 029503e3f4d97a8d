"""The pure disagreement measures on constructed patterns."""

from strategy import disagreement as d


def test_a_spread_of_confidence_is_split_and_a_consensus_is_not():
    split = d.assess(d.Subject("assumption", "a", "A", scores=(1, 1, 5, 5)))
    agreed = d.assess(d.Subject("assumption", "b", "B", scores=(4, 4, 4, 5)))
    assert split.spread == 1.0 and split.split and split.needs_time
    assert agreed.spread < d.SPREAD_SPLIT and not agreed.needs_time


def test_two_ratings_are_not_a_pattern():
    assert d.assess(d.Subject("assumption", "a", "A", scores=(1, 5))).spread == 0.0


def test_balance_is_high_for_an_even_split_and_zero_for_one_sided_feedback():
    assert d.balance_of(3, 3) == 1.0
    assert d.balance_of(4, 2) == round(1 - 2 / 6, 3)
    assert d.balance_of(5, 0) == 0.0
    assert d.balance_of(1, 0) == 0.0


def test_an_open_blocking_concern_needs_time_even_without_a_split():
    item = d.assess(d.Subject("section", "bets", "Bets", support=5, open_blockers=1))
    assert item.blocking and not item.split and item.needs_time
    assert "1 blocking point open" in item.reasons


def test_questions_mark_a_section_unclear():
    item = d.assess(d.Subject("section", "options", "Options", questions=3))
    assert item.unclear and item.needs_time


def test_subjects_come_most_split_first():
    out = d.assess_all(
        [
            d.Subject("section", "calm", "Calm", support=4),
            d.Subject("section", "hot", "Hot", support=3, against=3, open_blockers=2),
            d.Subject("section", "warm", "Warm", support=3, against=1),
        ]
    )
    assert [x.subject.key for x in out] == ["hot", "warm", "calm"]
    assert out[0].score > out[1].score > out[2].score == 0


def test_dominance_is_the_share_of_the_three_most_active_voices():
    assert d.dominance([10, 5, 5, 1, 1, 1, 1]) == round(20 / 24, 3)
    assert d.dominance([1] * 10) == 0.3
    assert d.dominance([]) == 0.0
