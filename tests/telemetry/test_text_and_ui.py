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


@pytest.fixture
def snapshots(world, register):
    import datetime

    from django.utils import timezone

    from telemetry import conventions, naming
    from telemetry.models import NamingHealthSnapshot

    register("Order Completed")
    v1 = conventions.convention_publish(
        by=world.admin, rules=naming.PRESETS["segment"].to_dict(), preset="segment"
    )
    v2 = conventions.convention_publish(
        by=world.admin, rules=naming.PRESETS["snake"].to_dict(), preset="snake"
    )
    today = timezone.now().date()
    for days_ago, conforming, version in [(45, 4, v1), (20, 8, v1), (10, 2, v2), (1, 5, v2)]:
        NamingHealthSnapshot.objects.create(
            team=world.team,
            day=today - datetime.timedelta(days=days_ago),
            total=10,
            conforming=conforming,
            convention=version,
        )
    return today


def test_the_trend_windows_agree(world, client_for, snapshots):
    client = client_for(world.member)
    org = client.get(reverse("telemetry:health"))
    team = client.get(reverse("telemetry:team_health", args=["checkout"]))
    row = next(r for r in org.context["rows"] if r["team"] == world.team)
    # The snapshot of 45 days ago is on both pages, from the same first day.
    assert row["chart"].start == team.context["chart"].start == org.context["org_chart"].start
    assert row["chart"].first == team.context["chart"].first == 0.4
    assert org.context["trend_days"] == team.context["trend_days"] == 60
    assert "Trend (60 days)" in org.content.decode()
    assert "Trend, last 60 days" in team.content.decode()


def test_sparklines_have_a_scale_and_mark_convention_changes(world, client_for, snapshots):
    client = client_for(world.member)
    for url in [reverse("telemetry:health"), reverse("telemetry:team_health", args=["checkout"])]:
        body = client.get(url).content.decode()
        assert ">100%</text>" in body and ">0%</text>" in body
        assert 'data-testid="trend-marker">v2</text>' in body
        assert "convention v2 published" in body


def test_the_example_payload_is_written_from_the_declared_properties(world, client_for, register):
    from telemetry import properties

    event = register("Order Completed")
    properties.event_set_properties(
        event=event,
        by=world.member,
        rows=[
            {"name": "order_id", "type": "string", "required": True},
            {"name": "revenue", "type": "number"},
            {"name": "payment_method", "type": "string", "allowed_values": ["card", "paypal"]},
            {"name": "is_gift", "type": "boolean"},
        ],
    )
    client = client_for(world.member)
    page = client.get(event.get_absolute_url())
    assert page.context["event"].generated_example() == {
        "event": "Order Completed",
        "properties": {
            "is_gift": True,
            "order_id": "order-1042",
            "payment_method": "card",
            "revenue": 42.5,
        },
    }
    assert "&quot;payment_method&quot;: &quot;card&quot;" in page.content.decode()
    # Renamed, the example follows the new name at once.
    services.event_rename(event=event, new_name="Order Placed", by=world.member)
    api = client.get(f"/api/v1/telemetry/events/{event.pk}/").json()
    assert api["generated_example"]["event"] == "Order Placed"
    assert "platform" not in api["generated_example"]["properties"]


@pytest.mark.django_db
def test_demo_events_have_varied_descriptions_and_payloads_from_their_properties():
    from productops.accounts import demo as accounts_demo
    from telemetry import demo
    from telemetry.models import Event, NamingHealthSnapshot

    accounts_demo.seed()
    demo.seed()
    descriptions = list(Event.objects.values_list("description", flat=True))
    openings = {d.split(" ")[0] for d in descriptions}
    assert len(set(descriptions)) > 0.9 * len(descriptions)
    assert len(openings) >= 5
    assert not Event.objects.exclude(example_payload={}).exists()
    # The trend knows which convention was in force each day, so its chart marks v2.
    versions = set(NamingHealthSnapshot.objects.values_list("convention__number", flat=True))
    assert {1, 2} <= versions


def test_a_name_without_a_suggestion_says_so_once(world, client_for):
    response = client_for(world.member).get(
        reverse("telemetry:event_new"),
        {"check": "1", "name": "Frobnicate Wibble", "team": world.team.pk},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert 'data-testid="no-suggestion"' in body
    assert "No confident suggestion: No suggestion" not in body
    assert body.count("No suggestion") + body.count("No confident suggestion") == 1
