"""Keeping studies moving (expiry, backfill, funnel) and after the session (outcomes, nudge)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from productops.accounts.models import Notification
from research import booking, invitations, outcomes
from research.models import Booking, Hold, Invitation, LedgerEntry, SchedulingSettings

from .scheduling_world import scheduling_world
from .test_scheduling import _later


@pytest.fixture
def sched(world):
    w = scheduling_world(world)
    SchedulingSettings.objects.create(request=w.request, auto_backfill=True)
    return w


def _booked(w, n=0):
    sent = Invitation.objects.filter(request=w.request).order_by("id")
    slot = _later(w.request)[n * 4]
    held = booking.booking_hold(invitation=sent[n], start=slot.start, tz="UTC")
    return booking.booking_confirm(booking=held, answers=[])


def test_an_expired_invitation_frees_the_place_and_invites_the_next_standby_of_its_stratum(sched):
    sent = invitations.invitations_send(request=sched.request, by=sched.researcher).sent
    first = sent[0]
    Invitation.objects.filter(pk__in=[i.pk for i in sent]).update(expires_at=timezone.now())
    assert invitations.invitations_expire() == 4
    first.refresh_from_db()
    assert first.status == "expired"
    standby = Invitation.objects.filter(wave=0)
    assert {i.stratum for i in standby} == {"free", "pro"}
    assert not Hold.objects.filter(participant=first.participant, released_at=None).exists()


def test_without_auto_backfill_nobody_else_is_invited(world):
    w = scheduling_world(world)
    sent = invitations.invitations_send(request=w.request, by=w.researcher).sent
    invitations.invitation_close(invitation=sent[0], status="declined")
    assert not Invitation.objects.filter(wave=0).exists()


def test_completion_writes_minutes_and_the_incentive_owed_and_a_no_show_counts(sched):
    invitations.invitations_send(request=sched.request, by=sched.researcher)
    done, missed = _booked(sched, 0), _booked(sched, 1)
    after = done.ends_at + timedelta(hours=1)
    with pytest.raises(ValidationError):
        outcomes.booking_outcome(
            booking=done,
            outcome="completed",
            by=sched.researcher,
            now=done.starts_at - timedelta(hours=1),
        )
    outcomes.booking_outcome(booking=done, outcome="completed", by=sched.researcher, now=after)
    entry = LedgerEntry.objects.get(pk=Booking.objects.get(pk=done.pk).ledger_entry_id)
    assert (entry.kind, entry.minutes, entry.incentive_cents) == ("session", 45, 5000)
    outcomes.booking_outcome(
        booking=missed,
        outcome="no_show",
        by=sched.researcher,
        now=missed.ends_at + timedelta(hours=1),
    )
    assert LedgerEntry.objects.filter(kind="no_show", participant=missed.participant).count() == 1
    assert not LedgerEntry.objects.filter(kind="session", participant=missed.participant).exists()
    # A no-show frees the place: the next standby of the stratum is invited.
    assert Invitation.objects.filter(wave=0, stratum=missed.invitation.stratum).exists()
    with pytest.raises(ValidationError):
        outcomes.booking_outcome(booking=done, outcome="no_show", by=sched.researcher, now=after)


def test_only_the_researcher_records_an_outcome(sched, world):
    invitations.invitations_send(request=sched.request, by=sched.researcher)
    b = _booked(sched)
    with pytest.raises(ValidationError):
        outcomes.booking_outcome(
            booking=b, outcome="completed", by=world.outsider, now=b.ends_at + timedelta(hours=1)
        )
    assert Booking.objects.get(pk=b.pk).status == "confirmed"


def test_the_researcher_is_asked_the_day_after_a_session_without_an_outcome(sched):
    invitations.invitations_send(request=sched.request, by=sched.researcher)
    b = _booked(sched)
    assert outcomes.researchers_nudge(now=b.ends_at + timedelta(hours=2)) == 0
    assert outcomes.researchers_nudge(now=b.ends_at + timedelta(days=1, hours=1)) == 1
    assert Notification.objects.filter(recipient=sched.researcher).count() == 1


def test_the_funnel_counts_each_stage(sched):
    sent = invitations.invitations_send(request=sched.request, by=sched.researcher).sent
    b = _booked(sched, 0)
    invitations.invitation_close(invitation=sent[2], status="declined")
    outcomes.booking_outcome(
        booking=b, outcome="completed", by=sched.researcher, now=b.ends_at + timedelta(minutes=5)
    )
    funnel = outcomes.request_funnel(sched.request)
    assert funnel["invited"] == 5  # four + the standby the decline brought in
    assert (funnel["booked"], funnel["completed"], funnel["declined"]) == (1, 1, 1)
    assert funnel["hours_to_first_session"] is not None
    assert (
        funnel["hours_to_first_session"]
        <= (timezone.now() - sched.request.created_at).total_seconds() / 3600 + 0.1
    )


def test_every_periodic_scheduling_job_runs(sched):
    from research import tasks

    assert tasks.send_session_reminders() == 0
    assert tasks.expire_invitations() == 0
    assert tasks.ask_for_session_outcomes() == 0
