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
