"""The participant and ledger lists build their rows by hand (research/api_rows.py): each row must
be exactly what the single object's endpoint answers, for people who may see e-mail and not."""

from datetime import timedelta

import pytest
from django.utils import timezone

from research import eligibility, services
from research.models import LedgerEntry, Participant
from tests.research.conftest import make_participant

API = "/api/v1/research"


@pytest.fixture
def varied(panel, world, research_request):
    """People with and without an account, consent date, custom attributes, blocks and contacts."""
    loner = make_participant(
        900,
        account=None,
        consent=Participant.Consent.PENDING,
        attributes={"seats": 12, "beta": True, "product_line": "pos"},
        country="DE",
        industry="Retail",
        tenure="2y",
    )
    withdrawn = make_participant(
        901,
        account=panel.small[0],
        consent=Participant.Consent.WITHDRAWN,
        consent_at=timezone.now() - timedelta(days=3),
        opted_out=True,
        do_not_contact=True,
        contact_block_reason="Asked us to stop",
    )
    contacted = panel.people[2]
    services.ledger_record(
        participant=contacted,
        kind=LedgerEntry.Kind.SESSION,
        method=LedgerEntry.Method.INTERVIEW,
        minutes=45,
        incentive_cents=5000,
        team=world.team,
        request=research_request,
        note="Checkout interview",
        by=world.researcher,
    )
    services.ledger_record(
        participant=loner,
        kind=LedgerEntry.Kind.OTHER,
        at=timezone.now() - timedelta(days=40),
        method="",
        minutes=0,
        incentive_cents=0,
        team=None,
        request=None,
        note="",
        by=world.admin,
    )
    eligibility.refresh_participants(ids=[loner.pk, withdrawn.pk, contacted.pk])
    return [loner, withdrawn, contacted]


@pytest.mark.parametrize("role", ["researcher", "member"])
def test_each_listed_participant_is_exactly_its_own_answer(api_for, world, varied, role):
    client = api_for(getattr(world, role))
    listed = client.get(f"{API}/participants/", {"limit": 500}).json()["results"]
    assert len(listed) == 42
    for row in listed:
        assert row == client.get(f"{API}/participants/{row['id']}/").json()
    by_id = {row["id"]: row for row in listed}
    loner, withdrawn, contacted = (by_id[p.pk] for p in varied)
    assert loner["account"] is None and loner["account_name"] is None
    assert loner["attributes"] == {"seats": 12, "beta": True, "product_line": "pos"}
    assert withdrawn["next_eligible_at"] is None and withdrawn["eligible_now"] is False
    assert withdrawn["consent_at"] and withdrawn["blocked_rules"]
    assert contacted["contact_count"] == 1 and contacted["last_contacted_at"]
    assert ("email" in contacted) is (role == "researcher")


def test_each_ledger_row_is_exactly_its_own_answer(api_for, world, varied):
    client = api_for(world.member)
    listed = client.get(f"{API}/ledger/").json()["results"]
    assert len(listed) == 2
    for row in listed:
        assert row == client.get(f"{API}/ledger/{row['id']}/").json()
    session, other = listed
    assert session["team"] == world.team.slug and session["request"] and session["minutes"] == 45
    assert other["team"] is None and other["request"] is None


def test_list_filters_still_apply(api_for, world, varied):
    client = api_for(world.member)
    assert [
        r["kind"] for r in client.get(f"{API}/ledger/", {"kind": "other"}).json()["results"]
    ] == ["other"]
    pro = client.get(f"{API}/participants/", {"plan": "pro", "region": "EMEA"}).json()
    assert pro["count"] == 10 and {(r["plan"], r["region"]) for r in pro["results"]} == {
        ("pro", "EMEA")
    }
    assert client.get(f"{API}/participants/", {"plan": "platinum"}).json()["count"] == 0
    assert client.get(f"{API}/ledger/", {"kind": "phone"}).status_code == 400


def test_each_listed_request_is_exactly_its_own_answer(api_for, world, panel, research_request):
    from research.drawing import sample_draw
    from research.models import ResearchRequest
    from research.request_edits import request_cancel, request_update

    world.researcher.memberships.create(team=world.team)
    drawn = research_request
    sample_draw(request=drawn, by=world.researcher, seed=3)
    sample_draw(request=drawn, by=world.researcher, seed=4)
    stale = ResearchRequest.objects.create(
        title="Search habits",
        team=world.other_team,
        researcher=world.researcher,
        goal="Learn",
        participants_needed=2,
        deadline=drawn.deadline,
    )
    sample_draw(request=stale, by=world.researcher, seed=5)
    request_update(request=stale, by=world.researcher, criteria={"plan": ["pro"]})
    cancelled = ResearchRequest.objects.create(
        title="Dropped study",
        team=world.team,
        researcher=world.admin,
        goal="Learn",
        deadline=drawn.deadline,
    )
    request_cancel(request=cancelled, by=world.admin, reason="The team changed its roadmap")
    for viewer in (world.admin, world.member, world.researcher):
        client = api_for(viewer)
        listed = client.get("/api/v1/research/requests/").json()["results"]
        for row in listed:
            assert row == client.get(f"/api/v1/research/requests/{row['id']}/").json()
    rows = {
        r["id"]: r for r in api_for(world.admin).get("/api/v1/research/requests/").json()["results"]
    }
    assert rows[drawn.pk]["latest_sample"] == drawn.samples.order_by("-created_at").first().pk
    assert rows[drawn.pk]["sample_stale"] is False
    assert rows[stale.pk]["sample_stale"] is True and rows[stale.pk]["criteria"] == {
        "plan": ["pro"]
    }
    assert rows[cancelled.pk]["cancelled_by"] == world.admin.username
    assert rows[cancelled.pk]["latest_sample"] is None
    member_sees = api_for(world.member).get("/api/v1/research/requests/").json()
    assert member_sees["count"] == 2 and stale.pk not in [r["id"] for r in member_sees["results"]]


def test_the_lists_take_two_queries_however_long(
    api_for, world, varied, django_assert_max_num_queries
):
    client = api_for(world.researcher)
    for url in ("participants/?limit=500", "ledger/", "requests/", "participants/?plan=pro"):
        # The count and the page; the rows need nothing else.
        with django_assert_max_num_queries(2):
            assert client.get(f"{API}/{url}").status_code == 200
