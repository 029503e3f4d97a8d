"""Invitations, self-booking, the .ics, cut-offs and reminders (research/invitations.py, booking.py)."""

import re
import threading
from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from research import availability, booking, invitations, reminders
from research.models import (
    Booking,
    FatigueRuleSet,
    Hold,
    Invitation,
    LedgerEntry,
    Participant,
    Reminder,
    Suppression,
)

from .scheduling_world import scheduling_world


def _link(message, name):
    pattern = {"book": r"/research/book/[^/\s]+/", "opt_out": r"/research/opt-out/[^/\s]+/"}[name]
    return re.search(r"http://[^/\s]+(" + pattern + ")", message.body).group(1)


def _later(request):
    """Open slots beyond the reschedule cut-off and the 24 h reminder."""
    cutoff = timezone.now() + timedelta(hours=30)
    return [s for s in availability.request_slots(request=request) if s.start > cutoff]


def _invite_all(w, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return invitations.invitations_send(request=w.request, by=w.researcher)


@pytest.fixture
def sched(world):
    return scheduling_world(world)


def test_invitations_go_to_the_selected_members_with_a_personal_link_and_a_ledger_entry(
    sched, django_capture_on_commit_callbacks
):
    result = _invite_all(sched, django_capture_on_commit_callbacks)
    assert len(result.sent) == 4 and result.refused == []
    assert len(mail.outbox) == 4
    message = mail.outbox[0]
    assert "45 minutes" in message.body and "50.00" in message.body
    assert "/research/book/" in message.body and "/research/opt-out/" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert LedgerEntry.objects.filter(kind="invitation", request=sched.request).count() == 4
    # The holds of the invited end as INVITED; the standby keep theirs.
    invited = [i.participant_id for i in result.sent]
    assert set(
        Hold.objects.filter(participant_id__in=invited).values_list("release_reason", flat=True)
    ) <= {"invited"}


def test_a_participant_a_fatigue_rule_forbids_is_refused_with_the_rule_named(
    sched, django_capture_on_commit_callbacks
):
    blocked = sched.people[0]
    Participant.objects.filter(pk=blocked.pk).update(do_not_contact=True)
    result = _invite_all(sched, django_capture_on_commit_callbacks)
    assert [p.pk for p, _ in result.refused] == [blocked.pk]
    assert "Do not contact" in result.refused[0][1]
    assert not Invitation.objects.filter(participant=blocked).exists()
    assert len(mail.outbox) == 3


def test_waves_invite_the_next_members_only(sched, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = invitations.invitations_send(
            request=sched.request, by=sched.researcher, wave_size=2
        )
        second = invitations.invitations_send(
            request=sched.request, by=sched.researcher, wave_size=2
        )
    assert {i.wave for i in first.sent} == {1} and {i.wave for i in second.sent} == {2}
    assert len({i.participant_id for i in first.sent + second.sent}) == 4


def _book_via_pages(client, path, slot, tz="America/New_York"):
    page = client.get(path + f"?tz={tz}")
    assert page.status_code == 200
    response = client.post(path, {"slot": slot.start.isoformat(), "tz": tz})
    assert response.status_code == 302, response.content.decode()[:2000]
    confirm = client.get(response["Location"])
    assert confirm.status_code == 200
    return client.post(response["Location"], {})


def test_the_participant_books_from_the_email_and_gets_an_ics_at_the_right_instant(
    sched, client, django_capture_on_commit_callbacks
):
    _invite_all(sched, django_capture_on_commit_callbacks)
    path = _link(mail.outbox[0], "book")
    open_slots = availability.request_slots(request=sched.request)
    slot = open_slots[0]
    page = client.get(path + "?tz=America/New_York")
    local = slot.start.astimezone(__import__("zoneinfo").ZoneInfo("America/New_York"))
    label = f'for="slot-{int(slot.start.timestamp())}">{local:%H:%M}</label>'
    assert label in page.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = _book_via_pages(client, path, slot)
    assert done.status_code == 302 and done["Location"].endswith("/done/")
    b = Booking.objects.get(status="confirmed")
    assert (b.starts_at, b.time_zone) == (slot.start, "America/New_York")
    # Participant and researcher each get the calendar invitation, with UTC times.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([b.participant.email, "rita@example.com"])
    for message in mail.outbox:
        name, content, mimetype = message.attachments[0]
        event = icalendar.Calendar.from_ical(content).walk("VEVENT")[0]
        assert event.decoded("dtstart") == slot.start
        assert event.decoded("dtstart").utcoffset() == timedelta(0)
        assert str(event["uid"]) == f"{b.uid}@productops" and event["sequence"] == 0
    assert LedgerEntry.objects.filter(kind="session", request=sched.request, at=slot.start).exists()
    assert Reminder.objects.filter(booking=b).count() in (2, 4)
    # The link used again shows the booking; it never books a second time.
    again = client.get(path)
    assert again.status_code == 302 and again["Location"].endswith("/done/")
    assert Booking.objects.filter(invitation=b.invitation).exclude(status="released").count() == 1


def test_a_reschedule_keeps_the_uid_bumps_the_sequence_and_moves_the_reminders(
    sched, client, django_capture_on_commit_callbacks
):
    _invite_all(sched, django_capture_on_commit_callbacks)
    path = _link(mail.outbox[0], "book")
    with django_capture_on_commit_callbacks(execute=True):
        _book_via_pages(client, path, _later(sched.request)[0])
    b = Booking.objects.get(status="confirmed")
    new = availability.request_slots(request=sched.request)[-1]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path + "move/", {"slot": new.start.isoformat()})
    assert response.status_code == 302
    b.refresh_from_db()
    assert b.starts_at == new.start and b.sequence == 1
    event = icalendar.Calendar.from_ical(mail.outbox[0].attachments[0][1]).walk("VEVENT")[0]
    assert str(event["uid"]) == f"{b.uid}@productops" and event["sequence"] == 1
    assert event.decoded("dtstart") == new.start
    due = set(Reminder.objects.filter(booking=b, sent_at=None).values_list("due_at", flat=True))
    assert due == {new.start - timedelta(hours=24), new.start - timedelta(hours=1)}


def test_bad_links_get_a_clear_page_and_change_nothing(
    sched, client, django_capture_on_commit_callbacks
):
    _invite_all(sched, django_capture_on_commit_callbacks)
    path = _link(mail.outbox[0], "book")
    tampered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]
    assert client.get(tampered).status_code == 400
    invitation = Invitation.objects.order_by("id").first()
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    expired = client.post(
        path, {"slot": availability.request_slots(request=sched.request)[0].start.isoformat()}
    )
    assert expired.status_code == 410 and "expired" in expired.content.decode()
    assert not Booking.objects.exists()


def test_past_unknown_and_taken_slots_and_bad_zones_are_refused(
    sched, client, django_capture_on_commit_callbacks
):
    _invite_all(sched, django_capture_on_commit_callbacks)
    first, second = _link(mail.outbox[0], "book"), _link(mail.outbox[1], "book")
    past = (timezone.now() - timedelta(days=1)).isoformat()
    r = client.post(first, {"slot": past, "tz": "UTC"})
    assert r.status_code == 409 and "already passed" in r.content.decode()
    r = client.post(first, {"slot": "not a time", "tz": "UTC"})
    assert r.status_code == 400
    r = client.get(first + "?tz=Mars/Olympus")
    assert r.status_code == 400 and "Mars/Olympus" in r.content.decode()
    slot = availability.request_slots(request=sched.request)[0]
    assert client.post(first, {"slot": slot.start.isoformat(), "tz": "UTC"}).status_code == 302
    r = client.post(second, {"slot": slot.start.isoformat(), "tz": "UTC"})
    assert r.status_code == 409 and "taken" in r.content.decode()
    # The remaining slots are listed instead.
    assert "slot-" in r.content.decode()
    assert Booking.objects.count() == 1


def test_reschedule_and_cancel_after_the_cutoff_are_refused(
    sched, client, django_capture_on_commit_callbacks
):
    _invite_all(sched, django_capture_on_commit_callbacks)
    path = _link(mail.outbox[0], "book")
    with django_capture_on_commit_callbacks(execute=True):
        _book_via_pages(client, path, _later(sched.request)[0])
    b = Booking.objects.get(status="confirmed")
    soon = timezone.now() + timedelta(hours=3)
    Booking.objects.filter(pk=b.pk).update(
        starts_at=soon,
        ends_at=soon + timedelta(minutes=45),
        blocked_from=soon,
        blocked_until=soon + timedelta(hours=1),
    )
    later = availability.request_slots(request=sched.request)[-1]
    r = client.post(path + "move/", {"slot": later.start.isoformat()})
    assert r.status_code == 409
    assert client.post(path + "cancel/").status_code == 409
    b.refresh_from_db()
    assert b.status == "confirmed" and b.starts_at == soon


def test_cancel_sends_a_cancel_ics_stops_reminders_and_invites_the_next_standby(
    sched, client, django_capture_on_commit_callbacks
):
    from research.models import SchedulingSettings

    SchedulingSettings.objects.create(request=sched.request, auto_backfill=True)
    _invite_all(sched, django_capture_on_commit_callbacks)
    path = _link(mail.outbox[0], "book")
    with django_capture_on_commit_callbacks(execute=True):
        _book_via_pages(client, path, _later(sched.request)[0])
    b = Booking.objects.get(status="confirmed")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(path + "cancel/").status_code == 200
    b.refresh_from_db()
    assert b.status == "cancelled"
    cancel = [m for m in mail.outbox if m.attachments]
    event = icalendar.Calendar.from_ical(cancel[0].attachments[0][1])
    assert event["method"] == "CANCEL" and event.walk("VEVENT")[0]["sequence"] == 1
    assert not LedgerEntry.objects.filter(kind="session", participant=b.participant).exists()
    assert reminders.reminders_sweep(now=b.starts_at) == 0
    standby = Invitation.objects.get(wave=0)
    assert standby.stratum == b.invitation.stratum


def test_one_click_opt_out_puts_the_person_on_the_suppression_list_at_once(
    sched, client, django_capture_on_commit_callbacks
):
    _invite_all(sched, django_capture_on_commit_callbacks)
    path = _link(mail.outbox[0], "opt_out")
    invitation = Invitation.objects.get(participant__email=mail.outbox[0].to[0])
    assert client.get(path).status_code == 200
    assert not Suppression.objects.exists()  # a mail scanner's GET changes nothing
    assert client.post(path).status_code == 200
    person = Participant.objects.get(pk=invitation.participant_id)
    assert person.opted_out
    assert Suppression.objects.get(participant=person).source == "participant"
    invitation.refresh_from_db()
    assert invitation.status == "opted_out"
    # The invitation link is closed now.
    assert client.get(_link(mail.outbox[0], "book")).status_code == 410


def test_the_fatigue_rules_are_checked_again_inside_the_booking(
    sched, django_capture_on_commit_callbacks
):
    result = _invite_all(sched, django_capture_on_commit_callbacks)
    invitation = result.sent[0]
    slot = availability.request_slots(request=sched.request)[0]
    held = booking.booking_hold(invitation=invitation, start=slot.start, tz="UTC")
    Participant.objects.filter(pk=invitation.participant_id).update(do_not_contact=True)
    with pytest.raises(Exception, match="Do not contact"):
        booking.booking_confirm(booking=held, answers=[])
    assert not LedgerEntry.objects.filter(kind="session").exists()
    assert FatigueRuleSet.objects.count() >= 0


def test_each_reminder_is_sent_once_and_none_after_cancellation(
    sched, django_capture_on_commit_callbacks
):
    result = _invite_all(sched, django_capture_on_commit_callbacks)
    slots_now = availability.request_slots(request=sched.request)
    later = [s for s in slots_now if s.start > timezone.now() + timedelta(hours=30)]
    a = booking.booking_hold(invitation=result.sent[0], start=later[0].start, tz="UTC")
    b = booking.booking_hold(invitation=result.sent[1], start=later[-1].start, tz="UTC")
    with django_capture_on_commit_callbacks(execute=True):
        a = booking.booking_confirm(booking=a, answers=[])
        b = booking.booking_confirm(booking=b, answers=[])
        booking.booking_cancel(booking=b, by_participant=False)
    mail.outbox.clear()
    at = a.starts_at - timedelta(minutes=30)
    assert reminders.reminders_sweep(now=at) == 4
    assert reminders.reminders_sweep(now=at) == 0
    assert len(mail.outbox) == 4
    assert all(m.to[0] != b.participant.email for m in mail.outbox)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_people_racing_for_one_slot_give_exactly_one_booking(world):
    assert connection.vendor == "postgresql"
    w = scheduling_world(world, selected=50, standby=0)
    sent = invitations.invitations_send(request=w.request, by=w.researcher).sent
    assert len(sent) == 50
    slot = availability.request_slots(request=w.request)[0]
    outcomes, barrier = [], threading.Barrier(50)

    def attempt(invitation):
        from django.db import connections

        try:
            barrier.wait()
            held = booking.booking_hold(invitation=invitation, start=slot.start, tz="UTC")
            booking.booking_confirm(booking=held, answers=[])
            outcomes.append("booked")
        except booking.SlotTaken as e:
            outcomes.append(
                ("taken", len(e.remaining), slot.start in [s.start for s in e.remaining])
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in sent]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("booked") == 1
    taken = [o for o in outcomes if o != "booked"]
    assert len(taken) == 49
    assert all(n > 0 and not offered for _, n, offered in taken)
    assert Booking.objects.filter(status="confirmed").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_overlapping_bookings_written_directly(world):
    from django.db import IntegrityError

    w = scheduling_world(world, selected=2, standby=0)
    sent = invitations.invitations_send(request=w.request, by=w.researcher).sent
    slot = availability.request_slots(request=w.request)[0]
    first = booking.booking_hold(invitation=sent[0], start=slot.start, tz="UTC")
    with pytest.raises(IntegrityError):
        Booking.objects.create(
            invitation=sent[1],
            request=w.request,
            participant=sent[1].participant,
            researcher=w.researcher,
            starts_at=first.starts_at + timedelta(minutes=20),
            ends_at=first.ends_at + timedelta(minutes=20),
            blocked_from=first.starts_at + timedelta(minutes=20),
            blocked_until=first.blocked_until + timedelta(minutes=20),
            status="confirmed",
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweepers_at_once_send_each_reminder_once(world):
    from django.db import connections

    w = scheduling_world(world, selected=3, standby=0)
    sent = invitations.invitations_send(request=w.request, by=w.researcher).sent
    later = [
        s
        for s in availability.request_slots(request=w.request)
        if s.start > timezone.now() + timedelta(hours=30)
    ]
    booked = []
    for inv, s in zip(sent, (later[0], later[8], later[16]), strict=True):
        booked.append(
            booking.booking_confirm(
                booking=booking.booking_hold(invitation=inv, start=s.start, tz="UTC"), answers=[]
            )
        )
    mail.outbox.clear()
    at = max(b.starts_at for b in booked)
    counts, barrier = [], threading.Barrier(2)

    def sweep():
        try:
            barrier.wait()
            counts.append(reminders.reminders_sweep(now=at))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(counts) == 12
    assert len(mail.outbox) == 12
    assert Reminder.objects.filter(sent_at=None).count() == 0


def test_the_booking_page_needs_no_login_and_its_urls_resolve(sched):
    assert reverse("research:book", args=["x"]).startswith("/research/book/")


def test_a_double_submitted_confirmation_books_once(
    sched, client, django_capture_on_commit_callbacks
):
    _invite_all(sched, django_capture_on_commit_callbacks)
    path = _link(mail.outbox[0], "book")
    slot = _later(sched.request)[0]
    client.post(path, {"slot": slot.start.isoformat(), "tz": "UTC"})
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(path + "confirm/", {})
        second = client.post(path + "confirm/", {})
    assert first.status_code == second.status_code == 302
    assert Booking.objects.filter(status="confirmed").count() == 1
    assert LedgerEntry.objects.filter(kind="session").count() == 1
    assert len(mail.outbox) == 2  # one confirmation each to participant and researcher


def test_a_lapsed_hold_frees_the_slot_and_cannot_be_confirmed(
    sched, client, django_capture_on_commit_callbacks
):
    result = _invite_all(sched, django_capture_on_commit_callbacks)
    slot = _later(sched.request)[0]
    held = booking.booking_hold(invitation=result.sent[0], start=slot.start, tz="UTC")
    assert slot.start not in [s.start for s in availability.request_slots(request=sched.request)]
    Booking.objects.filter(pk=held.pk).update(held_until=timezone.now())
    assert slot.start in [s.start for s in availability.request_slots(request=sched.request)]
    other = booking.booking_hold(invitation=result.sent[1], start=slot.start, tz="UTC")
    with pytest.raises(booking.SlotTaken):
        booking.booking_confirm(booking=held, answers=[])
    assert booking.booking_confirm(booking=other, answers=[]).status == "confirmed"


def test_screener_answers_are_kept_with_the_booking(
    sched, client, django_capture_on_commit_callbacks
):
    from research.models import SchedulingSettings

    SchedulingSettings.objects.create(
        request=sched.request, screener=[{"question": "Which payment provider do you use?"}]
    )
    _invite_all(sched, django_capture_on_commit_callbacks)
    path = _link(mail.outbox[0], "book")
    client.post(path, {"slot": _later(sched.request)[0].start.isoformat(), "tz": "UTC"})
    page = client.get(path + "confirm/")
    assert "Which payment provider do you use?" in page.content.decode()
    client.post(path + "confirm/", {"answer_0": "Stripe"})
    assert Booking.objects.get(status="confirmed").screener_answers == [
        {"question": "Which payment provider do you use?", "answer": "Stripe"}
    ]


def test_with_a_note_taker_only_times_both_can_make_are_offered(sched, world):
    from research.models import Availability, SchedulingSettings

    before = availability.request_slots(request=sched.request)
    Availability.objects.create(
        user=world.admin,
        time_zone="Europe/London",
        weekly=[{"weekday": d, "start": "09:00", "end": "10:00"} for d in range(5)],
        min_notice_hours=0,
        buffer_after_minutes=0,
    )
    SchedulingSettings.objects.create(request=sched.request, note_taker=world.admin)
    after = availability.request_slots(request=sched.request)
    assert after and len(after) < len(before)
    london = __import__("zoneinfo").ZoneInfo("Europe/London")
    # London 09:00-10:00 fits one 45-minute session starting 09:00 London = 10:00 Berlin.
    assert {s.start.astimezone(london).strftime("%H:%M") for s in after} == {"09:00"}
