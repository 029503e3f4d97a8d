import importlib

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.templatetags.static import static

from productops import page_cache
from productops.accounts.models import Team


def _app_cards(user) -> list[dict]:
    """Each product app may offer cards for the home page from its `home.py`."""
    cards = []
    for app in settings.PORTAL_APPS:
        try:
            module = importlib.import_module(f"{app}.home")
        except ModuleNotFoundError:
            continue
        cards.extend(module.cards(user))
    return cards


@login_required
@page_cache.per_person
def home(request):
    user = request.user
    return render(
        request,
        "home.html",
        {
            "teams": Team.objects.for_user(user).with_member_count(),
            "notifications": user.notifications.unread()[:8],
            "app_cards": _app_cards(user),
        },
    )


def favicon(request):
    # Browsers ask for /favicon.ico whatever the page links; send them to the SVG.
    # Not permanent: the static name carries a hash that changes with the icon.
    return redirect(static("favicon.svg"))
