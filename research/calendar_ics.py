"""The .ics calendar invitation of a booking (RFC 5545 via the icalendar library).

The UID is the booking's and never changes; SEQUENCE grows with every change (reschedule,
cancellation) so calendar programs replace the event instead of adding a second one. Times are
UTC, so the event opens at the right instant whatever zone the reader's calendar uses.
"""

from datetime import UTC, datetime

from django.conf import settings
from icalendar import Calendar, Event, vCalAddress, vText


def booking_ics(booking, *, method: str = "REQUEST") -> bytes:
    """METHOD:REQUEST for a new or moved session, METHOD:CANCEL for a cancelled one."""
    cal = Calendar()
    cal.add("prodid", "-//ProductOps Portal//Research scheduling//EN")
    cal.add("version", "2.0")
    cal.add("method", method)
    event = Event()
    event.add("uid", f"{booking.uid}@productops")
    event.add("sequence", booking.sequence)
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", booking.starts_at.astimezone(UTC))
    event.add("dtend", booking.ends_at.astimezone(UTC))
    event.add("summary", f"Research session: {booking.request.title}")
    event.add("description", booking.request.goal[:1000])
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{booking.researcher.email or settings.DEFAULT_FROM_EMAIL}")
    organizer.params["cn"] = vText(
        booking.researcher.get_full_name() or booking.researcher.username
    )
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{booking.participant.email}")
    attendee.params["cn"] = vText(booking.participant.name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    event.add("attendee", attendee, encode=0)
    cal.add_component(event)
    return cal.to_ical()
