from django.conf import settings
from django.utils.functional import SimpleLazyObject

from productops.reversing import cached_reverse

# The links every page's header carries, by the names the base template uses.
_NAV = {
    "home": "home",
    "telemetry": "telemetry:index",
    "strategy": "strategy:index",
    "research": "research:index",
    "teams": "accounts:team_list",
    "audit_log": "accounts:audit_log",
    "inbox": "accounts:notifications",
    "profile": "accounts:profile",
    "api_docs": "api-docs",
    "admin": "admin:index",
    "sign_out": "accounts:logout",
}


def portal(request):
    # Reversed once per process: a {% url %} costs ~30 µs and the header has a dozen.
    nav = {"nav": {key: cached_reverse(name) for key, name in _NAV.items()}}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return nav
    return {
        **nav,
        # Counted when the header shows it: htmx fragments render without the header.
        "unread_count": SimpleLazyObject(lambda: user.notifications.unread().count()),
        "portal_apps": settings.PORTAL_APPS,
    }
