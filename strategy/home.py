"""Home-page cards: strategies waiting for my reading or feedback, and points waiting for my answer."""

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from strategy import phases, services
from strategy.models import Participation, Strategy


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
