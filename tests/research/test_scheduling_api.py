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


def test_a_researcher_sets_availability_through_the_api_and_bad_windows_are_named(world, api_for):
    from research.models import Availability

    client = api_for(world.researcher)
    good = {
        "time_zone": "America/New_York",
        "weekly": [{"weekday": 1, "start": "10:00", "end": "12:00"}],
        "buffer_after_minutes": 10,
        "min_notice_hours": 4,
    }
    r = client.put("/api/v1/research/availability/", good, format="json")
    assert r.status_code == 200, r.content
    r = client.put(
        "/api/v1/research/availability/",
        {**good, "weekly": [{"weekday": 9, "start": "10:00", "end": "09:00"}]},
        format="json",
    )
    assert r.status_code == 400 and "weekly" in r.content.decode()
    r = client.put(
        "/api/v1/research/availability/", {**good, "time_zone": "Nowhere/City"}, format="json"
    )
    assert r.status_code == 400 and "time_zone" in r.content.decode()
    assert Availability.objects.get(user=world.researcher).weekly == good["weekly"]
    assert api_for(world.member).get("/api/v1/research/availability/").status_code == 403
