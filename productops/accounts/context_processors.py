from django.conf import settings


def portal(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_count": user.notifications.unread().count(),
        "portal_apps": settings.PORTAL_APPS,
    }
