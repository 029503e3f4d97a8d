"""Researcher scheduling pages: request schedule, calendar, metrics; outsiders are refused."""

import pytest
from django.core import mail
from django.urls import reverse

from research import booking, invitations
from research.models import Booking, Invitation

from .scheduling_world import scheduling_world
from .test_scheduling import _later


@pytest.fixture
def sched(world):
    return scheduling_world(world)


def test_the_researcher_sends_a_wave_from_the_schedule_page(
    sched, client_for, django_capture_on_commit_callbacks
):
    client = client_for(sched.researcher)
    url = reverse("research:request_schedule", args=[sched.request.pk])
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(url, {"wave_size": "2"})
    assert r.status_code == 302
    assert Invitation.objects.count() == 2 and len(mail.outbox) == 2
    assert client.post(url, {"wave_size": "abc"}).status_code == 302
    assert Invitation.objects.count() == 2


def test_outsiders_cannot_see_or_send(sched, world, client_for):
    client = client_for(world.outsider)
    url = reverse("research:request_schedule", args=[sched.request.pk])
    assert client.get(url).status_code in (403, 404)
    assert client.post(url, {}).status_code in (403, 404)
    assert not Invitation.objects.exists()
    assert client.get(reverse("research:scheduling_metrics")).status_code == 403


def test_a_team_member_sees_the_schedule_but_cannot_send(sched, world, client_for):
    client = client_for(world.member)
    url = reverse("research:request_schedule", args=[sched.request.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 403


def test_the_schedule_and_calendar_list_sessions_in_a_bounded_number_of_queries(
    sched, client_for, django_assert_max_num_queries
):
    sent = invitations.invitations_send(request=sched.request, by=sched.researcher).sent
    for n, inv in enumerate(sent):
        slot = _later(sched.request)[n * 4]
        booking.booking_confirm(
            booking=booking.booking_hold(invitation=inv, start=slot.start, tz="UTC"), answers=[]
        )
    client = client_for(sched.researcher)
    with django_assert_max_num_queries(25):
        r = client.get(reverse("research:request_schedule", args=[sched.request.pk]))
    assert r.content.decode().count("Confirmed") >= 4
    with django_assert_max_num_queries(15):
        r = client.get(reverse("research:calendar"))
    assert r.content.decode().count("Checkout friction interviews") >= 4
    assert Booking.objects.filter(status="confirmed").count() == 4


def test_admins_see_the_metrics(sched, world, client_for):
    r = client_for(world.admin).get(reverse("research:scheduling_metrics"))
    assert r.status_code == 200 and "Fill rate" in r.content.decode()


def test_a_researcher_publishes_availability_in_their_zone(world, client_for):
    from research.models import Availability

    client = client_for(world.researcher)
    data = {
        "time_zone": "Europe/Berlin",
        "weekly": "Mon 09:00-12:00\nwed 14:00-17:00",
        "one_off": "2026-03-30 13:00-15:00",
        "blackout_dates": "2026-12-24",
        "buffer_before_minutes": 0,
        "buffer_after_minutes": 15,
        "min_notice_hours": 24,
        "max_per_day": 3,
        "max_per_week": "",
        "cutoff_hours": 12,
    }
    assert client.post(reverse("research:availability"), data).status_code == 302
    avail = Availability.objects.get(user=world.researcher)
    assert avail.weekly == [
        {"weekday": 0, "start": "09:00", "end": "12:00"},
        {"weekday": 2, "start": "14:00", "end": "17:00"},
    ]
    bad = client.post(
        reverse("research:availability"),
        {**data, "weekly": "Someday 9-5", "time_zone": "Mars/Base"},
    )
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "Mon 09:00-12:00" in body and "Mars/Base" in body
    assert Availability.objects.get(user=world.researcher).weekly == avail.weekly
    assert client_for(world.member).get(reverse("research:availability")).status_code == 403


def test_the_researcher_sets_a_screener_and_backfill(sched, client_for):
    from research.models import SchedulingSettings

    client = client_for(sched.researcher)
    url = reverse("research:request_schedule", args=[sched.request.pk])
    r = client.post(
        url,
        {
            "action": "settings",
            "invitation_days": 5,
            "auto_backfill": "on",
            "screener_text": "Which provider?\nHow many shops?",
        },
    )
    assert r.status_code == 302
    s = SchedulingSettings.objects.get(request=sched.request)
    assert (s.invitation_days, s.auto_backfill) == (5, True)
    assert [q["question"] for q in s.screener] == ["Which provider?", "How many shops?"]
