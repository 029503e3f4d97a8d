"""The shared filter backend skips django-filter when no filter is asked, and only then."""

import pytest

from productops.accounts.models import Team

pytestmark = pytest.mark.django_db


def test_a_filter_parameter_filters_and_a_bad_value_is_refused_naming_it(world, api_for):
    Team.objects.filter(pk=world.team.pk).update(product_area="Payments")
    client = api_for(world.member)
    everyone = client.get("/api/v1/teams/").json()
    assert everyone["count"] == Team.objects.count() >= 2
    payments = client.get("/api/v1/teams/", {"product_area": "Payments"}).json()
    assert [t["slug"] for t in payments["results"]] == [world.team.slug]
    # Other parameters (paging) are not filters: the whole list, paged.
    assert client.get("/api/v1/teams/", {"limit": 1}).json()["count"] == everyone["count"]


def test_an_invalid_filter_value_gets_a_400_naming_the_field(world, api_for):
    response = api_for(world.researcher).get("/api/v1/research/ledger/", {"kind": "nonsense"})
    assert response.status_code == 400
    assert "kind" in response.json()
    assert api_for(world.researcher).get("/api/v1/research/ledger/").status_code == 200
