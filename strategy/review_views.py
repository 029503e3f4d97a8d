"""After the reveal: where we disagree, and review sessions built from it."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from strategy import access, where_we_disagree
from strategy.views import phase_steps_for


def _owner_only(request, pk):
    strategy, viewer = access.strategy_get_for(request.user, pk)
    if not (viewer.is_owner or viewer.is_admin):
        raise PermissionDenied("This page is for the owner and delegates.")
    return strategy, viewer


@login_required
def disagreement(request, pk):
    strategy, viewer = _owner_only(request, pk)
    return render(
        request,
        "strategy/disagreement.html",
        {
            "strategy": strategy,
            "viewer": viewer,
            "phase_steps": phase_steps_for(strategy),
            "report": where_we_disagree.report_for(strategy),
        },
    )
