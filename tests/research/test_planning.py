"""Honest planning: session length, account caps, time to fill, skew, and the small things."""

from datetime import timedelta

import pytest
from django.utils import timezone

from research import fatigue, health, responses, sampling, services, targeting
from research.models import (
    Account,
    AttributeDefinition,
    LedgerEntry,
    Participant,
    ResearchRequest,
)
from tests.research.conftest import make_participant

API = "/api/v1/research"


@pytest.fixture(autouse=True)
def _fresh_response_rate():
    responses.forget()


def test_the_dry_run_counts_eligibility_for_the_requested_session_length(world, panel):
    # Bigcorp used 500 of its 600 participant-minutes this quarter.
    services.ledger_record(
        participant=panel.people[0], kind="session", minutes=500, team=world.team
    )
    # The account's stored quarter follows the ledger write (the dry run reads it).
    big = Account.objects.get(pk=panel.big.pk)
    assert (big.quarter_sessions, big.quarter_minutes) == (1, 500)
    short = targeting.dry_run(criteria={}, needed=5, session_minutes=45)
    long = targeting.dry_run(criteria={}, needed=5, session_minutes=240)
    big_eligible = Participant.objects.filter(account=panel.big).eligible().count()
    assert long["eligible"] == short["eligible"] - big_eligible
    assert _minutes_cap(long) == _minutes_cap(short) + big_eligible


def _minutes_cap(dry) -> int:
    return {r["rule"]: r["count"] for r in dry["by_rule"]}.get("account-minutes-cap", 0)


def test_the_dry_run_says_how_many_one_sample_can_take_under_the_account_caps(world, panel):
    dry = targeting.dry_run(criteria={}, needed=30, session_minutes=60)
    # Bigcorp's 25 people: 10 sessions a quarter at most (600 minutes allow 10 of 60).
    assert dry["sample_capacity"] == 10 + 15
    assert any("at most 25 of the 40 eligible" in w for w in dry["warnings"])


def test_time_to_fill_comes_from_the_rate_and_when_cooldowns_end(world, panel):
    rules = fatigue.Rules(
        account_max_sessions_per_quarter=1000, account_max_minutes_per_quarter=10**5
    )
    services.rules_update(rules=rules, by=world.admin)
    now = timezone.now()
    fits = targeting.dry_run(criteria={}, needed=4, now=now)
    assert fits["expected_days"] == responses.typical_fill_days() and not fits["impossible"]
    # 30 of the 40 get an invitation today: their 14-day invitation cooldown holds them back.
    for person in panel.people[:30]:
        services.ledger_record(participant=person, kind="invitation", team=world.team)
    later = targeting.dry_run(criteria={}, needed=8, now=timezone.now())
    assert later["expected_days"] == 14 + responses.typical_fill_days()
    assert "back from cooldowns in 14 days" in later["fill_note"]


def test_an_impossible_request_says_so_instead_of_a_number_of_days(world, panel, client_for):
    for person in panel.people[:30]:
        Participant.objects.filter(pk=person.pk).update(do_not_contact=True)
    services.rules_update(rules=fatigue.Rules(), by=world.admin)  # refresh everyone
    from research import eligibility

    eligibility.refresh_participants(ids=[p.pk for p in panel.people])
    dry = targeting.dry_run(criteria={}, needed=20)
    assert dry["impossible"] and dry["expected_days"] is None
    assert dry["warnings"][0].startswith("Cannot be filled")
    req = ResearchRequest.objects.create(
        title="Too big",
        team=world.team,
        researcher=world.researcher,
        goal="g",
        participants_needed=20,
        deadline=timezone.localdate() + timedelta(days=30),
    )
    html = client_for(world.researcher).get(req.get_absolute_url()).content.decode()
    assert "it cannot be filled" in html


def test_the_eligible_panels_skew_is_shown_on_the_request_and_health_pages(
    world, panel, client_for, research_request
):
    # Bigcorp is blocked: its people are mostly on some plans, so the eligible panel tilts.
    Account.objects.filter(pk=panel.big.pk).update(owner_flagged=True)
    from research import eligibility

    eligibility.refresh_account(account_id=panel.big.pk)
    dry = targeting.request_dry_run(research_request)
    # Both sides counted here, independently of the dry run.
    whole, eligible = {}, {}
    for p in Participant.objects.all():
        whole[(p.plan,)] = whole.get((p.plan,), 0) + 1
        if p.eligible_now():
            eligible[(p.plan,)] = eligible.get((p.plan,), 0) + 1
    tvd, psi = sampling.representativeness(eligible, whole)
    assert dry["skew"]["tvd"] == pytest.approx(tvd) and dry["skew"]["psi"] == pytest.approx(psi)
    assert dry["skew"]["dimensions"][0]["name"] == "plan"
    page = client_for(world.researcher).get(research_request.get_absolute_url()).content.decode()
    assert "Eligible panel against the whole panel" in page and f"TVD {tvd:.2f}" in page
    admin_page = client_for(world.admin).get("/research/health/").content.decode()
    assert "Eligible panel against the whole panel" in admin_page


def test_not_contactable_counts_those_who_said_no_not_everyone_blocked(world, panel):
    Account.objects.filter(pk=panel.big.pk).update(owner_flagged=True)
    Participant.objects.filter(pk=panel.people[30].pk).update(consent="pending")
    Participant.objects.filter(pk=panel.people[31].pk).update(do_not_contact=True)
    make_participant(500)  # never refreshed: next_eligible_at is empty
    assert health.panel_health()["never"] == 2


def test_boolean_attributes_are_yes_or_no_in_the_request_form(world, client_for, panel):
    AttributeDefinition.objects.create(name="beta", label="Beta tester", type="boolean")
    page = client_for(world.researcher).get("/research/requests/new/")
    field = page.context["form"].fields["crit_beta"]
    assert [value for value, _label in field.choices] == ["true", "false"]
    with pytest.raises(Exception) as error:
        targeting.criteria_clean({"beta": ["maybe"]})
    assert "yes or no" in str(error.value)
    assert targeting.criteria_clean({"beta": ["true"]}) == {"beta": [True]}


def test_the_ledger_api_accepts_planned_sessions(api_for, world, panel):
    person = panel.people[20]
    planned = timezone.now() + timedelta(days=9)
    response = api_for(world.researcher).post(
        f"{API}/ledger/",
        {
            "participant": person.external_id,
            "kind": "session",
            "minutes": 45,
            "at": planned.isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201
    entry = LedgerEntry.objects.get()
    assert entry.at == planned
    # A planned session counts at once: the cooldown holds them back now.
    assert "session-cooldown" in Participant.objects.get(pk=person.pk).blocked_rules
