"""The decision record page: the owner drafts and finalises it; participants commit or dissent."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from productops.accounts.models import User
from strategy import access, decisions, forms, reviews
from strategy.models import DecisionRecord
from strategy.views import form_errors, phase_steps_for


def _people(strategy):
    return User.objects.filter(pk__in=reviews.attendees(strategy).values("pk")).order_by(
        "display_name", "username"
    )


@login_required
def decision(request, pk):
    strategy, viewer = access.strategy_get_for(request.user, pk)
    record = DecisionRecord.objects.select_related("owner").filter(strategy=strategy).first()
    may_edit = (
        viewer.is_owner
        and strategy.phase in decisions.RECORD_PHASES
        and not (record and record.finalised_at)
    )
    initial = (
        {
            "decided": record.decided,
            "given_up": record.given_up,
            "owner": record.owner_id,
            "review_on": record.review_on,
        }
        if record
        else {"owner": strategy.owner_id}
    )
    record_form = forms.DecisionRecordForm(
        request.POST if request.method == "POST" and "decided" in request.POST else None,
        people=_people(strategy),
        initial=initial,
    )
    commit_form = forms.CommitmentForm(
        request.POST if request.method == "POST" and "kind" in request.POST else None
    )
    status = 200
    if request.method == "POST":
        try:
            if "decided" in request.POST:
                if not viewer.is_owner:
                    raise PermissionDenied("Only the owner or a delegate records the decision.")
                if record_form.is_valid():
                    record = decisions.record_save(
                        strategy=strategy, by=request.user, **record_form.cleaned_data
                    )
                    if "finalise" in request.POST:
                        decisions.record_finalise(record=record, by=request.user)
                        messages.success(request, "Decision recorded and the strategy is final.")
                    else:
                        messages.success(request, "Decision record saved.")
                    return redirect("strategy:decision", pk=strategy.pk)
            elif "kind" in request.POST and record is not None and commit_form.is_valid():
                decisions.commitment_record(
                    record=record, by=request.user, **commit_form.cleaned_data
                )
                messages.success(request, "Your commitment is recorded.")
                return redirect("strategy:decision", pk=strategy.pk)
        except ValidationError as exc:
            form_errors(record_form if "decided" in request.POST else commit_form, exc)
        status = 400
    commitments = list(record.commitments.select_related("user")) if record else []
    mine = next((c for c in commitments if c.user_id == request.user.pk), None)
    return render(
        request,
        "strategy/decision.html",
        {
            "strategy": strategy,
            "viewer": viewer,
            "phase_steps": phase_steps_for(strategy),
            "record": record,
            "record_form": record_form,
            "commit_form": commit_form,
            "may_edit": may_edit,
            "may_commit": bool(
                record and record.finalised_at and not mine and decisions.participates(viewer)
            ),
            "commitments": commitments,
            "dissents": [c for c in commitments if c.kind == "dissent"],
            "mine": mine,
        },
        status=status,
    )
