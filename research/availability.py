"""A researcher's open slots for a request, read from the database and computed by research/slots.py."""

from datetime import timedelta

from django.utils import timezone

from research import slots
from research.models import Availability, Booking, ResearchRequest, SchedulingSettings

# How far ahead a participant is offered slots.
HORIZON = timedelta(days=28)


def busy_for(*, researcher_id: int, start, end, exclude_booking_id=None) -> list[tuple]:
    """The researcher's held and booked sessions overlapping [start, end), as (start, end) in UTC."""
    qs = Booking.objects.filter(
        researcher_id=researcher_id,
        status__in=Booking.BLOCKING,
        starts_at__lt=end,
        ends_at__gt=start,
    )
    if exclude_booking_id is not None:
        qs = qs.exclude(pk=exclude_booking_id)
    now = timezone.now()
    # A hold whose few minutes are over no longer blocks anyone (booking.py deletes it lazily).
    return [
        (s, e)
        for s, e, status, held in qs.values_list("starts_at", "ends_at", "status", "held_until")
        if not (status == Booking.Status.HELD and held is not None and held <= now)
    ]


def request_slots(
    *, request: ResearchRequest, now=None, start=None, end=None, exclude_booking_id=None
) -> list[slots.Slot]:
    """Open slots for this request's session length with its researcher (none without availability)."""
    now = now or timezone.now()
    availability = Availability.objects.filter(user_id=request.researcher_id).first()
    if availability is None:
        return []
    start = start or now
    end = end or now + HORIZON
    pure = availability.as_slots()
    margin = pure.buffer_before + pure.buffer_after + timedelta(days=8)
    busy = busy_for(
        researcher_id=request.researcher_id,
        start=start - margin,
        end=end + margin,
        exclude_booking_id=exclude_booking_id,
    )
    found = slots.open_slots(
        pure,
        length=timedelta(minutes=request.session_minutes),
        busy=busy,
        now=now,
        start=start,
        end=end,
    )
    # With a note-taker, only times both can make are offered.
    note_taker_id = (
        SchedulingSettings.objects.filter(request=request)
        .values_list("note_taker_id", flat=True)
        .first()
    )
    if note_taker_id and note_taker_id != request.researcher_id:
        theirs = Availability.objects.filter(user_id=note_taker_id).first()
        if theirs is None:
            return []
        other = theirs.as_slots()
        their_busy = busy_for(researcher_id=note_taker_id, start=start - margin, end=end + margin)
        open_to_them = {
            s.start
            for s in slots.open_slots(
                other,
                length=timedelta(minutes=request.session_minutes),
                busy=their_busy,
                now=now,
                start=start,
                end=end,
            )
        }
        found = [s for s in found if s.start in open_to_them]
    return found
