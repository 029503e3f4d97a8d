"""Editing and cancelling research requests: who may, the live dry run, stale samples, what cancelling stops."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from productops.accounts.models import AuditEntry
from research import services, targeting
from research.models import ResearchRequest
from tests.factories import UserFactory

API = "/api/v1/research/requests"


@pytest.fixture
def roles(world):
    """The four roles of the brief plus a researcher who does not own the request."""
    other = UserFactory(username="otto-r", display_name="Other Researcher", is_researcher=True)
    other.memberships.create(team=world.team)
    world.researcher.memberships.create(team=world.team)
    return {
        "owner": world.researcher,
        "admin": world.admin,
        "other_researcher": other,
        "member": world.member,
        "outsider": world.outsider,
    }


def _form(req, **extra):
    data = {
        "title": req.title,
        "team": req.team_id,
        "goal": req.goal,
        "method": req.method,
        "session_minutes": req.session_minutes,
        "participants_needed": req.participants_needed,
        "deadline": req.deadline.isoformat(),
        "incentive": "0",
        "dimensions": req.dimensions,
    }
    data.update(extra)
    return data


def _other_teams_request(world, **extra):
    values = {
        "title": "Search for pro shops",
        "team": world.other_team,
        "researcher": world.admin,
        "goal": "Search results",
        "criteria": {"plan": ["pro"]},
        "deadline": timezone.localdate() + timedelta(days=20),
    }
    values.update(extra)
    return ResearchRequest.objects.create(**values)


# Who may ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("owner", 200), ("admin", 200), ("other_researcher", 403), ("member", 403), ("outsider", 403)],
)
def test_only_the_owner_and_admins_edit_or_cancel_a_request(
    client_for, roles, panel, research_request, role, status
):
    client = client_for(roles[role])
    base = f"/research/requests/{research_request.pk}"
    assert client.get(f"{base}/edit/").status_code == status
    assert client.get(f"{base}/cancel/").status_code == status
    edited = client.post(f"{base}/edit/", _form(research_request, title="Renamed"))
    assert edited.status_code == (302 if status == 200 else 403)
    dry = client.post(f"{base}/edit/dry-run/", _form(research_request))
    assert dry.status_code == status
    research_request.refresh_from_db()
    assert (research_request.title == "Renamed") is (status == 200)
    detail = client.get(research_request.get_absolute_url())
    if role != "outsider":
        assert ("Edit request" in detail.content.decode()) is (status == 200)


# Editing ---------------------------------------------------------------------------------------


def test_the_owner_edits_criteria_and_numbers_and_it_is_audited(
    client_for, roles, panel, research_request
):
    ResearchRequest.objects.filter(pk=research_request.pk).update(risk="only 3 eligible")
    response = client_for(roles["owner"]).post(
        f"/research/requests/{research_request.pk}/edit/",
        _form(
            research_request,
            participants_needed=6,
            crit_plan=["pro"],
            dimensions=["region"],
            incentive="40",
        ),
    )
    assert response.status_code == 302
    research_request.refresh_from_db()
    assert research_request.criteria == {"plan": ["pro"]}
    assert research_request.dimensions == ["region"]
    assert research_request.participants_needed == 6
    assert research_request.incentive_cents == 4000
    assert research_request.researcher == roles["owner"]  # editing never changes the owner
    assert research_request.risk == ""  # the nightly note judged the old criteria
    entry = AuditEntry.objects.get(action="research.request.edited")
    assert entry.actor == roles["owner"]
    assert entry.data["participants_needed"] == [8, 6]
    assert entry.data["criteria"] == [{}, {"plan": ["pro"]}]
    assert set(entry.data) == {"participants_needed", "criteria", "dimensions", "incentive_cents"}


def test_the_edit_form_starts_from_the_request_and_its_dry_run_follows_changes(
    client_for, roles, panel, research_request
):
    research_request.criteria = {"plan": ["pro", "enterprise"]}
    research_request.save(update_fields=["criteria"])
    client = client_for(roles["owner"])
    page = client.get(f"/research/requests/{research_request.pk}/edit/")
    form = page.context["form"]
    assert form.initial["crit_plan"] == ["pro", "enterprise"]
    assert 'data-testid="dry-matching">20<' in page.content.decode()
    fragment = client.post(
        f"/research/requests/{research_request.pk}/edit/dry-run/",
        _form(research_request, crit_plan=["pro"]),
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert 'data-testid="dry-matching">10<' in fragment and "<html" not in fragment
    research_request.refresh_from_db()
    assert research_request.criteria == {"plan": ["pro", "enterprise"]}  # nothing saved


def test_the_edit_dry_run_does_not_list_the_request_as_its_own_overlap(
    client_for, world, roles, panel, research_request
):
    other = _other_teams_request(world)
    fragment = client_for(roles["owner"]).post(
        f"/research/requests/{research_request.pk}/edit/dry-run/",
        _form(research_request, crit_plan=["pro"]),
    )
    html = fragment.content.decode()
    assert 'data-testid="dry-overlaps"' in html and f"{other.team}: {other.title}" in html
    assert research_request.title not in html


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        ({"deadline": "2000-01-01"}, "deadline", "past"),
        ({"participants_needed": 0}, "participants_needed", "greater than or equal to 1"),
        ({"dimensions": ["plan", "region", "tenure", "usage_level"]}, "dimensions", "at most 3"),
        ({"title": ""}, "title", "required"),
        ({"crit_plan": ["platinum"]}, "crit_plan", "valid choice"),
    ],
)
def test_bad_edits_name_the_field_and_change_nothing(
    client_for, roles, panel, research_request, extra, field, words
):
    response = client_for(roles["owner"]).post(
        f"/research/requests/{research_request.pk}/edit/",
        _form(research_request, **{"participants_needed": 3, **extra}),
    )
    assert response.status_code == 400
    assert words in " ".join(response.context["form"].errors[field])
    research_request.refresh_from_db()
    assert research_request.participants_needed == 8
    assert not AuditEntry.objects.exists()


def test_a_sample_drawn_before_a_criteria_edit_is_kept_and_shown_stale_until_redrawn(
    client_for, roles, panel, research_request
):
    client = client_for(roles["owner"])
    client.post(f"/research/requests/{research_request.pk}/sample/")
    sample = research_request.samples.get()
    edit_page = client.get(f"/research/requests/{research_request.pk}/edit/").content.decode()
    assert 'data-testid="edit-sample-note"' in edit_page

    # A new title does not change who is sampled.
    client.post(
        f"/research/requests/{research_request.pk}/edit/", _form(research_request, title="New")
    )
    assert (
        'data-testid="sample-stale"'
        not in client.get(f"/research/requests/{research_request.pk}/").content.decode()
    )

    client.post(
        f"/research/requests/{research_request.pk}/edit/",
        _form(research_request, title="New", crit_plan=["enterprise"]),
    )
    html = client.get(f"/research/requests/{research_request.pk}/").content.decode()
    assert 'data-testid="sample-stale"' in html
    selected = sample.members.filter(standby=False)
    not_enterprise = selected.exclude(participant__plan="enterprise").count()
    assert not_enterprise > 0
    assert f"{not_enterprise} of the selected people no longer match" in html
    assert "out of date" in client.get("/research/").content.decode()  # the list says so too
    assert research_request.samples.count() == 1  # kept

    client.post(f"/research/requests/{research_request.pk}/sample/")
    html = client.get(f"/research/requests/{research_request.pk}/").content.decode()
    assert 'data-testid="sample-stale"' not in html


# Cancelling ------------------------------------------------------------------------------------


def test_cancelling_needs_a_reason_and_is_audited(client_for, roles, panel, research_request):
    client = client_for(roles["owner"])
    url = f"/research/requests/{research_request.pk}/cancel/"
    refused = client.post(url, {"reason": "no"})
    assert refused.status_code == 400
    assert "at least 10" in refused.context["form"].errors["reason"][0]
    assert ResearchRequest.objects.get(pk=research_request.pk).status == "open"
    done = client.post(url, {"reason": "The redesign was shelved for this year"})
    assert done.status_code == 302
    research_request.refresh_from_db()
    assert research_request.status == "cancelled"
    assert research_request.cancelled_by == roles["owner"]
    assert research_request.cancel_reason == "The redesign was shelved for this year"
    entry = AuditEntry.objects.get(action="research.request.cancelled")
    assert entry.reason == research_request.cancel_reason
    html = client.get(research_request.get_absolute_url()).content.decode()
    assert 'data-testid="cancelled"' in html and "shelved" in html
    assert "Draw sample" not in html and "Edit request" not in html


def test_a_cancelled_request_leaves_overlaps_and_risk_warnings_and_cannot_be_sampled(
    client_for, world, roles, panel, research_request
):
    research_request.criteria = {"plan": ["pro"]}
    research_request.participants_needed = 500
    research_request.save(update_fields=["criteria", "participants_needed"])
    other = _other_teams_request(world)
    overlaps = targeting.overlapping_requests(
        criteria=other.criteria, deadline=other.deadline, exclude_pk=other.pk
    )
    assert overlaps == [research_request]
    assert research_request in [i["request"] for i in services.requests_risk_update()]
    ResearchRequest.objects.filter(pk=research_request.pk).update(risk="only 10 eligible")

    client = client_for(roles["owner"])
    client.post(
        f"/research/requests/{research_request.pk}/cancel/",
        {"reason": "Merged into the Search team's study"},
    )
    research_request.refresh_from_db()
    assert research_request.risk == ""
    assert not targeting.overlapping_requests(
        criteria=other.criteria, deadline=other.deadline, exclude_pk=other.pk
    )
    assert research_request not in [i["request"] for i in services.open_requests_at_risk()]
    response = client.post(f"/research/requests/{research_request.pk}/sample/")
    assert response.status_code == 302
    assert "cancelled" in str(list(response.wsgi_request._messages)[0])
    assert not research_request.samples.exists()
    with pytest.raises(ValidationError):
        targeting.sample_draw(request=research_request, by=roles["owner"])


def test_a_cancelled_or_closed_request_cannot_be_edited_or_cancelled_again(
    client_for, roles, panel, research_request
):
    research_request.status = ResearchRequest.Status.CLOSED
    research_request.save(update_fields=["status"])
    client = client_for(roles["owner"])
    for url in ("edit", "cancel"):
        response = client.post(
            f"/research/requests/{research_request.pk}/{url}/",
            {**_form(research_request, title="Changed"), "reason": "Long enough reason here"},
        )
        assert response.status_code == 302
        assert "closed" in str(list(response.wsgi_request._messages)[-1])
    research_request.refresh_from_db()
    assert research_request.status == "closed" and research_request.title != "Changed"


# API -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("owner", True),
        ("admin", True),
        ("other_researcher", False),
        ("member", False),
        ("outsider", False),
    ],
)
def test_patch_and_cancel_through_the_api_per_role(
    api_for, roles, panel, research_request, role, allowed
):
    client = api_for(roles[role])
    patched = client.patch(
        f"{API}/{research_request.pk}/",
        {"participants_needed": 5, "criteria": {"plan": ["pro"]}},
        format="json",
    )
    cancelled = client.post(
        f"{API}/{research_request.pk}/cancel/", {"reason": "Study postponed to Q3"}, format="json"
    )
    if allowed:
        assert patched.status_code == 200, patched.json()
        assert patched.json()["participants_needed"] == 5
        assert patched.json()["criteria"] == {"plan": ["pro"]}
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
        assert cancelled.json()["cancel_reason"] == "Study postponed to Q3"
    else:
        # The outsider cannot even see it (404); the others see it but may not change it (403).
        expected = 404 if role == "outsider" else 403
        assert (patched.status_code, cancelled.status_code) == (expected, expected)
        research_request.refresh_from_db()
        assert research_request.status == "open" and research_request.participants_needed == 8


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"criteria": {"plna": ["pro"]}}, "criteria"),
        ({"criteria": {"plan": ["platinum"]}}, "criteria"),
        ({"dimensions": ["plan", "region", "tenure", "usage_level"]}, "dimensions"),
        ({"deadline": "2000-01-01"}, "deadline"),
        ({"participants_needed": 0}, "participants_needed"),
        ({"team": "no-such-team"}, "team"),
        ({"session_minutes": 9999}, "session_minutes"),
    ],
)
def test_bad_patches_are_a_400_naming_the_field(
    api_for, roles, panel, research_request, payload, field
):
    response = api_for(roles["owner"]).patch(
        f"{API}/{research_request.pk}/", payload, format="json"
    )
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not AuditEntry.objects.exists()


def test_moving_a_request_to_a_team_the_owner_is_not_in_is_refused(
    api_for, roles, world, research_request
):
    response = api_for(roles["owner"]).patch(
        f"{API}/{research_request.pk}/", {"team": world.other_team.slug}, format="json"
    )
    assert response.status_code == 400 and "team" in response.json()


def test_the_api_reports_a_stale_sample_and_refuses_sampling_a_cancelled_request(
    api_for, roles, panel, research_request
):
    client = api_for(roles["owner"])
    assert (
        client.post(f"{API}/{research_request.pk}/sample/", {"seed": 3}, format="json").status_code
        == 201
    )
    assert client.get(f"{API}/{research_request.pk}/").json()["sample_stale"] is False
    client.patch(f"{API}/{research_request.pk}/", {"dimensions": ["region"]}, format="json")
    body = client.get(f"{API}/{research_request.pk}/").json()
    assert body["sample_stale"] is True and body["targeting_changed_at"]
    short = client.post(f"{API}/{research_request.pk}/cancel/", {"reason": ""}, format="json")
    assert short.status_code == 400 and "reason" in short.json()
    client.post(
        f"{API}/{research_request.pk}/cancel/", {"reason": "No budget this quarter"}, format="json"
    )
    again = client.post(
        f"{API}/{research_request.pk}/cancel/", {"reason": "No budget this quarter"}, format="json"
    )
    assert again.status_code == 400 and "status" in again.json()
    refused = client.post(f"{API}/{research_request.pk}/sample/", {}, format="json")
    assert refused.status_code == 400 and "cancelled" in str(refused.json())


def test_the_openapi_schema_documents_the_new_endpoints(api_for, world):
    schema = api_for(world.member).get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert "patch" in paths["/api/v1/research/requests/{id}/"]
    assert "post" in paths["/api/v1/research/requests/{id}/cancel/"]
    assert "patch" in paths["/api/v1/research/accounts/{id}/"]
    assert "post" in paths["/api/v1/research/attributes/"]
    assert "post" in paths["/api/v1/research/attributes/{id}/retire/"]


# Closing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "page", "api"),
    [
        ("owner", 302, 200),
        ("admin", 302, 200),
        ("other_researcher", 403, 403),
        ("member", 403, 403),
        ("outsider", 403, 404),
    ],
)
def test_only_the_owner_and_admins_close_a_request_and_it_is_audited(
    client_for, api_for, roles, research_request, role, page, api
):
    response = client_for(roles[role]).post(f"/research/requests/{research_request.pk}/close/")
    assert response.status_code == page
    research_request.refresh_from_db()
    assert (research_request.status == "closed") is (page == 302)
    if page == 302:
        entry = AuditEntry.objects.get(action="research.request.closed")
        assert entry.actor == roles[role]
        again = api_for(roles[role]).post(f"{API}/{research_request.pk}/close/")
        assert again.status_code == 400 and "status" in again.json()
    else:
        assert api_for(roles[role]).post(f"{API}/{research_request.pk}/close/").status_code == api
        research_request.refresh_from_db()
        assert research_request.status == "open"
        assert not AuditEntry.objects.filter(action="research.request.closed").exists()


def test_a_closed_request_no_longer_counts_as_an_overlap(api_for, world, roles, research_request):
    research_request.criteria = {"plan": ["pro"]}
    research_request.save(update_fields=["criteria"])
    other = _other_teams_request(world)
    assert targeting.overlapping_requests(
        criteria=other.criteria, deadline=other.deadline, exclude_pk=other.pk
    ) == [research_request]
    closed = api_for(roles["owner"]).post(f"{API}/{research_request.pk}/close/")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert not targeting.overlapping_requests(
        criteria=other.criteria, deadline=other.deadline, exclude_pk=other.pk
    )
