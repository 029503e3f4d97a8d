"""Editing and cancelling an open research request, by its researcher or a ProductOps admin.

A sample already drawn is kept (people may be looking at it), but when who to sample or how
many changes, the request remembers when, so its page shows the sample as out of date and
offers a new draw.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from productops.accounts.models import User
from productops.accounts.services import audit_record
from research import targeting
from research.models import Hold, ResearchRequest

EDITABLE = (
    "title",
    "team",
    "goal",
    "method",
    "session_minutes",
    "participants_needed",
    "criteria",
    "dimensions",
    "deadline",
    "incentive_cents",
)
# What the draw and its full eligibility check depend on (the caps read minutes and incentives).
SAMPLING_INPUTS = {
    "method",
    "session_minutes",
    "participants_needed",
    "criteria",
    "dimensions",
    "incentive_cents",
}
MIN_CANCEL_REASON = 10


def _require_open_and_editor(request: ResearchRequest, by: User, doing: str) -> None:
    if not request.can_be_edited_by(by):
        raise PermissionDenied(
            f"Only the request's researcher and ProductOps admins can {doing} it."
        )
    if request.status != ResearchRequest.Status.OPEN:
        raise ValidationError(
            {
                "status": f"This request is {request.get_status_display().lower()}; "
                "only open requests can change. File a new one instead."
            }
        )


def request_update(*, request: ResearchRequest, by: User, **changes) -> list[str]:
    """Apply the given field values (audited); returns the names of the fields that changed."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: "This field cannot be edited."})
    catalogue = targeting.attribute_catalogue()
    if "criteria" in changes:
        changes["criteria"] = targeting.criteria_clean(changes["criteria"], catalogue=catalogue)
    if "dimensions" in changes:
        changes["dimensions"] = targeting.dimensions_clean(
            changes["dimensions"], catalogue=catalogue
        )
    if "deadline" in changes and changes["deadline"] < timezone.localdate():
        raise ValidationError({"deadline": "The deadline is in the past; pick a future date."})
    with transaction.atomic():
        request = ResearchRequest.objects.select_for_update().get(pk=request.pk)
        _require_open_and_editor(request, by, "edit")
        team = changes.get("team")
        if (
            team
            and team.pk != request.team_id
            and not (by.is_productops_admin or by.is_member_of(team))
        ):
            raise ValidationError({"team": "Move the request only to a team you belong to."})
        changed = {
            field: [_shown(getattr(request, field)), _shown(value)]
            for field, value in changes.items()
            if getattr(request, field) != value
        }
        if not changed:
            return []
        for field in changed:
            setattr(request, field, changes[field])
        fields = list(changed)
        if SAMPLING_INPUTS & set(changed):
            request.targeting_changed_at = timezone.now()
            # The nightly risk note judged the old targeting; the page's live dry run shows the new.
            request.risk = ""
            fields += ["targeting_changed_at", "risk"]
        request.save(update_fields=[*fields, "updated_at"])
        audit_record(actor=by, action="research.request.edited", target=request, data=changed)
    return list(changed)


def request_cancel(*, request: ResearchRequest, by: User, reason: str) -> ResearchRequest:
    """Cancel with a reason: it stops counting for overlaps and risk warnings and cannot be sampled."""
    reason = " ".join((reason or "").split())
    if len(reason) < MIN_CANCEL_REASON:
        raise ValidationError(
            {
                "reason": f"Say why the request is cancelled (at least {MIN_CANCEL_REASON} "
                "characters); its team and overlapping teams read it."
            }
        )
    with transaction.atomic():
        request = ResearchRequest.objects.select_for_update().get(pk=request.pk)
        _require_open_and_editor(request, by, "cancel")
        request.status = ResearchRequest.Status.CANCELLED
        request.cancelled_at = timezone.now()
        request.cancelled_by = by
        request.cancel_reason = reason[:500]
        request.risk = ""
        request.save(
            update_fields=[
                "status",
                "cancelled_at",
                "cancelled_by",
                "cancel_reason",
                "risk",
                "updated_at",
            ]
        )
        audit_record(actor=by, action="research.request.cancelled", target=request, reason=reason)
        _end_claims(request)
    return request


def _end_claims(request: ResearchRequest) -> None:
    """A request that is over lets its held people go and its overrides end."""
    from research import holds, services

    now = timezone.now()
    holds.holds_release(request=request, reason=Hold.Release.CLOSED, now=now)
    services.overrides_end(request=request, now=now)


def request_close(*, request: ResearchRequest, by: User) -> ResearchRequest:
    """Close a request that has its participants: it stops counting for overlaps and risk warnings."""
    with transaction.atomic():
        request = ResearchRequest.objects.select_for_update().get(pk=request.pk)
        _require_open_and_editor(request, by, "close")
        request.status = ResearchRequest.Status.CLOSED
        request.risk = ""
        request.save(update_fields=["status", "risk", "updated_at"])
        audit_record(actor=by, action="research.request.closed", target=request)
        _end_claims(request)
    return request


def _shown(value):
    """A JSON-friendly form of a field value for the audit log."""
    if value is None or isinstance(value, bool | str | int | float | list | dict):
        return value
    if hasattr(value, "slug"):
        return value.slug
    return value.isoformat()
