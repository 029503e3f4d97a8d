"""Drawing and storing a sample that obeys every fatigue rule as a whole.

The representative draw (research/sampling.py over research/targeting.py's candidates) sees
each person alone. Here the drawn people are checked in full for this request's method,
session length and incentive, and together: the sample's own planned sessions count against
each account's session and minutes caps. Anyone refused is left out and the draw repeated
without them; nobody refused is ever stored, and a shortfall names the rule that caused it.
The people kept are held for the request (research/holds.py).
"""

import random
from collections import Counter

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from productops.accounts.services import audit_record
from research import eligibility, fatigue, holds, planning, sampling, services, targeting
from research.models import Participant, ResearchRequest, Sample, SampleMember

# Each round leaves out everyone refused in the one before; a few rounds settle any panel.
MAX_ROUNDS = 8


def account_room(*, account_ids, rules, session_minutes: int, now) -> dict[int, tuple[int, str]]:
    """Account id -> (sessions a sample may still plan there this quarter, the cap that limits it)."""
    account_ids = [a for a in set(account_ids) if a is not None]
    if not account_ids:
        return {}
    usage = planning.account_usage(now=now, account_ids=account_ids)
    return {
        aid: planning.room_of(usage.get(aid, (0, 0)), rules=rules, session_minutes=session_minutes)
        for aid in account_ids
    }


def _sample_refusals(selected, standby, *, account_of, room) -> tuple[dict[int, str], set[int]]:
    """Who the sample as a whole cannot take: ({participant: rule}, accounts now full).

    The selected are taken in rank order while their account has room. A standby person would
    only be invited in place of someone who declined, so each must fit beside all the selected.
    """
    taken: Counter = Counter()
    over = {}
    for pid in selected:
        aid = account_of.get(pid)
        if aid is None:
            continue
        if taken[aid] < room[aid][0]:
            taken[aid] += 1
        else:
            over[pid] = room[aid][1]
    for pid in standby:
        aid = account_of.get(pid)
        if aid is not None and taken[aid] >= room[aid][0]:
            over[pid] = room[aid][1]
    full = {aid for aid in room if taken[aid] >= room[aid][0]}
    return over, full


def _limits_text(limited: Counter, rules: fatigue.Rules, session_minutes: int) -> str:
    parts = []
    for rule, count in limited.most_common():
        name = fatigue.RULE_NAMES.get(rule, rule)
        if rule == "account-session-cap":
            detail = f"at most {rules.account_max_sessions_per_quarter} sessions per account a quarter, this sample's own included"
        elif rule == "account-minutes-cap":
            detail = (
                f"at most {rules.account_max_minutes_per_quarter} participant-minutes per account "
                f"a quarter; each session here is {session_minutes}"
            )
        else:
            detail = "checked for this request's method, length and incentive"
        parts.append(f"{name} ({detail}) left out {count}")
    return "; ".join(parts)


def sample_draw(*, request: ResearchRequest, by, seed: int | None = None, now=None) -> Sample:
    """Draw, check as a whole, store and hold a representative sample for an open request."""
    if not (by.is_researcher or by.is_productops_admin):
        raise ValidationError({"request": "Only researchers and ProductOps admins draw samples."})
    if request.status != ResearchRequest.Status.OPEN:
        raise ValidationError(
            {"request": "This request is closed; reopen it or file a new one to sample."}
        )
    now = now or timezone.now()
    seed = seed if seed is not None else random.SystemRandom().randrange(1, 2**31)
    catalogue = targeting.attribute_catalogue()
    rules = services.rules_current()
    with transaction.atomic():
        # Holds are read, drawn against and written under one lock: two requests drawing at
        # once see each other's holds and never keep the same person.
        holds.draw_lock()
        holds.holds_expire(now=now)
        excluded: set[int] = set()
        accepted_at_full: set[int] = set()
        full_accounts: set[int] = set()
        limited: Counter = Counter()
        for _round in range(MAX_ROUNDS):
            exclude_q = None
            if full_accounts:
                exclude_q = Q(account_id__in=sorted(full_accounts)) & ~Q(
                    pk__in=sorted(accepted_at_full)
                )
            result, population, by_id, rate = targeting.sample_preview(
                request=request,
                seed=seed,
                now=now,
                exclude=excluded,
                exclude_q=exclude_q,
                catalogue=catalogue,
            )
            selected, standby = list(result.selected), list(result.standby)
            drawn = selected + standby
            checks = eligibility.eligibility_for_many(
                participant_ids=drawn,
                method=request.method,
                session_minutes=request.session_minutes,
                incentive_cents=request.incentive_cents,
                now=now,
                rules=rules,
                request_id=request.pk,
            )
            refused = {
                pid: e.refusals[0].rule if e.refusals else "consent"
                for pid, e in checks.items()
                if not e.eligible
            }
            refused.update({pid: "consent" for pid in drawn if pid not in checks})
            account_of = dict(
                Participant.objects.filter(pk__in=eligibility.ids_param(drawn)).values_list(
                    "pk", "account_id"
                )
            )
            room = account_room(
                account_ids=account_of.values(),
                rules=rules,
                session_minutes=request.session_minutes,
                now=now,
            )
            over, full = _sample_refusals(
                [p for p in selected if p not in refused],
                [p for p in standby if p not in refused],
                account_of=account_of,
                room=room,
            )
            limited.update(refused.values())
            limited.update(over.values())
            if not refused and not over:
                break
            excluded |= set(refused) | set(over)
            full_accounts |= full
            accepted_at_full |= {
                p
                for p in selected
                if account_of.get(p) in full and p not in refused and p not in over
            }
        # Whatever the rounds left, nobody refused is ever kept.
        dropped = set(refused) | set(over)
        selected = [p for p in selected if p not in dropped]
        standby = [p for p in standby if p not in dropped]
        if not selected:
            raise ValidationError(
                {"participants_needed": _nobody_text(population, limited, rules, request)}
            )
        selected_counts = Counter(by_id[p].strata for p in selected)
        tvd, psi = sampling.representativeness(selected_counts, population)
        warnings = [w for w in result.warnings if not w.startswith("Only ")]
        if len(selected) < request.participants_needed:
            warnings.insert(0, _shortfall_text(len(selected), population, limited, rules, request))
        sample = Sample.objects.create(
            request=request,
            seed=seed,
            size=len(selected),
            response_rate=rate,
            tvd=tvd,
            psi=psi,
            makeup=_makeup(request, result, population, selected_counts, tvd, psi, limited),
            warnings=warnings,
            created_by=by,
            created_at=now,
        )
        SampleMember.objects.bulk_create(
            [
                SampleMember(
                    sample=sample,
                    participant_id=p,
                    rank=rank,
                    standby=standby_flag,
                    stratum=sampling.stratum_label(by_id[p].strata),
                )
                for standby_flag, people in ((False, selected), (True, standby))
                for rank, p in enumerate(people, start=1)
            ]
        )
        holds.holds_place(
            request=request, sample=sample, participant_ids=selected + standby, now=now
        )
        audit_record(
            actor=by,
            action="research.sample.drawn",
            target=request,
            data={"sample": sample.pk, "seed": seed, "size": sample.size},
        )
    return sample


def _nobody_text(population, limited, rules, request) -> str:
    if limited:
        return (
            "Nobody eligible can be drawn: "
            + _limits_text(limited, rules, request.session_minutes)
            + "."
        )
    return "Nobody eligible matches this request; widen the criteria or wait for cooldowns."


def _shortfall_text(got, population, limited, rules, request) -> str:
    needed = request.participants_needed
    eligible = sum(population.values())
    text = f"Only {got} of {needed} participants could be drawn: "
    if limited:
        return text + _limits_text(limited, rules, request.session_minutes) + "."
    return text + f"only {eligible} eligible people match."


def _makeup(request, result, population, selected_counts, tvd, psi, limited) -> dict:
    return {
        "dimensions": [
            _dimension_rows(name, i, population, selected_counts)
            for i, name in enumerate(request.dimensions)
        ],
        "strata": [
            {
                "stratum": list(r.stratum),
                "population": r.population,
                "target": r.target,
                "selected": selected_counts.get(r.stratum, 0),
                "shortfall": max(0, r.target - selected_counts.get(r.stratum, 0)),
            }
            for r in result.strata
        ],
        "eligible": sum(population.values()),
        "verdict": sampling.verdict(tvd, psi),
        "excluded_after_check": sum(limited.values()),
        "limited_by": dict(limited),
    }


def _dimension_rows(name, index, population, selected_counts) -> dict:
    pop = sampling.marginals(population, index)
    got = sampling.marginals(dict(selected_counts), index)
    pop_total = sum(pop.values()) or 1
    got_total = sum(got.values()) or 1
    rows = [
        {
            "value": value,
            "population": pop.get(value, 0),
            "sample": got.get(value, 0),
            "population_share": pop.get(value, 0) / pop_total,
            "sample_share": got.get(value, 0) / got_total,
        }
        for value in sorted(set(pop) | set(got), key=lambda v: -pop.get(v, 0))
    ]
    return {"name": name, "rows": rows}
