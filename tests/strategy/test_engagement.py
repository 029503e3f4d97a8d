"""Engagement figures for the owner and ProductOps, after the reveal only."""

from datetime import timedelta

import pytest
from django.urls import reverse

from strategy import engagement, services
from strategy.models import Disposition, Strategy
from tests.strategy.reviews_world import split_strategy

pytestmark = pytest.mark.django_db


def test_engagement_counts_teams_answer_times_and_dispositions(world, client_as):
    strategy, a, bets, options = split_strategy(world, revealed=False)
    url = reverse("strategy:dashboard", args=[strategy.pk])
    assert 'data-testid="engagement"' not in client_as(world.leader).get(url).content.decode()
    from tests.strategy.conftest import reveal

    reveal(strategy)
    concern = strategy.points.get(type="concern")
    services.disposition_set(
        point=concern,
        by=world.leader,
        status="declined",
        reason="Wallet fees are fixed by contract for two years, so margins hold.",
    )
    Disposition.objects.filter(point=concern).update(
        decided_at=strategy.revealed_at + timedelta(hours=6)
    )
    figures = engagement.engagement_for(Strategy.objects.get(pk=strategy.pk))
    # Checkout answered; Search only rated (ratings are not feedback).
    assert (figures.teams_answered, figures.teams) == (1, 2)
    assert figures.median_hours_to_answer == 6.0 and figures.answered == 1
    kinds = dict(figures.by_kind)
    assert kinds["Concern"] == [("Declined", 1)]
    assert kinds["Pushback"] == [("Not answered yet", 1)]
    for user in (world.leader, world.admin):
        html = client_as(user).get(url).content.decode()
        assert "1 of 2 (50%)" in html and "6.0 h" in html
    assert client_as(world.member).get(url).status_code == 403
