"""The working copy (unpublished edits) reaches only the owner and delegates, through every door."""

import pytest
from django.urls import reverse

from strategy import services
from tests.factories import UserFactory
from tests.strategy.conftest import reveal

pytestmark = pytest.mark.django_db

SECRET = "Secret second thoughts: maybe drop wallets entirely."


@pytest.fixture
def edited(open_strategy, world):
    strategy = reveal(open_strategy)
    services.draft_update(strategy=strategy, by=world.leader, diagnosis=SECRET)
    return strategy


def test_the_api_gives_the_audience_no_working_copy(edited, world, api_for):
    data = api_for(world.member).get(reverse("api:strategy-detail", args=[edited.pk])).json()
    assert SECRET not in str(data)
    assert data["diagnosis"] is None and data["body"] is None


def test_the_api_gives_an_admin_no_working_copy(edited, world, api_for):
    admin = UserFactory(username="opsadmin", is_productops_admin=True)
    data = api_for(admin).get(reverse("api:strategy-detail", args=[edited.pk])).json()
    assert SECRET not in str(data)


def test_the_api_gives_the_owner_and_delegates_the_working_copy(edited, world, api_for):
    edited.delegates.add(world.teammate)
    for person in (world.leader, world.teammate):
        data = api_for(person).get(reverse("api:strategy-detail", args=[edited.pk])).json()
        assert data["diagnosis"] == SECRET


def test_an_admin_publishing_over_open_points_does_not_see_the_working_copy(
    edited, world, client_as
):
    admin = UserFactory(username="opsadmin", is_productops_admin=True)
    page = client_as(admin).get(reverse("strategy:publish", args=[edited.pk]))
    assert page.status_code == 200
    assert SECRET not in page.content.decode()
    owner_page = client_as(world.leader).get(reverse("strategy:publish", args=[edited.pk]))
    assert SECRET in owner_page.content.decode()
