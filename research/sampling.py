"""Representative, fatigue-aware sampling of research participants.

Pure Python with no Django import: the request page, the API and the demo all call :func:`draw`
with the eligible candidates (already filtered by ``research.fatigue``) and get the same,
reproducible sample for the same seed.

How a draw works:

1. Targets per stratum are proportional to the population (largest remainder, exact sum).
2. A stratum with too few candidates gives its shortfall to the closest strata (those sharing the
   most dimension values, e.g. Pro × EU -> Pro × US or Basic × EU before Basic × US), in
   proportion to their population; a warning names the stratum.
3. Within a stratum the least contacted come first, then those contacted longest ago (never
   contacted before anyone contacted); ties are broken by a shuffle seeded with ``seed`` over
   candidates ordered by id, so the input order does not matter.
4. A standby list of about ``n / response_rate - n`` more is drawn the same way, so that the
   selected plus standby stay proportional, and ranked so that every prefix of it is as
   proportional as possible: invite down the list as people decline.

Warnings (plain sentences for the page) name each stratum that cannot be filled and where its
places went, and say when there are fewer candidates than places or more strata than places.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import compress
from operator import attrgetter, itemgetter

# Shares of 0 are replaced by this before taking logarithms in the PSI.
PSI_EPSILON = 1e-4

_by_id = attrgetter("id")
_second = itemgetter(1)
_last = attrgetter("last_contacted_at")


@dataclass(frozen=True, slots=True)
class Candidate:
    id: int
    strata: tuple[str, ...]
    contact_count: int = 0
    last_contacted_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StratumReport:
    stratum: tuple[str, ...]
    population: int
    target: int  # the proportional share of n before any re-allocation
    selected: int
    shortfall: int  # target - selected when the stratum could not be filled, else 0


@dataclass(frozen=True, slots=True)
class Sample:
    selected: tuple[int, ...]
    standby: tuple[int, ...]
    strata: tuple[StratumReport, ...]
    tvd: float
    psi: float
    warnings: tuple[str, ...]
    seed: int


def stratum_label(stratum: tuple) -> str:
    return " × ".join(str(part) for part in stratum) if stratum else "(all)"


def allocate(population_counts: Mapping[tuple, int], n: int) -> dict[tuple, int]:
    """Proportional allocation of ``n`` places by largest remainder.

    Sums to ``n`` (or to the whole population when ``n`` is larger) and never gives a stratum
    more than its population. Ties in the remainders go to the larger stratum, then the first
    stratum in sorted order, so the result does not depend on the mapping's order.
    """
    _check_n(n)
    for key, count in population_counts.items():
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"Population of stratum {stratum_label(key)} must be 0 or more.")
    weights = {k: float(v) for k, v in population_counts.items()}
    return _apportion(weights, n, dict(population_counts))


def _check_n(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"The number of participants must be a whole number of 0 or more: {n!r}.")


def _order_key(key: tuple) -> tuple:
    return tuple(str(part) for part in key)


def _apportion(weights: Mapping[tuple, float], n: int, caps: Mapping[tuple, int]) -> dict:
    """Largest-remainder apportionment of ``n`` by ``weights``, never above ``caps``.

    Places a capped stratum cannot take are apportioned again among the others.
    """
    # Stratum order, not mapping order, so float sums and ties never depend on input order.
    result = {k: 0 for k in sorted(weights, key=_order_key)}
    remaining = min(n, sum(max(0, caps.get(k, 0)) for k in weights))
    while remaining > 0:
        open_keys = [k for k in result if caps.get(k, 0) - result[k] > 0]
        total = math.fsum(weights[k] for k in open_keys)
        if total <= 0:
            # Nothing left with weight: spread over the spare room instead.
            spare = {k: float(caps[k] - result[k]) for k in open_keys}
            weights, open_total = spare, sum(spare.values())
            if open_total <= 0:
                break
            continue
        quotas = {k: remaining * weights[k] / total for k in open_keys}
        given = 0
        for k in open_keys:
            take = min(int(quotas[k]), caps[k] - result[k])
            result[k] += take
            given += take
        left = remaining - given
        ranked = sorted(
            (k for k in open_keys if caps[k] - result[k] > 0),
            key=lambda k: (-(quotas[k] - int(quotas[k])), -weights[k], _order_key(k)),
        )
        for k in ranked[:left]:
            result[k] += 1
            given += 1
        remaining -= given
        if given == 0:
            break
    return result


def representativeness(
    sample_counts: Mapping[tuple, int], population_counts: Mapping[tuple, int]
) -> tuple[float, float]:
    """(total variation distance, population stability index) of a sample against a population.

    TVD = ½ Σ |p - q| over strata, from 0 (same make-up) to 1. PSI = Σ (p - q) ln(p / q), with
    shares of 0 replaced by :data:`PSI_EPSILON`; below 0.1 is usually read as no real shift,
    above 0.25 as a large one. An empty side counts as putting no share anywhere.
    """
    # Sorted keys and fsum: the same counts give the same scores to the last bit, whatever the
    # order the mappings were built in.
    keys = sorted(set(sample_counts) | set(population_counts), key=_order_key)
    s_total = sum(sample_counts.values())
    p_total = sum(population_counts.values())
    if not keys or (s_total == 0 and p_total == 0):
        return 0.0, 0.0
    gaps, terms = [], []
    for key in keys:
        p = sample_counts.get(key, 0) / s_total if s_total else 0.0
        q = population_counts.get(key, 0) / p_total if p_total else 0.0
        gaps.append(abs(p - q))
        ps, qs = max(p, PSI_EPSILON), max(q, PSI_EPSILON)
        terms.append((ps - qs) * math.log(ps / qs))
    tvd, psi = math.fsum(gaps), math.fsum(terms)
    return tvd / 2, psi


def verdict(tvd: float, psi: float) -> str:
    """A plain reading of the scores for the page, on the usual PSI thresholds."""
    if psi < 0.1 and tvd < 0.1:
        return "representative"
    if psi < 0.25:
        return "slightly skewed"
    return "not representative"


def marginals(counts: Mapping[tuple, int], dimension_index: int) -> dict[str, int]:
    """Counts per value of one dimension (e.g. per plan), for "sample beside population"."""
    result: dict[str, int] = {}
    for key, count in counts.items():
        if not 0 <= dimension_index < len(key):
            raise ValueError(
                f"Stratum {stratum_label(key)} has no dimension number {dimension_index}."
            )
        value = key[dimension_index]
        result[value] = result.get(value, 0) + count
    return result


def _similarity(a: tuple, b: tuple) -> int:
    return sum(1 for x, y in zip(a, b, strict=False) if x == y)


def _fill(
    targets: Mapping[tuple, int],
    capacity: Mapping[tuple, int],
    population: Mapping[tuple, int],
    what: str,
    available: str = "eligible",
) -> tuple[dict[tuple, int], list[str]]:
    """Counts per stratum meeting ``targets`` within ``capacity``, shortfalls moved closest."""
    counts = {k: min(targets.get(k, 0), capacity.get(k, 0)) for k in capacity}
    for k in targets:
        counts.setdefault(k, 0)
    warnings: list[str] = []
    short = sorted(
        (k for k in targets if targets[k] > capacity.get(k, 0)),
        key=lambda k: (-(targets[k] - capacity.get(k, 0)), _order_key(k)),
    )
    for key in short:
        deficit = targets[key] - capacity.get(key, 0)
        moved: dict[tuple, int] = {}
        while deficit > 0:
            spare = {k: capacity[k] - counts[k] for k in capacity if capacity[k] - counts[k] > 0}
            if not spare:
                break
            # Strata outside the population to match are the last resort.
            closeness = {k: (population.get(k, 0) > 0, _similarity(key, k)) for k in spare}
            closest = max(closeness.values())
            near = {k: v for k, v in spare.items() if closeness[k] == closest}
            weights = {k: float(population.get(k, 0)) for k in near}
            given = _apportion(weights, deficit, near)
            for k, g in given.items():
                if g:
                    counts[k] += g
                    moved[k] = moved.get(k, 0) + g
                    deficit -= g
        have = capacity.get(key, 0)
        text = (
            f"Stratum {stratum_label(key)} cannot be filled: {targets[key]} {what} wanted, "
            f"only {have} {available}"
        )
        if moved:
            parts = ", ".join(
                f"{g} to {stratum_label(k)}"
                for k, g in sorted(moved.items(), key=lambda kv: (-kv[1], _order_key(kv[0])))
            )
            text += f"; moved {parts}"
        if deficit:
            text += f"; {deficit} place{'' if deficit == 1 else 's'} left unfilled"
        warnings.append(text + ".")
    return counts, warnings


def _shuffled(ids: list[int], k: int, rng: random.Random) -> list[int]:
    """``k`` of equally preferred ids in seeded random order, whatever the input order."""
    ids = sorted(ids)
    if k >= len(ids):
        rng.shuffle(ids)
        return ids
    return rng.sample(ids, k)


def _best(tiers: Mapping[tuple[int, bool], list], k: int, rng: random.Random) -> list[int]:
    """Ids of the ``k`` most preferred candidates of a stratum, best first.

    ``tiers`` holds the stratum by (contact count, contacted before?): ids of the never
    contacted, [time, id, time, id, ...] of the others. Least contacted first; within a count,
    never contacted first, then longest ago; equals in seeded random order.
    """
    chosen: list[int] = []
    for (_count, contacted), members in sorted(tiers.items()):
        if k <= 0:
            break
        if not contacted:
            picked = _shuffled(members, k, rng)
            chosen.extend(picked)
            k -= len(picked)
            continue
        # Only C-level passes over a big tier (map, heapify, compress): find the k-th earliest
        # time, keep everyone contacted no later, and rank that handful in Python.
        lasts, ids = members[0::2], members[1::2]
        tied: list[int] = []
        if len(lasts) > k:
            heap = list(lasts)
            heapq.heapify(heap)
            for _ in range(k):
                edge = heapq.heappop(heap)
            sure = []
            for last, candidate_id in compress(
                zip(lasts, ids, strict=True), map(edge.__ge__, lasts)
            ):
                if last == edge:
                    tied.append(candidate_id)
                else:
                    sure.append((last, candidate_id))
        else:
            sure = list(zip(lasts, ids, strict=True))
        # Equal times keep a seeded random order too: (time, jitter) after sorting by id.
        jitter = {pair[1]: rng.random() for pair in sorted(sure, key=_second)}
        sure.sort(key=lambda pair: (pair[0], jitter[pair[1]]))
        chosen.extend(pair[1] for pair in sure)
        k -= len(sure)
        picked = _shuffled(tied, k, rng)
        chosen.extend(picked)
        k -= len(picked)
    return chosen


def _interleave(lists: Mapping[tuple, list[int]]) -> list[int]:
    """Merge ranked per-stratum lists so that every prefix is as proportional as possible."""
    ranked = []
    for key, members in lists.items():
        size = len(members)
        order = _order_key(key)
        for j, candidate_id in enumerate(members):
            # Webster (Sainte-Laguë) divisors: the j-th of a stratum of size m sits at (j+½)/m.
            ranked.append(((j + 0.5) / size, order, j, candidate_id))
    ranked.sort()
    return [entry[3] for entry in ranked]


def draw(
    *,
    candidates: Sequence[Candidate],
    n: int,
    seed: int,
    response_rate: float = 1.0,
    population_counts: Mapping[tuple, int] | None = None,
) -> Sample:
    """A stratified sample of ``n`` candidates plus a ranked standby list (see module docstring).

    ``population_counts`` is the make-up to match (per stratum); it defaults to the candidates'
    own. Pass the eligible population's when the candidates are a subset of it.
    """
    _check_n(n)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"The seed must be a whole number: {seed!r}.")
    if not (isinstance(response_rate, int | float) and 0 < response_rate <= 1):
        raise ValueError(
            f"The response rate must be above 0 and at most 1 (e.g. 0.4 for 40%): "
            f"{response_rate!r}."
        )

    # One sequential pass (memory order matters at 500,000 candidates): by stratum, then by
    # (contact count, contacted before?); of the never contacted only the id is needed.
    tiers: dict[tuple, list] = defaultdict(list)
    for candidate in candidates:
        last = candidate.last_contacted_at
        if last is None:
            tiers[candidate.strata, candidate.contact_count, False].append(candidate.id)
        else:
            # Times and ids side by side, so ranking a tier never goes back to the objects.
            pairs = tiers[candidate.strata, candidate.contact_count, True]
            pairs.append(last)
            pairs.append(candidate.id)
    groups: dict[tuple, dict[tuple[int, bool], list]] = {}
    for (stratum, count, contacted), members in tiers.items():
        groups.setdefault(stratum, {})[count, contacted] = members
    capacity_of = {
        stratum: sum(len(m) // 2 if contacted else len(m) for (_, contacted), m in t.items())
        for stratum, t in groups.items()
    }
    total_candidates = sum(capacity_of.values())
    if population_counts is None:
        population = dict(capacity_of)
    else:
        population = dict(population_counts)
        for k in groups:
            population.setdefault(k, 0)
    capacity = {k: capacity_of.get(k, 0) for k in population}

    warnings: list[str] = []
    if n > total_candidates:
        warnings.append(
            f"Only {total_candidates} eligible candidate{'' if total_candidates == 1 else 's'} "
            f"for {n} places."
        )

    strata_count = sum(1 for v in population.values() if v > 0)
    if 0 < n < strata_count:
        warnings.append(
            f"{strata_count} strata for {n} places: some strata get nobody, so the sample "
            f"cannot be representative; keep fewer dimensions or ask for more participants."
        )
    # Targets are the ideal shares; capacity applies afterwards so a shortfall shows.
    targets = _apportion({k: float(v) for k, v in population.items()}, n, population)
    selected_counts, fill_warnings = _fill(targets, capacity, population, "participants")
    warnings.extend(fill_warnings)

    wanted_total = math.ceil(n / response_rate - 1e-9) if n else 0
    standby_n = wanted_total - n
    spare = {k: capacity[k] - selected_counts.get(k, 0) for k in capacity}
    standby_counts: dict[tuple, int] = {k: 0 for k in capacity}
    if standby_n > 0:
        # Aim for selected + standby to be proportional together.
        pop_total = sum(population.values()) or 1
        need = {
            k: max(0.0, wanted_total * population[k] / pop_total - selected_counts.get(k, 0))
            for k in population
        }
        if sum(need.values()) <= 0:
            need = {k: float(v) for k, v in population.items()}
        standby_targets = _apportion(need, standby_n, population)
        standby_counts, standby_warnings = _fill(
            standby_targets, spare, population, "standby places", "left after the selection"
        )
        warnings.extend(standby_warnings)
        placed = sum(standby_counts.values())
        if placed < standby_n:
            warnings.append(
                f"Standby list has {placed} of the {standby_n} wanted for a "
                f"{response_rate:.0%} response rate."
            )

    rng = random.Random(seed)
    chosen: dict[tuple, list[int]] = {}
    standby: dict[tuple, list[int]] = {}
    for key in sorted(capacity, key=_order_key):
        take = selected_counts.get(key, 0)
        extra = standby_counts.get(key, 0)
        if not take + extra:
            continue
        ranked = _best(groups[key], take + extra, rng)
        if take:
            chosen[key] = ranked[:take]
        if extra:
            standby[key] = ranked[take:]
    picked = [i for ids in (*chosen.values(), *standby.values()) for i in ids]
    if len(set(picked)) != len(picked):
        twice = next(i for i in picked if picked.count(i) > 1)
        raise ValueError(f"Candidate id {twice} appears more than once; ids must be unique.")

    reports = []
    for key in sorted(population, key=lambda k: (-population[k], _order_key(k))):
        got = selected_counts.get(key, 0)
        target = targets.get(key, 0)
        if population[key] or got:
            reports.append(StratumReport(key, population[key], target, got, max(0, target - got)))
    tvd, psi = representativeness({k: v for k, v in selected_counts.items() if v}, population)
    return Sample(
        selected=tuple(_interleave(chosen)),
        standby=tuple(_interleave(standby)),
        strata=tuple(reports),
        tvd=tvd,
        psi=psi,
        warnings=tuple(warnings),
        seed=seed,
    )


def counts_of(candidates: Sequence[Candidate]) -> dict[tuple, int]:
    """Candidates per stratum, e.g. for the eligible population's make-up."""
    counts: dict[tuple, int] = {}
    for candidate in candidates:
        counts[candidate.strata] = counts.get(candidate.strata, 0) + 1
    return counts
