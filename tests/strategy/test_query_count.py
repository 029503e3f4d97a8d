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
    # A first visit: 14 reads and the INSERT that records the opening.
    assert small_count == large_count <= 15
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


@pytest.mark.parametrize("who", ["member", "leader", "admin"])
def test_the_list_the_home_cards_and_the_api_list_cost_a_fixed_number_of_queries(
    world, client_as, who, django_assert_max_num_queries
):
    from strategy.home import cards

    for seed in range(3):
        close_window(big_strategy(owner=world.leader, teams=[world.team], items=50, seed=seed))
    big_strategy(owner=world.leader, teams=[world.team, world.other_team], items=50, seed=9)
    person = getattr(world, who)
    client = client_as(person)
    with django_assert_max_num_queries(4):
        page = client.get(reverse("strategy:index")).content.decode()
    assert page.count('data-testid="strategy-row"') + page.count("needs-feedback") == 4
    # The owner's card counts unanswered points of up to three strategies: two queries each.
    with django_assert_max_num_queries(3 + (6 if who == "leader" else 0)):
        cards(person)
    with django_assert_max_num_queries(5):
        assert client.get(reverse("api:strategy-list")).json()["count"] == 4
