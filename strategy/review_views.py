"""After the reveal: where we disagree, and review sessions built from it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from strategy import (
    access,
    anchors,
    feedback,
    forms,
    grouping,
    live,
    reviews,
    second_round,
    where_we_disagree,
)
from strategy.views import form_errors, phase_steps_for


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


@login_required
def sessions(request, pk):
    strategy, viewer = access.strategy_get_for(request.user, pk)
    form = forms.SessionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not viewer.is_owner:
            raise PermissionDenied("Only the owner or a delegate prepares review sessions.")
        if form.is_valid():
            try:
                session = reviews.session_create(
                    strategy=strategy, by=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(
                    request, "Session created with a proposed agenda: adjust it below."
                )
                return redirect("strategy:session", public_id=session.public_id)
        status = 400
    return render(
        request,
        "strategy/sessions.html",
        {
            "strategy": strategy,
            "viewer": viewer,
            "phase_steps": phase_steps_for(strategy),
            "sessions": strategy.review_sessions.all() if strategy.is_revealed else [],
            "form": form,
            "may_create": viewer.is_owner and strategy.phase in reviews.SESSION_PHASES,
        },
        status=status,
    )


def session_context(request, session, strategy, viewer) -> dict:
    items = list(session.items.select_related("outcome_owner"))
    return {
        "session": session,
        "strategy": strategy,
        "viewer": viewer,
        "phase_steps": phase_steps_for(strategy),
        "agenda": [i for i in items if not i.settled],
        "settled": [i for i in items if i.settled],
        "may_edit": viewer.is_owner and session.status == session.Status.SCHEDULED,
        "item_form": forms.AgendaItemForm(),
    }


@login_required
def session(request, public_id):
    session, strategy, viewer = reviews.session_get_for(request.user, public_id)
    context = session_context(request, session, strategy, viewer)
    context.update(live.state_for(session=session, user=request.user, viewer=viewer))
    return render(request, "strategy/session.html", context)


def _back(session):
    return redirect("strategy:session", public_id=session.public_id)


@login_required
@require_POST
def agenda_add(request, public_id):
    session, strategy, viewer = reviews.session_get_for(request.user, public_id)
    try:
        reviews.agenda_item_add(
            session=session,
            by=request.user,
            title=request.POST.get("title", ""),
            minutes=request.POST.get("minutes"),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back(session)


@login_required
@require_POST
def agenda_remove(request, public_id):
    item, session, viewer = reviews.item_get_for(request.user, public_id)
    try:
        reviews.agenda_item_remove(item=item, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back(session)


@login_required
@require_POST
def agenda_move(request, public_id):
    item, session, viewer = reviews.item_get_for(request.user, public_id)
    try:
        reviews.agenda_item_move(
            item=item, by=request.user, direction=request.POST.get("direction", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back(session)


@login_required
@require_POST
def groups_build(request, pk):
    strategy, viewer = access.strategy_get_for(request.user, pk)
    try:
        n = grouping.groups_build(strategy=strategy, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{n} group{'s' if n != 1 else ''} of similar points.")
    return redirect("strategy:dashboard", pk=strategy.pk)


@login_required
@require_POST
def group_answer(request, public_id):
    group, strategy = grouping.group_get_for(request.user, public_id)
    try:
        n = grouping.group_dispose(
            group=group,
            by=request.user,
            status=request.POST.get("status", ""),
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"One answer given to {n} points.")
    return redirect("strategy:dashboard", pk=strategy.pk)


@login_required
@require_POST
def group_split(request, pk):
    point, strategy, viewer = feedback.point_get_for(request.user, pk)
    try:
        grouping.group_split(point=point, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("strategy:dashboard", pk=strategy.pk)


@login_required
@require_POST
def anchor_answer(request, public_id):
    check = anchors.check_get_for(request.user, public_id)
    try:
        anchors.check_answer(
            check=check,
            by=request.user,
            decision=request.POST.get("decision", ""),
            section_key=request.POST.get("section_key", ""),
            quote=request.POST.get("quote", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Thanks: your point's anchor is settled.")
    return redirect("strategy:detail", pk=check.point.strategy_id)


@login_required
@require_POST
def verdict(request, pk):
    point = feedback.own_point_get(request.user, pk)
    try:
        second_round.verdict_record(
            point=point,
            by=request.user,
            verdict=request.POST.get("verdict", ""),
            line=request.POST.get("line", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("strategy:detail", pk=point.strategy_id)
    messages.success(request, "Your verdict is in; it stays sealed until the round closes.")
    return redirect("strategy:detail", pk=point.strategy_id)
