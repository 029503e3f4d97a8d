"""A participant's own choices: how often to be asked, a pause, and a deletion request."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from productops.accounts.services import audit_record
from research import eligibility
from research.models import (
    Booking,
    Invitation,
    LedgerEntry,
    Participant,
    ParticipantPreference,
    Reminder,
)

MAX_PAUSE_MONTHS = 24


def preference_refusal(participant: Participant, *, now) -> str:
    """Why the participant's own choices forbid an invitation now ("" when they allow it)."""
    pref = ParticipantPreference.objects.filter(participant=participant).first()
    if pref is None:
        return ""
    if pref.paused_until and pref.paused_until > now:
        return (
            f"Participant's pause: they asked not to be invited until {pref.paused_until:%Y-%m-%d}."
        )
    if pref.max_invitations_per_year is not None:
        count = LedgerEntry.objects.filter(
            participant=participant,
            kind=LedgerEntry.Kind.INVITATION,
            at__gte=now - timedelta(days=365),
        ).count()
        if count >= pref.max_invitations_per_year:
            return (
                f"Participant's own limit: {count} invitation(s) in the last 365 days "
                f"(they allow at most {pref.max_invitations_per_year})."
            )
    return ""


def preferences_update(*, participant: Participant, max_per_year, pause_months, now=None):
    now = now or timezone.now()
    errors = {}
    if max_per_year not in (None, "") and not (
        str(max_per_year).isdigit() and 0 <= int(max_per_year) <= 12
    ):
        errors["max_per_year"] = "Choose a number from 0 to 12, or leave it empty."
    if pause_months not in (None, "") and not (
        str(pause_months).isdigit() and 0 <= int(pause_months) <= MAX_PAUSE_MONTHS
    ):
        errors["pause_months"] = f"Choose a pause from 0 to {MAX_PAUSE_MONTHS} months."
    if errors:
        raise ValidationError(errors)
    pref, _ = ParticipantPreference.objects.get_or_create(participant=participant)
    pref.max_invitations_per_year = int(max_per_year) if max_per_year not in (None, "") else None
    if pause_months not in (None, ""):
        months = int(pause_months)
        pref.paused_until = now + timedelta(days=30 * months) if months else None
    pref.save()
    return pref


def participant_forget(*, participant: Participant, now=None) -> None:
    """A deletion request: the person's record is anonymised; the ledger keeps only counts."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Participant.objects.select_for_update().get(pk=participant.pk)
        for booking in Booking.objects.filter(participant=locked, status__in=Booking.BLOCKING):
            if booking.status in (Booking.Status.HELD, Booking.Status.CONFIRMED):
                booking.status = Booking.Status.CANCELLED
                booking.cancelled_at = now
                booking.sequence += 1
                booking.save(update_fields=["status", "cancelled_at", "sequence"])
                Reminder.objects.filter(booking=booking, sent_at=None).update(cancelled_at=now)
                # A session that will not happen no longer counts (as with any cancellation).
                if booking.ledger_entry_id:
                    LedgerEntry.objects.filter(pk=booking.ledger_entry_id).delete()
        Booking.objects.filter(participant=locked).update(screener_answers=[], time_zone="UTC")
        Invitation.objects.filter(participant=locked, status=Invitation.Status.SENT).update(
            status=Invitation.Status.CANCELLED, closed_at=now
        )
        # Kinds, dates, minutes and teams stay so counts and caps remain right; free text goes.
        LedgerEntry.objects.filter(participant=locked).update(note="")
        locked.name = "Deleted participant"
        locked.email = f"deleted-{locked.pk}@invalid.example"
        locked.external_id = f"deleted-{locked.pk}"
        for field in (
            "plan",
            "region",
            "country",
            "industry",
            "company_size",
            "tenure",
            "usage_level",
            "contact_block_reason",
        ):
            setattr(locked, field, "")
        locked.attributes = {}
        locked.opted_out = True
        locked.do_not_contact = True
        locked.save()
        pref, _ = ParticipantPreference.objects.get_or_create(participant=locked)
        pref.deletion_requested_at = now
        pref.save(update_fields=["deletion_requested_at", "updated_at"])
        audit_record(
            actor=None,
            action="research.participant.forgotten",
            target=locked,
            reason="deletion requested by the participant",
            data={},
        )
        eligibility.refresh_participants(ids=[locked.pk], now=now)
