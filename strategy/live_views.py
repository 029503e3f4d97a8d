"""The interactive session page's actions and the fragment every attendee polls."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from productops.accounts.models import User
from strategy import live, reviews


def _fragment(request, session, viewer, *, error="", status=200):
    context = {"session": session, "error": error}
    context.update(live.state_for(session=session, user=request.user, viewer=viewer))
    return render(request, "strategy/_live.html", context, status=status)


def _answer(request, session, viewer, action):
    """Run `action`; htmx gets the fresh fragment (or the error in it), a plain form a redirect."""
    try:
        action()
    except ValidationError as exc:
        message = " ".join(exc.messages)
        if request.htmx:
            session.refresh_from_db()
            return _fragment(request, session, viewer, error=message, status=400)
        messages.error(request, message)
        return redirect("strategy:session", public_id=session.public_id)
    session.refresh_from_db()
    if request.htmx:
        return _fragment(request, session, viewer)
    return redirect("strategy:session", public_id=session.public_id)


@login_required
@require_GET
def poll(request, public_id):
    session, strategy, viewer = reviews.session_get_for(request.user, public_id)
    # Most polls find nothing new: answer "no change" (htmx keeps the page) without rendering.
    if request.GET.get("since") == str(session.revision):
        return HttpResponse(status=204)
    return _fragment(request, session, viewer)


@login_required
@require_POST
def start(request, public_id):
    session, strategy, viewer = reviews.session_get_for(request.user, public_id)
    return _answer(
        request, session, viewer, lambda: live.session_start(session=session, by=request.user)
    )


@login_required
@require_POST
def advance(request, public_id):
    session, strategy, viewer = reviews.session_get_for(request.user, public_id)
    return _answer(
        request, session, viewer, lambda: live.item_advance(session=session, by=request.user)
    )


@login_required
@require_POST
def reveal(request, public_id):
    item, session, viewer = reviews.item_get_for(request.user, public_id)
    return _answer(
        request, session, viewer, lambda: live.positions_reveal(item=item, by=request.user)
    )


@login_required
@require_POST
def position(request, public_id):
    item, session, viewer = reviews.item_get_for(request.user, public_id)
    return _answer(
        request,
        session,
        viewer,
        lambda: live.position_record(
            item=item,
            by=request.user,
            stance=request.POST.get("stance", ""),
            line=request.POST.get("line", ""),
        ),
    )


@login_required
@require_POST
def outcome(request, public_id):
    item, session, viewer = reviews.item_get_for(request.user, public_id)
    owner = None
    owner_name = request.POST.get("owner", "").strip()

    def act():
        nonlocal owner
        if owner_name:
            owner = User.objects.filter(username=owner_name, is_active=True).first()
            if owner is None:
                raise ValidationError(
                    {"owner": f"Nobody is called “{owner_name}”: give a username."}
                )
        live.outcome_record(
            item=item,
            by=request.user,
            decision=request.POST.get("decision", ""),
            owner=owner,
            follow_up=request.POST.get("follow_up", ""),
        )

    return _answer(request, session, viewer, act)


@login_required
@require_POST
def question(request, public_id):
    session, strategy, viewer = reviews.session_get_for(request.user, public_id)
    return _answer(
        request,
        session,
        viewer,
        lambda: live.question_add(
            session=session, by=request.user, body=request.POST.get("body", "")
        ),
    )


@login_required
@require_POST
def upvote(request, public_id):
    q, session, viewer = live.question_get_for(request.user, public_id)
    return _answer(
        request, session, viewer, lambda: live.question_upvote(question=q, by=request.user)
    )


@login_required
@require_POST
def answered(request, public_id):
    q, session, viewer = live.question_get_for(request.user, public_id)
    return _answer(
        request, session, viewer, lambda: live.question_mark_answered(question=q, by=request.user)
    )
