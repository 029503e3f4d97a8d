"""Review sessions: proposing the agenda from disagreement, editing it, and sending it ahead.

A session is prepared after the reveal. Its agenda comes from strategy.where_we_disagree through
the pure strategy.agenda generator; the owner may then reorder, add and remove items. The agenda
and the version to pre-read go to the attendees a chosen number of hours before, once; those who
have not opened the pre-read by the reminder time get one reminder.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from productops.accounts.models import User
from productops.accounts.services import notify
from strategy import agenda, phases, where_we_disagree
from strategy.access import audience_members, viewer_for
from strategy.models import AgendaItem, ReadReceipt, ReviewSession, Strategy

# The reminder goes at most this long before the start, and never before half the lead time.
REMINDER_LEAD = timedelta(hours=2)
SESSION_PHASES = (phases.REVEAL, phases.DECISION)


def attendees(strategy: Strategy):
    """Everyone who takes part: the audience, the owner and the delegates."""
    audience = audience_members(strategy).values("pk")
    delegates = strategy.delegates.values("pk")
    return User.objects.filter(
        Q(pk__in=audience) | Q(pk=strategy.owner_id) | Q(pk__in=delegates), is_active=True
    )


def session_get_for(user: User, public_id) -> tuple[ReviewSession, Strategy, phases.Viewer]:
    """The session, its strategy and how `user` relates to it, in one query: every attendee's
    page asks this every two seconds. 404 for anyone who may not see the strategy."""
    if not user.is_authenticated:
        raise Http404("No such review session.")
    try:
        session = (
            ReviewSession.objects.select_related("strategy__owner")
            .annotate(
                _is_delegate=Exists(
                    Strategy.delegates.through.objects.filter(
                        strategy=OuterRef("strategy_id"), user=user
                    )
                ),
                _is_audience=Exists(
                    Strategy.audience_teams.through.objects.filter(
                        strategy=OuterRef("strategy_id"), team__memberships__user=user
                    )
                ),
            )
            .get(public_id=public_id)
        )
    except (ReviewSession.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404("No such review session.") from exc
    strategy = session.strategy
    strategy._is_delegate, strategy._is_audience = session._is_delegate, session._is_audience
    viewer = viewer_for(strategy, user)
    if not phases.can_view(strategy.phase, viewer) or not strategy.is_revealed:
        raise Http404("No such review session.")
    return session, strategy, viewer


def item_get_for(user: User, public_id) -> tuple[AgendaItem, ReviewSession, phases.Viewer]:
    try:
        item = AgendaItem.objects.select_related("session").get(public_id=public_id)
    except (AgendaItem.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404("No such agenda item.") from exc
    session, strategy, viewer = session_get_for(user, item.session.public_id)
    item.session = session
    return item, session, viewer


def _require_owner(strategy: Strategy, by: User) -> phases.Viewer:
    viewer = viewer_for(strategy, by)
    if not viewer.is_owner:
        raise PermissionDenied("Only the owner or a delegate prepares review sessions.")
    return viewer


def proposed_agenda(strategy: Strategy, meeting_minutes: int) -> agenda.Agenda:
    report = where_we_disagree.report_for(strategy)
    candidates = [
        agenda.Candidate(
            key=d.subject.key,
            kind=d.subject.kind,
            label=d.subject.label,
            weight=d.score if d.needs_time else 0.0,
            reason="; ".join(d.reasons),
            disposition=d.subject.disposition,
        )
        for d in report.items
    ]
    return agenda.propose(candidates, meeting_minutes=meeting_minutes)


def _schedule(starts_at, send_before_hours: int):
    send_at = starts_at - timedelta(hours=send_before_hours)
    remind_at = starts_at - min(REMINDER_LEAD, timedelta(hours=send_before_hours) / 2)
    return send_at, remind_at


@transaction.atomic
def session_create(
    *,
    strategy: Strategy,
    by: User,
    title: str,
    starts_at,
    length_minutes: int,
    send_before_hours: int,
    now=None,
) -> ReviewSession:
    now = now or timezone.now()
    strategy = Strategy.objects.select_for_update().get(pk=strategy.pk)
    _require_owner(strategy, by)
    errors = {}
    if strategy.phase not in SESSION_PHASES:
        errors["strategy"] = (
            "A review session is prepared after the reveal, before the decision is final."
        )
    title = " ".join((title or "").split())
    if not title:
        errors["title"] = "Give the session a title."
    elif len(title) > 160:
        errors["title"] = "Keep the title under 160 characters."
    if starts_at is None or starts_at <= now:
        errors["starts_at"] = "Choose a start time in the future."
    if not isinstance(length_minutes, int) or not 10 <= length_minutes <= 240:
        errors["length_minutes"] = "A session lasts between 10 and 240 minutes."
    if not isinstance(send_before_hours, int) or not 1 <= send_before_hours <= 168:
        errors["send_before_hours"] = "Send the agenda between 1 and 168 hours (a week) before."
    if errors:
        raise ValidationError(errors)
    send_at, remind_at = _schedule(starts_at, send_before_hours)
    session = ReviewSession.objects.create(
        strategy=strategy,
        title=title,
        starts_at=starts_at,
        length_minutes=length_minutes,
        send_before_hours=send_before_hours,
        send_at=send_at,
        remind_at=remind_at,
        version=strategy.versions.order_by("-number").first(),
        facilitator=by,
    )
    proposal = proposed_agenda(strategy, length_minutes)
    rows = [
        AgendaItem(
            session=session,
            position=i,
            kind=slot.kind,
            subject_key=slot.key,
            title=slot.label[:300],
            reason=slot.reason[:300],
            minutes=slot.minutes,
        )
        for i, slot in enumerate(proposal.slots)
    ] + [
        AgendaItem(
            session=session,
            position=i,
            kind=s.kind,
            subject_key=s.key,
            title=s.label[:300],
            settled=True,
            disposition=s.disposition[:300],
        )
        for i, s in enumerate(proposal.settled)
    ]
    AgendaItem.objects.bulk_create(rows)
    return session


def _editable(session: ReviewSession, by: User) -> None:
    _require_owner(session.strategy, by)
    if session.status != ReviewSession.Status.SCHEDULED:
        raise ValidationError({"agenda": "The session has started: the agenda is fixed."})


@transaction.atomic
def agenda_item_add(*, session: ReviewSession, by: User, title: str, minutes) -> AgendaItem:
    session = (
        ReviewSession.objects.select_for_update().select_related("strategy").get(pk=session.pk)
    )
    _editable(session, by)
    title = " ".join((title or "").split())
    errors = {}
    if not title or len(title) > 300:
        errors["title"] = "Name the item in under 300 characters."
    try:
        minutes = int(minutes)
    except (TypeError, ValueError):
        minutes = 0
    if not 1 <= minutes <= session.length_minutes:
        errors["minutes"] = f"Give it between 1 and {session.length_minutes} minutes."
    if errors:
        raise ValidationError(errors)
    last = session.items.filter(settled=False).aggregate(m=Max("position"))["m"]
    return AgendaItem.objects.create(
        session=session,
        position=(last + 1) if last is not None else 0,
        kind=AgendaItem.Kind.CUSTOM,
        title=title,
        minutes=minutes,
    )


@transaction.atomic
def agenda_item_remove(*, item: AgendaItem, by: User) -> None:
    """Removing an item lists it as settled in writing: it leaves the meeting, not the record."""
    session = (
        ReviewSession.objects.select_for_update().select_related("strategy").get(pk=item.session_id)
    )
    _editable(session, by)
    if item.kind == AgendaItem.Kind.CUSTOM:
        item.delete()
        return
    AgendaItem.objects.filter(pk=item.pk).update(
        settled=True,
        minutes=0,
        disposition="Taken off the agenda by the owner: to settle in writing",
    )


@transaction.atomic
def agenda_item_move(*, item: AgendaItem, by: User, direction: str) -> None:
    session = (
        ReviewSession.objects.select_for_update().select_related("strategy").get(pk=item.session_id)
    )
    _editable(session, by)
    if direction not in ("up", "down"):
        raise ValidationError({"direction": "Move an item up or down."})
    items = list(session.items.filter(settled=False).order_by("position", "public_id"))
    index = next(i for i, x in enumerate(items) if x.pk == item.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(items):
        return
    items[index], items[other] = items[other], items[index]
    for position, row in enumerate(items):
        if row.position != position:
            AgendaItem.objects.filter(pk=row.pk).update(position=position)


# --- sending ahead ----------------------------------------------------------------------------


def _agenda_text(session: ReviewSession) -> str:
    items = list(session.items.filter(settled=False).order_by("position"))
    lines = [f"{i}. {item.title} ({item.minutes} min)" for i, item in enumerate(items, 1)]
    settled = session.items.filter(settled=True).count()
    return (
        f"Pre-read: version {session.version.number}. Agenda:\n"
        + "\n".join(lines)
        + (f"\n{settled} more settled in writing." if settled else "")
    )


def agendas_send_due(*, now=None) -> int:
    """Send each due agenda once: claim the row with a conditional update, then notify."""
    now = now or timezone.now()
    due = ReviewSession.objects.filter(
        agenda_sent_at=None, send_at__lte=now, starts_at__gt=now
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(due):
        if not ReviewSession.objects.filter(pk=pk, agenda_sent_at=None).update(agenda_sent_at=now):
            continue
        session = ReviewSession.objects.select_related("strategy", "version").get(pk=pk)
        sent += 1
        notify(
            recipients=attendees(session.strategy),
            key=f"strategy:session:{session.public_id}:agenda",
            title=f"Review session agenda: {session.title}",
            body=_agenda_text(session),
            url=reverse("strategy:session", args=[session.public_id]),
        )
    return sent


def not_yet_read(session: ReviewSession):
    readers = ReadReceipt.objects.filter(version=session.version).values("user_id")
    return attendees(session.strategy).exclude(pk__in=readers)


def session_reminders_send_due(*, now=None) -> int:
    now = now or timezone.now()
    due = ReviewSession.objects.filter(
        agenda_sent_at__isnull=False,
        reminder_sent_at=None,
        remind_at__lte=now,
        starts_at__gt=now,
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(due):
        if not ReviewSession.objects.filter(pk=pk, reminder_sent_at=None).update(
            reminder_sent_at=now
        ):
            continue
        session = ReviewSession.objects.select_related("strategy", "version").get(pk=pk)
        sent += 1
        notify(
            recipients=not_yet_read(session),
            key=f"strategy:session:{session.public_id}:pre-read-reminder",
            title=f"Before the review session: read version {session.version.number}",
            body="The session starts soon and uses the written feedback as its pre-read.",
            url=session.version.get_absolute_url(),
        )
    return sent
