"""The strategy page costs the same number of queries with 20 or 2,000 points."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.strategy.bulk import big_strategy, close_window

pytestmark = pytest.mark.django_db


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.mark.parametrize("revealed", [False, True])
def test_the_strategy_page_has_a_fixed_query_count(world, client_as, revealed):
    small = big_strategy(owner=world.leader, teams=[world.team, world.other_team], items=20, seed=1)
    large = big_strategy(
        owner=world.leader, teams=[world.team, world.other_team], items=2000, seed=2
    )
    if revealed:
        close_window(small)
        close_window(large)
    client = client_as(world.member)
    small_count, _ = _queries(client, small.get_absolute_url())
    large_count, response = _queries(client, large.get_absolute_url())
    assert small_count == large_count <= 20
    page = response.content.decode()
    assert page.count('class="strategy-section"') == 40
    assert 'data-testid="total-points">2000<' in page


def test_the_discussion_page_has_a_fixed_query_count(world, client_as):
    small = big_strategy(owner=world.leader, teams=[world.team, world.other_team], items=60, seed=3)
    large = big_strategy(
        owner=world.leader, teams=[world.team, world.other_team], items=2000, seed=4
    )
    close_window(small)
    close_window(large)
    client = client_as(world.leader)
    small_count, _ = _queries(client, reverse("strategy:discussion", args=[small.pk]))
    large_count, response = _queries(client, reverse("strategy:discussion", args=[large.pk]))
    assert small_count == large_count <= 25
    assert response.content.decode().count('data-testid="point"') == 25
