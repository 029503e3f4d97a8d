from datetime import timedelta

import pytest
from django.utils import timezone

from strategy import notifications, services
from strategy.models import Strategy

PARTS = {
    "diagnosis": "Checkout conversion fell 4 points in a year; mobile users abandon at payment.",
    "guiding_policy": "Make paying on a phone effortless before adding anything new.",
    "bets": "### One-tap wallet\n\nWe bet on wallets first.\n\n### What we give up\n\nNo new markets this year.",
    "options": "Status quo; wallets first; a full checkout rewrite.",
    "assumptions": "Most abandonment is caused by typing card details on small screens.",
}


def make_draft(world, **overrides) -> Strategy:
    fields = {"title": "Checkout 2027", **PARTS, **overrides}
    return services.strategy_create(
        by=world.leader, audience_teams=[world.team, world.other_team], **fields
    )


def open_window(strategy, world, *, hours=48) -> Strategy:
    services.version_publish(
        strategy=strategy,
        by=world.leader,
        change_summary="First version.",
        closes_at=timezone.now() + timedelta(hours=hours),
    )
    strategy.refresh_from_db()
    return strategy


def confirm(strategy, user):
    return services.read_confirm(
        strategy=strategy, by=user, summary="Wallets first, to win back mobile payers."
    )


def reveal(strategy):
    """Let the window end the only way it can: time passes and the sweep runs."""
    Strategy.objects.filter(pk=strategy.pk).update(
        feedback_opens_at=timezone.now() - timedelta(days=3),
        feedback_closes_at=timezone.now() - timedelta(minutes=1),
    )
    notifications.windows_close_due()
    strategy.refresh_from_db()
    return strategy


@pytest.fixture
def draft(world):
    return make_draft(world)


@pytest.fixture
def open_strategy(world):
    return open_window(make_draft(world), world)


@pytest.fixture
def client_as():
    """client_as(user) -> a separate signed-in client per person (client_for shares one client)."""
    from django.test import Client

    def make(user):
        c = Client()
        c.force_login(user)
        return c

    return make
