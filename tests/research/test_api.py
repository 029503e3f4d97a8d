"""The research API: same permissions as the pages, e-mail only for researchers and admins."""

from datetime import timedelta

import pytest
from django.utils import timezone

from research import targeting
from research.models import FatigueRuleSet, LedgerEntry, Participant, ResearchRequest

API = "/api/v1/research"


@pytest.mark.parametrize(
    ("role", "sees_email"),
    [
        ("researcher", True),
        ("admin", True),
        ("member", False),
        ("outsider", False),
        ("leader", False),
    ],
)
def test_participants_show_e_mail_only_to_researchers_and_admins(
    api_for, world, panel, role, sees_email
):
    response = api_for(getattr(world, role)).get(f"{API}/participants/?plan=pro")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == 10
    assert all(("email" in row) is sees_email for row in rows)
    assert all(row["plan"] == "pro" and row["eligible_now"] for row in rows)
    detail = api_for(getattr(world, role)).get(f"{API}/participants/{panel.people[0].pk}/").json()
    assert ("email" in detail) is sees_email


def test_e_mail_search_is_only_for_those_who_may_see_e_mail(api_for, world, panel):
    email = panel.people[3].email
    assert api_for(world.researcher).get(f"{API}/participants/", {"q": email}).json()["count"] == 1
    assert api_for(world.member).get(f"{API}/participants/", {"q": email}).json()["count"] == 0


def test_anonymous_callers_are_refused(api_client, panel):
    assert api_client.get(f"{API}/participants/").status_code in (401, 403)


def test_list_endpoints_use_a_constant_number_of_queries(
    api_for, world, panel, django_assert_max_num_queries
):
    client = api_for(world.researcher)
    for url in ("participants/", "accounts/", "ledger/", "requests/", "samples/"):
        with django_assert_max_num_queries(6):
            assert client.get(f"{API}/{url}").status_code == 200


def test_a_cs_call_is_recorded_through_the_api_and_counts_for_fatigue(api_for, world, panel):
    person = panel.people[5]
    response = api_for(world.researcher).post(
        f"{API}/ledger/",
        {
            "participant": person.external_id,
            "kind": "invitation",
            "method": "nps",
            "note": "Q4 NPS survey",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    entry = LedgerEntry.objects.get()
    assert (
        entry.source == "api" and entry.account == person.account and entry.note == "Q4 NPS survey"
    )
    check = api_for(world.member).get(f"{API}/participants/{person.pk}/eligibility/").json()
    assert check["eligible"] is False
    assert check["refusals"][0]["rule"] == "invitation-cooldown"
    assert check["refusals"][0]["overridable"] is True
    assert check["next_eligible_at"]


def test_ledger_writes_are_validated_and_for_researchers_only(api_for, world, panel):
    person = panel.people[6]
    refused = api_for(world.member).post(
        f"{API}/ledger/", {"participant": person.external_id, "kind": "other"}
    )
    assert refused.status_code == 403
    bad = api_for(world.admin).post(
        f"{API}/ledger/", {"participant": "nobody", "kind": "phone"}, format="json"
    )
    assert bad.status_code == 400
    assert set(bad.json()) == {"participant", "kind"}
    future = api_for(world.admin).post(
        f"{API}/ledger/",
        {
            "participant": person.external_id,
            "kind": "other",
            "at": (timezone.now() + timedelta(days=9)).isoformat(),
        },
        format="json",
    )
    assert future.status_code == 400 and "planned ahead" in future.json()["at"][0]
    assert not LedgerEntry.objects.exists()


def test_override_through_the_api_needs_a_reason(api_for, world, panel, research_request):
    person = panel.people[7]
    api_for(world.admin).post(
        f"{API}/ledger/", {"participant": person.external_id, "kind": "invitation"}
    )
    url = f"{API}/participants/{person.pk}/override/"
    missing = api_for(world.researcher).post(
        url,
        {"request": research_request.pk, "rule": "invitation-cooldown", "reason": ""},
        format="json",
    )
    assert missing.status_code == 400 and "reason" in missing.json()
    opt_out = api_for(world.researcher).post(
        url,
        {
            "request": research_request.pk,
            "rule": "opt-out",
            "reason": "Important customer for the roadmap",
        },
        format="json",
    )
    assert opt_out.status_code == 400 and "cannot be overridden" in opt_out.json()["rule"][0]
    member = api_for(world.member).post(
        url,
        {
            "request": research_request.pk,
            "rule": "invitation-cooldown",
            "reason": "Important customer for the roadmap",
        },
        format="json",
    )
    assert member.status_code == 403
    done = api_for(world.researcher).post(
        url,
        {
            "request": research_request.pk,
            "rule": "invitation-cooldown",
            "reason": "Follow-up interview on her bug report",
        },
        format="json",
    )
    assert done.status_code == 201 and done.json()["eligible"] is True
    # For this request only: everyone else still sees the cooldown.
    assert not Participant.objects.get(pk=person.pk).eligible_now()
    unbound = api_for(world.researcher).post(
        url,
        {"rule": "invitation-cooldown", "reason": "Follow-up interview on her bug"},
        format="json",
    )
    assert unbound.status_code == 400 and "request" in unbound.json()


def test_rules_are_read_by_everyone_and_edited_by_admins(api_for, world):
    assert api_for(world.member).get(f"{API}/rules/").json()["rules"]["max_invitations"] == 3
    body = {"rules": {"max_invitations": 2}, "note": "Customers complained"}
    assert api_for(world.researcher).put(f"{API}/rules/", body, format="json").status_code == 403
    bad = api_for(world.admin).put(f"{API}/rules/", {"rules": {"max_invitatons": 2}}, format="json")
    assert bad.status_code == 400 and "max_invitatons" in bad.json()["rules"][0]
    ok = api_for(world.admin).put(f"{API}/rules/", body, format="json")
    assert ok.status_code == 200 and ok.json()["rules"]["max_invitations"] == 2
    assert FatigueRuleSet.objects.get().created_by == world.admin


def _request_body(world, **extra):
    body = {
        "title": "API request",
        "team": world.team.slug,
        "goal": "Learn",
        "method": "survey",
        "session_minutes": 20,
        "participants_needed": 6,
        "criteria": {"region": ["EMEA"]},
        "dimensions": ["plan"],
        "deadline": (timezone.localdate() + timedelta(days=14)).isoformat(),
    }
    body.update(extra)
    return body


def test_requests_dry_run_and_samples_through_the_api(api_for, world, panel):
    world.researcher.memberships.create(team=world.team)
    client = api_for(world.researcher)
    dry = client.post(
        f"{API}/requests/dry-run/",
        {"criteria": {"region": ["EMEA"]}, "participants_needed": 6},
        format="json",
    )
    assert dry.status_code == 200 and dry.json()["matching"] == 20 and dry.json()["eligible"] == 20
    created = client.post(f"{API}/requests/", _request_body(world), format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    sample = client.post(f"{API}/requests/{pk}/sample/", {"seed": 11}, format="json")
    assert sample.status_code == 201
    body = sample.json()
    assert body["seed"] == 11 and len(body["selected"]) == 6
    assert all(m["participant"]["region"] == "EMEA" for m in body["selected"])
    assert "email" in body["selected"][0]["participant"]
    again = client.post(f"{API}/requests/{pk}/sample/", {"seed": 11}, format="json").json()
    assert [m["participant"]["id"] for m in again["selected"]] == [
        m["participant"]["id"] for m in body["selected"]
    ]
    hidden = api_for(world.member).get(f"{API}/samples/{body['id']}/").json()
    assert "email" not in hidden["selected"][0]["participant"]
    assert api_for(world.outsider).get(f"{API}/samples/{body['id']}/").status_code == 404


def test_unknown_attributes_in_api_criteria_are_a_clear_400(api_for, world, panel):
    world.researcher.memberships.create(team=world.team)
    response = api_for(world.researcher).post(
        f"{API}/requests/", _request_body(world, criteria={"segment": ["smb"]}), format="json"
    )
    assert response.status_code == 400
    assert "Unknown attribute 'segment'" in response.json()["criteria"][0]
    assert not ResearchRequest.objects.exists()


def test_team_members_cannot_file_requests(api_for, world, panel):
    response = api_for(world.member).post(f"{API}/requests/", _request_body(world), format="json")
    assert response.status_code == 403


def test_admins_see_every_teams_requests_others_only_theirs(api_for, world, research_request):
    assert api_for(world.admin).get(f"{API}/requests/").json()["count"] == 1
    assert api_for(world.member).get(f"{API}/requests/").json()["count"] == 1
    assert api_for(world.outsider).get(f"{API}/requests/").json()["count"] == 0


def test_the_openapi_schema_documents_the_research_api(api_for, world):
    schema = api_for(world.member).get("/api/schema/?format=json").json()
    paths = schema["paths"]
    for path in ("participants/", "ledger/", "requests/", "samples/{id}/", "rules/", "import/"):
        assert f"/api/v1/research/{path}" in paths, path


def test_accounts_are_listed_with_participants_detail_and_sampling_is_reproducible_from_seed(
    api_for, world, panel, research_request
):
    accounts = api_for(world.member).get(f"{API}/accounts/").json()
    assert accounts["count"] == 4
    sample = targeting.sample_draw(request=research_request, by=world.researcher, seed=9)
    assert Participant.objects.filter(pk__in=sample.members.values("participant_id")).count() > 8
