"""Demo scheduling: availability for rita and a colleague, a study in progress, a booking link."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from productops.accounts.models import User
from research import booking, invitations, outcomes, services
from research.models import (
    Availability,
    Booking,
    Invitation,
    LedgerEntry,
    ResearchRequest,
    SchedulingSettings,
)

STUDY = "Onboarding checklist interviews"
WEEKDAYS = [
    {"weekday": d, "start": s, "end": e}
    for d in range(5)
    for s, e in (("09:00", "12:00"), ("14:00", "17:00"))
]


def _say(stdout, text):
    if stdout:
        stdout.write(text)


def seed(stdout=None) -> None:
    rita = User.objects.filter(username="rita").first()
    colleague = User.objects.filter(username="admin").first()
    for user, zone in ((rita, "Europe/Berlin"), (colleague, "Europe/London")):
        if user is not None:
            Availability.objects.get_or_create(
                user=user,
                defaults={
                    "time_zone": zone,
                    "weekly": WEEKDAYS,
                    "buffer_after_minutes": 15,
                    "min_notice_hours": 12,
                    "max_per_day": 4,
                    "cutoff_hours": 12,
                    "blackout_dates": [],
                },
            )
    study = ResearchRequest.objects.filter(title=STUDY, researcher=rita).first()
    if study is None or not study.samples.exists():
        return
    SchedulingSettings.objects.get_or_create(
        request=study,
        defaults={
            "auto_backfill": True,
            "screener": [{"question": "Which part of the checklist did you last work on?"}],
        },
    )
    if not Invitation.objects.filter(request=study).exists():
        with transaction.atomic():
            _study_in_progress(study, rita)
    pending = Invitation.objects.filter(request=study, status=Invitation.Status.SENT).first()
    if pending is not None:
        link = invitations.links_for(pending)["book"]
        _say(stdout, f"Try the participant booking page: {link}")


def _study_in_progress(study, rita):
    result = invitations.invitations_send(request=study, by=rita)
    sent = result.sent
    now = timezone.now()
    later = [
        s
        for s in booking.availability.request_slots(request=study)
        if s.start > now + timedelta(days=2)
    ]
    # Two booked sessions ahead...
    for invitation, slot in zip(sent[:2], later[::5], strict=False):
        booking.booking_confirm(
            booking=booking.booking_hold(
                invitation=invitation,
                start=slot.start,
                tz=invitation.participant.time_zone or "UTC",
            ),
            answers=[
                {
                    "question": "Which part of the checklist did you last work on?",
                    "answer": "Setting up payments",
                }
            ],
        )
    # ...and two held last week: one completed, one no-show (written as they would have been).
    for n, (invitation, outcome) in enumerate(
        zip(sent[2:4], ("completed", "no_show"), strict=False)
    ):
        start = (now - timedelta(days=3 + n)).replace(minute=0, second=0, microsecond=0)
        end = start + timedelta(minutes=study.session_minutes)
        entry = services.ledger_record(
            participant=invitation.participant,
            kind=LedgerEntry.Kind.SESSION,
            at=start,
            method=study.method,
            minutes=study.session_minutes,
            team=study.team,
            request=study,
            source=LedgerEntry.Source.DEMO,
            note="Planned session (demo)",
        )
        b = Booking.objects.create(
            invitation=invitation,
            request=study,
            participant=invitation.participant,
            researcher=rita,
            starts_at=start,
            ends_at=end,
            blocked_from=start,
            blocked_until=end + timedelta(minutes=15),
            status=Booking.Status.CONFIRMED,
            time_zone=invitation.participant.time_zone or "UTC",
            confirmed_at=start - timedelta(days=2),
            ledger_entry=entry,
        )
        Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.BOOKED)
        outcomes.booking_outcome(booking=b, outcome=outcome, by=rita, now=now)
