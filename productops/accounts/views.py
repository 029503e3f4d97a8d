from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_POST

from productops import page_cache
from productops.accounts import services
from productops.accounts.email_change import (
    email_change_cancel,
    email_change_check,
    email_change_confirm,
    email_change_request,
)
from productops.accounts.forms import (
    MembershipForm,
    ProfileForm,
    SignInForm,
    TeamForm,
    TokenForm,
    add_service_errors,
)
from productops.accounts.models import ApiToken, AuditEntry, Membership, Team
from productops.accounts.permissions import admin_required, can_manage_team, get_team_for_manager
from productops.accounts.rate_limits import rate_limit_hit


class SignInView(auth_views.LoginView):
    authentication_form = SignInForm
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    success_url = reverse_lazy("accounts:password_reset_done")
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        # Nobody may flood one inbox, or the mail server, with reset links. Both counts
        # apply whether or not the address has an account, so the answer reveals nothing.
        email = form.cleaned_data["email"].strip().lower()
        window = settings.PASSWORD_RESET_LIMIT_WINDOW
        waits = [
            rate_limit_hit(
                scope="password-reset-email",
                key=email,
                limit=settings.PASSWORD_RESET_LIMIT_PER_EMAIL,
                window=window,
            ),
            rate_limit_hit(
                scope="password-reset-ip",
                key=get_client_ip_address(self.request) or "unknown",
                limit=settings.PASSWORD_RESET_LIMIT_PER_IP,
                window=window,
            ),
        ]
        wait = max((w for w in waits if w is not None), default=None)
        if wait is not None:
            response = render(
                self.request,
                "registration/password_reset_limited.html",
                {"minutes": -(-wait // 60)},
                status=429,
            )
            response["Retry-After"] = str(wait)
            return response
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("accounts:password_reset_complete")


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                user = form.save()
                requested = email_change_request(user=user, new_email=form.cleaned_data["email"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Your profile is saved.")
            if requested:
                messages.info(
                    request,
                    f"We sent a confirmation link to {user.pending_email}. Your address "
                    "changes once you open it; until then we keep writing to the current one.",
                )
            return redirect("accounts:profile")
    return render(request, "accounts/profile.html", _profile_context(request, form=form))


@login_required
def email_confirm(request, token):
    """The link from the confirmation e-mail: a page with a button, so mail scanners that
    open links cannot confirm on their own."""
    error = None
    try:
        new_email = email_change_check(user=request.user, token=token)
        if request.method == "POST":
            email_change_confirm(user=request.user, token=token)
            messages.success(request, f"Your e-mail address is now {new_email}.")
            return redirect("accounts:profile")
    except ValidationError as exc:
        error, new_email = exc.messages[0], None
    return render(
        request,
        "accounts/email_confirm.html",
        {"new_email": new_email, "error": error},
        status=400 if error else 200,
    )


@login_required
@require_POST
def email_change_cancel_view(request):
    email_change_cancel(user=request.user)
    messages.success(request, "The e-mail change is cancelled; your address stays as it was.")
    return redirect("accounts:profile")


def _profile_context(request, **extra):
    return {
        "tokens": request.user.api_tokens.all(),
        "token_form": extra.pop("token_form", None) or TokenForm(user=request.user),
        **extra,
    }


@login_required
@require_POST
def token_create(request):
    form = TokenForm(request.POST, user=request.user)
    if not form.is_valid():
        context = _profile_context(
            request, form=ProfileForm(instance=request.user), token_form=form
        )
        template = "accounts/profile.html#tokens" if request.htmx else "accounts/profile.html"
        return render(request, template, context, status=400)
    token, raw = services.token_create(user=request.user, name=form.cleaned_data["name"])
    context = _profile_context(request, form=ProfileForm(instance=request.user), new_token=raw)
    template = "accounts/profile.html#tokens" if request.htmx else "accounts/profile.html"
    return render(request, template, context)


@login_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.token_revoke(token=token, by=request.user)
    if request.htmx:
        context = _profile_context(request, form=ProfileForm(instance=request.user))
        return render(request, "accounts/profile.html#tokens", context)
    messages.success(request, f"Token “{token.name}” is revoked; scripts using it now get 401.")
    return redirect("accounts:profile")


@login_required
@page_cache.per_person
def notification_list(request):
    notifications = request.user.notifications.all()
    show = request.GET.get("show", "all")
    if show == "unread":
        notifications = notifications.unread()
    page = Paginator(notifications, 30).get_page(request.GET.get("page"))
    return render(request, "accounts/notifications.html", {"page": page, "show": show})


@login_required
@require_POST
def notification_read(request, pk):
    notification = get_object_or_404(request.user.notifications, pk=pk)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    if request.htmx:
        return render(request, "accounts/notifications.html#notification", {"n": notification})
    return redirect("accounts:notifications")


@login_required
@require_POST
def notification_read_all(request):
    count = request.user.notifications.unread().update(read_at=timezone.now())
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} as read.")
    return redirect("accounts:notifications")


@login_required
@page_cache.per_person
def team_list(request):
    teams = Team.objects.with_member_count().order_by("product_area", "name")
    mine = set(request.user.memberships.values_list("team_id", flat=True))
    return render(request, "accounts/team_list.html", {"teams": teams, "my_team_ids": mine})


@login_required
@page_cache.per_person
def team_detail(request, slug):
    team = get_object_or_404(
        Team.objects.prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("user").order_by(
                    "-role", "user__display_name"
                ),
            )
        ),
        slug=slug,
    )
    can_manage = can_manage_team(request.user, team)
    return render(
        request,
        "accounts/team_detail.html",
        {
            "team": team,
            "can_manage": can_manage,
            "member_form": MembershipForm(team=team) if can_manage else None,
        },
    )


@login_required
def team_edit(request, slug):
    team = get_team_for_manager(request, slug)
    form = TeamForm(request.POST or None, instance=team)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            services.audit_record(
                actor=request.user,
                action="team.edited",
                target=team,
                data={"fields": form.changed_data},
            )
        messages.success(request, "Team details saved.")
        return redirect(team)
    return render(request, "accounts/team_edit.html", {"team": team, "form": form})


@login_required
@require_POST
def membership_add(request, slug):
    team = get_team_for_manager(request, slug)
    form = MembershipForm(request.POST, team=team)
    if not form.is_valid():
        team = get_object_or_404(Team.objects.prefetch_related("memberships__user"), pk=team.pk)
        return render(
            request,
            "accounts/team_detail.html",
            {"team": team, "can_manage": True, "member_form": form},
            status=400,
        )
    with transaction.atomic():
        membership = Membership.objects.create(
            team=team, user=form.cleaned_data["username"], role=form.cleaned_data["role"]
        )
        services.audit_record(actor=request.user, action="membership.added", target=membership)
    messages.success(request, f"{membership.user.name} joined {team.name}.")
    return redirect(team)


@login_required
@require_POST
def membership_remove(request, slug, pk):
    team = get_team_for_manager(request, slug)
    membership = get_object_or_404(Membership, pk=pk, team=team)
    with transaction.atomic():
        services.audit_record(actor=request.user, action="membership.removed", target=membership)
        membership.delete()
    messages.success(request, f"{membership.user.name} left {team.name}.")
    return redirect(team)


@login_required
@admin_required
def audit_log(request):
    entries = AuditEntry.objects.select_related("actor")
    action = request.GET.get("action", "").strip()
    target_type = request.GET.get("target_type", "").strip()
    if action:
        entries = entries.filter(action__startswith=action)
    if target_type:
        entries = entries.filter(target_type=target_type)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    target_types = (
        AuditEntry.objects.order_by("target_type").values_list("target_type", flat=True).distinct()
    )
    return render(
        request,
        "accounts/audit_log.html",
        {"page": page, "action": action, "target_type": target_type, "target_types": target_types},
    )
