"""Scheduling through the REST API: same permissions as the pages."""

import pytest
from django.core import mail

from research.models import Invitation

from .scheduling_world import scheduling_world


@pytest.fixture
def sched(world):
    return scheduling_world(world)


def test_the_researcher_sends_invitations_through_the_api(
    sched, api_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        r = api_for(sched.researcher).post(
            "/api/v1/research/invitations/send/",
            {"request": sched.request.pk, "wave_size": 3},
            format="json",
        )
    assert r.status_code == 201, r.content
    assert len(r.json()["sent"]) == 3 and len(mail.outbox) == 3
    listed = api_for(sched.researcher).get(
        f"/api/v1/research/invitations/?request={sched.request.pk}"
    )
    assert listed.json()["count"] == 3


def test_bad_input_names_the_field_and_changes_nothing(sched, api_for):
    r = api_for(sched.researcher).post(
        "/api/v1/research/invitations/send/",
        {"request": sched.request.pk, "wave_size": 0},
        format="json",
    )
    assert r.status_code == 400 and "wave_size" in r.content.decode()
    assert not Invitation.objects.exists()


def test_outsiders_and_members_cannot_send_or_see_other_teams_bookings(sched, world, api_for):
    r = api_for(world.outsider).post(
        "/api/v1/research/invitations/send/", {"request": sched.request.pk}, format="json"
    )
    assert r.status_code == 404
    r = api_for(world.member).post(
        "/api/v1/research/invitations/send/", {"request": sched.request.pk}, format="json"
    )
    assert r.status_code == 403
    assert not Invitation.objects.exists()
    assert api_for(world.outsider).get("/api/v1/research/bookings/").json()["count"] == 0
    assert api_for(world.outsider).get("/api/v1/research/scheduling/metrics/").status_code == 403
    assert api_for(world.admin).get("/api/v1/research/scheduling/metrics/").status_code == 200
