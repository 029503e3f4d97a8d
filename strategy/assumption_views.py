"""The assumptions register: the owner lists them, the audience rates them sealed, everyone sees
the spread after the reveal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from strategy import access, assumptions, phases
from strategy.views import phase_steps_for


def _page(request, strategy, viewer, *, errors=None, status=200):
    rating_allowed, rating_reason = phases.can_give_feedback(
        strategy.phase, viewer, strategy.window_open()
    )
    mine = assumptions.my_ratings(strategy, request.user) if rating_allowed else {}
    items = list(strategy.assumption_items.all())
    for item in items:
        item.mine = mine.get(item.pk)
    return render(
        request,
        "strategy/assumptions.html",
        {
            "strategy": strategy,
            "viewer": viewer,
            "phase_steps": phase_steps_for(strategy),
            "items": items,
            "spreads": assumptions.spreads(strategy),
            "may_rate": rating_allowed,
            "may_list": viewer.is_owner and strategy.phase in (phases.DRAFT, phases.FEEDBACK),
            "may_remove": viewer.is_owner and strategy.phase == phases.DRAFT,
            "scores": list(assumptions.SCORE_LABELS.items()),
            "errors": errors or {},
        },
        status=status,
    )


@login_required
def register(request, pk):
    strategy, viewer = access.strategy_get_for(request.user, pk)
    return _page(request, strategy, viewer)


@login_required
@require_POST
def add(request, pk):
    strategy, viewer = access.strategy_get_for(request.user, pk)
    try:
        assumptions.assumption_add(
            strategy=strategy, by=request.user, text=request.POST.get("text", "")
        )
    except ValidationError as exc:
        return _page(request, strategy, viewer, errors=exc.message_dict, status=400)
    messages.success(request, "Assumption listed.")
    return redirect("strategy:assumptions", pk=strategy.pk)


@login_required
@require_POST
def remove(request, public_id):
    assumption, strategy, viewer = assumptions.assumption_get_for(request.user, public_id)
    try:
        assumptions.assumption_remove(assumption=assumption, by=request.user)
    except ValidationError as exc:
        return _page(request, strategy, viewer, errors=exc.message_dict, status=400)
    messages.success(request, "Assumption removed.")
    return redirect("strategy:assumptions", pk=strategy.pk)


@login_required
@require_POST
def rate(request, public_id):
    assumption, strategy, viewer = assumptions.assumption_get_for(request.user, public_id)
    try:
        assumptions.rating_set(
            assumption=assumption,
            by=request.user,
            score=request.POST.get("score"),
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        errors = {f"{assumption.public_id}-{k}": v for k, v in exc.message_dict.items()}
        return _page(request, strategy, viewer, errors=errors, status=400)
    messages.success(
        request, "Confidence recorded. Nobody sees it until the reveal, and then only in aggregate."
    )
    return redirect("strategy:assumptions", pk=strategy.pk)
