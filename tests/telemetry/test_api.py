import json

import pytest
from django.urls import reverse

from productops.accounts.models import AuditEntry
from telemetry.models import Alias, ConventionVersion, Event, Property

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/telemetry/events/"
LINT = "/api/v1/telemetry/lint/"


def test_anonymous_callers_get_401_or_403(api_client):
    for url in [
        EVENTS,
        "/api/v1/telemetry/properties/",
        "/api/v1/telemetry/aliases/",
        "/api/v1/telemetry/conventions/",
        "/api/v1/telemetry/search/?q=x",
    ]:
        assert api_client.get(url).status_code in {401, 403}, url
    assert api_client.post(LINT, {"names": ["x"]}, format="json").status_code in {401, 403}


def test_a_bearer_token_works(world, api_client):
    from productops.accounts.services import token_create

    _, raw = token_create(user=world.member, name="ci")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api_client.post(LINT, {"names": ["Order Completed"]}, format="json").status_code == 200


def test_a_member_registers_and_a_bad_name_comes_back_with_warnings(world, api_for):
    response = api_for(world.member).post(
        EVENTS,
        {
            "team": "checkout",
            "name": "view_product",
            "platforms": ["web"],
            "tags": ["funnel"],
            "properties": [{"name": "product_id", "type": "string", "required": True}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["lint_state"] == "warnings"
    assert body["lint_suggestion"] == "Product Viewed"
    assert body["properties"] == [
        {
            "name": "product_id",
            "type": "string",
            "required": True,
            "pii": False,
            "allowed_values": [],
            "pattern": "",
            "meaning": "",
            "description": "",
        }
    ]


@pytest.mark.parametrize(
    "who,status",
    [("member", 200), ("teammate", 200), ("outsider", 403), ("admin", 403), ("leader", 403)],
)
def test_only_the_owning_team_edits_through_the_api(world, api_for, register, who, status):
    event = register("Order Completed")
    response = api_for(getattr(world, who)).patch(
        f"{EVENTS}{event.pk}/", {"description": "new"}, format="json"
    )
    assert response.status_code == status
    event.refresh_from_db()
    assert (event.description == "new") == (status == 200)


def test_registering_for_another_team_is_refused(world, api_for):
    response = api_for(world.outsider).post(
        EVENTS, {"team": "checkout", "name": "Order Completed"}, format="json"
    )
    assert response.status_code == 403
    assert not Event.objects.exists()


def test_renaming_through_the_api_keeps_an_alias(world, api_for, register):
    event = register("addToCart")
    response = api_for(world.member).patch(
        f"{EVENTS}{event.pk}/", {"name": "Product Added"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["aliases"] == ["addToCart"]
    aliases = (
        api_for(world.outsider).get("/api/v1/telemetry/aliases/?name=addToCart").json()["results"]
    )
    assert aliases[0]["event_name"] == "Product Added"


def test_exception_endpoint(world, api_for, register):
    event = register("mp_app_launch")
    client = api_for(world.member)
    assert (
        client.post(f"{EVENTS}{event.pk}/exception/", {"reason": ""}, format="json").status_code
        == 400
    )
    response = client.post(
        f"{EVENTS}{event.pk}/exception/", {"reason": "Legacy SDK, cannot change"}, format="json"
    )
    assert response.json()["lint_state"] == "exception"
    assert api_for(world.outsider).delete(f"{EVENTS}{event.pk}/exception/").status_code == 403
    assert client.delete(f"{EVENTS}{event.pk}/exception/").json()["lint_state"] == "warnings"


def test_event_list_filters_and_constant_queries(
    world, api_for, register, django_assert_max_num_queries
):
    for i in range(20):
        register(f"Thing {i} Viewed", platforms=["web"], tags=["x"])
    register("Results Viewed", team=world.other_team, by=world.outsider)
    client = api_for(world.outsider)
    with django_assert_max_num_queries(10):
        body = client.get(EVENTS, {"team": "checkout", "limit": 50}).json()
    assert body["count"] == 20
    assert client.get(EVENTS, {"q": "results"}).json()["results"][0]["name"] == "Results Viewed"


def test_the_list_shows_each_event_exactly_as_its_own_page_does(world, api_for, register):
    """The list builds its rows from flat queries; every field must match the single event's."""
    from telemetry.merging import event_reuse
    from telemetry.properties import event_set_properties
    from telemetry.services import event_rename

    full = register(
        "cartAdd", platforms=["web", "ios"], tags=["funnel", "beta"], description="Added to cart"
    )
    event_set_properties(
        event=full,
        by=world.member,
        rows=[
            {"name": "sku", "required": True, "description": "Stock unit"},
            {"name": "quantity", "type": "integer", "required": False},
            {"name": "plan", "allowed_values": ["free", "pro"], "required": False},
        ],
    )
    full = event_rename(event=full, new_name="Cart Item Added", by=world.member)
    event_reuse(event=full, team=world.other_team, by=world.outsider)
    register("Checkout Started")
    client = api_for(world.outsider)
    listed = client.get(EVENTS, {"team": "checkout"}).json()["results"]
    assert [row["name"] for row in listed] == ["Cart Item Added", "Checkout Started"]
    for row in listed:
        assert row == client.get(f"{EVENTS}{row['id']}/").json()
    first = listed[0]
    assert first["aliases"] == ["cartAdd"] and first["used_by"] == ["search"]
    assert [p["name"] for p in first["properties"]] == ["plan", "quantity", "sku"]
    assert first["generated_example"]["properties"]["plan"] == "free"


def test_lint_answers_in_input_order_with_suggestions_and_duplicates(world, api_for, register):
    register("Sign Up Completed", team=world.other_team, by=world.outsider)
    names = ["clickedSignupBtn", "Order Completed", "Signup Completed", "view_product"]
    response = api_for(world.member).post(
        LINT, {"names": names, "team": "checkout", "kind": "event"}, format="json"
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["name"] for r in results] == names
    assert results[0]["ok"] is False and results[0]["suggestion"] == "Signup Button Clicked"
    assert {"rule", "message"} <= set(results[0]["violations"][0])
    assert results[1] == {
        "name": "Order Completed",
        "ok": True,
        "violations": [],
        "suggestion": None,
        "note": "",
        "duplicates": [],
    }
    assert results[2]["duplicates"][0]["name"] == "Sign Up Completed"
    assert results[2]["duplicates"][0]["team"] == "Search"
    assert results[3]["suggestion"] == "Product Viewed"


def test_lint_checks_property_names(world, api_for):
    Property.objects.create(name="plan_type")
    results = (
        api_for(world.member)
        .post(LINT, {"names": ["planType", "plan_type"], "kind": "property"}, format="json")
        .json()["results"]
    )
    assert results[0]["suggestion"] == "plan_type"
    assert results[1]["ok"] is True


def test_lint_accepts_ten_thousand_names_and_refuses_one_more(world, api_for):
    client = api_for(world.member)
    names = [f"Thing {i % 100} Viewed" for i in range(10_000)]
    response = client.post(LINT, {"names": names}, format="json")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 10_000
    response = client.post(LINT, {"names": names + ["One More Viewed"]}, format="json")
    assert response.status_code == 400
    assert "10,000" in json.dumps(response.json()["names"])


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"names": []}, "names"),
        ({"names": "Order Completed"}, "names"),
        ({"names": ["ok", ""]}, "names"),
        ({"names": ["ok", "   "]}, "names"),
        ({"names": ["x" * 10_000]}, "names"),
        ({"names": [None]}, "names"),
        ({"names": ["Order\x00Completed"]}, "names"),
        ({"names": ["x"], "kind": "metric"}, "kind"),
        ({"names": ["x"], "team": "no-such-team"}, "team"),
    ],
)
def test_lint_refuses_bad_requests_naming_the_field(world, api_for, payload, field):
    response = api_for(world.member).post(LINT, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_lint_reads_names_as_text_and_names_the_bad_item(world, api_for):
    client = api_for(world.member)
    names = ["Order Completed", 42, "Bestellung Abgeschloßen"]
    response = client.post(LINT, {"names": names}, format="json")
    assert response.status_code == 200
    assert [r["name"] for r in response.json()["results"]] == [
        "Order Completed",
        "42",
        "Bestellung Abgeschloßen",
    ]
    response = client.post(LINT, {"names": ["ok", "x" * 1001, None]}, format="json")
    assert response.status_code == 400
    errors = response.json()["names"]
    assert set(errors) == {"1", "2"}
    assert "1000 characters" in errors["1"][0]


def test_lint_names_the_empty_item(world, api_for):
    response = api_for(world.member).post(LINT, {"names": ["Order Completed", " "]}, format="json")
    assert "Name 1 is empty" in json.dumps(response.json())


def test_lint_refuses_malformed_json(world, client_for):
    response = client_for(world.member).post(
        LINT, data='{"names": ["a",', content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


@pytest.mark.parametrize(
    "name",
    ["Produkt 🛒 Viewed", "مرحبا", "Order\x07Completed", "Order\u202eCompleted", "<b>Order</b>"],
)
def test_lint_never_fails_on_odd_characters(world, api_for, name):
    response = api_for(world.member).post(LINT, {"names": [name]}, format="json")
    assert response.status_code == 200
    assert response.json()["results"][0]["ok"] is False


def test_conventions_are_read_by_all_and_published_by_admins(world, api_for):
    assert (
        api_for(world.member).get("/api/v1/telemetry/conventions/current/").json()["preset"]
        == "segment"
    )
    refused = api_for(world.member).post(
        "/api/v1/telemetry/conventions/publish/", {"preset": "snake"}, format="json"
    )
    assert refused.status_code == 403
    response = api_for(world.admin).post(
        "/api/v1/telemetry/conventions/publish/", {"preset": "snake", "note": "try"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["number"] == 1
    assert api_for(world.member).get("/api/v1/telemetry/conventions/1/").json()["preset"] == "snake"
    bad = api_for(world.admin).post(
        "/api/v1/telemetry/conventions/publish/",
        {"preset": "custom", "rules": {"nonsense": 1}},
        format="json",
    )
    assert bad.status_code == 400
    assert "rules" in bad.json()
    assert ConventionVersion.objects.count() == 1


def test_search_finds_events_properties_and_old_names(world, api_for, register):
    event = register("addToCart")
    from telemetry import services

    services.event_rename(event=event, new_name="Product Added", by=world.member)
    Property.objects.create(name="cart_id")
    body = api_for(world.outsider).get("/api/v1/telemetry/search/", {"q": "cart"}).json()
    assert [a["old_name"] for a in body["aliases"]] == ["addToCart"]
    assert [p["name"] for p in body["properties"]] == ["cart_id"]
    assert api_for(world.outsider).get("/api/v1/telemetry/search/").status_code == 400


def test_properties_are_added_by_team_members_and_edited_by_their_team(world, api_for):
    created = api_for(world.member).post(
        "/api/v1/telemetry/properties/",
        {"name": "planType", "type": "string", "team": "checkout"},
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["lint_suggestion"] == "plan_type"
    pk = created.json()["id"]
    assert (
        api_for(world.outsider)
        .patch(f"/api/v1/telemetry/properties/{pk}/", {"pii": True}, format="json")
        .status_code
        == 403
    )
    assert (
        api_for(world.teammate)
        .patch(f"/api/v1/telemetry/properties/{pk}/", {"pii": True}, format="json")
        .status_code
        == 200
    )
    assert (
        api_for(world.leader)
        .post("/api/v1/telemetry/properties/", {"name": "x_y"}, format="json")
        .status_code
        == 403
    )
    bad = api_for(world.member).post(
        "/api/v1/telemetry/properties/", {"name": "x", "pattern": "(["}, format="json"
    )
    assert bad.status_code == 400 and "pattern" in bad.json()


def test_every_endpoint_is_in_the_openapi_schema(world, client_for):
    schema = client_for(world.member).get(reverse("api-schema"), {"format": "json"}).json()
    paths = schema["paths"]
    for path in [
        "/api/v1/telemetry/lint/",
        "/api/v1/telemetry/events/",
        "/api/v1/telemetry/events/{id}/",
        "/api/v1/telemetry/properties/",
        "/api/v1/telemetry/aliases/",
        "/api/v1/telemetry/conventions/",
        "/api/v1/telemetry/conventions/publish/",
        "/api/v1/telemetry/search/",
    ]:
        assert path in paths, path


def test_audit_entries_name_the_event(world, register):
    event = register("Order Completed")
    assert (
        AuditEntry.objects.get(action="telemetry.event.registered").target_label
        == "Order Completed"
    )
    assert Alias.objects.count() == 0 and event.pk


def test_the_duplicate_index_follows_registrations_edits_and_renames(world, register):
    from telemetry import linting, services

    assert linting.lint_names(["signupCompleted"])[0]["duplicates"] == []
    event = register("Sign Up Completed", team=world.other_team, by=world.outsider)
    assert [d["name"] for d in linting.lint_names(["signupCompleted"])[0]["duplicates"]] == [
        "Sign Up Completed"
    ]
    services.event_update(event=event, by=world.outsider, description="edited")
    assert [d["name"] for d in linting.lint_names(["signupCompleted"])[0]["duplicates"]] == [
        "Sign Up Completed"
    ]
    services.event_rename(event=event, new_name="Registration Finished", by=world.outsider)
    found = linting.lint_names(["sign_up_completed"])[0]["duplicates"]
    assert [(d["name"], d["matched"]) for d in found] == [
        ("Registration Finished", "Sign Up Completed")
    ]
    event.delete()
    assert linting.lint_names(["sign_up_completed"])[0]["duplicates"] == []


def test_property_and_alias_lists_use_a_fixed_number_of_queries(
    world, api_for, register, django_assert_max_num_queries
):
    from telemetry import services

    for i in range(15):
        Property.objects.create(name=f"prop_{i}", team=world.team)
        services.event_rename(
            event=register(f"thing{i}Viewed"), new_name=f"Thing {i} Viewed", by=world.member
        )
    client = api_for(world.outsider)
    with django_assert_max_num_queries(4):
        assert client.get("/api/v1/telemetry/properties/").json()["count"] == 15
    with django_assert_max_num_queries(4):
        assert client.get("/api/v1/telemetry/aliases/").json()["count"] == 15
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/v1/telemetry/search/", {"q": "thing"}).json()["aliases"]) == 15


@pytest.mark.postgres
def test_full_text_search_matches_prefixes_and_word_forms(world, register):
    register("Checkout Started", description="The customer opened the checkout page.")
    register("Signup Button Clicked")
    register("Order Completed", description="Payment captured for the basket.")
    names = lambda q: sorted(Event.objects.search(q).values_list("name", flat=True))  # noqa: E731
    assert names("check") == ["Checkout Started"]
    assert names("clicking") == ["Signup Button Clicked"]
    assert names("basket payment") == ["Order Completed"]
    assert names("order & | !") == ["Order Completed"]


def test_big_batches_get_the_closest_duplicate_and_small_ones_up_to_three(world, api_for, register):
    for name in ["Sign Up Completed", "Signup Completed", "Completed Signup"]:
        register(name)
    client = api_for(world.member)
    small = client.post(LINT, {"names": ["sign_up_completed"]}, format="json").json()["results"][0]
    assert len(small["duplicates"]) == 3
    big = client.post(LINT, {"names": ["sign_up_completed"] * 1001}, format="json").json()[
        "results"
    ]
    assert [d["name"] for d in big[0]["duplicates"]] == [small["duplicates"][0]["name"]]


def test_a_cached_answer_still_shows_an_event_registered_since(world, register):
    from telemetry import linting

    register("Order Completed")
    assert linting.lint_names(["sign_up_completed", "order_completed"])[0]["duplicates"] == []
    register("Sign Up Completed", team=world.other_team, by=world.outsider)
    results = linting.lint_names(["sign_up_completed", "order_completed"])
    assert [d["name"] for d in results[0]["duplicates"]] == ["Sign Up Completed"]
    assert [d["name"] for d in results[1]["duplicates"]] == ["Order Completed"]
