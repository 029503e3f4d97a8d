"""Text and UI bugs of the registry, each pinned by what a person sees."""

import pytest
from django.urls import reverse

from telemetry import services

pytestmark = pytest.mark.django_db


def _history_lines(client, event) -> list[str]:
    page = client.get(event.get_absolute_url())
    return [line["text"] for line in page.context["history"]]


def test_one_registration_is_one_history_line(world, client_for):
    client = client_for(world.member)
    response = client.post(
        reverse("telemetry:event_new"),
        {
            "team": world.team.pk,
            "name": "Order Completed",
            "status": "active",
            "properties-TOTAL_FORMS": "1",
            "properties-INITIAL_FORMS": "0",
            "properties-0-name": "order_id",
            "properties-0-type": "string",
        },
    )
    assert response.status_code == 302
    from telemetry.models import Event

    event = Event.objects.get()
    assert _history_lines(client, event) == ["registered it with 1 property"]
    body = client.get(event.get_absolute_url()).content.decode()
    assert body.count('data-testid="history-line"') == 1


def test_registering_with_a_kept_name_is_one_line_and_later_changes_are_their_own(
    world, client_for, register
):
    event = register("legacy_ping", no_lint_reason="The partner's SDK sends it like this.")
    services.event_rename(event=event, new_name="Ping Sent", by=world.member)
    lines = _history_lines(client_for(world.member), event)
    assert lines == ["renamed it", "registered it and kept the name on purpose"]


def test_an_imported_event_still_shows_when_it_was_first_registered(world, client_for):
    from telemetry import plan_import, tracking_plan

    plan_import.import_commit(
        team=world.team,
        by=world.member,
        events=[tracking_plan.PlanEvent(name="Order Completed", where="row 2")],
        invalid=[],
        source="plan.csv",
    )
    from telemetry.models import Event

    assert _history_lines(client_for(world.member), Event.objects.get()) == ["first registered"]


def test_the_column_mapping_page_names_fields_in_words(world, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(world.member)
    response = client.post(
        reverse("telemetry:import_upload"),
        {
            "team": world.team.pk,
            "format": "csv",
            "file": SimpleUploadedFile("plan.csv", b"event,type\nOrder Completed,string\n"),
        },
    )
    body = client.get(response["Location"]).content.decode()
    assert "Property type" in body and "Property description" in body
    assert "Propertytype" not in body and "Propertydescription" not in body
