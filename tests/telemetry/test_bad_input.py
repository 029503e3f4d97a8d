"""Broken input gets an error that names the field and the fix, never a 500, and writes nothing."""

import pytest
from django.urls import reverse

from telemetry import conventions, naming
from telemetry.models import Event

pytestmark = pytest.mark.django_db

BAD_NAMES = {
    "empty": ("", "empty"),
    "whitespace": ("   \t ", "empty"),
    "too long": ("OrderCompleted" * 714 + "abcd", "10,000 characters"),
    "control character": ("Order\x07Completed", "control character"),
    "right-to-left override": ("Order\u202eCompleted", "control character"),
    "emoji": ("Cart 🛒 Viewed", "emoji"),
}


def _form(world, name, **extra):
    return {"team": world.team.pk, "name": name, "status": "active", **extra}


@pytest.mark.parametrize("case", BAD_NAMES)
def test_the_register_form_explains_a_bad_name(world, client_for, case):
    name, message = BAD_NAMES[case]
    response = client_for(world.member).post(reverse("telemetry:event_new"), _form(world, name))
    assert response.status_code == 400
    assert message in response.context["form"].errors["name"][0]
    assert not Event.objects.exists()


@pytest.mark.parametrize("case", BAD_NAMES)
def test_the_api_explains_a_bad_name(world, api_for, case):
    name, message = BAD_NAMES[case]
    response = api_for(world.member).post(
        "/api/v1/telemetry/events/", {"team": "checkout", "name": name}, format="json"
    )
    assert response.status_code == 400
    assert message in response.json()["name"][0]
    assert not Event.objects.exists()


@pytest.mark.parametrize("name", ["", "   "])
def test_the_example_for_an_empty_name_follows_the_published_convention(
    world, client_for, api_for, name
):
    response = client_for(world.member).post(reverse("telemetry:event_new"), _form(world, name))
    assert "“Order Completed”" in response.context["form"].errors["name"][0]
    conventions.convention_publish(
        by=world.admin, rules=naming.PRESETS["snake"].to_dict(), preset="snake"
    )
    response = client_for(world.member).post(reverse("telemetry:event_new"), _form(world, name))
    message = response.context["form"].errors["name"][0]
    assert "“order_completed”" in message and "Order Completed" not in message
    response = api_for(world.member).post(
        "/api/v1/telemetry/events/", {"team": "checkout", "name": name}, format="json"
    )
    assert "“order_completed”" in response.json()["name"][0]
    assert not Event.objects.exists()


def test_right_to_left_letters_are_registered_with_warnings(world, client_for):
    response = client_for(world.member).post(
        reverse("telemetry:event_new"), _form(world, "تم الطلب")
    )
    assert response.status_code == 302
    assert Event.objects.get().lint_state == "warnings"


def test_html_in_a_description_is_stored_as_plain_text(world, client_for):
    client = client_for(world.member)
    client.post(
        reverse("telemetry:event_new"),
        _form(
            world,
            "Order Completed",
            description='<script>alert(1)</script><b>Paid</b> & <a href="x">done</a>',
        ),
    )
    event = Event.objects.get()
    assert "<" not in event.description
    assert "Paid" in event.description and "& " in event.description
    page = client.get(event.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in page


def test_an_over_long_description_is_refused(world, client_for):
    response = client_for(world.member).post(
        reverse("telemetry:event_new"), _form(world, "Order Completed", description="x" * 5001)
    )
    assert response.status_code == 400
    assert "description" in response.context["form"].errors


@pytest.mark.parametrize(
    "payload,error",
    [("[1, 2]", "JSON object"), ("{not json", "valid JSON")],
)
def test_a_bad_example_payload_is_refused(world, client_for, payload, error):
    response = client_for(world.member).post(
        reverse("telemetry:event_new"), _form(world, "Order Completed", example_payload=payload)
    )
    assert response.status_code == 400
    assert error in response.context["form"].errors["example_payload"][0]


def test_bad_tags_are_refused(world, client_for):
    response = client_for(world.member).post(
        reverse("telemetry:event_new"), _form(world, "Order Completed", tags="ok, <bad>")
    )
    assert response.status_code == 400
    assert "tags" in response.context["form"].errors


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"team": "checkout", "name": "Order Completed", "status": "gone"}, "status"),
        ({"team": "checkout", "name": "Order Completed", "platforms": ["fax"]}, "platforms"),
        (
            {"team": "checkout", "name": "Order Completed", "example_payload": [1]},
            "example_payload",
        ),
        ({"team": "nope", "name": "Order Completed"}, "team"),
        ({"name": "Order Completed"}, "team"),
        ({"team": "checkout"}, "name"),
        (
            {
                "team": "checkout",
                "name": "Order Completed",
                "properties": [{"name": "", "type": "string"}],
            },
            "properties",
        ),
    ],
)
def test_the_api_names_the_bad_field(world, api_for, payload, field):
    response = api_for(world.member).post("/api/v1/telemetry/events/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Event.objects.exists()


def test_catalogue_search_copes_with_odd_input(world, client_for, register):
    register("Order Completed")
    client = client_for(world.member)
    for q in ["'; drop table", "!!!", "🛒", "x" * 300, "a & b | c:*", "\u202e"]:
        assert client.get(reverse("telemetry:index"), {"q": q}).status_code == 200
    assert client.get(reverse("telemetry:index"), {"page": "999"}).status_code == 200
