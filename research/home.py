from django.urls import reverse

from research.models import ResearchRequest


def cards(user) -> list[dict]:
    """Researchers: their open requests. Admins: open requests the fatigue rules are about to block."""
    cards = []
    if user.is_researcher or user.is_productops_admin:
        mine = list(
            ResearchRequest.objects.open()
            .filter(researcher=user)
            .select_related("team")
            .order_by("deadline")[:5]
        )
        if mine:
            cards.append(
                {
                    "app": "Research",
                    "title": "Your open research requests",
                    "count": len(mine),
                    "items": [
                        {
                            "label": f"{r.title} ({r.team}, due {r.deadline:%-d %b})",
                            "url": r.get_absolute_url(),
                        }
                        for r in mine
                    ],
                    "url": reverse("research:index"),
                    "link_label": "All requests",
                }
            )
    if user.is_productops_admin:
        risky = list(ResearchRequest.objects.open().exclude(risk="").select_related("team")[:5])
        if risky:
            cards.append(
                {
                    "app": "Research",
                    "title": "Requests about to hit fatigue rules",
                    "count": len(risky),
                    "text": "Checked nightly: too few eligible customers, or sampled people now blocked.",
                    "items": [
                        {"label": f"{r.team}: {r.title} — {r.risk}", "url": r.get_absolute_url()}
                        for r in risky
                    ],
                    "url": reverse("research:health"),
                    "link_label": "Panel health",
                }
            )
    return cards
