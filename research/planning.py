"""Honest planning numbers for a request: who can take part in a session of this length, how
many the account caps let one sample take, how long filling should take (or that it cannot be
filled), and how the eligible panel differs from the whole panel.

Everything here reads the denormalised eligibility columns and the quarter's ledger by account,
so a dry run over half a million people stays a handful of grouped queries.
"""

import math
from datetime import UTC, datetime, time, timedelta

from django.db.models import Count, Q, Sum

from research import eligibility, fatigue, sampling
from research.models import LedgerEntry

# Ends of the time-to-fill estimate: beyond a year it says "not within a year".
HORIZON = timedelta(days=365)


def account_usage(*, now, account_ids=None) -> dict[int, tuple[int, int]]:
    """Account id -> (sessions, participant-minutes) in the rolling quarter, planned ones included."""
    qs = LedgerEntry.objects.filter(
        eligibility.ACCOUNT_RULE_TOUCHES,
        account__isnull=False,
        at__gt=now - timedelta(days=fatigue.QUARTER_DAYS),
    )
    if account_ids is not None:
        qs = qs.filter(account_id__in=eligibility.ids_param(account_ids))
    return {
        aid: (sessions, minutes or 0)
        for aid, sessions, minutes in qs.values("account_id")
        .annotate(sessions=Count("id", filter=Q(kind="session")), minutes=Sum("minutes"))
        .values_list("account_id", "sessions", "minutes")
        .order_by()
    }


def room_of(usage: tuple[int, int], *, rules: fatigue.Rules, session_minutes: int):
    """(sessions one sample may still plan at an account, the cap that limits it)."""
    sessions, minutes = usage
    by_sessions = rules.account_max_sessions_per_quarter - sessions
    by_minutes = (
        (rules.account_max_minutes_per_quarter - minutes) // session_minutes
        if session_minutes
        else math.inf
    )
    if by_minutes < by_sessions:
        return max(0, int(by_minutes)), "account-minutes-cap"
    return max(0, by_sessions), "account-session-cap"


def capacity(*, eligible_qs, rules, session_minutes: int, now) -> dict:
    """How many of the eligible one sample could take under the account caps as a whole.

    {"people": the most one sample can hold, "too_long": eligible people whose account has not
    the minutes left for even one session of this length, "capped": people beyond their
    account's room}.
    """
    per_account = dict(
        eligible_qs.order_by()
        .values("account_id")
        .annotate(n=Count("id"))
        .values_list("account_id", "n")
    )
    loose = per_account.pop(None, 0)
    usage = account_usage(now=now, account_ids=list(per_account)) if per_account else {}
    people = loose
    too_long = capped = 0
    for aid, n in per_account.items():
        room, rule = room_of(usage.get(aid, (0, 0)), rules=rules, session_minutes=session_minutes)
        if room == 0 and rule == "account-minutes-cap":
            too_long += n
        else:
            capped += max(0, n - room)
        people += min(n, room)
    return {"people": people, "too_long": too_long, "capped": capped}


def _day_end(day) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)


def time_to_fill(
    *,
    matching_qs,
    available: int,
    needed: int,
    rate: float,
    fill_days: int,
    now,
    deadline=None,
) -> dict:
    """Days to fill from the response rate and when the rules let people back in.

    With enough people eligible now it is the panel's typical days to fill. Otherwise it is the
    day enough people's cooldowns have ended, plus that. When even everyone the rules will ever
    let back in is not enough (consent, opt-outs, do-not-contact and owner flags are for good),
    the request is impossible and says so.
    """
    invitations = math.ceil(needed / rate)
    if available >= invitations:
        return {"days": fill_days, "impossible": False, "note": ""}
    short = invitations - available
    later = matching_qs.filter(next_eligible_at__gt=now)
    back = (
        later.filter(next_eligible_at__lte=now + HORIZON)
        .order_by("next_eligible_at")
        .values_list("next_eligible_at", flat=True)[short - 1 : short]
    )
    back = list(back)
    if back:
        days = max(1, math.ceil((back[0] - now).total_seconds() / 86400)) + fill_days
        note = (
            f"About {invitations} invitations are needed at a {rate:.0%} response rate and "
            f"{available} people can be invited now; enough more are back from cooldowns in "
            f"{days - fill_days} days."
        )
        if deadline is not None and now + timedelta(days=days) > _day_end(deadline):
            note += f" That is after the deadline ({deadline.isoformat()})."
        return {"days": days, "impossible": False, "note": note}
    ever = available + later.filter(next_eligible_at__lte=now + HORIZON).count()
    expected = math.floor(ever * rate)
    return {
        "days": None,
        "impossible": True,
        "note": (
            f"Cannot be filled: at a {rate:.0%} response rate about {invitations} invitations are "
            f"needed, but only {ever} matching people can be invited within a year (the others "
            f"are blocked for good: consent, opt-out, do-not-contact or an account owner's flag), "
            f"which should give about {expected} participants. Widen the criteria or ask for fewer."
        ),
    }


def skew(*, matching_qs, eligible_q, dimensions, columns) -> dict | None:
    """The eligible panel against the whole panel, on these dimensions (TVD, PSI and rows).

    ``columns`` are the annotation expressions of the dimensions (targeting builds them).
    """
    if not dimensions:
        return None
    rows = (
        matching_qs.annotate(**columns)
        .order_by()
        .values(*columns)
        .annotate(n=Count("id"), eligible=Count("id", filter=eligible_q))
    )
    whole, eligible = {}, {}
    for row in rows:
        stratum = tuple(str(row[c]) if row[c] not in (None, "") else "(blank)" for c in columns)
        whole[stratum] = whole.get(stratum, 0) + row["n"]
        eligible[stratum] = eligible.get(stratum, 0) + row["eligible"]
    tvd, psi = sampling.representativeness(eligible, whole)
    per_dimension = []
    for i, name in enumerate(dimensions):
        pop = sampling.marginals(whole, i)
        got = sampling.marginals(eligible, i)
        pop_total, got_total = sum(pop.values()) or 1, sum(got.values()) or 1
        d_tvd, _ = sampling.representativeness(
            {(k,): v for k, v in got.items()}, {(k,): v for k, v in pop.items()}
        )
        per_dimension.append(
            {
                "name": name,
                "tvd": d_tvd,
                "rows": [
                    {
                        "value": value,
                        "panel": pop.get(value, 0),
                        "eligible": got.get(value, 0),
                        "panel_share": pop.get(value, 0) / pop_total,
                        "eligible_share": got.get(value, 0) / got_total,
                    }
                    for value in sorted(pop, key=lambda v: -pop[v])
                ],
            }
        )
    return {
        "tvd": tvd,
        "psi": psi,
        "verdict": sampling.verdict(tvd, psi),
        "dimensions": per_dimension,
    }
