"""Workflows every app shares: notifications, the audit log and API tokens."""

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from productops.accounts.models import ApiToken, AuditEntry, Notification, User


def notify(
    *, recipients: Iterable[User], key: str, title: str, body: str = "", url: str = ""
) -> int:
    """Put a notification in each recipient's inbox and email those who want it now.

    The key identifies the event (e.g. ``strategy:42:window-closing``): a person
    who already has a notification with that key gets nothing new, so callers
    may retry freely. Returns how many people were newly notified.
    """
    people = {user.pk: user for user in recipients if user.is_active}
    if not people:
        return 0
    already = set(
        Notification.objects.filter(recipient_id__in=people, key=key).values_list(
            "recipient_id", flat=True
        )
    )
    fresh = [
        Notification(recipient_id=pk, key=key, title=title[:200], body=body, url=url)
        for pk in people
        if pk not in already
    ]
    # ignore_conflicts: a concurrent caller with the same key may have won the race.
    Notification.objects.bulk_create(fresh, ignore_conflicts=True)
    immediate = [
        pk
        for pk in people
        if pk not in already and people[pk].notification_preference == "immediate"
    ]
    if immediate:
        from productops.accounts.tasks import send_notification_emails

        ids = list(
            Notification.objects.filter(
                recipient_id__in=immediate, key=key, emailed_at=None
            ).values_list("pk", flat=True)
        )
        if ids:
            send_notification_emails.delay_on_commit(ids)
    return len(fresh)


def notification_emails_send(*, notification_ids: list[int]) -> int:
    """Email each notification once, however many workers or retries call this."""
    sent = 0
    for notification in Notification.objects.filter(
        pk__in=notification_ids, emailed_at=None
    ).select_related("recipient"):
        # Claim first: only the caller whose update changes the row sends it.
        claimed = Notification.objects.filter(pk=notification.pk, emailed_at=None).update(
            emailed_at=timezone.now()
        )
        if not claimed or not notification.recipient.email:
            continue
        send_mail(
            subject=f"[ProductOps] {notification.title}",
            message=render_to_string(
                "accounts/email/notification.txt",
                {"notification": notification, "base_url": settings.PORTAL_BASE_URL},
            ),
            from_email=None,
            recipient_list=[notification.recipient.email],
        )
        sent += 1
    return sent


def digest_send(*, user: User, now=None) -> int:
    """Send one user the notifications not yet emailed, in a single message."""
    now = now or timezone.now()
    with transaction.atomic():
        pending = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(recipient=user, emailed_at=None, created_at__lte=now)
            .order_by("created_at")
        )
        if not pending:
            return 0
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=now)
    if user.email:
        send_mail(
            subject=f"[ProductOps] Your daily digest: {len(pending)} update{'s' if len(pending) != 1 else ''}",
            message=render_to_string(
                "accounts/email/digest.txt",
                {"user": user, "notifications": pending, "base_url": settings.PORTAL_BASE_URL},
            ),
            from_email=None,
            recipient_list=[user.email],
        )
    return len(pending)


def audit_record(
    *, actor: User | None, action: str, target, reason: str = "", data: dict | None = None
):
    """Write who did what to which object, and why. Apps call this for overrides and exceptions."""
    return AuditEntry.objects.create(
        actor=actor if actor and actor.is_authenticated else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_label=str(target)[:200],
        reason=reason,
        data=data or {},
    )


def token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token; the raw value is returned once and never stored."""
    raw = ApiToken.generate()
    try:
        with transaction.atomic():
            token = ApiToken.objects.create(
                user=user, name=name, token_hash=ApiToken.hash(raw), hint=raw[:8]
            )
            audit_record(actor=user, action="token.created", target=token)
    except IntegrityError:
        # The same name was created a moment ago (one_active_token_per_name).
        raise ValidationError(
            {
                "name": ValidationError(
                    "You already have an active token with this name.", code="conflict"
                )
            }
        ) from None
    return token, raw


def token_revoke(*, token: ApiToken, by: User) -> None:
    if ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(revoked_at=timezone.now()):
        audit_record(actor=by, action="token.revoked", target=token)
