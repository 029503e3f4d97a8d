"""Holds: people drawn for one open request are kept from every other request for a while.

A hold lasts until the person is invited for the request, declines, the sample is redrawn, the
request closes, or HOLD_DAYS pass (never past the request's deadline). Draws take a PostgreSQL
advisory lock for the read-draw-hold step, so two requests drawing at once see each other's
holds; the one-unreleased-hold-per-person constraint backs that up.
"""

from datetime import UTC, datetime, time, timedelta

from django.db import connection
from django.db.models import Count, Max

from research.models import Hold, Participant, ResearchRequest

HOLD_DAYS = 14
# pg_advisory_xact_lock key for "drawing a sample" (any 64-bit number unique to this purpose).
_DRAW_LOCK = 0x5245534541524348


def draw_lock() -> None:
    """Serialise sample draws until the end of the transaction (PostgreSQL; SQLite locks the file)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_DRAW_LOCK])


def hold_until(*, request: ResearchRequest, now) -> datetime:
    deadline_end = datetime.combine(request.deadline + timedelta(days=1), time(0), tzinfo=UTC)
    return min(now + timedelta(days=HOLD_DAYS), max(deadline_end, now + timedelta(hours=1)))


def holds_expire(*, now) -> int:
    """Release every hold past its time (the beat task and each draw call this)."""
    return Hold.objects.filter(released_at=None, held_until__lte=now).update(
        released_at=now, release_reason=Hold.Release.EXPIRED
    )


def held_elsewhere(*, request: ResearchRequest | None, now):
    """Participant ids held by other requests (a subquery)."""
    qs = Hold.objects.active(at=now)
    if request is not None and request.pk:
        qs = qs.exclude(request_id=request.pk)
    return qs.values("participant_id")


def held_summary(*, queryset, now, request: ResearchRequest | None = None) -> list[dict]:
    """Of these participants, how many other requests hold, per holding request (for dry runs)."""
    qs = Hold.objects.active(at=now).filter(participant__in=queryset.values("pk"))
    if request is not None and request.pk:
        qs = qs.exclude(request_id=request.pk)
    rows = (
        qs.values("request_id", "request__title", "request__team__name")
        .annotate(n=Count("id"), until=Max("held_until"))
        .order_by("-n", "request_id")
    )
    return [
        {
            "request": r["request_id"],
            "title": r["request__title"],
            "team": r["request__team__name"],
            "count": r["n"],
            "until": r["until"],
        }
        for r in rows
    ]


def holds_place(*, request: ResearchRequest, sample, participant_ids, now) -> None:
    """Hold everyone of a new sample for its request; the request's earlier holds are released."""
    Hold.objects.filter(request=request, released_at=None).update(
        released_at=now, release_reason=Hold.Release.REDRAWN
    )
    until = hold_until(request=request, now=now)
    Hold.objects.bulk_create(
        [
            Hold(
                participant_id=pid, request=request, sample=sample, created_at=now, held_until=until
            )
            for pid in participant_ids
        ]
    )


def holds_release(*, request: ResearchRequest, reason: str, now, participant_ids=None) -> int:
    qs = Hold.objects.filter(request=request, released_at=None)
    if participant_ids is not None:
        qs = qs.filter(participant_id__in=list(participant_ids))
    return qs.update(released_at=now, release_reason=reason)


def eligible_for(*, request: ResearchRequest, queryset, now):
    """The participants of ``queryset`` that no other request holds."""
    return queryset.exclude(pk__in=held_elsewhere(request=request, now=now))


def holding_request_of(participant: Participant, *, now):
    return (
        Hold.objects.active(at=now)
        .filter(participant=participant)
        .select_related("request", "request__team")
        .first()
    )
