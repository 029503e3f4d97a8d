from django.urls import reverse

from research.models import ResearchRequest

# Only what the cards print: whole requests with their teams cost more to load than to show.
_CARD_COLUMNS = ("pk", "title", "team__name", "deadline", "risk")


def _url(pk) -> str:
    return reverse("research:request_detail", args=[pk])


def cards(user) -> list[dict]:
    """Researchers: their open requests. Admins: open requests the fatigue rules are about to block."""
    cards = []
    if user.is_researcher or user.is_productops_admin:
        mine = list(
            ResearchRequest.objects.open()
            .filter(researcher=user)
            .order_by("deadline")
            .values(*_CARD_COLUMNS)[:5]
        )
        if mine:
            cards.append(
                {
                    "app": "Research",
                    "title": "Your open research requests",
                    "count": len(mine),
                    "items": [
                        {
                            "label": f"{r['title']} ({r['team__name']}, due {r['deadline']:%-d %b})",
                            "url": _url(r["pk"]),
                        }
                        for r in mine
                    ],
                    "url": reverse("research:index"),
                    "link_label": "All requests",
                }
            )
    if user.is_productops_admin:
        risky = list(ResearchRequest.objects.open().exclude(risk="").values(*_CARD_COLUMNS)[:5])
        if risky:
            cards.append(
                {
                    "app": "Research",
                    "title": "Requests about to hit fatigue rules",
                    "count": len(risky),
                    "text": "Checked nightly: too few eligible customers, or sampled people now blocked.",
                    "items": [
                        {
                            "label": f"{r['team__name']}: {r['title']} — {r['risk']}",
                            "url": _url(r["pk"]),
                        }
                        for r in risky
                    ],
                    "url": reverse("research:health"),
                    "link_label": "Panel health",
                }
            )
    return cards
