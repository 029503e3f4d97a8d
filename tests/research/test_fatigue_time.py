"""Fatigue windows on instants: DST changes, and a cross-check against a plain re-statement."""

import functools
import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from research.fatigue import TOUCH_KINDS, ParticipantFacts, Rules, Touch, days_until, evaluate

BERLIN = ZoneInfo("Europe/Berlin")
TICK = timedelta(microseconds=1)
DAY = timedelta(days=1)
ONLY_INVITATION_COOLDOWN = Rules(
    max_invitations=100,
    invitation_cooldown_days=14,
    session_cooldown_days=0,
    no_show_exclusion_days=0,
    renewal_quiet_days=0,
)
FACTS = ParticipantFacts(consent=True, opted_out=False, do_not_contact=False)


def check(touches, now, rules, **options):
    return evaluate(
        facts=FACTS, touches=touches, account_touches=touches, rules=rules, now=now, **options
    )


def test_a_cooldown_across_the_spring_dst_change_ends_at_the_same_utc_instant():
    # 2026-03-20 10:00 in Berlin is CET (UTC+1); 2026-04-03 is CEST (UTC+2) after 2026-03-29.
    sent = datetime(2026, 3, 20, 10, 0, tzinfo=BERLIN)
    touches = [Touch("invitation", sent)]
    end_utc = datetime(2026, 4, 3, 9, 0, tzinfo=UTC)

    refused = check(touches, end_utc - TICK, ONLY_INVITATION_COOLDOWN, tz=BERLIN)
    refusal = refused.refusals[0]
    assert refusal.eligible_again == end_utc
    # The local clock shows 11:00, not 10:00: 14 days are 14 × 24 hours.
    assert refusal.eligible_again.astimezone(BERLIN) == datetime(2026, 4, 3, 11, 0, tzinfo=BERLIN)
    assert refusal.message == (
        "Invitation cooldown: last invitation 2026-03-20; eligible again 2026-04-03."
    )
    assert check(touches, end_utc, ONLY_INVITATION_COOLDOWN).eligible


def test_the_local_date_shown_can_differ_from_the_utc_date_near_midnight():
    # 23:30 in Berlin on 2026-03-20 is 22:30 UTC; 14 days later it is 00:30 CEST on 04-04.
    sent = datetime(2026, 3, 20, 23, 30, tzinfo=BERLIN)
    touches = [Touch("invitation", sent)]
    now = datetime(2026, 3, 25, tzinfo=UTC)
    in_berlin = check(touches, now, ONLY_INVITATION_COOLDOWN, tz=BERLIN).refusals[0]
    in_utc = check(touches, now, ONLY_INVITATION_COOLDOWN).refusals[0]
    assert (
        in_berlin.eligible_again
        == in_utc.eligible_again
        == datetime(2026, 4, 3, 22, 30, tzinfo=UTC)
    )
    assert in_berlin.message.endswith("last invitation 2026-03-20; eligible again 2026-04-04.")
    assert in_utc.message.endswith("last invitation 2026-03-20; eligible again 2026-04-03.")


def test_a_session_cooldown_across_the_autumn_dst_change():
    # 2026-10-25 Berlin falls back from CEST to CET; 60 days after 2026-09-01 10:00 CEST.
    held = datetime(2026, 9, 1, 10, 0, tzinfo=BERLIN)
    touches = [Touch("session", held, minutes=45)]
    rules = Rules(session_cooldown_days=60, renewal_quiet_days=0)
    end = datetime(2026, 10, 31, 8, 0, tzinfo=UTC)
    refusal = check(touches, end - TICK, rules, tz=BERLIN).refusals[0]
    assert refusal.rule == "session-cooldown"
    assert refusal.eligible_again == end
    assert refusal.eligible_again.astimezone(BERLIN).hour == 9
    assert refusal.message.endswith("eligible again 2026-10-31.")
    assert check(touches, end, rules).eligible


def test_touches_in_any_zone_are_compared_as_instants():
    in_berlin = [Touch("invitation", datetime(2026, 3, 20, 10, 0, tzinfo=BERLIN))]
    in_utc = [Touch("invitation", datetime(2026, 3, 20, 9, 0, tzinfo=UTC))]
    now = datetime(2026, 3, 25, tzinfo=UTC)
    assert check(in_berlin, now, ONLY_INVITATION_COOLDOWN) == check(
        in_utc, now, ONLY_INVITATION_COOLDOWN
    )


# --- A plain re-statement of the documented rules, to cross-check the indexed version ---------


def refused_rules(touches, account, rules, now, method, session_minutes, incentive_cents, renewal):
    def within(at, days):
        return at > now - timedelta(days=days)

    def of(kind, among):
        return [t for t in among if t.kind == kind]

    refused = set()
    if rules.invitation_window_days:
        recent = [
            t for t in of("invitation", touches) if within(t.at, rules.invitation_window_days)
        ]
        if len(recent) >= rules.max_invitations:
            refused.add("invitation-limit")
    for kind, days, rule in [
        ("invitation", rules.invitation_cooldown_days, "invitation-cooldown"),
        ("session", rules.session_cooldown_days, "session-cooldown"),
    ]:
        if days and any(now < t.at + timedelta(days=days) for t in of(kind, touches)):
            refused.add(rule)
    sessions = [t for t in of("session", touches) if within(t.at, 365)]
    if len(sessions) >= rules.max_sessions_per_year:
        refused.add("session-limit")
    limit = rules.max_sessions_per_year_by_method.get(method) if method else None
    if limit is not None and len([t for t in sessions if t.method == method]) >= limit:
        refused.add("method-session-limit")
    quarter = [t for t in account if within(t.at, 91)]
    if len(of("session", quarter)) >= rules.account_max_sessions_per_quarter:
        refused.add("account-session-cap")
    if sum(t.minutes for t in quarter) + max(session_minutes, 1) > (
        rules.account_max_minutes_per_quarter
    ):
        refused.add("account-minutes-cap")
    paid = sum(t.incentive_cents for t in touches if within(t.at, 365))
    if paid + max(incentive_cents, 1) > rules.incentive_cap_cents_per_year:
        refused.add("incentive-cap")
    span = timedelta(days=rules.no_show_exclusion_days)
    no_shows = [t.at for t in of("no_show", touches)]
    for at in no_shows:
        strikes = [x for x in no_shows if at - span < x <= at]
        if span and len(strikes) >= rules.no_show_limit and now < at + span:
            refused.add("no-show-exclusion")
    if renewal and rules.renewal_quiet_days:
        start = datetime(renewal.year, renewal.month, renewal.day, tzinfo=UTC)
        if start - timedelta(days=rules.renewal_quiet_days) <= now < start + DAY:
            refused.add("renewal-quiet-period")
    return refused


def random_case(rng):
    base = datetime(2026, 1, 1, tzinfo=UTC)
    now = base + timedelta(seconds=rng.randrange(0, 400 * 86400))

    def touch():
        kind = rng.choice(TOUCH_KINDS)
        # Whole hours and a few exact collisions make boundary instants likely.
        at = base + timedelta(hours=rng.randrange(-300 * 24, 400 * 24))
        if kind == "no_show" and at > now:
            at = now - timedelta(hours=rng.randrange(1, 200 * 24))
        return Touch(
            kind,
            at,
            minutes=rng.choice([0, 30, 60, 90]),
            method=rng.choice([None, "interview", "survey"]),
            incentive_cents=rng.choice([0, 0, 5000, 20000]) if kind == "incentive" else 0,
        )

    own = [touch() for _ in range(rng.randrange(0, 9))]
    account = own + [touch() for _ in range(rng.randrange(0, 25))]
    rules = Rules(
        max_invitations=rng.randrange(1, 4),
        invitation_window_days=rng.choice([0, 30, 90]),
        invitation_cooldown_days=rng.choice([0, 14]),
        session_cooldown_days=rng.choice([0, 60]),
        max_sessions_per_year=rng.randrange(1, 5),
        max_sessions_per_year_by_method={"interview": rng.randrange(0, 3)},
        account_max_sessions_per_quarter=rng.randrange(1, 8),
        account_max_minutes_per_quarter=rng.choice([120, 300, 600]),
        incentive_cap_cents_per_year=rng.choice([20000, 60000]),
        no_show_limit=rng.randrange(1, 4),
        no_show_exclusion_days=rng.choice([0, 60, 180]),
        renewal_quiet_days=rng.choice([0, 60]),
        respect_owner_flag=False,
    )
    renewal = rng.choice([None, (now + timedelta(days=rng.randrange(-30, 120))).date()])
    options = {
        "method": rng.choice([None, "interview", "survey"]),
        "session_minutes": rng.choice([0, 45, 90]),
        "incentive_cents": rng.choice([0, 10000]),
    }
    return own, account, rules, now, renewal, options


def test_the_indexed_rules_agree_with_a_plain_restatement_and_their_own_next_date():
    rng = random.Random(20261127)
    refused_somewhere = set()
    for _ in range(1500):
        own, account, rules, now, renewal, options = random_case(rng)
        facts = ParticipantFacts(
            consent=True,
            opted_out=False,
            do_not_contact=False,
            account_attributes={"renewal_date": renewal} if renewal else {},
        )

        at = functools.partial(
            lambda instant, **fixed: evaluate(now=instant, **fixed),
            facts=facts,
            touches=own,
            account_touches=account,
            rules=rules,
            **options,
        )
        result = at(now)
        expected = refused_rules(own, account, rules, now, renewal=renewal, **options)
        assert set(result.rules) == expected, (own, account, rules, now, renewal, options)
        refused_somewhere |= expected
        for refusal in result.refusals:
            if refusal.eligible_again is not None:
                # Refused until the instant it names, and that rule lapses at that instant.
                assert refusal.eligible_again > now
                later = at(refusal.eligible_again)
                assert refusal.rule not in later.rules
                before = at(refusal.eligible_again - TICK)
                assert refusal.rule in before.rules
        if result.next_eligible_at is not None:
            assert at(result.next_eligible_at).eligible
            assert not at(result.next_eligible_at - TICK).eligible
    # The random cases did exercise every time-based rule.
    assert refused_somewhere >= {
        "invitation-limit",
        "invitation-cooldown",
        "session-cooldown",
        "session-limit",
        "method-session-limit",
        "account-session-cap",
        "account-minutes-cap",
        "incentive-cap",
        "no-show-exclusion",
        "renewal-quiet-period",
    }


def test_a_renewal_date_given_as_a_datetime_uses_its_utc_day():
    facts = ParticipantFacts(
        consent=True,
        opted_out=False,
        do_not_contact=False,
        account_attributes={"renewal_date": datetime(2027, 1, 10, 23, 30, tzinfo=BERLIN)},
    )
    result = evaluate(
        facts=facts,
        touches=[],
        account_touches=[],
        rules=Rules(),
        now=datetime(2026, 12, 1, tzinfo=UTC),
    )
    assert result.refusals[0].eligible_again == datetime(2027, 1, 11, tzinfo=UTC)
    assert date(2027, 1, 10).isoformat() in result.refusals[0].message


def test_days_until_rounds_up_to_whole_days():
    now = datetime(2026, 11, 27, 12, tzinfo=UTC)
    assert days_until(now + timedelta(days=2, hours=1), now) == 3
    assert days_until(now + timedelta(days=2), now) == 2
    assert days_until(now - DAY, now) == 0
