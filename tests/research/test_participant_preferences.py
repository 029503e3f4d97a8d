"""The participant's preference page (from every e-mail): frequency, pause, opt-out/in, deletion."""

import re

import pytest
from django.core import mail

from research import invitations
from research.models import Booking, Invitation, LedgerEntry, Participant, Suppression

from .scheduling_world import scheduling_world
from .test_scheduling import _later


@pytest.fixture
def sched(world):
    return scheduling_world(world)


def _prefs_path(participant):
    return f"/research/preferences/{invitations.prefs_token(participant)}/"


def test_every_invitation_email_links_to_the_preference_page(
    sched, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitations.invitations_send(request=sched.request, by=sched.researcher)
    assert all(re.search(r"/research/preferences/\S+/", m.body) for m in mail.outbox)


def test_a_pause_and_a_personal_limit_stop_invitations_naming_the_reason(sched, client):
    paused, limited = sched.people[0], sched.people[1]
    r = client.post(_prefs_path(paused), {"action": "save", "pause_months": "3"})
    assert r.status_code == 200
    client.post(_prefs_path(limited), {"action": "save", "max_per_year": "0"})
    result = invitations.invitations_send(request=sched.request, by=sched.researcher)
    reasons = {p.pk: reason for p, reason in result.refused}
    assert "Participant's pause" in reasons[paused.pk]
    assert "Participant's own limit" in reasons[limited.pk]
    assert not Invitation.objects.filter(participant__in=[paused, limited]).exists()


def test_bad_preference_values_are_refused_and_nothing_changes(sched, client):
    r = client.post(_prefs_path(sched.people[0]), {"action": "save", "pause_months": "99"})
    assert r.status_code == 400 and "0 to 24" in r.content.decode()
    assert client.get("/research/preferences/tampered:token/").status_code == 400


def test_opt_out_and_back_in_from_the_page(sched, client):
    person = sched.people[0]
    client.post(_prefs_path(person), {"action": "opt_out"})
    assert Participant.objects.get(pk=person.pk).opted_out
    client.post(_prefs_path(person), {"action": "opt_in"})
    assert not Participant.objects.get(pk=person.pk).opted_out
    assert Suppression.objects.get(participant=person).lifted_at is not None


def test_a_deletion_request_anonymises_and_keeps_only_ledger_counts(sched, client):
    from research import booking

    invitation = invitations.invitations_send(request=sched.request, by=sched.researcher).sent[0]
    person = invitation.participant
    booking.booking_confirm(
        booking=booking.booking_hold(
            invitation=invitation, start=_later(sched.request)[0].start, tz="UTC"
        ),
        answers=[{"question": "q", "answer": "my secret"}],
    )
    kinds_before = sorted(
        LedgerEntry.objects.filter(participant=person).values_list("kind", flat=True)
    )
    assert client.post(_prefs_path(person), {"action": "delete"}).status_code == 400
    r = client.post(_prefs_path(person), {"action": "delete", "confirm": "yes"})
    assert r.status_code == 200
    person.refresh_from_db()
    assert person.name == "Deleted participant" and "customer.example" not in person.email
    assert person.opted_out and person.do_not_contact
    # Past touches stay as counts; the cancelled future session no longer counts.
    kinds_after = sorted(
        LedgerEntry.objects.filter(participant=person).values_list("kind", flat=True)
    )
    assert kinds_before == ["invitation", "session"] and kinds_after == ["invitation"]
    assert not LedgerEntry.objects.filter(participant=person).exclude(note="").exists()
    b = Booking.objects.get(participant=person)
    assert b.status == "cancelled" and b.screener_answers == []
    assert client.get(_prefs_path(person)).status_code == 410
