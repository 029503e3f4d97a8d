"""Interview scheduling: availability, invitations, bookings and reminders (imported by models.py)."""

import uuid
from datetime import time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from research import slots


def _parse_time(value, field: str) -> time:
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({field: f"'{value}' is not a time; write it like 09:00."}) from None


class Availability(models.Model):
    """When a researcher (or note-taker) can run sessions, in their own zone."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="research_availability"
    )
    time_zone = models.CharField(max_length=64, default="Europe/Berlin")
    # [{"weekday": 0, "start": "09:00", "end": "12:00"}], weekday 0 = Monday.
    weekly = models.JSONField(default=list, blank=True)
    # [{"date": "2026-03-30", "start": "13:00", "end": "15:00"}]
    one_off = models.JSONField(default=list, blank=True)
    blackout_dates = models.JSONField(default=list, blank=True)
    buffer_before_minutes = models.PositiveIntegerField(default=0)
    buffer_after_minutes = models.PositiveIntegerField(default=15)
    min_notice_hours = models.PositiveIntegerField(default=24)
    max_per_day = models.PositiveIntegerField(null=True, blank=True)
    max_per_week = models.PositiveIntegerField(null=True, blank=True)
    # How late a participant may still move or cancel a session themselves.
    cutoff_hours = models.PositiveIntegerField(default=12)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "availabilities"

    def __str__(self):
        return f"Availability of {self.user}"

    def clean(self):
        from research.models import validate_time_zone

        try:
            validate_time_zone(self.time_zone)
        except ValidationError as e:
            raise ValidationError({"time_zone": e.messages}) from None
        self.as_slots()

    def as_slots(self) -> slots.Availability:
        """The pure form the slot maths reads; raises ValidationError naming a bad entry."""
        from datetime import date

        windows = []
        for w in self.weekly or []:
            start, end = _parse_time(w.get("start"), "weekly"), _parse_time(w.get("end"), "weekly")
            weekday = w.get("weekday")
            if weekday not in range(7) or end <= start:
                raise ValidationError(
                    {"weekly": "Each window needs a weekday 0–6 and an end after its start."}
                )
            windows.append(slots.Window(weekday, start, end))
        one_offs = []
        for o in self.one_off or []:
            try:
                day = date.fromisoformat(str(o.get("date")))
            except ValueError:
                raise ValidationError({"one_off": "Write one-off dates like 2026-03-30."}) from None
            start, end = (
                _parse_time(o.get("start"), "one_off"),
                _parse_time(o.get("end"), "one_off"),
            )
            if end <= start:
                raise ValidationError({"one_off": "A one-off slot must end after it starts."})
            one_offs.append(slots.OneOff(day, start, end))
        try:
            blackout = frozenset(date.fromisoformat(str(d)) for d in self.blackout_dates or [])
        except ValueError:
            raise ValidationError({"blackout_dates": "Write dates like 2026-12-24."}) from None
        return slots.Availability(
            time_zone=self.time_zone,
            windows=tuple(windows),
            one_offs=tuple(one_offs),
            buffer_before=timedelta(minutes=self.buffer_before_minutes),
            buffer_after=timedelta(minutes=self.buffer_after_minutes),
            min_notice=timedelta(hours=self.min_notice_hours),
            max_per_day=self.max_per_day,
            max_per_week=self.max_per_week,
            blackout=blackout,
        )


class SchedulingSettings(models.Model):
    """A request's scheduling choices, set by its researcher."""

    request = models.OneToOneField(
        "ResearchRequest", on_delete=models.CASCADE, related_name="scheduling"
    )
    invitation_days = models.PositiveIntegerField(default=7)
    auto_backfill = models.BooleanField(default=False)
    # [{"question": "What do you use the product for?"}]; answers are kept with the booking.
    screener = models.JSONField(default=list, blank=True)
    note_taker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self):
        return f"Scheduling of {self.request}"


class InvitationQuerySet(models.QuerySet):
    def open(self, *, at=None):
        return self.filter(status=Invitation.Status.SENT, expires_at__gt=at or timezone.now())


class Invitation(models.Model):
    class Status(models.TextChoices):
        SENT = "sent", "Sent"
        BOOKED = "booked", "Booked"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "Expired"
        OPTED_OUT = "opted_out", "Opted out"
        CANCELLED = "cancelled", "Cancelled"

    request = models.ForeignKey(
        "ResearchRequest", on_delete=models.CASCADE, related_name="invitations"
    )
    participant = models.ForeignKey(
        "Participant", on_delete=models.CASCADE, related_name="invitations"
    )
    stratum = models.CharField(max_length=200, blank=True)
    wave = models.PositiveIntegerField(default=1)
    # Changing the nonce revokes every link signed before (a reused or leaked link stops working).
    nonce = models.UUIDField(default=uuid.uuid4)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.SENT, db_index=True
    )
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    ledger_entry = models.ForeignKey(
        "LedgerEntry", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "participant"], name="research_invitation_once_per_request"
            )
        ]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self):
        return f"Invitation of {self.participant_id} to {self.request_id}"


class Booking(models.Model):
    """A participant's session with a researcher: held briefly while they confirm, then booked.

    On PostgreSQL an exclusion constraint (migration 0013) forbids two held or confirmed
    bookings of one researcher whose times overlap, however the rows are written.
    """

    class Status(models.TextChoices):
        HELD = "held", "Held while confirming"
        CONFIRMED = "confirmed", "Confirmed"
        CANCELLED = "cancelled", "Cancelled"
        COMPLETED = "completed", "Completed"
        NO_SHOW = "no_show", "No-show"
        RELEASED = "released", "Hold lapsed"

    BLOCKING = (Status.HELD, Status.CONFIRMED, Status.COMPLETED, Status.NO_SHOW)

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="bookings")
    request = models.ForeignKey("ResearchRequest", on_delete=models.CASCADE, related_name="+")
    participant = models.ForeignKey("Participant", on_delete=models.CASCADE, related_name="+")
    researcher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # The session widened by the researcher's buffers: the exclusion constraint compares these,
    # so two sessions never come closer than the buffers allow.
    blocked_from = models.DateTimeField()
    blocked_until = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.HELD)
    held_until = models.DateTimeField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    screener_answers = models.JSONField(default=list, blank=True)
    # The calendar event's identity: the UID never changes, SEQUENCE grows with each change.
    uid = models.UUIDField(default=uuid.uuid4, unique=True)
    sequence = models.PositiveIntegerField(default=0)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    ledger_entry = models.ForeignKey(
        "LedgerEntry", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="research_booking_ends_after"
            ),
            # One live booking per invitation: a double submit cannot book twice.
            models.UniqueConstraint(
                fields=["invitation"],
                condition=Q(status__in=["held", "confirmed", "completed", "no_show"]),
                name="research_booking_one_live_per_invitation",
            ),
        ]
        indexes = [
            models.Index(fields=["researcher", "blocked_from"]),
            models.Index(fields=["request", "status"]),
        ]

    def __str__(self):
        return f"Booking {self.pk} at {self.starts_at:%Y-%m-%d %H:%M} UTC"

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class Reminder(models.Model):
    """One reminder e-mail, swept by beat and claimed with a conditional update (sent once)."""

    class Recipient(models.TextChoices):
        PARTICIPANT = "participant", "Participant"
        RESEARCHER = "researcher", "Researcher"

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="reminders")
    recipient = models.CharField(max_length=12, choices=Recipient.choices)
    hours_before = models.PositiveIntegerField()
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=Q(sent_at=None, cancelled_at=None),
                name="research_reminder_due",
            )
        ]

    def __str__(self):
        return f"{self.hours_before} h reminder to {self.recipient} for booking {self.booking_id}"


class ParticipantPreference(models.Model):
    """What a participant chose on their preference page (reached from every e-mail)."""

    participant = models.OneToOneField(
        "Participant", on_delete=models.CASCADE, related_name="preference"
    )
    # At most this many invitations in any 365 days (empty: the panel's rules alone decide).
    max_invitations_per_year = models.PositiveIntegerField(null=True, blank=True)
    paused_until = models.DateTimeField(null=True, blank=True)
    deletion_requested_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Preferences of {self.participant_id}"
