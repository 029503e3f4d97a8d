"""A sample obeys every rule as a whole, and what one request draws no other request can."""

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from research import eligibility, fatigue, responses, services, targeting
from research.models import Hold, LedgerEntry, ResearchRequest, SampleMember
from tests.research.conftest import make_participant


@pytest.fixture(autouse=True)
def _fresh_response_rate():
    # The response rate is cached for ten minutes; these tests reason from the default one.
    responses.forget()


def _request(world, *, team=None, needed=8, minutes=45, title="Checkout interviews", **extra):
    return ResearchRequest.objects.create(
        title=title,
        team=team or world.team,
        researcher=world.researcher,
        goal="Why do customers abandon the payment step?",
        session_minutes=minutes,
        participants_needed=needed,
        deadline=timezone.localdate() + timedelta(days=30),
        **extra,
    )


def _members(sample, standby=None):
    qs = SampleMember.objects.filter(sample=sample)
    if standby is not None:
        qs = qs.filter(standby=standby)
    return list(qs.select_related("participant"))


def test_a_long_session_sample_stays_under_the_account_minutes_cap(world, panel):
    # 240-minute sessions, 600 minutes a quarter: two people of one account at most.
    req = _request(world, needed=20, minutes=240)
    sample = targeting.sample_draw(request=req, by=world.researcher, seed=7)
    per_account = Counter(m.participant.account_id for m in _members(sample, standby=False))
    assert per_account[panel.big.pk] == 2
    assert all(n * 240 <= 600 for n in per_account.values())
    # A standby is invited in place of a decliner: none may exceed the cap beside the selected.
    assert not [
        m for m in _members(sample, standby=True) if m.participant.account_id == panel.big.pk
    ]
    assert sample.warnings[0].startswith(f"Only {sample.size} of 20 participants could be drawn")
    assert "Account minutes cap" in sample.warnings[0]


def test_a_sample_counts_its_own_sessions_against_the_account_session_cap(world, panel):
    big_people = [p for p in panel.people if p.account_id == panel.big.pk]
    # Eight sessions this quarter already, by people not in the panel slice we draw from.
    outsiders = [make_participant(900 + i, account=panel.big) for i in range(8)]
    for person in outsiders:
        LedgerEntry.objects.create(
            participant=person,
            account=panel.big,
            kind="session",
            minutes=10,
            at=timezone.now() - timedelta(days=5),
        )
    eligibility.refresh_account(account_id=panel.big.pk)
    assert all(p.__class__.objects.get(pk=p.pk).eligible_now() for p in big_people)
    req = _request(world, needed=30, minutes=30)
    sample = targeting.sample_draw(request=req, by=world.researcher, seed=3)
    selected = Counter(m.participant.account_id for m in _members(sample, standby=False))
    assert selected[panel.big.pk] == 2  # 8 held + 2 planned = the cap of 10
    assert "Account session cap" in sample.warnings[0]


def test_nobody_the_full_check_refuses_is_stored_even_when_redraws_run_out(world, panel):
    # Everybody at the big account is over the incentive cap for this request's incentive.
    services.rules_update(rules=fatigue.Rules(incentive_cap_cents_per_year=5000), by=world.admin)
    for person in panel.people[:25]:
        services.ledger_record(participant=person, kind="incentive", incentive_cents=4000)
    req = _request(world, needed=40, incentive_cents=3000)
    sample = targeting.sample_draw(request=req, by=world.researcher, seed=5)
    ids = [m.participant_id for m in _members(sample)]
    checks = eligibility.eligibility_for_many(
        participant_ids=ids,
        method=req.method,
        session_minutes=req.session_minutes,
        incentive_cents=req.incentive_cents,
        request_id=req.pk,
    )
    assert ids and all(result.eligible for result in checks.values())
    assert sample.size == 15
    assert "Incentive cap" in sample.warnings[0] and "left out 25" in sample.warnings[0]


def test_another_teams_request_cannot_draw_held_people_and_its_dry_run_names_the_holder(
    world, panel
):
    services.rules_update(
        rules=fatigue.Rules(
            account_max_sessions_per_quarter=1000, account_max_minutes_per_quarter=10**5
        ),
        by=world.admin,
    )
    first = _request(world, needed=10)
    drawn = targeting.sample_draw(request=first, by=world.researcher, seed=1)
    held = {m.participant_id for m in _members(drawn)}
    assert Hold.objects.active().filter(request=first).count() == len(held)
    second = _request(world, team=world.other_team, needed=40, title="Search interviews")
    dry = targeting.dry_run(criteria={}, needed=40, request=second)
    assert dry["held"] == [
        {
            "request": first.pk,
            "title": "Checkout interviews",
            "team": world.team.name,
            "count": len(held),
            "until": Hold.objects.filter(request=first).first().held_until,
        }
    ]
    assert dry["eligible"] == 40 - len(held)
    other = targeting.sample_draw(request=second, by=world.researcher, seed=1)
    assert not held & {m.participant_id for m in _members(other)}


def test_holds_end_with_an_invitation_or_when_they_expire(world, panel):
    first = _request(world, needed=4)
    drawn = targeting.sample_draw(request=first, by=world.researcher, seed=1)
    person = _members(drawn, standby=False)[0].participant
    services.ledger_record(participant=person, kind="invitation", request=first, team=world.team)
    hold = Hold.objects.get(request=first, participant=person)
    assert hold.released_at is not None and hold.release_reason == "invited"
    later = timezone.now() + timedelta(days=15)
    second = _request(world, team=world.other_team, needed=4, title="Later")
    assert targeting.dry_run(criteria={}, needed=4, request=second, now=later)["held"] == []


def test_the_request_page_shows_who_other_requests_hold(world, panel, client_for):
    first = _request(world, needed=4)
    targeting.sample_draw(request=first, by=world.researcher, seed=1)
    second = _request(world, team=world.other_team, needed=4, title="Search interviews")
    html = client_for(world.researcher).get(second.get_absolute_url()).content.decode()
    assert "by “Checkout interviews”" in html


@pytest.mark.postgres
def test_two_requests_drawing_at_once_never_select_the_same_person(transactional_db, world):
    people = [make_participant(n) for n in range(80)]  # no accounts: only holds keep them apart
    eligibility.refresh_participants(ids=[p.pk for p in people])
    requests = [
        _request(world, needed=10, title="A"),
        _request(world, team=world.other_team, needed=10, title="B"),
    ]
    barrier = threading.Barrier(2)
    samples, errors = {}, []

    def draw(req):
        try:
            barrier.wait()
            samples[req.pk] = targeting.sample_draw(request=req, by=world.researcher, seed=11)
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=draw, args=(r,)) for r in requests]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    a, b = ({m.participant_id for m in _members(samples[r.pk])} for r in requests)
    # The same seed would pick the same people if the second draw did not see the first's holds.
    assert a and b and not a & b
    assert len(a | b) == len(a) + len(b)


def test_a_researcher_lets_decliners_go_and_other_requests_may_draw_them(world, panel, api_for):
    first = _request(world, needed=4)
    drawn = targeting.sample_draw(request=first, by=world.researcher, seed=1)
    person = _members(drawn, standby=False)[0].participant_id
    url = f"/api/v1/research/requests/{first.pk}/release/"
    body = {"participants": [person], "reason": "declined"}
    assert api_for(world.member).post(url, body, format="json").status_code in (403, 404)
    response = api_for(world.researcher).post(url, body, format="json")
    assert response.status_code == 200 and response.json() == {"released": 1}
    hold = Hold.objects.get(request=first, participant_id=person)
    assert hold.release_reason == "declined"
    second = _request(world, team=world.other_team, needed=4, title="Later")
    held = targeting.dry_run(criteria={}, needed=4, request=second)["held_total"]
    assert held == Hold.objects.active().filter(request=first).count()
