import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_shows_my_teams(world, client_for):
    response = client_for(world.member).get(reverse("home"))
    assert response.status_code == 200
    assert "Checkout" in response.content.decode()
