"""Each fatigue rule at its boundaries: the instant before and the instant a window ends."""

from datetime import UTC, date, datetime, timedelta

import pytest

from research.fatigue import (
    ACCOUNT_LOOKBACK,
    OVERRIDABLE,
    RULE_NAMES,
    Ledger,
    ParticipantFacts,
    Rules,
    Touch,
    evaluate,
    participant_lookback,
)

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
TICK = timedelta(microseconds=1)
DAY = timedelta(days=1)
# Everything off but the rule under test, so each test sees one rule only.
QUIET = Rules(
    max_invitations=1000,
    invitation_cooldown_days=0,
    session_cooldown_days=0,
    max_sessions_per_year=1000,
    account_max_sessions_per_quarter=1000,
    account_max_minutes_per_quarter=10**9,
    incentive_cap_cents_per_year=10**9,
    no_show_exclusion_days=0,
    renewal_quiet_days=0,
    respect_owner_flag=False,
)


def consenting(**account_attributes):
    return ParticipantFacts(
        consent=True,
        opted_out=False,
        do_not_contact=False,
        account_attributes=account_attributes,
    )


def check(touches=(), *, now, rules=QUIET, account=None, facts=None, **options):
    return evaluate(
        facts=facts or consenting(),
        touches=list(touches),
        account_touches=list(touches if account is None else account),
        rules=rules,
        now=now,
        **options,
    )


def rule_of(result):
    assert len(result.refusals) == 1, result.refusals
    return result.refusals[0]


def invitation(at):
    return Touch("invitation", at)


def session(at, minutes=60, method=None):
    return Touch("session", at, minutes=minutes, method=method)


def with_rules(**settings):
    return Rules(**{**QUIET.to_dict(), **settings})


class TestInvitationLimit:
    rules = with_rules(max_invitations=3, invitation_window_days=90)
    ledger = [invitation(T0), invitation(T0 + 10 * DAY), invitation(T0 + 20 * DAY)]

    def test_it_refuses_a_fourth_invitation_in_the_window_until_the_first_leaves_it(self):
        end = T0 + 90 * DAY
        refused = check(self.ledger, now=end - TICK, rules=self.rules)
        refusal = rule_of(refused)
        assert refusal.rule == "invitation-limit"
        assert refusal.eligible_again == end
        assert refused.next_eligible_at == end
        assert refusal.message == (
            "Invitation limit: 3 invitations in the last 90 days (at most 3); "
            "eligible again 2026-08-30."
        )
        assert check(self.ledger, now=end, rules=self.rules).eligible

    def test_it_allows_invitations_under_the_limit(self):
        assert check(self.ledger[:2], now=T0 + 21 * DAY, rules=self.rules).eligible

    def test_with_more_than_the_limit_it_waits_until_enough_have_left(self):
        ledger = [*self.ledger, invitation(T0 + 30 * DAY)]
        # Four in the window: two must leave, the second at T0 + 10 + 90 days.
        refusal = rule_of(check(ledger, now=T0 + 31 * DAY, rules=self.rules))
        assert refusal.eligible_again == T0 + 100 * DAY
        assert not check(ledger, now=T0 + 100 * DAY - TICK, rules=self.rules).eligible
        assert check(ledger, now=T0 + 100 * DAY, rules=self.rules).eligible

    def test_a_limit_of_zero_refuses_for_good(self):
        refusal = rule_of(check([], now=T0, rules=with_rules(max_invitations=0)))
        assert refusal.rule == "invitation-limit"
        assert refusal.eligible_again is None


class TestCooldowns:
    def test_the_invitation_cooldown_ends_exactly_fourteen_days_after_the_invitation(self):
        rules = with_rules(invitation_cooldown_days=14)
        end = T0 + 14 * DAY
        refusal = rule_of(check([invitation(T0)], now=end - TICK, rules=rules))
        assert refusal.rule == "invitation-cooldown"
        assert refusal.eligible_again == end
        assert refusal.message == (
            "Invitation cooldown: last invitation 2026-06-01; eligible again 2026-06-15."
        )
        assert check([invitation(T0)], now=end, rules=rules).eligible

    def test_the_session_cooldown_names_the_last_session_and_the_day_it_ends(self):
        rules = with_rules(session_cooldown_days=60)
        last = datetime(2026, 10, 1, 14, 0, tzinfo=UTC)
        ledger = [session(last - 90 * DAY), session(last)]
        refusal = rule_of(check(ledger, now=last + 59 * DAY, rules=rules))
        assert refusal.rule == "session-cooldown"
        assert refusal.message == (
            "Session cooldown: last session 2026-10-01; eligible again 2026-11-30."
        )
        assert refusal.eligible_again == datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
        assert not check(ledger, now=refusal.eligible_again - TICK, rules=rules).eligible
        assert check(ledger, now=refusal.eligible_again, rules=rules).eligible

    def test_a_scheduled_session_blocks_like_a_held_one(self):
        rules = with_rules(session_cooldown_days=60)
        planned = T0 + 5 * DAY
        refusal = rule_of(check([session(planned)], now=T0, rules=rules))
        assert refusal.eligible_again == planned + 60 * DAY

    def test_an_invitation_does_not_start_the_session_cooldown(self):
        rules = with_rules(session_cooldown_days=60)
        assert check([invitation(T0)], now=T0 + DAY, rules=rules).eligible


class TestSessionLimits:
    def test_at_most_n_sessions_in_a_rolling_year(self):
        rules = with_rules(max_sessions_per_year=4)
        ledger = [session(T0 + i * 30 * DAY) for i in range(4)]
        now = T0 + 100 * DAY
        refusal = rule_of(check(ledger, now=now, rules=rules))
        assert refusal.rule == "session-limit"
        assert refusal.eligible_again == T0 + 365 * DAY
        assert "4 sessions in the last 365 days (at most 4)" in refusal.message
        assert not check(ledger, now=T0 + 365 * DAY - TICK, rules=rules).eligible
        assert check(ledger, now=T0 + 365 * DAY, rules=rules).eligible
        assert check(ledger[:3], now=now, rules=rules).eligible

    def test_the_per_method_limit_applies_only_to_that_method(self):
        rules = with_rules(max_sessions_per_year_by_method={"interview": 1})
        ledger = [session(T0, method="interview"), session(T0 + DAY, method="survey")]
        now = T0 + 10 * DAY
        refusal = rule_of(check(ledger, now=now, rules=rules, method="interview"))
        assert refusal.rule == "method-session-limit"
        assert refusal.eligible_again == T0 + 365 * DAY
        assert "1 interview session in the last 365 days (at most 1)" in refusal.message
        assert check(ledger, now=now, rules=rules, method="survey").eligible
        assert check(ledger, now=now, rules=rules, method="usability test").eligible
        assert check(ledger, now=now, rules=rules).eligible


class TestAccountCaps:
    def test_the_account_session_cap_counts_sessions_of_everyone_at_the_account(self):
        rules = with_rules(account_max_sessions_per_quarter=10)
        colleagues = [session(T0 + i * DAY) for i in range(10)]
        now = T0 + 30 * DAY
        refusal = rule_of(check([], account=colleagues, now=now, rules=rules))
        assert refusal.rule == "account-session-cap"
        # The quarter is a rolling 91 days: the oldest session leaves it at T0 + 91 days.
        assert refusal.eligible_again == T0 + 91 * DAY
        assert "the account had 10 sessions in the last 91 days (at most 10)" in refusal.message
        assert not check([], account=colleagues, now=T0 + 91 * DAY - TICK, rules=rules).eligible
        assert check([], account=colleagues, now=T0 + 91 * DAY, rules=rules).eligible
        assert check([], account=colleagues[:9], now=now, rules=rules).eligible

    def test_the_minutes_cap_refuses_once_reached(self):
        rules = with_rules(account_max_minutes_per_quarter=600)
        colleagues = [session(T0 + i * DAY, minutes=120) for i in range(5)]
        refusal = rule_of(check([], account=colleagues, now=T0 + 10 * DAY, rules=rules))
        assert refusal.rule == "account-minutes-cap"
        assert refusal.eligible_again == T0 + 91 * DAY
        assert "gave 600 participant-minutes" in refusal.message
        assert check([], account=colleagues[:4], now=T0 + 10 * DAY, rules=rules).eligible

    def test_the_minutes_cap_checks_that_the_planned_session_fits(self):
        rules = with_rules(account_max_minutes_per_quarter=600)
        colleagues = [session(T0 + i * DAY, minutes=m) for i, m in enumerate([200, 100, 250])]
        now = T0 + 10 * DAY
        assert check([], account=colleagues, now=now, rules=rules, session_minutes=50).eligible
        refusal = rule_of(check([], account=colleagues, now=now, rules=rules, session_minutes=90))
        # 550 + 90 > 600; once the 200-minute session leaves the quarter, 350 + 90 fits.
        assert refusal.eligible_again == T0 + 91 * DAY
        assert "550 participant-minutes + 90 planned" in refusal.message
        longer = check([], account=colleagues, now=now, rules=rules, session_minutes=300)
        # 550 + 300: the 200 and the 100 must both leave (250 + 300 <= 600).
        assert rule_of(longer).eligible_again == T0 + DAY + 91 * DAY

    def test_a_session_longer_than_the_cap_never_fits(self):
        rules = with_rules(account_max_minutes_per_quarter=600)
        refusal = rule_of(check([], now=T0, rules=rules, session_minutes=601))
        assert refusal.eligible_again is None

    def test_minutes_of_non_research_touches_count_too(self):
        rules = with_rules(account_max_minutes_per_quarter=600)
        call = Touch("other", T0, minutes=600, method="customer-success call")
        assert rule_of(check([], account=[call], now=T0 + DAY, rules=rules)).rule == (
            "account-minutes-cap"
        )


class TestIncentiveCap:
    rules = with_rules(incentive_cap_cents_per_year=60000)

    def test_it_refuses_once_the_yearly_cap_is_reached_until_the_first_incentive_leaves(self):
        paid = [Touch("incentive", T0, incentive_cents=30000)] + [
            Touch("incentive", T0 + 100 * DAY, incentive_cents=30000)
        ]
        refusal = rule_of(check(paid, now=T0 + 200 * DAY, rules=self.rules))
        assert refusal.rule == "incentive-cap"
        assert refusal.eligible_again == T0 + 365 * DAY
        assert "600.00 in incentives in the last 365 days (at most 600.00)" in refusal.message
        assert check(paid, now=T0 + 365 * DAY, rules=self.rules).eligible

    def test_it_checks_that_the_planned_incentive_fits(self):
        paid = [Touch("incentive", T0, incentive_cents=50000)]
        now = T0 + DAY
        assert check(paid, now=now, rules=self.rules, incentive_cents=10000).eligible
        refusal = rule_of(check(paid, now=now, rules=self.rules, incentive_cents=15000))
        assert refusal.eligible_again == T0 + 365 * DAY
        assert "500.00 + 150.00 planned" in refusal.message
        never = rule_of(check([], now=now, rules=self.rules, incentive_cents=60001))
        assert never.eligible_again is None


class TestNoShows:
    rules = with_rules(no_show_limit=2, no_show_exclusion_days=180)

    def test_the_second_no_show_within_the_period_excludes_for_the_period(self):
        second = T0 + 40 * DAY
        ledger = [Touch("no_show", T0), Touch("no_show", second)]
        refusal = rule_of(check(ledger, now=second + DAY, rules=self.rules))
        assert refusal.rule == "no-show-exclusion"
        assert refusal.eligible_again == second + 180 * DAY
        assert "the last on 2026-07-11" in refusal.message
        assert not check(ledger, now=second + 180 * DAY - TICK, rules=self.rules).eligible
        assert check(ledger, now=second + 180 * DAY, rules=self.rules).eligible

    def test_one_no_show_is_forgiven(self):
        assert check([Touch("no_show", T0)], now=T0 + DAY, rules=self.rules).eligible

    def test_no_shows_far_apart_are_forgiven(self):
        ledger = [Touch("no_show", T0), Touch("no_show", T0 + 200 * DAY)]
        assert check(ledger, now=T0 + 201 * DAY, rules=self.rules).eligible


class TestAccountAttributes:
    rules = with_rules(renewal_quiet_days=60)

    @pytest.mark.parametrize("renewal", [date(2027, 1, 10), "2027-01-10"])
    def test_the_renewal_quiet_period_covers_the_sixty_days_up_to_the_renewal(self, renewal):
        facts = consenting(renewal_date=renewal)
        start = datetime(2026, 11, 11, tzinfo=UTC)  # 2027-01-10 minus 60 days
        after = datetime(2027, 1, 11, tzinfo=UTC)
        assert check(now=start - TICK, rules=self.rules, facts=facts).eligible
        refusal = rule_of(check(now=start, rules=self.rules, facts=facts))
        assert refusal.rule == "renewal-quiet-period"
        assert refusal.eligible_again == after
        assert refusal.message == (
            "Renewal quiet period: the account renews on 2027-01-10 (quiet 60 days before); "
            "eligible again 2027-01-11."
        )
        assert not check(now=after - TICK, rules=self.rules, facts=facts).eligible
        assert check(now=after, rules=self.rules, facts=facts).eligible

    def test_a_malformed_renewal_date_is_an_error_naming_the_attribute(self):
        with pytest.raises(ValueError, match="renewal_date"):
            check(now=T0, rules=self.rules, facts=consenting(renewal_date="next spring"))

    def test_an_owner_flag_refuses_until_lifted(self):
        facts = consenting(owner_flagged=True)
        refusal = rule_of(check(now=T0, rules=with_rules(respect_owner_flag=True), facts=facts))
        assert refusal.rule == "owner-flag"
        assert refusal.eligible_again is None
        assert check(now=T0, rules=with_rules(respect_owner_flag=False), facts=facts).eligible
        unflagged = consenting(owner_flagged=False)
        assert check(now=T0, rules=with_rules(respect_owner_flag=True), facts=unflagged).eligible


class TestConsentAndOverrides:
    @pytest.mark.parametrize(
        ("flags", "rule"),
        [
            ({"consent": False, "opted_out": False, "do_not_contact": False}, "consent"),
            ({"consent": True, "opted_out": True, "do_not_contact": False}, "opt-out"),
            ({"consent": True, "opted_out": False, "do_not_contact": True}, "do-not-contact"),
        ],
    )
    def test_consent_opt_out_and_do_not_contact_can_never_be_overridden(self, flags, rule):
        facts = ParticipantFacts(**flags)
        result = check(now=T0, rules=Rules(), facts=facts, overrides=frozenset(RULE_NAMES))
        assert not result.eligible
        assert result.rules == (rule,)
        assert result.refusals[0].eligible_again is None
        assert result.next_eligible_at is None

    def test_a_permanent_refusal_hides_no_time_based_one_but_has_no_next_date(self):
        facts = ParticipantFacts(consent=True, opted_out=True, do_not_contact=False)
        result = check([session(T0)], now=T0 + DAY, rules=Rules(), facts=facts)
        assert set(result.rules) == {"opt-out", "session-cooldown"}
        assert result.next_eligible_at is None

    def test_a_researcher_can_override_a_cooldown(self):
        rules = with_rules(session_cooldown_days=60, invitation_cooldown_days=14)
        ledger = [session(T0), invitation(T0 + DAY)]
        now = T0 + 2 * DAY
        assert set(check(ledger, now=now, rules=rules).rules) == {
            "session-cooldown",
            "invitation-cooldown",
        }
        result = check(ledger, now=now, rules=rules, overrides=OVERRIDABLE)
        assert result.eligible
        assert set(result.overridden) == {"session-cooldown", "invitation-cooldown"}

    def test_overriding_a_cap_is_ignored(self):
        rules = with_rules(max_sessions_per_year=1)
        result = check(
            [session(T0)], now=T0 + DAY, rules=rules, overrides=frozenset({"session-limit"})
        )
        assert result.rules == ("session-limit",)
        assert result.overridden == ()

    def test_a_consenting_participant_without_touches_is_eligible_under_the_defaults(self):
        result = check(now=T0, rules=Rules())
        assert result.eligible
        assert result.refusals == ()
        assert result.next_eligible_at is None


class TestNextEligible:
    def test_it_is_the_latest_end_of_the_time_based_refusals(self):
        rules = Rules()
        ledger = [invitation(T0), session(T0 + DAY), Touch("no_show", T0 - 10 * DAY)]
        ledger += [Touch("no_show", T0 - 5 * DAY)]
        result = check(ledger, now=T0 + 2 * DAY, rules=rules)
        ends = {r.rule: r.eligible_again for r in result.refusals}
        assert set(ends) == {"invitation-cooldown", "session-cooldown", "no-show-exclusion"}
        assert result.next_eligible_at == max(ends.values()) == T0 - 5 * DAY + 180 * DAY

    def test_a_quiet_period_starting_before_a_cooldown_ends_pushes_it_out(self):
        rules = with_rules(session_cooldown_days=60, renewal_quiet_days=60)
        facts = consenting(renewal_date=date(2026, 9, 15))
        # Cooldown ends 2026-07-31, inside the quiet period 2026-07-17 .. 2026-09-15.
        result = check([session(T0)], now=T0 + DAY, rules=rules, facts=facts)
        assert result.rules == ("session-cooldown",)
        assert result.next_eligible_at == datetime(2026, 9, 16, tzinfo=UTC)
        assert check([session(T0)], now=result.next_eligible_at, rules=rules, facts=facts).eligible


class TestInputs:
    def test_a_naive_time_is_refused(self):
        with pytest.raises(ValueError, match="time zone"):
            check(now=datetime(2026, 6, 1))
        with pytest.raises(ValueError, match="time zone"):
            check([invitation(datetime(2026, 6, 1))], now=T0)

    def test_an_unknown_touch_kind_is_refused(self):
        with pytest.raises(ValueError, match="kind 'email'"):
            check([Touch("email", T0)], now=T0)

    def test_a_shared_account_ledger_gives_the_same_answer_as_a_list(self):
        colleagues = [session(T0 + i * DAY, minutes=90) for i in range(12)]
        now = T0 + 20 * DAY
        as_list = check([], account=colleagues, now=now, rules=Rules())
        as_ledger = evaluate(
            facts=consenting(),
            touches=[],
            account_touches=Ledger(colleagues),
            rules=Rules(),
            now=now,
        )
        assert as_list == as_ledger
        assert set(as_list.rules) == {"account-session-cap", "account-minutes-cap"}

    def test_touches_older_than_the_lookback_do_not_change_the_answer(self):
        now = T0 + 700 * DAY
        history = [session(T0 + i * DAY / 4, minutes=30) for i in range(1000)]
        recent = [session(now - i * DAY, minutes=30) for i in range(1, 10)]
        assert now - participant_lookback(Rules()) > history[-1].at
        assert now - ACCOUNT_LOOKBACK > history[-1].at
        with_history = check([], account=history + recent, now=now, rules=Rules())
        assert with_history == check([], account=recent, now=now, rules=Rules())
        assert with_history == evaluate(
            facts=consenting(),
            touches=[],
            account_touches=Ledger(history + recent),
            rules=Rules(),
            now=now,
        )
        assert with_history.rules == ()

    def test_the_participant_lookback_covers_the_longest_window(self):
        assert participant_lookback(Rules()) == timedelta(days=365)
        assert participant_lookback(with_rules(no_show_exclusion_days=200)) == timedelta(days=400)
        assert participant_lookback(with_rules(invitation_window_days=500)) == timedelta(days=500)

    def test_every_rule_has_a_name(self):
        assert set(RULE_NAMES) >= OVERRIDABLE
        assert RULE_NAMES["session-cooldown"] == "Session cooldown"
