"""The catalogue's event count stays exact when it is taken from the tag and platform links."""

import pytest
from django.urls import reverse

from telemetry.catalogue import catalogue_filter

FILTERS = [
    {},
    {"tag": "funnel"},
    {"tag": "FUNNEL "},
    {"platform": "ios"},
    {"tag": "funnel", "platform": "ios"},
    {"tag": "funnel", "team": "search"},
    {"platform": "web", "status": "deprecated"},
    {"tag": "funnel", "platform": "web", "lint": "warnings"},
    {"tag": "funnel", "q": "order"},
    {"tag": "nobody-uses-this"},
    {"platform": "ios", "team": "nope"},
]


@pytest.fixture
def catalogue(world, register):
    plan = [
        ("Order Completed", world.team, ["web", "ios"], ["funnel", "revenue"], "active"),
        ("Order Refunded", world.team, ["web"], ["revenue"], "deprecated"),
        ("addToCart", world.team, ["ios"], ["funnel"], "active"),
        ("Search Performed", world.other_team, ["web", "ios"], ["funnel"], "active"),
        ("searchResultClicked", world.other_team, ["web"], ["funnel"], "deprecated"),
        ("Filter Applied", world.other_team, [], [], "planned"),
    ]
    for name, team, platforms, tags, status in plan:
        by = world.member if team == world.team else world.outsider
        register(name, team=team, by=by, platforms=platforms, tags=tags, status=status)


@pytest.mark.parametrize("params", FILTERS)
def test_the_count_is_the_number_of_events_listed(catalogue, params):
    found = catalogue_filter(params)
    assert found.count() == len(list(found.events))


def test_the_page_says_how_many_events_match(world, client_for, catalogue):
    response = client_for(world.outsider).get(
        reverse("telemetry:index"), {"tag": "funnel", "platform": "ios"}
    )
    assert response.context["page"].paginator.count == 3
    assert "3 events" in response.content.decode()


def test_a_tag_filter_page_keeps_its_query_count(
    world, client_for, register, django_assert_max_num_queries
):
    for i in range(30):
        register(f"Thing {i} Viewed", platforms=["web", "ios"], tags=["a", "b"])
    client = client_for(world.outsider)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("telemetry:index"), {"tag": "a", "platform": "ios"})
    assert response.context["page"].paginator.count == 30


def test_the_api_counts_the_same_way(world, api_for, catalogue, django_assert_max_num_queries):
    client = api_for(world.outsider)
    with django_assert_max_num_queries(10):
        body = client.get("/api/v1/telemetry/events/", {"tag": "funnel", "team": "search"}).json()
    assert body["count"] == len(body["results"]) == 2
