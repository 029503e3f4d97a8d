"""After the session: completed or no-show, the ledger and the nudge when the researcher forgets."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone

from productops.accounts.services import audit_record
from research import eligibility, invitations
from research.models import Booking, Invitation, LedgerEntry, ResearchRequest


def booking_outcome(*, booking: Booking, outcome: str, by, now=None) -> Booking:
    """Mark a past session completed (session, minutes and incentive owed in the ledger) or no-show."""
    now = now or timezone.now()
    if outcome not in (Booking.Status.COMPLETED, Booking.Status.NO_SHOW):
        raise ValidationError({"outcome": "Choose completed or no_show."})
    with transaction.atomic():
        locked = (
            Booking.objects.select_for_update()
            .select_related("request", "invitation")
            .get(pk=booking.pk)
        )
        if not (by.is_productops_admin or locked.researcher_id == by.pk):
            raise ValidationError(
                {"booking": "Only the session's researcher can record its outcome."}
            )
        if locked.status != Booking.Status.CONFIRMED:
            raise ValidationError(
                {"outcome": f"This session is already {locked.get_status_display().lower()}."}
            )
        if locked.starts_at > now:
            raise ValidationError({"outcome": "The session has not started yet."})
        entry = LedgerEntry.objects.filter(pk=locked.ledger_entry_id).first()
        if outcome == Booking.Status.COMPLETED:
            fields = {
                "minutes": locked.minutes,
                "incentive_cents": locked.request.incentive_cents,
                "note": "Session completed; incentive owed",
                "recorded_by": by,
            }
            kind = LedgerEntry.Kind.SESSION
        else:
            # A no-show is no session: it counts toward the no-show rule instead.
            fields = {"minutes": 0, "incentive_cents": 0, "note": "No-show", "recorded_by": by}
            kind = LedgerEntry.Kind.NO_SHOW
        if entry is None:
            entry = LedgerEntry.objects.create(
                participant_id=locked.participant_id,
                account_id=locked.participant.account_id,
                team=locked.request.team,
                request=locked.request,
                kind=kind,
                method=locked.request.method,
                at=locked.starts_at,
                **fields,
            )
        else:
            for k, v in fields.items():
                setattr(entry, k, v)
            entry.kind = kind
            entry.save()
        locked.status = outcome
        locked.outcome_at = now
        locked.ledger_entry = entry
        locked.save(update_fields=["status", "outcome_at", "ledger_entry"])
        audit_record(
            actor=by,
            action=f"research.booking.{outcome}",
            target=locked.request,
            reason="",
            data={"booking": locked.pk},
        )
        if locked.participant.account_id:
            eligibility.refresh_account(account_id=locked.participant.account_id, now=now)
        else:
            eligibility.refresh_participants(ids=[locked.participant_id], now=now)
        if outcome == Booking.Status.NO_SHOW:
            invitations.backfill(request=locked.request, stratum=locked.invitation.stratum, now=now)
    return locked


def outcomes_missing(*, now=None):
    """Confirmed sessions that ended more than a day ago without an outcome (the daily nudge)."""
    now = now or timezone.now()
    return Booking.objects.filter(
        status=Booking.Status.CONFIRMED, ends_at__lte=now - timedelta(days=1)
    )


def researchers_nudge(*, now=None) -> int:
    from productops.accounts.services import notify

    count = 0
    rows = outcomes_missing(now=now).values("researcher_id", "request_id").annotate(n=Count("id"))
    for row in rows:
        request = ResearchRequest.objects.get(pk=row["request_id"])
        count += notify(
            recipients=[request.researcher],
            key=f"research:{request.pk}:outcomes:{(now or timezone.now()).date()}",
            title=f"{row['n']} session(s) of “{request.title}” need completed or no-show",
            body="Mark each past session so the ledger and the no-show rule stay right.",
            url=request.get_absolute_url() + "schedule/",
        )
    return count


def request_funnel(request: ResearchRequest) -> dict:
    """Invited, booked, completed, no-show, declined, expired; time to first confirmed session."""
    by_status = dict(
        Invitation.objects.filter(request=request).values_list("status").annotate(n=Count("id"))
    )
    bookings = dict(
        Booking.objects.filter(request=request).values_list("status").annotate(n=Count("id"))
    )
    first = Booking.objects.filter(request=request, confirmed_at__isnull=False).aggregate(
        first=Min("confirmed_at")
    )["first"]
    return {
        "invited": sum(by_status.values()),
        "booked": bookings.get("confirmed", 0)
        + bookings.get("completed", 0)
        + bookings.get("no_show", 0),
        "completed": bookings.get("completed", 0),
        "no_show": bookings.get("no_show", 0),
        "declined": by_status.get("declined", 0),
        "expired": by_status.get("expired", 0),
        "cancelled": bookings.get("cancelled", 0),
        "hours_to_first_session": round((first - request.created_at).total_seconds() / 3600, 1)
        if first
        else None,
    }
