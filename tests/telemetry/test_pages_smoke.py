import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_every_page_renders_for_a_member(world, client_for, register):
    event = register("Order Completed", description="When payment succeeds.")
    client = client_for(world.member)
    for url in [
        reverse("telemetry:index"),
        reverse("telemetry:index")
        + "?q=order&status=active&lint=ok&platform=web&tag=x&team=checkout",
        reverse("telemetry:event_new"),
        reverse("telemetry:event_detail", args=[event.pk]),
        reverse("telemetry:event_edit", args=[event.pk]),
        reverse("telemetry:property_list"),
        reverse("telemetry:health"),
        reverse("telemetry:team_health", args=["checkout"]),
        reverse("telemetry:vocabulary", args=["checkout"]),
        reverse("telemetry:convention"),
        reverse("telemetry:import_upload"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
