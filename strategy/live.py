"""Running a review session: the facilitator steps through the agenda, everyone records a
private position per item, positions are revealed together (leaders' after everyone else's),
questions queue up with upvotes, and each item ends with a recorded outcome.

`state_for` is what every attendee's page polls every two seconds: a fixed handful of queries
whatever the number of attendees, positions or questions.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from productops.accounts.models import User
from strategy import phases
from strategy.access import viewer_for
from strategy.models import AgendaItem, Position, QuestionVote, ReviewSession, SessionQuestion
from strategy.reviews import session_get_for

QUEUE_SIZE = 50
_PLACEHOLDER = "00000000-0000-4000-8000-000000000000"


def takes_part(viewer: phases.Viewer) -> bool:
    return viewer.is_audience or viewer.speaks_last


def _lock(session: ReviewSession) -> ReviewSession:
    return ReviewSession.objects.select_for_update().select_related("strategy").get(pk=session.pk)


def _facilitate(session: ReviewSession, by: User) -> None:
    if not viewer_for(session.strategy, by).is_owner:
        raise PermissionDenied(
            "Only the facilitator (the owner or a delegate) steps through the agenda."
        )


def _changed(session_id: int) -> None:
    ReviewSession.objects.filter(pk=session_id).update(revision=F("revision") + 1)


def _agenda(session: ReviewSession) -> list[AgendaItem]:
    return list(session.items.filter(settled=False).order_by("position", "public_id"))


def _start(item: AgendaItem, session: ReviewSession, now) -> None:
    AgendaItem.objects.filter(pk=item.pk, started_at=None).update(started_at=now)
    ReviewSession.objects.filter(pk=session.pk).update(current_item=item)


@transaction.atomic
def session_start(*, session: ReviewSession, by: User, now=None) -> None:
    now = now or timezone.now()
    session = _lock(session)
    _facilitate(session, by)
    if session.status != ReviewSession.Status.SCHEDULED:
        raise ValidationError({"session": "The session has already started."})
    items = _agenda(session)
    if not items:
        raise ValidationError({"session": "The agenda is empty: add an item first."})
    ReviewSession.objects.filter(pk=session.pk).update(status=ReviewSession.Status.LIVE)
    _start(items[0], session, now)
    _changed(session.pk)


@transaction.atomic
def item_advance(*, session: ReviewSession, by: User, now=None) -> AgendaItem | None:
    """Close the current item and open the next; after the last, the session ends."""
    now = now or timezone.now()
    session = _lock(session)
    _facilitate(session, by)
    if session.status != ReviewSession.Status.LIVE:
        raise ValidationError({"session": "The session is not running."})
    items = _agenda(session)
    current = next((i for i, x in enumerate(items) if x.pk == session.current_item_id), -1)
    if current >= 0:
        AgendaItem.objects.filter(pk=items[current].pk, closed_at=None).update(closed_at=now)
    _changed(session.pk)
    if current + 1 < len(items):
        _start(items[current + 1], session, now)
        return items[current + 1]
    ReviewSession.objects.filter(pk=session.pk).update(
        status=ReviewSession.Status.ENDED, current_item=None
    )
    return None


def _open_item(item: AgendaItem, session: ReviewSession) -> None:
    if session.status != ReviewSession.Status.LIVE or session.current_item_id != item.pk:
        raise ValidationError({"item": "This item is not the one under discussion now."})
    if item.closed_at is not None:
        raise ValidationError({"item": "This item is closed: its outcome is recorded."})


@transaction.atomic
def position_record(*, item: AgendaItem, by: User, stance: str, line: str) -> Position:
    session = _lock(item.session)
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    viewer = viewer_for(session.strategy, by)
    if not takes_part(viewer):
        raise PermissionDenied("Only the audience and the strategy's leaders take part.")
    _open_item(item, session)
    errors = {}
    if item.positions_revealed_at is not None:
        errors["stance"] = "Positions on this item are revealed: the private round is over."
    if stance not in Position.Stance.values:
        errors["stance"] = "Choose support, concern or block."
    line = " ".join((line or "").split())
    if not line:
        errors["line"] = "Say why, in one line."
    elif len(line) > 200:
        errors["line"] = "Keep it to one line (200 characters)."
    if errors:
        raise ValidationError(errors)
    if Position.objects.filter(item=item, user=by).exists():
        raise ValidationError({"stance": "You already recorded your position on this item."})
    try:
        with transaction.atomic():
            position = Position.objects.create(
                item=item, user=by, stance=stance, line=line, is_leader=viewer.speaks_last
            )
            _changed(session.pk)
            return position
    except IntegrityError as exc:
        raise ValidationError(
            {"stance": "You already recorded your position on this item."}
        ) from exc


@transaction.atomic
def positions_reveal(*, item: AgendaItem, by: User, now=None) -> str:
    """First call: everyone's but the leaders'. Second call: the leaders'. Returns which."""
    now = now or timezone.now()
    session = _lock(item.session)
    _facilitate(session, by)
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    _open_item(item, session)
    _changed(session.pk)
    if item.positions_revealed_at is None:
        AgendaItem.objects.filter(pk=item.pk).update(positions_revealed_at=now)
        return "others"
    if item.leaders_revealed_at is None:
        AgendaItem.objects.filter(pk=item.pk).update(leaders_revealed_at=now)
        return "leaders"
    raise ValidationError({"item": "All positions on this item are revealed already."})


@transaction.atomic
def outcome_record(
    *,
    item: AgendaItem,
    by: User,
    decision: str,
    owner: User | None = None,
    follow_up: str = "",
    now=None,
) -> AgendaItem:
    now = now or timezone.now()
    session = _lock(item.session)
    _facilitate(session, by)
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    _open_item(item, session)
    decision, follow_up = decision.strip(), (follow_up or "").strip()
    errors = {}
    if not decision:
        errors["decision"] = "Record what was decided on this item."
    elif len(decision) > 2000:
        errors["decision"] = "Keep the decision under 2,000 characters."
    if len(follow_up) > 2000:
        errors["follow_up"] = "Keep the follow-up under 2,000 characters."
    if errors:
        raise ValidationError(errors)
    AgendaItem.objects.filter(pk=item.pk).update(
        outcome_decision=decision,
        outcome_owner=owner,
        outcome_follow_up=follow_up,
        # Positions that were never revealed are revealed with the outcome: nothing stays hidden.
        positions_revealed_at=item.positions_revealed_at or now,
        leaders_revealed_at=item.leaders_revealed_at or now,
        closed_at=now,
    )
    _changed(session.pk)
    item.refresh_from_db()
    return item


def question_add(*, session: ReviewSession, by: User, body: str) -> SessionQuestion:
    viewer = viewer_for(session.strategy, by)
    if not takes_part(viewer):
        raise PermissionDenied("Only the audience and the strategy's leaders take part.")
    if session.status == ReviewSession.Status.ENDED:
        raise ValidationError({"body": "The session has ended."})
    body = " ".join((body or "").split())
    if not body:
        raise ValidationError({"body": "Write your question."})
    if len(body) > 300:
        raise ValidationError({"body": "Keep a question under 300 characters."})
    question = SessionQuestion.objects.create(session=session, author=by, body=body)
    _changed(session.pk)
    return question


def question_get_for(user: User, public_id):
    try:
        question = SessionQuestion.objects.select_related("session").get(public_id=public_id)
    except (SessionQuestion.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404("No such question.") from exc
    session, strategy, viewer = session_get_for(user, question.session.public_id)
    question.session = session
    return question, session, viewer


def question_upvote(*, question: SessionQuestion, by: User) -> SessionQuestion:
    viewer = viewer_for(question.session.strategy, by)
    if not takes_part(viewer):
        raise PermissionDenied("Only the audience and the strategy's leaders take part.")
    if question.author_id == by.pk:
        raise ValidationError({"question": "You cannot upvote your own question."})
    with transaction.atomic():
        _, created = QuestionVote.objects.get_or_create(question=question, user=by)
        if created:
            SessionQuestion.objects.filter(pk=question.pk).update(votes=F("votes") + 1)
            _changed(question.session_id)
    question.refresh_from_db()
    return question


def question_mark_answered(*, question: SessionQuestion, by: User) -> None:
    _facilitate(question.session, by)
    SessionQuestion.objects.filter(pk=question.pk).update(answered=True)
    _changed(question.session_id)


# --- what every attendee sees -----------------------------------------------------------------


def visible_positions(item: AgendaItem | None, positions: list[Position], user: User) -> dict:
    """Sealed until revealed: before that, only a count and one's own."""
    if item is None:
        return {"recorded": 0, "mine": None, "shown": [], "leaders_pending": False}
    mine = next((p for p in positions if p.user_id == user.pk), None)
    shown = []
    if item.positions_revealed_at:
        shown = [p for p in positions if not p.is_leader]
        if item.leaders_revealed_at:
            shown += [p for p in positions if p.is_leader]
    return {
        "recorded": len(positions),
        "mine": mine,
        "shown": shown,
        "leaders_pending": bool(item.positions_revealed_at and not item.leaders_revealed_at),
    }


def state_for(*, session: ReviewSession, user: User, viewer: phases.Viewer, now=None) -> dict:
    now = now or timezone.now()
    item = (
        AgendaItem.objects.select_related("outcome_owner")
        .filter(pk=session.current_item_id)
        .first()
        if session.current_item_id
        else None
    )
    positions = (
        list(
            Position.objects.filter(item=item)
            .select_related("user")
            .order_by("is_leader", "user__display_name", "pk")
        )
        if item
        else []
    )
    questions = list(
        session.questions.filter(answered=False).order_by("-votes", "created_at")[:QUEUE_SIZE]
    )
    upvoted = set(
        QuestionVote.objects.filter(question__session=session, user=user).values_list(
            "question_id", flat=True
        )
    )
    # One reverse() per kind of link, not two per question: the poll renders fifty of them.
    upvote_url = reverse("strategy:question_upvote", args=[_PLACEHOLDER])
    answered_url = reverse("strategy:question_answered", args=[_PLACEHOLDER])
    for q in questions:
        q.upvoted = q.pk in upvoted
        q.mine = q.author_id == user.pk
        q.upvote_url = upvote_url.replace(_PLACEHOLDER, str(q.public_id))
        q.answered_url = answered_url.replace(_PLACEHOLDER, str(q.public_id))
    ends_at = (
        item.started_at + timedelta(minutes=item.minutes) if item and item.started_at else None
    )
    return {
        "live_item": item,
        "positions": visible_positions(item, positions, user),
        "questions": questions,
        "ends_at": ends_at,
        "seconds_left": int((ends_at - now).total_seconds()) if ends_at else None,
        "takes_part": takes_part(viewer),
        "facilitates": viewer.is_owner,
        "stances": Position.Stance.choices,
    }
