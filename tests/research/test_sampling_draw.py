"""The representative draw: proportions, preference for the least contacted, seeds, standby."""

import math
import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from research.sampling import Candidate, counts_of, draw, representativeness

NOW = datetime(2026, 11, 27, tzinfo=UTC)
PLANS = ("Free", "Starter", "Pro", "Enterprise")
REGIONS = ("EU", "NA", "APAC")


def panel(size, seed, shares=None):
    """A panel where most were never contacted and a vocal few were contacted a lot."""
    rng = random.Random(seed)
    strata = [(plan, region) for plan in PLANS for region in REGIONS]
    weights = shares or [rng.uniform(0.2, 3) for _ in strata]
    people = []
    for i in range(size):
        stratum = rng.choices(strata, weights)[0]
        count = 0 if rng.random() < 0.6 else rng.choice([1, 1, 2, 3, 8])
        last = None if count == 0 else NOW - timedelta(days=rng.uniform(1, 600))
        people.append(Candidate(i, stratum, count, last))
    return people


def strata_of(sample_ids, candidates):
    by_id = {c.id: c.strata for c in candidates}
    return Counter(by_id[i] for i in sample_ids)


def test_each_stratum_share_is_within_one_place_of_the_population_share_over_200_seeds():
    n = 40
    errors = []
    for seed in range(200):
        candidates = panel(600, seed)
        population = counts_of(candidates)
        total = sum(population.values())
        sample = draw(candidates=candidates, n=n, seed=seed)
        got = strata_of(sample.selected, candidates)
        assert sum(got.values()) == n
        for stratum, count in population.items():
            share_error = got[stratum] / n - count / total
            # Largest remainder: never a whole place away from the exact quota.
            assert abs(share_error) < 1 / n, (seed, stratum)
            errors.append(abs(share_error))
        assert sample.tvd == pytest.approx(representativeness(got, population)[0])
        assert sample.tvd < 0.15
        assert sample.warnings == ()
    assert sum(errors) / len(errors) < 0.01


def test_it_matches_a_given_population_rather_than_the_candidates_make_up():
    # The candidates over-represent Free; the eligible population is 20/80.
    candidates = [Candidate(i, ("Free",)) for i in range(300)]
    candidates += [Candidate(1000 + i, ("Pro",)) for i in range(300)]
    sample = draw(
        candidates=candidates, n=50, seed=1, population_counts={("Free",): 200, ("Pro",): 800}
    )
    assert strata_of(sample.selected, candidates) == {("Free",): 10, ("Pro",): 40}
    assert sample.tvd == pytest.approx(0)


def test_equally_preferred_candidates_are_picked_uniformly_across_seeds():
    # 20 never-contacted people, 5 places, 400 seeds: each expected 100 times.
    candidates = [Candidate(i, ("Pro",)) for i in range(20)]
    picks = Counter()
    for seed in range(400):
        picks.update(draw(candidates=candidates, n=5, seed=seed).selected)
    chi_square = sum((picks[c.id] - 100) ** 2 / 100 for c in candidates)
    # 19 degrees of freedom: 43.8 is the 0.1% critical value.
    assert chi_square < 43.8, picks


def test_the_never_contacted_are_picked_before_the_frequently_contacted():
    never = [Candidate(i, ("Pro",)) for i in range(5)]
    vocal = [
        Candidate(100 + i, ("Pro",), contact_count=5, last_contacted_at=NOW - timedelta(days=400))
        for i in range(50)
    ]
    for seed in range(50):
        sample = draw(candidates=vocal + never, n=5, seed=seed)
        assert set(sample.selected) == {c.id for c in never}


def test_fewer_contacts_beat_longer_ago_and_longer_ago_breaks_equal_counts():
    twice_long_ago = Candidate(1, ("Pro",), 2, NOW - timedelta(days=900))
    once_recently = Candidate(2, ("Pro",), 1, NOW - timedelta(days=3))
    once_long_ago = Candidate(3, ("Pro",), 1, NOW - timedelta(days=300))
    never = Candidate(4, ("Pro",))
    candidates = [twice_long_ago, once_recently, once_long_ago, never]
    for seed in range(20):
        sample = draw(candidates=candidates, n=3, seed=seed, response_rate=0.75)
        assert sample.selected == (4, 3, 2)
        assert sample.standby == (1,)


def test_equal_last_contact_times_at_the_cut_are_shared_out_by_the_seed():
    same_day = NOW - timedelta(days=30)
    earlier = Candidate(99, ("Pro",), 1, NOW - timedelta(days=90))
    tied = [Candidate(i, ("Pro",), 1, same_day) for i in range(10)]
    seen = Counter()
    for seed in range(100):
        sample = draw(candidates=[*tied, earlier], n=3, seed=seed)
        assert sample.selected[0] == 99
        seen.update(sample.selected[1:])
    assert set(seen) == {c.id for c in tied}


def test_the_same_seed_gives_the_same_sample_whatever_the_input_order():
    candidates = panel(3000, 7)
    first = draw(candidates=candidates, n=50, seed=42, response_rate=0.3)
    again = draw(candidates=candidates, n=50, seed=42, response_rate=0.3)
    shuffled = list(candidates)
    random.Random(1).shuffle(shuffled)
    reordered = draw(candidates=shuffled, n=50, seed=42, response_rate=0.3)
    assert first == again == reordered
    assert first.seed == 42


def test_different_seeds_give_different_samples():
    candidates = panel(3000, 7)
    samples = {draw(candidates=candidates, n=50, seed=seed).selected for seed in range(10)}
    assert len(samples) == 10


def test_the_standby_list_covers_the_expected_non_responses():
    candidates = panel(3000, 3)
    sample = draw(candidates=candidates, n=50, seed=9, response_rate=0.3)
    # 50 / 0.3 = 166.7 -> 167 invitations to get 50 yeses: 117 on standby.
    assert len(sample.selected) == 50
    assert len(sample.standby) == 117
    assert not set(sample.selected) & set(sample.standby)
    assert len(draw(candidates=candidates, n=10, seed=9, response_rate=0.4).standby) == 15
    assert draw(candidates=candidates, n=10, seed=9).standby == ()


def test_selected_and_standby_together_stay_proportional_and_every_standby_prefix_too():
    candidates = panel(3000, 3)
    population = counts_of(candidates)
    total = sum(population.values())
    sample = draw(candidates=candidates, n=50, seed=9, response_rate=0.3)
    together = strata_of(sample.selected + sample.standby, candidates)
    for stratum, count in population.items():
        assert abs(together[stratum] - 167 * count / total) < 2
    standby = strata_of(sample.standby, candidates)
    for size in (10, 40, 117):
        prefix = strata_of(sample.standby[:size], candidates)
        for stratum, count in standby.items():
            assert abs(prefix[stratum] - size * count / 117) < 1.5, (size, stratum)


def test_standby_ranks_after_the_selected_of_its_stratum():
    candidates = panel(2000, 11)
    by_id = {c.id: c for c in candidates}
    sample = draw(candidates=candidates, n=30, seed=4, response_rate=0.5)

    def preference(c):
        return (c.contact_count, c.last_contacted_at is not None, c.last_contacted_at or NOW)

    for stratum in {by_id[i].strata for i in sample.standby}:
        chosen = [by_id[i] for i in sample.selected if by_id[i].strata == stratum]
        waiting = [by_id[i] for i in sample.standby if by_id[i].strata == stratum]
        assert max(map(preference, chosen)) <= min(map(preference, waiting))
        assert [preference(c) for c in waiting] == sorted(preference(c) for c in waiting)


def test_a_stratum_that_cannot_be_filled_is_named_and_its_places_go_to_the_closest():
    candidates = [Candidate(1, ("Pro", "EU"))]
    candidates += [Candidate(100 + i, ("Pro", "US")) for i in range(50)]
    candidates += [Candidate(200 + i, ("Free", "EU")) for i in range(50)]
    candidates += [Candidate(300 + i, ("Free", "US")) for i in range(50)]
    population = {("Pro", "EU"): 100, ("Pro", "US"): 100, ("Free", "EU"): 100, ("Free", "US"): 100}
    sample = draw(candidates=candidates, n=20, seed=1, population_counts=population)
    got = strata_of(sample.selected, candidates)
    # Pro × EU wanted 5 and has 1; its 4 go to Pro × US and Free × EU (one dimension shared).
    assert got == {("Pro", "EU"): 1, ("Pro", "US"): 7, ("Free", "EU"): 7, ("Free", "US"): 5}
    assert sample.warnings == (
        "Stratum Pro × EU cannot be filled: 5 participants wanted, only 1 eligible; "
        "moved 2 to Free × EU, 2 to Pro × US.",
    )
    report = {r.stratum: r for r in sample.strata}
    assert (report["Pro", "EU"].target, report["Pro", "EU"].selected) == (5, 1)
    assert report["Pro", "EU"].shortfall == 4
    assert report["Pro", "US"].shortfall == 0
    # p = (0.05, 0.35, 0.35, 0.25) against 0.25 each: ½(0.2 + 0.1 + 0.1 + 0) = 0.2.
    assert sample.tvd == pytest.approx(0.2)


def test_asking_for_more_than_are_eligible_takes_everyone_and_says_so():
    candidates = [Candidate(i, ("Pro",)) for i in range(3)]
    sample = draw(candidates=candidates, n=5, seed=1, response_rate=0.5)
    assert sorted(sample.selected) == [0, 1, 2]
    assert sample.standby == ()
    assert "Only 3 eligible candidates for 5 places." in sample.warnings
    assert any("Standby list has 0 of the 5 wanted" in w for w in sample.warnings)


def test_nothing_to_draw_from():
    sample = draw(candidates=[], n=0, seed=1)
    assert (sample.selected, sample.standby, sample.strata, sample.warnings) == ((), (), (), ())


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"n": -1}, "0 or more"),
        ({"n": 5, "response_rate": 0}, "response rate"),
        ({"n": 5, "response_rate": 1.5}, "response rate"),
        ({"n": 5, "seed": "abc"}, "seed"),
    ],
)
def test_bad_requests_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        draw(candidates=[Candidate(1, ("Pro",))], **{"seed": 1, **options})


def test_a_duplicated_candidate_is_refused():
    candidates = [Candidate(1, ("Pro",)), Candidate(1, ("Pro",))]
    with pytest.raises(ValueError, match="Candidate id 1 appears more than once"):
        draw(candidates=candidates, n=2, seed=1)


def test_the_standby_size_rounds_up():
    candidates = [Candidate(i, ("Pro",)) for i in range(100)]
    assert len(draw(candidates=candidates, n=7, seed=1, response_rate=0.35).standby) == (
        math.ceil(7 / 0.35) - 7
    )


def test_more_strata_than_places_is_warned_about():
    candidates = [Candidate(i, (f"s{i % 8}",)) for i in range(80)]
    sample = draw(candidates=candidates, n=5, seed=1)
    assert len(sample.selected) == 5
    assert sample.warnings == (
        "8 strata for 5 places: some strata get nobody, so the sample cannot be "
        "representative; keep fewer dimensions or ask for more participants.",
    )
    assert draw(candidates=candidates, n=8, seed=1).warnings == ()


def test_a_standby_shortfall_is_named_too():
    candidates = [Candidate(1, ("Pro", "EU"))]
    candidates += [Candidate(100 + i, ("Pro", "US")) for i in range(50)]
    population = {("Pro", "EU"): 50, ("Pro", "US"): 50}
    sample = draw(
        candidates=candidates, n=10, seed=1, response_rate=0.5, population_counts=population
    )
    assert len(sample.selected) == 10
    assert len(sample.standby) == 10
    assert sample.warnings[1] == (
        "Stratum Pro × EU cannot be filled: 9 standby places wanted, only 0 left after the "
        "selection; moved 9 to Pro × US."
    )
