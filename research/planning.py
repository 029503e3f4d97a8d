"""Honest planning numbers for a request: who can take part in a session of this length, how
many the account caps let one sample take, how long filling should take (or that it cannot be
filled), and how the eligible panel differs from the whole panel.

Everything here reads the denormalised eligibility columns and the quarter's ledger by account,
so a dry run over half a million people stays a handful of grouped queries.
"""

import math
from datetime import UTC, datetime, time, timedelta

from django.db import connection
from django.db.models import Count, Q, Sum

from research import eligibility, fatigue, sampling
from research.models import Account, LedgerEntry

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

    Reads each account's stored quarter (kept by every refresh; the draw itself counts the
    ledger exactly).

    {"people": the most one sample can hold, "too_long": eligible people whose account has not
    the minutes left for even one session of this length, "capped": people beyond their
    account's room}.
    """
    per_account_qs = eligible_qs.order_by().values("account_id").annotate(n=Count("id"))
    if connection.vendor == "postgresql":
        return _capacity_sql(per_account_qs, rules=rules, session_minutes=session_minutes)
    per_account = dict(per_account_qs.values_list("account_id", "n"))
    loose = per_account.pop(None, 0)
    usage = dict(
        (aid, (s, m))
        for aid, s, m in Account.objects.filter(pk__in=list(per_account)).values_list(
            "pk", "quarter_sessions", "quarter_minutes"
        )
    )
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


# Each account's room under the caps for the requested session length (r), and whether the
# minutes cap alone leaves no session at all (k): shared by the dry run's one scan and capacity().
_ROOM_CTES = """r AS (
    SELECT e.account_id, e.n,
           %s - coalesce(a.quarter_sessions, 0) AS by_s,
           CASE WHEN %s > 0 THEN floor((%s - coalesce(a.quarter_minutes, 0))::numeric / %s) END AS by_m
      FROM e LEFT JOIN research_account a ON a.id = e.account_id
),
k AS (
    SELECT account_id, n, (by_m IS NOT NULL AND by_m < by_s AND by_m <= 0) AS too_long,
           greatest(0, CASE WHEN by_m IS NOT NULL AND by_m < by_s THEN by_m ELSE by_s END) AS room
      FROM r
)"""

_ROOM_TOTALS = """SELECT coalesce(sum(n) FILTER (WHERE account_id IS NULL), 0)
         + coalesce(sum(least(n, room)) FILTER (WHERE account_id IS NOT NULL), 0) AS people,
           coalesce(sum(n) FILTER (WHERE account_id IS NOT NULL AND too_long), 0) AS too_long,
           coalesce(sum(greatest(0, n - room)) FILTER (WHERE account_id IS NOT NULL AND NOT too_long), 0) AS capped
      FROM k"""

_CAPACITY_SQL = "WITH e AS ({eligible}),\n" + _ROOM_CTES + "\n" + _ROOM_TOTALS

_COUNTS_SQL = (
    """
WITH m AS MATERIALIZED ({rows}),
c AS (
    SELECT blocked_mask{dims}, count(*) AS n, count(*) FILTER (WHERE next_eligible_at <= %s) AS e
      FROM m GROUP BY blocked_mask{dims}
),
e AS (SELECT account_id, count(*) AS n FROM m WHERE _free GROUP BY account_id),
"""
    + _ROOM_CTES
    + """,
cap AS (
    """
    + _ROOM_TOTALS
    + """
)
SELECT c.blocked_mask, c.n, c.e, cap.people, cap.too_long, cap.capped{c_dims} FROM c CROSS JOIN cap
"""
)


def counts_with_capacity(*, rows_qs, now, dims, rules, session_minutes) -> list[tuple]:
    """The dry run's one scan (PostgreSQL): (blocked_mask, matching, eligible, capacity people,
    too long, capped, *dimension values) per group.

    ``rows_qs`` is a values() queryset over the matching people giving account_id,
    blocked_mask, next_eligible_at, a boolean "_free" (eligible and held by no other request)
    and the dimension columns ``dims``. Materialised once, it feeds both the per-rule counts and
    each account's room under the caps, so half a million rows are read once, not twice.
    """
    sql, params = rows_qs.query.sql_with_params()
    query = _COUNTS_SQL.format(
        rows=sql,
        dims="".join(f', "{d}"' for d in dims),
        c_dims="".join(f', c."{d}"' for d in dims),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            query,
            [
                *params,
                now,
                rules.account_max_sessions_per_quarter,
                session_minutes,
                rules.account_max_minutes_per_quarter,
                max(1, session_minutes),
            ],
        )
        return cursor.fetchall()


def _capacity_sql(per_account_qs, *, rules, session_minutes) -> dict:
    """capacity() in one statement over the accounts' stored quarter (Account.quarter_*)."""
    sql, params = per_account_qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            _CAPACITY_SQL.format(eligible=sql),
            [
                *params,
                rules.account_max_sessions_per_quarter,
                session_minutes,
                rules.account_max_minutes_per_quarter,
                max(1, session_minutes),
            ],
        )
        people, too_long, capped = cursor.fetchone()
    return {"people": int(people), "too_long": int(too_long), "capped": int(capped)}


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
    return skew_of(whole=whole, eligible=eligible, dimensions=dimensions)


def skew_of(*, whole: dict, eligible: dict, dimensions) -> dict | None:
    """skew() from counts per stratum already at hand (the dry run counts them in its one scan)."""
    if not dimensions:
        return None
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
