"""Inviting a request's sample: signed personal links, fatigue-checked sending, opt-out, expiry.

A link carries the invitation id and a nonce, signed with the project secret (no account, no
password). It expires with the invitation; changing the nonce revokes it.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from research import eligibility, services, suppression
from research.models import (
    Hold,
    Invitation,
    LedgerEntry,
    Participant,
    ResearchRequest,
    SampleMember,
    SchedulingSettings,
    Suppression,
)

INVITE_SALT = "research.invitation"
PREFS_SALT = "research.preferences"
# Preference and opt-out links in e-mails stay usable for a long while: an opt-out must work
# whenever the person finds the mail.
PREFS_MAX_AGE = 365 * 24 * 3600


class LinkError(Exception):
    """A link that is tampered with, expired or no longer valid; the message says which."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce.hex}, salt=INVITE_SALT)


def invitation_from_token(token: str, *, now=None) -> Invitation:
    """The invitation a link names, or LinkError saying why the link does not work."""
    try:
        data = signing.loads(token, salt=INVITE_SALT)
    except signing.BadSignature:
        raise LinkError(
            "This link is not valid: it was changed or cut short. "
            "Open the link from your invitation e-mail again."
        ) from None
    invitation = (
        Invitation.objects.select_related("request", "request__researcher", "participant")
        .filter(pk=data.get("i"))
        .first()
    )
    if invitation is None or invitation.nonce.hex != data.get("n"):
        raise LinkError("This link is no longer valid; a newer e-mail replaced it.", status=410)
    now = now or timezone.now()
    if invitation.status == Invitation.Status.SENT and invitation.expires_at <= now:
        raise LinkError(
            "This invitation has expired. Thank you for your interest; we may ask again later.",
            status=410,
        )
    if invitation.status in (
        Invitation.Status.EXPIRED,
        Invitation.Status.DECLINED,
        Invitation.Status.OPTED_OUT,
        Invitation.Status.CANCELLED,
    ):
        raise LinkError(
            f"This invitation is closed ({invitation.get_status_display().lower()}).", status=410
        )
    return invitation


def prefs_token(participant: Participant) -> str:
    return signing.dumps({"p": participant.pk}, salt=PREFS_SALT)


def participant_from_prefs_token(token: str) -> Participant:
    try:
        data = signing.loads(token, salt=PREFS_SALT, max_age=PREFS_MAX_AGE)
    except signing.SignatureExpired:
        raise LinkError("This link has expired; use the link in a newer e-mail.", 410) from None
    except signing.BadSignature:
        raise LinkError("This link is not valid: it was changed or cut short.") from None
    participant = Participant.objects.filter(pk=data.get("p")).first()
    if participant is None:
        raise LinkError("This link is no longer valid.", 410)
    return participant


def absolute(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def links_for(invitation: Invitation) -> dict:
    token = invitation_token(invitation)
    prefs = prefs_token(invitation.participant)
    return {
        "book": absolute(reverse("research:book", args=[token])),
        "opt_out": absolute(reverse("research:opt_out", args=[prefs])),
        "preferences": absolute(reverse("research:preferences", args=[prefs])),
    }


def scheduling_for(request: ResearchRequest) -> SchedulingSettings:
    found, _ = SchedulingSettings.objects.get_or_create(request=request)
    return found


@dataclass
class SendResult:
    sent: list
    refused: list  # (participant, "Rule name: message")


def _refusal(participant: Participant, request: ResearchRequest, now) -> str:
    result = eligibility.eligibility_check(
        participant=participant, method=request.method, now=now, request_id=request.pk
    )
    if not result.eligible:
        return "; ".join(r.message for r in result.refusals)
    from research import preferences

    return preferences.preference_refusal(participant, now=now)


def invitation_send(
    *,
    request: ResearchRequest,
    participant: Participant,
    stratum: str = "",
    wave: int = 1,
    by=None,
    now=None,
) -> Invitation:
    """Invite one person (after the fatigue rules allow it); raises ValueError naming the rule."""
    now = now or timezone.now()
    reason = _refusal(participant, request, now)
    if reason:
        raise ValueError(reason)
    sched = scheduling_for(request)
    with transaction.atomic():
        entry = services.ledger_record(
            participant=participant,
            kind=LedgerEntry.Kind.INVITATION,
            at=now,
            method=request.method,
            team=request.team,
            request=request,
            note="Invitation to book a session",
            by=by,
        )
        invitation = Invitation.objects.create(
            request=request,
            participant=participant,
            stratum=stratum,
            wave=wave,
            sent_at=now,
            expires_at=now + timedelta(days=sched.invitation_days),
            ledger_entry=entry,
            sent_by=by if by is not None and by.is_authenticated else None,
        )
        transaction.on_commit(lambda: invitation_email(invitation))
    return invitation


def invitation_email(invitation: Invitation) -> None:
    links = links_for(invitation)
    request = invitation.request
    body = render_to_string(
        "research/email/invitation.txt",
        {
            "invitation": invitation,
            "request": request,
            "links": links,
            "incentive": request.incentive_cents / 100 if request.incentive_cents else 0,
        },
    )
    message = EmailMessage(
        subject=f"Invitation: share your experience ({request.session_minutes} minutes)",
        body=body,
        to=[invitation.participant.email],
        headers={
            "List-Unsubscribe": f"<{links['opt_out']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.send()


def invitations_send(
    *, request: ResearchRequest, by, wave_size: int | None = None, now=None
) -> SendResult:
    """Invite the latest sample's selected members not yet invited (or the next ``wave_size``)."""
    now = now or timezone.now()
    sample = request.samples.order_by("-created_at", "-id").first()
    if sample is None:
        raise ValueError("Draw a sample before sending invitations.")
    invited = set(
        Invitation.objects.filter(request=request).values_list("participant_id", flat=True)
    )
    members = [
        m
        for m in SampleMember.objects.filter(sample=sample, standby=False)
        .select_related("participant")
        .order_by("rank")
        if m.participant_id not in invited
    ]
    if wave_size is not None:
        members = members[:wave_size]
    wave = (
        Invitation.objects.filter(request=request)
        .order_by("-wave")
        .values_list("wave", flat=True)
        .first()
        or 0
    ) + 1
    result = SendResult([], [])
    for member in members:
        try:
            result.sent.append(
                invitation_send(
                    request=request,
                    participant=member.participant,
                    stratum=member.stratum,
                    wave=wave,
                    by=by,
                    now=now,
                )
            )
        except ValueError as refusal:
            result.refused.append((member.participant, str(refusal)))
    return result


def backfill(*, request: ResearchRequest, stratum: str, now=None) -> Invitation | None:
    """Invite the next standby of the same stratum, when the researcher turned this on."""
    sched = scheduling_for(request)
    if not sched.auto_backfill or request.status != ResearchRequest.Status.OPEN:
        return None
    sample = request.samples.order_by("-created_at", "-id").first()
    if sample is None:
        return None
    invited = Invitation.objects.filter(request=request).values("participant_id")
    for member in (
        SampleMember.objects.filter(sample=sample, standby=True, stratum=stratum)
        .exclude(participant_id__in=invited)
        .select_related("participant")
        .order_by("rank")
    ):
        try:
            # Sent now, whatever instant the caller judged the freed place at.
            return invitation_send(
                request=request, participant=member.participant, stratum=stratum, wave=0
            )
        except ValueError:
            continue
    return None


def invitation_close(*, invitation: Invitation, status: str, now=None) -> bool:
    """Close an open invitation (declined, expired, opted out); frees the place. True if closed."""
    now = now or timezone.now()
    changed = Invitation.objects.filter(pk=invitation.pk, status=Invitation.Status.SENT).update(
        status=status, closed_at=now
    )
    if changed:
        Hold.objects.filter(
            request=invitation.request, participant=invitation.participant, released_at=None
        ).update(released_at=now, release_reason=Hold.Release.DECLINED)
        backfill(request=invitation.request, stratum=invitation.stratum, now=now)
    return bool(changed)


def invitations_expire(*, now=None) -> int:
    """Expire every open invitation past its time (beat); each frees its place."""
    now = now or timezone.now()
    count = 0
    for invitation in Invitation.objects.filter(
        status=Invitation.Status.SENT, expires_at__lte=now
    ).select_related("request", "participant"):
        count += invitation_close(invitation=invitation, status=Invitation.Status.EXPIRED, now=now)
    return count


def participant_opt_out_self(*, participant: Participant, via: str) -> None:
    """The person opts out from a link in an e-mail: on the suppression list at once."""
    now = timezone.now()
    with transaction.atomic():
        suppression.source_set(Suppression.Source.PARTICIPANT)
        locked = Participant.objects.select_for_update().get(pk=participant.pk)
        if (
            not Suppression.objects.active()
            .filter(participant=locked, kind=Suppression.Kind.OPT_OUT)
            .exists()
        ):
            Suppression.objects.create(
                participant=locked,
                kind=Suppression.Kind.OPT_OUT,
                source=Suppression.Source.PARTICIPANT,
                at=now,
                note=via[:300],
            )
        if not locked.opted_out:
            locked.opted_out = True
            locked.contact_block_reason = "Opted out from an e-mail link"
            locked.save(update_fields=["opted_out", "contact_block_reason", "updated_at"])
        eligibility.refresh_participants(ids=[locked.pk], now=now)
        for invitation in Invitation.objects.filter(
            participant=locked, status=Invitation.Status.SENT
        ):
            invitation_close(invitation=invitation, status=Invitation.Status.OPTED_OUT, now=now)
    participant.refresh_from_db()
