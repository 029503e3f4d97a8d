"""Changing one's e-mail address: it takes effect only once the new inbox confirms it.

Otherwise anyone signed in could claim a colleague's address and receive their
password-reset links and notifications. The link is signed (no table to clean up),
expires, names the account it was made for, and is good only for the address
still pending, so a later change or a cancel voids earlier links.
"""

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from productops.accounts.models import User
from productops.accounts.services import audit_record

SALT = "productops.accounts.email-change"


def email_change_token(*, user: User, new_email: str) -> str:
    return signing.dumps({"user": user.pk, "email": new_email}, salt=SALT)


def email_in_use(*, email: str, user: User) -> bool:
    return User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists()


def email_change_request(*, user: User, new_email: str) -> bool:
    """Hold the new address as pending and mail a confirmation link to it, a notice to the old one.

    Returns False when there is nothing to confirm (the address is the current one).
    """
    new_email = User.objects.normalize_email(new_email.strip())
    if not new_email:
        raise ValidationError({"email": "Enter the new address, e.g. name@example.com."})
    if new_email.lower() == (user.email or "").lower():
        if user.pending_email:
            email_change_cancel(user=user)
        return False
    if email_in_use(email=new_email, user=user):
        raise ValidationError(
            {"email": "Another account already uses this address. Use your own work address."}
        )
    with transaction.atomic():
        user.pending_email = new_email
        user.save(update_fields=["pending_email"])
        audit_record(actor=user, action="user.email_change_requested", target=user)
    context = {
        "user": user,
        "new_email": new_email,
        "base_url": settings.PORTAL_BASE_URL.rstrip("/"),
        "confirm_path": reverse(
            "accounts:email_confirm", args=[email_change_token(user=user, new_email=new_email)]
        ),
        "hours": settings.EMAIL_CHANGE_MAX_AGE // 3600,
    }
    send_mail(
        "Confirm your new ProductOps Portal e-mail address",
        render_to_string("accounts/email/email_change_confirm.txt", context),
        None,
        [new_email],
    )
    if user.email:
        send_mail(
            "Your ProductOps Portal e-mail address is about to change",
            render_to_string("accounts/email/email_change_notice.txt", context),
            None,
            [user.email],
        )
    return True


def email_change_cancel(*, user: User) -> None:
    user.pending_email = ""
    user.save(update_fields=["pending_email"])


def email_change_check(*, user: User, token: str) -> str:
    """The address the link confirms for this user, or a ValidationError saying what is wrong."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.EMAIL_CHANGE_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError(
            "This confirmation link has expired. Enter the new address on your profile "
            "again to get a fresh link."
        ) from None
    except signing.BadSignature:
        raise ValidationError(
            "This confirmation link is not valid: it may have been cut short or altered. "
            "Open it again from the e-mail, or ask for a new one on your profile."
        ) from None
    if data.get("user") != user.pk:
        raise ValidationError(
            "This confirmation link was made for another account. Sign in as the person "
            "who asked for the change and open it again."
        )
    if not user.pending_email or data.get("email") != user.pending_email:
        raise ValidationError(
            "This confirmation link is no longer current: the change was already confirmed, "
            "cancelled, or replaced by a newer request."
        )
    return data["email"]


def email_change_confirm(*, user: User, token: str) -> str:
    """Make the pending address the account's address; returns it."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        new_email = email_change_check(user=user, token=token)
        if email_in_use(email=new_email, user=user):
            raise ValidationError(
                "Another account took this address in the meantime. Ask a ProductOps admin."
            )
        old_email = user.email
        user.email, user.pending_email = new_email, ""
        user.save(update_fields=["email", "pending_email"])
        audit_record(
            actor=user,
            action="user.email_changed",
            target=user,
            data={"from": old_email, "to": new_email},
        )
    return new_email
