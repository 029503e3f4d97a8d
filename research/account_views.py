"""The page where researchers and ProductOps admins edit what the fatigue rules read about an account."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from productops.accounts.forms import add_service_errors
from research import services
from research.account_edits import account_update, can_edit_accounts
from research.forms import AccountForm
from research.models import Account


@login_required
def account_edit(request, pk):
    if not can_edit_accounts(request.user):
        raise PermissionDenied("Only researchers and ProductOps admins can edit accounts.")
    account = get_object_or_404(Account.objects.select_related("owner"), pk=pk)
    form = AccountForm(
        request.POST or None,
        initial={
            "renewal_date": account.renewal_date,
            "owner": account.owner,
            "owner_name": account.owner_name,
            "owner_flagged": account.owner_flagged,
            "owner_flag_reason": account.owner_flag_reason,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed, refreshed = account_update(
                account=account, by=request.user, **form.cleaned_data
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            if changed:
                messages.success(
                    request,
                    f"Account saved; eligibility re-checked at once ({refreshed} "
                    f"participant{'s' if refreshed != 1 else ''} changed).",
                )
            else:
                messages.info(request, "Nothing changed.")
            return redirect(account)
    return render(
        request,
        "research/account_form.html",
        {"account": account, "form": form, "rules": services.rules_current()},
        status=400 if form.errors else 200,
    )
