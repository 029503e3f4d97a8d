"""One participant's page: can we contact them, their ledger, overrides and opt-outs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from productops import page_cache
from productops.accounts.forms import add_service_errors
from productops.accounts.models import User
from research import fatigue, services, suppression
from research.eligibility import eligibility_check
from research.forms import OptOutForm, OverrideForm
from research.models import AttributeDefinition, LedgerEntry, Participant, Suppression
from research.views import _require_recruiter, can_recruit, can_see_contacts

# Both forms on the page have a "reason": distinct ids keep each label on its own field.
OPT_OUT_IDS = "id_opt_out_%s"


def _page(request, participant, *, override_form=None, opt_out_form=None, status=200):
    eligibility = eligibility_check(participant=participant, tz=request.user.zone)
    recruiter = can_recruit(request.user)
    has = Participant.objects.history_of(participant.pk)
    return render(
        request,
        "research/participant_detail.html",
        {
            "p": participant,
            "eligibility": eligibility,
            "refusals": [
                {
                    "r": r,
                    "name": fatigue.RULE_NAMES.get(r.rule, r.rule),
                    "overridable": r.rule in fatigue.OVERRIDABLE,
                }
                for r in eligibility.refusals
            ],
            "ledger": _ledger(participant) if has["ledger"] else [],
            # Only the columns printed: each query's cost grows with the columns it selects.
            "overrides": participant.overrides.select_related("by", "request").only(
                "rule", "reason", "created_at", "expires_at", "request__title", *_USER_NAME
            )[:10]
            if has["overrides"]
            else [],
            "suppressions": participant.suppressions.select_related("by").only(
                "kind", "source", "at", "note", "lifted_at", *_USER_NAME
            )[:10]
            if has["suppressions"]
            else [],
            "show_email": can_see_contacts(request.user),
            "can_recruit": recruiter,
            "custom_attributes": _custom_attributes(participant),
            # The forms are shown to researchers and admins only.
            "override_form": override_form
            or (OverrideForm(user=request.user) if recruiter else None),
            "opt_out_form": opt_out_form
            or (OptOutForm(auto_id=OPT_OUT_IDS) if recruiter else None),
            "now": timezone.now(),
        },
        status=status,
    )


@login_required
@page_cache.per_person
def participant_detail(request, pk):
    participant = get_object_or_404(Participant.objects.select_related("account"), pk=pk)
    return _page(request, participant)


_USER_NAME = User.name_columns("by")
_KINDS = dict(LedgerEntry.Kind.choices)
_METHODS = dict(LedgerEntry.Method.choices)


def _ledger(participant) -> list[dict]:
    """The newest 50 touches as printed, from one narrow query rather than three models a row."""
    return [
        {
            **e,
            "kind_label": _KINDS.get(e["kind"], e["kind"]),
            "method_label": _METHODS.get(e["method"], e["method"]),
        }
        for e in LedgerEntry.objects.filter(participant=participant).values(
            "at", "kind", "method", "note", "minutes", "team__name", "request__title"
        )[:50]
    ]


def _custom_attributes(participant) -> list[dict]:
    """The participant's own attribute values, labelled as declared; retired ones say so."""
    if not participant.attributes:
        return []
    definitions = {
        name: (label, retired_at)
        for name, label, retired_at in AttributeDefinition.objects.filter(
            name__in=list(participant.attributes)
        ).values_list("name", "label", "retired_at")
    }
    return [
        {
            "label": definitions[name][0] if name in definitions else name,
            "value": value,
            "retired": name in definitions and definitions[name][1] is not None,
        }
        for name, value in sorted(participant.attributes.items())
    ]


@login_required
@require_POST
def participant_override(request, pk):
    _require_recruiter(request)
    participant = get_object_or_404(Participant.objects.select_related("account"), pk=pk)
    form = OverrideForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.override_grant(
                participant=participant,
                rule=form.cleaned_data["rule"],
                reason=form.cleaned_data["reason"],
                by=request.user,
                request=form.cleaned_data["request"],
            )
        except ValidationError as e:
            add_service_errors(form, e)
    if form.errors:
        return _page(request, participant, override_form=form, status=400)
    messages.success(
        request,
        f"Override recorded for “{form.cleaned_data['request']}” only. It ends with that request "
        "and is in the audit log.",
    )
    return redirect(participant)


@login_required
@require_POST
def participant_opt_out(request, pk):
    _require_recruiter(request)
    participant = get_object_or_404(Participant.objects.select_related("account"), pk=pk)
    form = OptOutForm(request.POST, auto_id=OPT_OUT_IDS)
    if form.is_valid():
        try:
            suppression.participant_opt_out(
                participant=participant,
                by=request.user,
                reason=form.cleaned_data["reason"],
                source=Suppression.Source.PAGE,
            )
        except ValidationError as e:
            add_service_errors(form, e)
    if form.errors:
        return _page(request, participant, opt_out_form=form, status=400)
    messages.success(
        request, "Opt-out recorded. Nobody can contact them now; only they can opt back in."
    )
    return redirect(participant)
