"""Reminder e-mails as rows: planned at booking, moved with it, swept by beat, each sent once.

Rows rather than countdown tasks: a broker may redeliver or lose a far-future task, a row is
claimed with a conditional UPDATE (sent_at IS NULL) so two sweepers never both send it.
"""

import zoneinfo
from datetime import timedelta

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone

from research.models import Booking, Reminder

HOURS_BEFORE = (24, 1)


def reminders_plan(*, booking: Booking) -> None:
    """(Re)plan the 24 h and 1 h reminders of a booking; unsent ones of an earlier time go."""
    Reminder.objects.filter(booking=booking, sent_at=None).delete()
    now = timezone.now()
    rows = []
    for hours in HOURS_BEFORE:
        due = booking.starts_at - timedelta(hours=hours)
        if due <= now:
            continue
        for recipient in Reminder.Recipient.values:
            rows.append(
                Reminder(booking=booking, recipient=recipient, hours_before=hours, due_at=due)
            )
    Reminder.objects.bulk_create(rows)


def reminders_cancel(*, booking: Booking, now) -> int:
    return Reminder.objects.filter(booking=booking, sent_at=None, cancelled_at=None).update(
        cancelled_at=now
    )


def reminder_send(reminder_id: int, *, now=None) -> bool:
    """Claim and send one reminder; False when another worker already did (or it is moot)."""
    now = now or timezone.now()
    # Only the row's own columns in the claim: a filter across the join becomes
    # "id IN (subquery)", which PostgreSQL does not re-check after waiting on the row lock, so two
    # workers could both claim. A cancelled booking's reminders carry cancelled_at themselves.
    claimed = Reminder.objects.filter(pk=reminder_id, sent_at=None, cancelled_at=None).update(
        sent_at=now
    )
    if claimed != 1:
        return False
    reminder = Reminder.objects.select_related(
        "booking",
        "booking__request",
        "booking__participant",
        "booking__researcher",
        "booking__invitation",
    ).get(pk=reminder_id)
    booking = reminder.booking
    if booking.status != Booking.Status.CONFIRMED:
        return False
    from research import invitations

    links = invitations.links_for(booking.invitation)
    if reminder.recipient == Reminder.Recipient.PARTICIPANT:
        to, zone = booking.participant.email, booking.time_zone
    else:
        to, zone = booking.researcher.email, booking.researcher.time_zone
    if not to:
        return False
    when = booking.starts_at.astimezone(zoneinfo.ZoneInfo(zone))
    body = render_to_string(
        "research/email/reminder.txt",
        {
            "booking": booking,
            "reminder": reminder,
            "when": when,
            "zone": zone,
            "links": links,
            "for_participant": reminder.recipient == Reminder.Recipient.PARTICIPANT,
        },
    )
    EmailMessage(
        subject=f"Reminder: research session {when:%a %d %b %H:%M} ({zone})",
        body=body,
        to=[to],
        headers={"List-Unsubscribe": f"<{links['opt_out']}>"},
    ).send()
    return True


def reminders_sweep(*, now=None) -> int:
    """Send every due reminder (beat); returns how many this sweeper sent."""
    now = now or timezone.now()
    due = list(
        Reminder.objects.filter(
            sent_at=None,
            cancelled_at=None,
            due_at__lte=now,
            booking__status=Booking.Status.CONFIRMED,
        ).values_list("pk", flat=True)[:500]
    )
    return sum(reminder_send(pk, now=now) for pk in due)
