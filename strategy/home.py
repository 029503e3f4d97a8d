"""Home-page cards: strategies waiting for my reading or feedback, and points waiting for my answer."""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from strategy import phases, receipts, services
from strategy.models import Participation, Point, Strategy

# Anonymous authors get no notification (a stored one would name them); they are told here instead.
RECENT_ANSWERS = timedelta(days=30)


def _answers_to_my_anonymous_points(user) -> list:
    """Recently answered anonymous points whose receipt matches this person: one query, then hashes."""
    candidates = (
        Point.objects.filter(
            is_anonymous=True,
            strategy__phase__in=phases.REVEALED,
            strategy__audience_teams__memberships__user=user,
            disposition__decided_at__gte=timezone.now() - RECENT_ANSWERS,
        )
        .select_related("disposition", "strategy")
        .distinct()
        .order_by("-disposition__decided_at")[:500]
    )
    return [p for p in candidates if receipts.is_mine(p, user)]


def cards(user) -> list[dict]:
    result = []
    waiting = list(
        Strategy.objects.filter(phase=phases.FEEDBACK, audience_teams__memberships__user=user)
        .exclude(Q(owner=user) | Q(delegates=user))
        .annotate(answered=Exists(Participation.objects.filter(strategy=OuterRef("pk"), user=user)))
        .filter(answered=False)
        .distinct()
        .order_by("feedback_closes_at")[:5]
    )
    if waiting and not user.is_leadership:
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
            Q(owner=user) | Q(delegates=user), phase__in=(phases.REVEAL, phases.DECISION)
        ).distinct()[:3]
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
