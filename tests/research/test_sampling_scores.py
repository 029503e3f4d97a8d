"""Proportional allocation and the representativeness scores, against hand-computed values."""

import math
import random

import pytest

from research.sampling import allocate, marginals, representativeness, verdict


class TestAllocate:
    def test_it_gives_the_leftover_places_to_the_largest_remainders(self):
        # Quotas 3.5, 2.1 and 1.4: floors 3, 2, 1 and the last place to the 0.5 remainder.
        assert allocate({("a",): 5, ("b",): 3, ("c",): 2}, 7) == {("a",): 4, ("b",): 2, ("c",): 1}

    def test_a_small_stratum_with_a_large_remainder_gets_its_place(self):
        # Quotas 0.98 and 49.02.
        assert allocate({("a",): 2, ("b",): 100}, 50) == {("a",): 1, ("b",): 49}

    def test_equal_remainders_go_in_stratum_order_whatever_the_mapping_order(self):
        forwards = allocate({("a",): 1, ("b",): 1, ("c",): 1}, 2)
        backwards = allocate({("c",): 1, ("b",): 1, ("a",): 1}, 2)
        assert forwards == backwards == {("a",): 1, ("b",): 1, ("c",): 0}

    def test_it_never_gives_more_than_the_population(self):
        assert allocate({("a",): 2, ("b",): 3}, 10) == {("a",): 2, ("b",): 3}
        assert allocate({("a",): 0, ("b",): 4}, 2) == {("a",): 0, ("b",): 2}
        assert allocate({("a",): 3}, 0) == {("a",): 0}

    def test_it_sums_exactly_and_stays_within_one_of_the_quota(self):
        rng = random.Random(5)
        for _ in range(500):
            population = {(f"s{i}",): rng.randrange(0, 400) for i in range(rng.randrange(1, 12))}
            total = sum(population.values())
            n = rng.randrange(0, total + 20)
            result = allocate(population, n)
            assert sum(result.values()) == min(n, total)
            for key, count in population.items():
                assert 0 <= result[key] <= count
                if n <= total:
                    assert abs(result[key] - n * count / total) < 1

    @pytest.mark.parametrize(
        ("population", "n", "message"),
        [
            ({("a",): 3}, -1, "0 or more"),
            ({("a",): 3}, 2.5, "whole number"),
            ({("a",): -3}, 2, "Population of stratum a"),
        ],
    )
    def test_bad_input_is_refused(self, population, n, message):
        with pytest.raises(ValueError, match=message):
            allocate(population, n)


class TestRepresentativeness:
    def test_identical_make_up_scores_zero(self):
        sample = {("a",): 5, ("b",): 3, ("c",): 2}
        population = {("a",): 500, ("b",): 300, ("c",): 200}
        tvd, psi = representativeness(sample, population)
        assert tvd == pytest.approx(0, abs=1e-12)
        assert psi == pytest.approx(0, abs=1e-12)

    def test_a_skewed_sample_against_hand_computed_values(self):
        # p = (0.75, 0.25), q = (0.5, 0.5)
        # TVD = ½(0.25 + 0.25) = 0.25
        # PSI = 0.25 ln(1.5) + (-0.25) ln(0.5) = 0.101366 + 0.173287 = 0.274653
        tvd, psi = representativeness({("a",): 3, ("b",): 1}, {("a",): 1, ("b",): 1})
        assert tvd == pytest.approx(0.25)
        assert psi == pytest.approx(0.274653, abs=1e-6)

    def test_an_empty_stratum_is_smoothed_with_epsilon(self):
        # p = (1, 0 -> 0.0001), q = (0.5, 0.5)
        # PSI = 0.5 ln 2 + (0.0001 - 0.5) ln(0.0001 / 0.5) = 0.346574 + 4.257745 = 4.604319
        tvd, psi = representativeness({("a",): 2}, {("a",): 1, ("b",): 1})
        assert tvd == pytest.approx(0.5)
        assert psi == pytest.approx(4.604319, abs=1e-6)
        assert math.isfinite(psi)

    def test_three_strata_by_hand(self):
        # p = (0.5, 0.3, 0.2), q = (0.4, 0.4, 0.2): TVD = ½(0.1 + 0.1) = 0.1
        # PSI = 0.1 ln(1.25) - 0.1 ln(0.75) = 0.022314 + 0.028768 = 0.051083
        tvd, psi = representativeness(
            {("a",): 5, ("b",): 3, ("c",): 2}, {("a",): 40, ("b",): 40, ("c",): 20}
        )
        assert tvd == pytest.approx(0.1)
        assert psi == pytest.approx(0.051083, abs=1e-6)

    def test_empty_sides(self):
        assert representativeness({}, {}) == (0.0, 0.0)
        tvd, psi = representativeness({}, {("a",): 1})
        assert tvd == pytest.approx(0.5)
        assert psi > 1

    def test_the_verdict_reads_the_usual_thresholds(self):
        assert verdict(0.02, 0.01) == "representative"
        assert verdict(0.15, 0.2) == "slightly skewed"
        assert verdict(0.5, 4.6) == "not representative"


class TestMarginals:
    counts = {("Pro", "EU"): 3, ("Pro", "US"): 2, ("Free", "EU"): 5}

    def test_it_sums_one_dimension_over_the_others(self):
        assert marginals(self.counts, 0) == {"Pro": 5, "Free": 5}
        assert marginals(self.counts, 1) == {"EU": 8, "US": 2}

    def test_a_dimension_that_does_not_exist_is_an_error(self):
        with pytest.raises(ValueError, match="no dimension number 2"):
            marginals(self.counts, 2)


def test_the_scores_do_not_depend_on_the_order_the_counts_were_built_in():
    rng = random.Random(3)
    sample = {(f"s{i}", f"r{j}"): rng.randrange(0, 9) for i in range(6) for j in range(4)}
    population = {key: rng.randrange(1, 900) for key in sample}
    backwards = (dict(reversed(sample.items())), dict(reversed(population.items())))
    assert representativeness(sample, population) == representativeness(*backwards)
    assert allocate(population, 37) == allocate(backwards[1], 37)
