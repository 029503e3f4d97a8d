"""Participants booking, moving and cancelling their own sessions.

A slot is first held for a few minutes (status HELD) while the person confirms; confirming turns
the hold into a booking, writes the planned session to the ledger and queues reminders. Every
write runs in one transaction that takes a per-researcher lock (PostgreSQL advisory lock; on
SQLite the IMMEDIATE transaction locks the file), re-checks the slot and the fatigue rules, and
is backed by the exclusion constraint of migration 0013: a researcher is never double-booked.
"""

import zoneinfo
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from research import availability, calendar_ics, eligibility, invitations, reminders, slots
from research.models import Availability, Booking, Invitation, LedgerEntry

HOLD_MINUTES = 5
# Invitation limits and cooldowns were checked when the invitation went out; the invitation
# itself would trip them now. Every other rule is checked again at booking time.
INVITATION_RULES = frozenset({"invitation-limit", "invitation-cooldown"})
_LOCK_BASE = 0x424F4F4B00000000


class SlotTaken(Exception):
    """The slot is gone; ``remaining`` lists the open slots to offer instead."""

    def __init__(self, message: str, remaining: list):
        super().__init__(message)
        self.remaining = remaining


def _lock_researcher(researcher_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_BASE + researcher_id])


def parse_zone(value: str) -> str:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            {
                "tz": f"'{value[:64]}' is not a time zone we know; pick one from the list "
                "(e.g. Europe/Berlin)."
            }
        )
    return value


def parse_slot(value: str) -> datetime:
    try:
        start = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValidationError({"slot": "Pick one of the times offered."}) from None
    if start.tzinfo is None:
        raise ValidationError({"slot": "Pick one of the times offered."})
    return start.astimezone(zoneinfo.ZoneInfo("UTC"))


def _rule_refusal(invitation: Invitation, now, minutes: int) -> str:
    result = eligibility.eligibility_check(
        participant=invitation.participant_id,
        method=invitation.request.method,
        now=now,
        request_id=invitation.request_id,
    )
    refusals = [r for r in result.refusals if r.rule not in INVITATION_RULES]
    return "; ".join(r.message for r in refusals)


def _check_open(invitation, start, now, exclude_booking_id=None):
    request = invitation.request
    open_now = availability.request_slots(
        request=request, now=now, exclude_booking_id=exclude_booking_id
    )
    if any(s.start == start for s in open_now):
        return
    if start <= now:
        message = "That time has already passed; pick one of the times below."
    else:
        message = "That time was just taken or is no longer offered; pick one of the times below."
    raise SlotTaken(message, open_now)


def _blocked(researcher_id, start, end):
    avail = Availability.objects.get(user_id=researcher_id)
    return (
        start - timedelta(minutes=avail.buffer_before_minutes),
        end + timedelta(minutes=avail.buffer_after_minutes),
    )


def booking_hold(*, invitation: Invitation, start: datetime, tz: str, now=None) -> Booking:
    """Hold a slot for HOLD_MINUTES while the participant confirms (raises SlotTaken)."""
    now = now or timezone.now()
    tz = parse_zone(tz)
    request = invitation.request
    # A cheap answer for the many who lose a race: a slot already taken is refused before
    # queueing for the researcher's lock (the check is repeated under the lock).
    if Booking.objects.filter(
        researcher_id=request.researcher_id,
        status=Booking.Status.CONFIRMED,
        starts_at=start,
    ).exists():
        _check_open(invitation, start, now)
    with transaction.atomic():
        _lock_researcher(request.researcher_id)
        live = Booking.objects.filter(invitation=invitation, status__in=Booking.BLOCKING).first()
        if live is not None and live.status != Booking.Status.HELD:
            raise ValidationError(
                {"slot": "You already booked a session; use the links to move it."}
            )
        if live is not None:
            # Picking another time while still confirming: let the old hold go first.
            live.status = Booking.Status.RELEASED
            live.save(update_fields=["status"])
        # Lapsed holds block nobody: release them before the overlap check and the constraint.
        Booking.objects.filter(
            researcher_id=request.researcher_id, status=Booking.Status.HELD, held_until__lte=now
        ).update(status=Booking.Status.RELEASED)
        _check_open(invitation, start, now)
        end = start + timedelta(minutes=request.session_minutes)
        blocked_from, blocked_until = _blocked(request.researcher_id, start, end)
        try:
            with transaction.atomic():
                return Booking.objects.create(
                    invitation=invitation,
                    request=request,
                    participant=invitation.participant,
                    researcher_id=request.researcher_id,
                    starts_at=start,
                    ends_at=end,
                    blocked_from=blocked_from,
                    blocked_until=blocked_until,
                    status=Booking.Status.HELD,
                    held_until=now + timedelta(minutes=HOLD_MINUTES),
                    time_zone=tz,
                    created_at=now,
                )
        except IntegrityError:
            raise SlotTaken(
                "That time was just taken; pick one of the times below.",
                availability.request_slots(request=request, now=now),
            ) from None


def booking_confirm(*, booking: Booking, answers: list, now=None) -> Booking:
    """Turn a hold into a booking: re-checks the rules, writes the planned session, queues reminders."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock_researcher(booking.researcher_id)
        locked = (
            Booking.objects.select_for_update()
            .select_related("invitation", "request", "participant", "researcher")
            .get(pk=booking.pk)
        )
        if locked.status == Booking.Status.CONFIRMED:
            return locked  # a double submit: the first one booked it
        if locked.status != Booking.Status.HELD or locked.held_until <= now:
            raise SlotTaken(
                "Your hold on that time ran out before you confirmed; pick a time again.",
                availability.request_slots(request=locked.request, now=now),
            )
        if locked.starts_at <= now:
            raise ValidationError({"slot": "That time has already passed; pick another."})
        refusal = _rule_refusal(locked.invitation, now, locked.minutes)
        if refusal:
            raise ValidationError({"slot": f"We cannot book this session: {refusal}"})
        request = locked.request
        from research import services

        entry = services.ledger_record(
            participant=locked.participant,
            kind=LedgerEntry.Kind.SESSION,
            at=locked.starts_at,
            method=request.method,
            minutes=locked.minutes,
            team=request.team,
            request=request,
            note="Planned session (booked by the participant)",
        )
        locked.status = Booking.Status.CONFIRMED
        locked.held_until = None
        locked.confirmed_at = now
        locked.screener_answers = answers
        locked.ledger_entry = entry
        locked.save(
            update_fields=[
                "status",
                "held_until",
                "confirmed_at",
                "screener_answers",
                "ledger_entry",
            ]
        )
        Invitation.objects.filter(pk=locked.invitation_id).update(
            status=Invitation.Status.BOOKED, closed_at=now
        )
        reminders.reminders_plan(booking=locked)
        transaction.on_commit(lambda: booking_email(locked, "confirmed"))
    return locked


def can_change(booking: Booking, now=None) -> bool:
    now = now or timezone.now()
    avail = Availability.objects.filter(user_id=booking.researcher_id).first()
    cutoff = timedelta(hours=avail.cutoff_hours if avail else 12)
    return booking.status == Booking.Status.CONFIRMED and booking.starts_at - cutoff > now


def _cutoff_error(booking):
    avail = Availability.objects.filter(user_id=booking.researcher_id).first()
    hours = avail.cutoff_hours if avail else 12
    return ValidationError(
        {
            "slot": f"Sessions can be moved or cancelled up to {hours} hours before they start; "
            "please reply to your confirmation e-mail instead."
        }
    )


def booking_reschedule(*, booking: Booking, start: datetime, now=None) -> Booking:
    now = now or timezone.now()
    with transaction.atomic():
        _lock_researcher(booking.researcher_id)
        locked = (
            Booking.objects.select_for_update()
            .select_related("invitation", "request", "participant", "researcher")
            .get(pk=booking.pk)
        )
        if not can_change(locked, now):
            raise _cutoff_error(locked)
        if start == locked.starts_at:
            return locked
        _check_open(locked.invitation, start, now, exclude_booking_id=locked.pk)
        end = start + timedelta(minutes=locked.request.session_minutes)
        locked.starts_at, locked.ends_at = start, end
        locked.blocked_from, locked.blocked_until = _blocked(locked.researcher_id, start, end)
        locked.sequence += 1
        try:
            with transaction.atomic():
                locked.save(
                    update_fields=[
                        "starts_at",
                        "ends_at",
                        "blocked_from",
                        "blocked_until",
                        "sequence",
                    ]
                )
        except IntegrityError:
            raise SlotTaken(
                "That time was just taken; pick one of the times below.",
                availability.request_slots(
                    request=locked.request, now=now, exclude_booking_id=locked.pk
                ),
            ) from None
        if locked.ledger_entry_id:
            LedgerEntry.objects.filter(pk=locked.ledger_entry_id).update(at=start)
            eligibility.refresh_participants(ids=[locked.participant_id], now=now)
        reminders.reminders_plan(booking=locked)
        transaction.on_commit(lambda: booking_email(locked, "moved"))
    return locked


def booking_cancel(*, booking: Booking, by_participant: bool = True, now=None) -> Booking:
    """Cancel: frees the time, drops the planned session and the reminders, may invite a standby."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            Booking.objects.select_for_update()
            .select_related("invitation", "request", "participant", "researcher")
            .get(pk=booking.pk)
        )
        if by_participant and not can_change(locked, now):
            raise _cutoff_error(locked)
        if locked.status != Booking.Status.CONFIRMED:
            raise ValidationError({"booking": "Only a confirmed session can be cancelled."})
        locked.status = Booking.Status.CANCELLED
        locked.cancelled_at = now
        locked.sequence += 1
        locked.save(update_fields=["status", "cancelled_at", "sequence"])
        if locked.ledger_entry_id:
            LedgerEntry.objects.filter(pk=locked.ledger_entry_id).delete()
            eligibility.refresh_participants(ids=[locked.participant_id], now=now)
        Invitation.objects.filter(pk=locked.invitation_id).update(
            status=Invitation.Status.CANCELLED, closed_at=now
        )
        reminders.reminders_cancel(booking=locked, now=now)
        transaction.on_commit(lambda: booking_email(locked, "cancelled"))
        invitations.backfill(request=locked.request, stratum=locked.invitation.stratum, now=now)
    return locked


def booking_email(booking: Booking, what: str) -> None:
    """The confirmation (or change) with the .ics, to the participant and the researcher."""
    method = "CANCEL" if what == "cancelled" else "REQUEST"
    ics = calendar_ics.booking_ics(booking, method=method)
    links = invitations.links_for(booking.invitation)
    local = booking.starts_at.astimezone(zoneinfo.ZoneInfo(booking.time_zone))
    for to, zone in (
        (booking.participant.email, booking.time_zone),
        (booking.researcher.email, booking.researcher.time_zone),
    ):
        if not to:
            continue
        when = booking.starts_at.astimezone(zoneinfo.ZoneInfo(zone))
        body = render_to_string(
            "research/email/booking.txt",
            {
                "booking": booking,
                "what": what,
                "when": when,
                "zone": zone,
                "links": links,
                "for_participant": to == booking.participant.email,
                "local": local,
            },
        )
        message = EmailMessage(
            subject=f"Research session {what}: {when:%a %d %b %Y %H:%M} ({zone})",
            body=body,
            to=[to],
            headers={"List-Unsubscribe": f"<{links['opt_out']}>"},
        )
        message.attach("session.ics", ics, f"text/calendar; method={method}; charset=utf-8")
        message.send()


def slots_for_viewer(open_slots: list, zone: str):
    return slots.group_by_local_day(open_slots, zone)
