"""Account-level attributes the fatigue rules read: renewal date, owner and the owner's flag.

An edit re-evaluates the account's participants in the same transaction, so a renewal quiet
period or an owner's "do not contact" takes effect on every page and dry run at once.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from productops.accounts.models import User
from productops.accounts.services import audit_record
from research import eligibility
from research.models import Account

MIN_FLAG_REASON = 10
RENEWAL_HORIZON = timedelta(days=3660)


def can_edit_accounts(user) -> bool:
    return user.is_researcher or user.is_productops_admin


def account_update(
    *,
    account: Account,
    by: User,
    renewal_date=None,
    owner: User | None = None,
    owner_name: str = "",
    owner_flagged: bool = False,
    owner_flag_reason: str = "",
) -> tuple[dict, int]:
    """Store the new values (audited) and re-evaluate the account: (changes, participants changed)."""
    if not can_edit_accounts(by):
        raise PermissionDenied("Only researchers and ProductOps admins can edit accounts.")
    owner_flag_reason = " ".join((owner_flag_reason or "").split())
    if not owner_flagged:
        owner_flag_reason = ""
    today = timezone.localdate()
    if renewal_date and abs(renewal_date - today) > RENEWAL_HORIZON:
        raise ValidationError(
            {"renewal_date": "Give a renewal date within ten years of today, or leave it empty."}
        )
    if owner is not None and not owner.is_active:
        raise ValidationError({"owner": "That person has left; pick an active colleague."})
    after = {
        "renewal_date": renewal_date,
        "owner": owner,
        "owner_name": " ".join((owner_name or "").split())[:120],
        "owner_flagged": bool(owner_flagged),
        "owner_flag_reason": owner_flag_reason[:300],
    }
    with transaction.atomic():
        account = Account.objects.select_for_update().get(pk=account.pk)
        # Raising the flag needs a reason; one the CRM import raised without a reason may stay.
        if owner_flagged and not account.owner_flagged and len(owner_flag_reason) < MIN_FLAG_REASON:
            raise ValidationError(
                {
                    "owner_flag_reason": "Say why the owner asks not to contact this account "
                    f"(at least {MIN_FLAG_REASON} characters); researchers read it."
                }
            )
        changed = {
            field: [_shown(getattr(account, field)), _shown(value)]
            for field, value in after.items()
            if getattr(account, field) != value
        }
        if not changed:
            return {}, 0
        for field, value in after.items():
            setattr(account, field, value)
        account.save(update_fields=[*after, "updated_at"])
        audit_record(
            actor=by,
            action="research.account.edited",
            target=account,
            reason=owner_flag_reason if "owner_flagged" in changed else "",
            data=changed,
        )
        refreshed = eligibility.refresh_account(account_id=account.pk)
    return changed, refreshed


def _shown(value):
    """A JSON-friendly form of a field value for the audit log."""
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, User):
        return value.username
    return value.isoformat()
