"""The event form's per-property editor: rows with name, type, required, allowed values or
pattern, description and personal-data flag; all or nothing; shared catalogue semantics."""

import pytest
from django.urls import reverse

from productops.accounts.models import AuditEntry
from telemetry import properties
from telemetry.models import Event, EventProperty, Property
from tests.telemetry.property_rows import property_rows

pytestmark = pytest.mark.django_db


def _event_fields(event, **overrides):
    return {
        "name": event.name,
        "description": event.description,
        "status": event.status,
        "tags": "",
        "example_payload": "",
        **overrides,
    }


@pytest.fixture
def event(register):
    return register("Order Completed", description="Payment went through.")


def _edit(client, event, *rows, initial=0, **fields):
    return client.post(
        reverse("telemetry:event_edit", args=[event.pk]),
        {**_event_fields(event, **fields), **property_rows(*rows, initial=initial)},
    )


def test_a_member_describes_each_property_in_its_own_row(world, client_for, event):
    response = _edit(
        client_for(world.member),
        event,
        {
            "name": "plan_type",
            "type": "string",
            "required": "on",
            "allowed_values": "free, pro , team",
            "description": "The plan the account is on.",
        },
        {"name": "order_id", "type": "string", "pattern": r"^o-\d+$"},
        {"name": "email", "type": "string", "pii": "on"},
    )
    assert response.status_code == 302
    plan = Property.objects.get(name="plan_type")
    assert (plan.type, plan.allowed_values, plan.description, plan.team) == (
        "string",
        ["free", "pro", "team"],
        "The plan the account is on.",
        world.team,
    )
    assert Property.objects.get(name="order_id").pattern == r"^o-\d+$"
    assert Property.objects.get(name="email").pii is True
    rows = EventProperty.objects.filter(event=event).values_list("property__name", "required")
    assert sorted(rows) == [("email", False), ("order_id", False), ("plan_type", True)]


def test_the_edit_page_shows_one_row_per_property(world, client_for, event):
    properties.event_set_properties(
        event=event,
        by=world.member,
        rows=[{"name": "plan_type", "type": "string", "allowed_values": ["free", "pro"]}],
    )
    page = client_for(world.member).get(reverse("telemetry:event_edit", args=[event.pk]))
    formset = page.context["formset"]
    assert [f.initial["name"] for f in formset] == ["plan_type"]
    assert formset.forms[0].initial["allowed_values"] == "free, pro"
    assert 'id="property-1-label"' in page.content.decode()


def test_adding_a_row_without_javascript_returns_the_page_with_one_more_row(
    world, client_for, event
):
    client = client_for(world.member)
    response = client.post(
        reverse("telemetry:event_edit", args=[event.pk]),
        {
            **_event_fields(event, description="Typed but not saved yet"),
            **property_rows({"name": "plan_type", "type": "string"}),
            "add_property": "1",
        },
    )
    assert response.status_code == 200
    assert len(response.context["formset"].forms) == 2
    assert response.context["form"]["description"].value() == "Typed but not saved yet"
    event.refresh_from_db()
    assert event.description == "Payment went through."
    assert not EventProperty.objects.exists()


def test_adding_a_row_with_htmx_returns_only_the_rows(world, client_for, event):
    response = client_for(world.member).post(
        reverse("telemetry:event_edit", args=[event.pk]),
        {**_event_fields(event), **property_rows(), "add_property": "1"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<fieldset id="property-rows"')
    assert 'name="properties-0-name"' in body


def test_removing_a_row_then_saving_drops_the_property_from_the_event(world, client_for, event):
    properties.event_set_properties(
        event=event,
        by=world.member,
        rows=[{"name": "plan_type", "type": "string"}, {"name": "order_id", "type": "string"}],
    )
    client = client_for(world.member)
    rows = ({"name": "plan_type", "type": "string"}, {"name": "order_id", "type": "string"})
    removed = client.post(
        reverse("telemetry:event_edit", args=[event.pk]),
        {**_event_fields(event), **property_rows(*rows, initial=2), "remove_property": "0"},
        HTTP_HX_REQUEST="true",
    )
    body = removed.content.decode()
    assert 'name="properties-0-DELETE" value="True"' in body
    assert 'id="property-1-label"' not in body and 'id="property-2-label"' in body
    saved = _edit(client, event, {**rows[0], "DELETE": "on"}, rows[1], initial=2)
    assert saved.status_code == 302
    assert list(event.event_properties.values_list("property__name", flat=True)) == ["order_id"]
    # The catalogue keeps the property: other events may use it.
    assert Property.objects.filter(name="plan_type").exists()


@pytest.mark.parametrize(
    "row,message",
    [
        ({"name": "order_id", "pattern": "(unclosed"}, "Property 2, pattern: Not a regular"),
        (
            {"name": "order_id", "allowed_values": "a, b", "pattern": "^a$"},
            "Property 2, pattern: Give allowed values or a pattern, not both.",
        ),
        ({"name": "order 🚀"}, "Property 2, name: The name contains the symbol"),
        ({"name": "", "description": "no name"}, "Property 2, name: Give the property a name"),
        ({"name": "plan_type"}, "Property 2, name: “plan_type” is already property 1"),
        ({"name": "order_id", "type": "money"}, "Property 2, type: Select a valid choice."),
        ({"name": "x" * 201}, "Property 2, name: The name has 201 characters"),
        ({"name": "order_id", "allowed_values": "y" * 201}, "Property 2, allowed values: “yyy"),
    ],
)
def test_a_bad_row_is_named_with_its_field_and_nothing_is_saved(
    world, client_for, event, row, message
):
    response = _edit(
        client_for(world.member),
        event,
        {"name": "plan_type", "type": "string"},
        row,
        description="Changed together with the rows",
    )
    assert response.status_code == 400
    summary = " ".join(response.context["formset"].error_summary())
    assert message in summary
    assert message.split(": ", 1)[1][:20] in response.content.decode()
    event.refresh_from_db()
    assert event.description == "Payment went through."
    assert not Property.objects.exists()


def test_more_than_200_rows_or_a_broken_row_count_is_refused(world, client_for, event):
    client = client_for(world.member)
    many = _edit(client, event, *[{"name": f"p_{i}", "type": "string"} for i in range(201)])
    assert many.status_code == 400
    assert "200" in " ".join(many.context["formset"].error_summary())
    broken = client.post(
        reverse("telemetry:event_edit", args=[event.pk]),
        {**_event_fields(event), **property_rows(), "properties-TOTAL_FORMS": "lots"},
    )
    assert broken.status_code == 400
    assert not Property.objects.exists()


def test_an_existing_property_keeps_the_catalogues_definition_when_left_blank(
    world, client_for, register
):
    theirs = register("Plan Changed", team=world.other_team, by=world.outsider)
    properties.event_set_properties(
        event=theirs,
        by=world.outsider,
        rows=[{"name": "plan_type", "type": "integer", "description": "Plan id", "pii": False}],
    )
    mine = register("Order Completed")
    response = _edit(client_for(world.member), mine, {"name": "plan_type", "required": "on"})
    assert response.status_code == 302
    plan = Property.objects.get(name="plan_type")
    assert (plan.type, plan.description, plan.team) == ("integer", "Plan id", world.other_team)
    assert mine.event_properties.get().required is True


def test_another_teams_property_cannot_be_redefined_from_my_event(world, client_for, register):
    theirs = register("Plan Changed", team=world.other_team, by=world.outsider)
    properties.event_set_properties(
        event=theirs, by=world.outsider, rows=[{"name": "plan_type", "type": "integer"}]
    )
    mine = register("Order Completed")
    response = _edit(
        client_for(world.member),
        mine,
        {"name": "order_id", "type": "string"},
        {"name": "plan_type", "type": "string"},
        description="Not saved either",
    )
    assert response.status_code == 400
    errors = " ".join(response.context["property_errors"])
    assert "Property 2, type: “plan_type” is shared by every event" in errors
    assert "ask Search" in errors
    assert Property.objects.get(name="plan_type").type == "integer"
    assert not Property.objects.filter(name="order_id").exists()
    mine.refresh_from_db()
    assert mine.description == ""


def test_the_propertys_own_team_redefines_it_for_every_event(world, client_for, register):
    first = register("Order Completed")
    properties.event_set_properties(
        event=first, by=world.member, rows=[{"name": "plan_type", "type": "integer"}]
    )
    second = register("Plan Changed")
    response = _edit(
        client_for(world.teammate),
        second,
        {"name": "plan_type", "type": "string", "allowed_values": "free, pro"},
    )
    assert response.status_code == 302
    plan = Property.objects.get(name="plan_type")
    assert (plan.type, plan.allowed_values) == ("string", ["free", "pro"])
    assert first.event_properties.get().property == plan
    entry = AuditEntry.objects.get(
        action="telemetry.event.properties_set", target_id=str(second.pk)
    )
    assert entry.data["redefined"] == ["plan_type"]


@pytest.mark.parametrize(
    "who,status", [("member", 302), ("teammate", 302), ("outsider", 403), ("admin", 403)]
)
def test_only_the_owning_team_edits_an_events_properties(world, client_for, event, who, status):
    response = _edit(client_for(getattr(world, who)), event, {"name": "plan_type"})
    assert response.status_code == status
    assert EventProperty.objects.exists() == (status == 302)


def test_registering_with_rows_is_all_or_nothing(world, client_for, register):
    theirs = register("Plan Changed", team=world.other_team, by=world.outsider)
    properties.event_set_properties(
        event=theirs, by=world.outsider, rows=[{"name": "plan_type", "type": "integer"}]
    )
    response = client_for(world.member).post(
        reverse("telemetry:event_new"),
        {
            "team": world.team.pk,
            "name": "Coupon Applied",
            "status": "active",
            **property_rows({"name": "coupon_code"}, {"name": "plan_type", "type": "string"}),
        },
    )
    assert response.status_code == 400
    assert not Event.objects.filter(name="Coupon Applied").exists()
    assert not Property.objects.filter(name="coupon_code").exists()


def test_the_edit_page_query_count_does_not_grow_with_properties(
    world, client_for, event, django_assert_max_num_queries
):
    properties.event_set_properties(
        event=event, by=world.member, rows=[{"name": f"p_{i}"} for i in range(20)]
    )
    client = client_for(world.member)
    # 20 at most with 20 properties: one query per row would need 39.
    with django_assert_max_num_queries(20):
        page = client.get(reverse("telemetry:event_edit", args=[event.pk]))
    assert len(page.context["formset"].forms) == 20


def test_the_api_takes_the_same_rows(world, api_for):
    client = api_for(world.member)
    created = client.post(
        "/api/v1/telemetry/events/",
        {
            "team": "checkout",
            "name": "Order Completed",
            "properties": [
                {"name": "plan_type", "type": "string", "allowed_values": ["free", "pro"]},
                {"name": "email", "pii": True, "description": "Buyer's e-mail"},
            ],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    by_name = {p["name"]: p for p in created.json()["properties"]}
    assert by_name["plan_type"]["allowed_values"] == ["free", "pro"]
    assert (by_name["email"]["pii"], by_name["email"]["meaning"]) == (True, "Buyer's e-mail")


@pytest.mark.parametrize(
    "row,field",
    [
        ({"name": "a", "pattern": "(x"}, "pattern"),
        ({"name": "a", "allowed_values": ["x"], "pattern": "^x$"}, "pattern"),
        ({"name": "a", "type": "money"}, "type"),
        ({"name": "a", "allowed_values": ["x" * 201]}, "allowed_values"),
    ],
)
def test_the_api_names_the_bad_row_and_field(world, api_for, register, row, field):
    event = register("Order Completed")
    response = api_for(world.member).patch(
        f"/api/v1/telemetry/events/{event.pk}/",
        {"description": "not saved", "properties": [{"name": "ok_one"}, row]},
        format="json",
    )
    assert response.status_code == 400
    # Rows are numbered from 0, as in the request.
    assert field in response.json()["properties"]["1"]
    event.refresh_from_db()
    assert event.description == ""


def test_the_api_refuses_redefining_another_teams_property(world, api_for, register):
    theirs = register("Plan Changed", team=world.other_team, by=world.outsider)
    properties.event_set_properties(
        event=theirs, by=world.outsider, rows=[{"name": "plan_type", "type": "integer"}]
    )
    event = register("Order Completed")
    response = api_for(world.member).patch(
        f"/api/v1/telemetry/events/{event.pk}/",
        {"properties": [{"name": "plan_type", "type": "string"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "Property 1, type" in str(response.json())
    assert Property.objects.get(name="plan_type").type == "integer"
