"""Home-page cards: strategies waiting for my reading or feedback, and points waiting for my answer."""

from datetime import timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from strategy import phases, receipts, relations, services
from strategy.models import Point, Strategy

# Anonymous authors get no notification (a stored one would name them); they are told here instead.
RECENT_ANSWERS = timedelta(days=30)


def _answers_to_my_anonymous_points(user) -> list:
    """Recently answered anonymous points whose receipt matches this person.

    The receipts are checked on four columns per candidate; whole rows are loaded only for the
    few that match, usually none.
    """
    candidates = (
        Point.objects.filter(
            is_anonymous=True,
            # A subquery, not joins through teams and memberships: no duplicates, no DISTINCT.
            # Only strategies this person answered: writing a point records that they did
            # (never which point), so receipts are not hashed for strategies they never answered.
            strategy__in=Strategy.objects.filter(
                Q(relations.is_audience(user)),
                Q(relations.has_answered(user)),
                phase__in=phases.REVEALED,
            ).values("pk"),
            disposition__decided_at__gte=timezone.now() - RECENT_ANSWERS,
        )
        .values_list("pk", "is_anonymous", "receipt", "public_id", named=True)
        .order_by("-disposition__decided_at")[:500]
    )
    mine = [c.pk for c in candidates if receipts.is_mine(c, user)]
    if not mine:
        return []
    points = Point.objects.select_related("disposition", "strategy").in_bulk(mine)
    return [points[pk] for pk in mine]


def cards(user) -> list[dict]:
    result = []
    # Leaders speak last: they are never asked for feedback, so their list is not even looked up.
    waiting = (
        []
        if user.is_leadership
        else list(
            Strategy.objects.filter(
                Q(relations.is_audience(user)),
                ~Q(relations.is_delegate(user)),
                ~Q(relations.has_answered(user)),
                phase=phases.FEEDBACK,
            )
            .exclude(owner=user)
            .only("title", "feedback_closes_at")
            .order_by("feedback_closes_at")[:5]
        )
    )
    if waiting:
        result.append(
            {
                "app": "Strategy",
                "title": "Strategies waiting for your read and feedback",
                "count": len(waiting),
                "text": "Your view counts most before anyone else's is visible.",
                "items": [
                    {
                        "label": f"{s.title} (closes {s.feedback_closes_at:%d %b})",
                        "url": s.get_absolute_url(),
                    }
                    for s in waiting
                ],
                "url": reverse("strategy:index"),
                "link_label": "All strategies",
            }
        )
    answered = _answers_to_my_anonymous_points(user)
    if answered:
        result.append(
            {
                "app": "Strategy",
                "title": "Answers to your anonymous feedback",
                "count": len(answered),
                "text": "Only you see this: nothing stored says these points are yours.",
                "items": [
                    {
                        "label": f"{p.strategy.title}: {p.disposition.get_status_display().lower()}"
                        f" — {p.body[:60]}",
                        "url": p.strategy.get_absolute_url(),
                    }
                    for p in answered[:5]
                ],
            }
        )
    owned = list(
        Strategy.objects.filter(
            Q(owner=user) | Q(relations.is_delegate(user)),
            phase__in=(phases.REVEAL, phases.DECISION),
        )
        # What the count of unanswered points needs (phase and the k floor), not the texts.
        .only("title", "phase", "pooled_voices")[:3]
    )
    items, total = [], 0
    for strategy in owned:
        n = services.undisposed_points(strategy).count()
        if n:
            total += n
            items.append(
                {
                    "label": f"{strategy.title}: {n} to answer",
                    "url": reverse("strategy:discussion", args=[strategy.pk]) + "?open=1",
                }
            )
    if total:
        result.append(
            {
                "app": "Strategy",
                "title": "Points waiting for your disposition",
                "count": total,
                "text": "Pushbacks, concerns and alternatives need an answer before the next version.",
                "items": items,
            }
        )
    return result
