from django.db.models import Count, Q
from django.urls import reverse

from telemetry.models import Event


def cards(user) -> list[dict]:
    """My teams' naming health and the events that have a suggested better name (two queries)."""
    rows = list(
        Event.objects.counted_for_health()
        .filter(team__memberships__user=user)
        .values("team__name", "team__slug")
        .annotate(total=Count("pk"), ok=Count("pk", filter=Q(lint_state=Event.LintState.OK)))
        .order_by("team__name")
    )
    if not rows:
        return []
    cards = [
        {
            "app": "Telemetry",
            "title": "Your teams' naming health",
            "text": "Share of live events that follow the shared convention.",
            "items": [
                {
                    "label": f"{r['team__name']}: {round(100 * r['ok'] / r['total']) if r['total'] else 100}% "
                    f"of {r['total']} events",
                    "url": reverse("telemetry:team_health", args=[r["team__slug"]]),
                }
                for r in rows
            ],
            "url": reverse("telemetry:health"),
            "link_label": "Across all teams",
        }
    ]
    warned = list(
        Event.objects.counted_for_health()
        .filter(team__memberships__user=user, lint_state=Event.LintState.WARNINGS)
        .exclude(lint_suggestion="")
        .order_by("-updated_at")
        .values("pk", "name", "lint_suggestion")[:4]
    )
    if warned:
        warnings = sum(r["total"] - r["ok"] for r in rows)
        cards.append(
            {
                "app": "Telemetry",
                "title": "Events with a better name on offer",
                "count": warnings,
                "text": "Warnings only: rename when it suits you, or keep the name with a reason.",
                "items": [
                    {
                        "label": f"{w['name']} → {w['lint_suggestion']}",
                        "url": reverse("telemetry:event_detail", args=[w["pk"]]),
                    }
                    for w in warned
                ],
                "url": reverse("telemetry:index") + f"?lint=warnings&team={rows[0]['team__slug']}",
                "link_label": "See them in the catalogue",
            }
        )
    return cards
