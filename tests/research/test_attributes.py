"""Custom participant attributes: ProductOps admins declare, edit and retire them; everyone uses them."""

import pytest
from django.core.exceptions import ValidationError

from productops.accounts.models import AuditEntry
from research import attributes, importing, targeting
from research.models import AttributeDefinition, Participant, ResearchRequest

API = "/api/v1/research/attributes"
ROLES = ["admin", "researcher", "member", "outsider"]


def _declare(world, **extra):
    values = {"name": "product_line", "label": "Product line", "type": "choice"}
    values["allowed_values"] = ["web shop", "mobile app", "POS"]
    values.update(extra)
    return attributes.attribute_declare(by=world.admin, **values)


def _give(people, name, values):
    for person, value in zip(people, values, strict=False):
        person.attributes[name] = value
        person.save(update_fields=["attributes"])


# Pages ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_only_productops_admins_open_and_change_the_attributes_pages(client_for, world, role):
    definition = _declare(world)
    client = client_for(getattr(world, role))
    allowed = role == "admin"
    for url in ("/research/attributes/", f"/research/attributes/{definition.pk}/"):
        assert client.get(url).status_code == (200 if allowed else 403), url
    posted = client.post(
        "/research/attributes/", {"name": "seats", "type": "number", "allowed_values": ""}
    )
    assert posted.status_code == (302 if allowed else 403)
    retired = client.post(f"/research/attributes/{definition.pk}/retire/")
    assert retired.status_code == (302 if allowed else 403)
    definition.refresh_from_db()
    assert (definition.retired_at is not None) is allowed
    assert AttributeDefinition.objects.filter(name="seats").exists() is allowed


def test_an_admin_declares_an_attribute_from_the_page_and_it_is_audited(client_for, world):
    client = client_for(world.admin)
    response = client.post(
        "/research/attributes/",
        {
            "name": "  Support_Tier ",
            "label": "",
            "type": "choice",
            "allowed_values": "gold\nsilver\n\nsilver\n bronze ",
        },
    )
    assert response.status_code == 302
    definition = AttributeDefinition.objects.get()
    assert definition.name == "support_tier"
    assert definition.label == "Support tier"
    assert definition.allowed_values == ["gold", "silver", "bronze"]
    entry = AuditEntry.objects.get(action="research.attribute.declared")
    assert entry.actor == world.admin and entry.target_id == str(definition.pk)
    page = client.get("/research/attributes/").content.decode()
    assert "support_tier" in page and "gold, silver, bronze" in page


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"name": "Product Line", "type": "text"}, "name", "lower-case letters"),
        ({"name": "seats__gte", "type": "number"}, "name", "single underscores"),
        ({"name": "plan", "type": "text"}, "name", "already a participant field"),
        ({"name": "email", "type": "text"}, "name", "already a participant field"),
        ({"name": "tier", "type": "choice", "allowed_values": ""}, "allowed_values", "List the"),
        ({"name": "seats", "type": "number", "allowed_values": "1\n2"}, "allowed_values", "clear"),
        ({"name": "tier", "type": "colour"}, "type", "valid choice"),
    ],
)
def test_bad_declarations_name_the_field_and_write_nothing(client_for, world, data, field, words):
    response = client_for(world.admin).post(
        "/research/attributes/", {"label": "", "allowed_values": "", **data}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert words in " ".join(errors[field]), errors
    assert not AttributeDefinition.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_name_cannot_be_declared_twice_even_once_retired(world):
    definition = _declare(world)
    attributes.attribute_retire(definition=definition, by=world.admin)
    with pytest.raises(ValidationError) as error:
        _declare(world)
    assert "reinstate it instead" in error.value.message_dict["name"][0]


# Usable everywhere at once ----------------------------------------------------------------------


def test_a_newly_declared_attribute_works_in_a_dry_run_the_form_and_the_panel_filter(
    client_for, world, panel
):
    client_for(world.admin).post(
        "/research/attributes/",
        {"name": "product_line", "type": "choice", "allowed_values": "web shop\nPOS"},
    )
    _give(panel.people[:10], "product_line", ["POS"] * 4 + ["web shop"] * 6)
    criteria = targeting.criteria_clean({"product_line": ["POS"]})
    dry = targeting.dry_run(criteria=criteria, needed=2)
    assert dry["matching"] == 4 and dry["eligible"] == 4
    assert targeting.dimensions_clean(["product_line", "plan"]) == ["product_line", "plan"]

    world.researcher.memberships.create(team=world.team)
    client = client_for(world.researcher)
    form = client.get("/research/requests/new/").context["form"]
    assert "crit_product_line" in form.fields
    assert "product_line" in dict(form.fields["dimensions"].choices)
    fragment = client.post(
        "/research/requests/dry-run/",
        {
            "title": "POS merchants",
            "team": world.team.pk,
            "goal": "Till problems",
            "method": "interview",
            "session_minutes": 30,
            "participants_needed": 2,
            "deadline": "2099-01-01",
            "crit_product_line": ["POS"],
            "dimensions": ["product_line"],
        },
    ).content.decode()
    assert 'data-testid="dry-matching">4<' in fragment

    panel_page = client.get("/research/panel/", {"attr_product_line": "POS"})
    assert panel_page.context["page"].paginator.count == 4
    assert "Product line" in panel_page.content.decode()


def test_number_and_boolean_attributes_filter_the_panel(client_for, world, panel):
    _declare(world, name="seats", label="Seats", type="number", allowed_values=[])
    _declare(world, name="beta", label="Beta tester", type="boolean", allowed_values=[])
    _give(panel.people[:5], "seats", [3, 10, 25, 40, 100])
    _give(panel.people[:5], "beta", [True, False, True, False, True])
    client = client_for(world.member)
    count = lambda **q: client.get("/research/panel/", q).context["page"].paginator.count  # noqa: E731
    assert count(attr_seats_min=10, attr_seats_max=40) == 3
    assert count(attr_beta="yes") == 3
    assert count(attr_beta="no", attr_seats_min=20) == 1


def test_a_retired_attribute_leaves_forms_filters_and_imports_but_values_stay(
    client_for, world, panel
):
    definition = _declare(world)
    _give(panel.people[:3], "product_line", ["POS", "POS", "web shop"])
    attributes.attribute_retire(definition=definition, by=world.admin)
    assert "product_line" not in targeting.attribute_catalogue()
    assert "attr:product_line" not in importing.targets()
    with pytest.raises(ValidationError):
        targeting.criteria_clean({"product_line": ["POS"]})
    assert (
        "attr_product_line"
        not in client_for(world.member).get("/research/panel/").context["form"].fields
    )
    assert Participant.objects.filter(attributes__product_line="POS").count() == 2
    assert AuditEntry.objects.filter(action="research.attribute.retired").exists()
    admin = client_for(world.admin)
    assert admin.get(f"/research/attributes/{definition.pk}/").status_code == 302  # reinstate first
    admin.post(f"/research/attributes/{definition.pk}/retire/")  # the same button reinstates
    assert "product_line" in targeting.attribute_catalogue()
    assert AuditEntry.objects.filter(action="research.attribute.reinstated").exists()


def test_an_attribute_open_requests_use_cannot_be_retired(client_for, world, research_request):
    definition = _declare(world)
    research_request.dimensions = ["product_line"]
    research_request.save(update_fields=["dimensions"])
    response = client_for(world.admin).post(f"/research/attributes/{definition.pk}/retire/")
    assert response.status_code == 302
    definition.refresh_from_db()
    assert definition.retired_at is None
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "Checkout friction interviews" in messages[0]
    research_request.status = ResearchRequest.Status.CANCELLED
    research_request.save(update_fields=["status"])
    attributes.attribute_retire(definition=definition, by=world.admin)
    definition.refresh_from_db()
    assert definition.retired_at is not None


# Changing the type or the values ----------------------------------------------------------------


def test_changing_text_to_number_converts_the_stored_values(client_for, world, panel):
    definition = _declare(world, name="seats", label="Seats", type="text", allowed_values=[])
    _give(panel.people[:3], "seats", ["12", "7.5", "12"])
    response = client_for(world.admin).post(
        f"/research/attributes/{definition.pk}/",
        {"label": "Seats", "type": "number", "allowed_values": ""},
    )
    assert response.status_code == 302
    held = sorted(
        p.attributes["seats"] for p in Participant.objects.filter(attributes__has_key="seats")
    )
    assert held == [7.5, 12, 12]
    assert all(isinstance(v, int | float) for v in held)
    entry = AuditEntry.objects.get(action="research.attribute.edited")
    assert entry.data["type"] == ["text", "number"] and entry.data["converted"] == 3
    dry = targeting.dry_run(criteria=targeting.criteria_clean({"seats": {"min": 10}}), needed=1)
    assert dry["matching"] == 2


def test_a_type_change_that_would_break_stored_values_is_refused_naming_them(
    client_for, world, panel
):
    definition = _declare(world, name="seats", label="Seats", type="text", allowed_values=[])
    _give(panel.people[:4], "seats", ["12", "about 40", "about 40", "n/a"])
    response = client_for(world.admin).post(
        f"/research/attributes/{definition.pk}/",
        {"label": "Seats", "type": "number", "allowed_values": ""},
    )
    assert response.status_code == 400
    message = response.context["form"].errors["type"][0]
    assert "3 participants" in message and "'about 40' (2)" in message and "'n/a' (1)" in message
    definition.refresh_from_db()
    assert definition.type == "text"
    assert Participant.objects.get(pk=panel.people[0].pk).attributes["seats"] == "12"
    assert not AuditEntry.objects.filter(action="research.attribute.edited").exists()


def test_removing_a_value_participants_hold_is_refused(world, panel):
    definition = _declare(world)
    _give(panel.people[:2], "product_line", ["POS", "web shop"])
    with pytest.raises(ValidationError) as error:
        attributes.attribute_update(
            definition=definition,
            label="Product line",
            type="choice",
            allowed_values=["web shop", "mobile app"],
            by=world.admin,
        )
    assert "'POS' (1)" in error.value.message_dict["allowed_values"][0]
    # Removing a value nobody holds is fine.
    attributes.attribute_update(
        definition=definition,
        label="Product line",
        type="choice",
        allowed_values=["web shop", "POS"],
        by=world.admin,
    )
    definition.refresh_from_db()
    assert definition.allowed_values == ["web shop", "POS"]


def test_the_type_of_an_attribute_open_requests_filter_on_cannot_change(world, research_request):
    definition = _declare(world)
    research_request.criteria = {"product_line": ["POS"]}
    research_request.save(update_fields=["criteria"])
    with pytest.raises(ValidationError) as error:
        attributes.attribute_update(
            definition=definition, label="", type="text", allowed_values=[], by=world.admin
        )
    assert "Checkout friction interviews" in error.value.message_dict["type"][0]
    with pytest.raises(ValidationError) as error:
        attributes.attribute_update(
            definition=definition,
            label="",
            type="choice",
            allowed_values=["web shop"],
            by=world.admin,
        )
    assert "'POS'" in error.value.message_dict["allowed_values"][0]


# API --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_everyone_reads_attributes_only_admins_write_them(api_for, world, role):
    definition = _declare(world)
    client = api_for(getattr(world, role))
    listed = client.get(f"{API}/")
    assert listed.status_code == 200 and listed.json()["results"][0]["name"] == "product_line"
    created = client.post(f"{API}/", {"name": "seats", "type": "number"}, format="json")
    edited = client.patch(f"{API}/{definition.pk}/", {"label": "Line"}, format="json")
    retired = client.post(f"{API}/{definition.pk}/retire/")
    if role == "admin":
        assert (created.status_code, edited.status_code, retired.status_code) == (201, 200, 200)
        assert edited.json()["label"] == "Line" and retired.json()["retired_at"]
    else:
        assert {created.status_code, edited.status_code, retired.status_code} == {403}
        assert AttributeDefinition.objects.count() == 1


def test_anonymous_callers_cannot_read_attributes(api_client, world):
    assert api_client.get(f"{API}/").status_code in (401, 403)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"type": "text"}, "name"),
        ({"name": "tier", "type": "choice"}, "allowed_values"),
        ({"name": "tier", "type": "choice", "allowed_values": ["x" * 81]}, "allowed_values"),
        ({"name": "tier", "type": "number", "allowed_values": ["1"]}, "allowed_values"),
        ({"name": "Tier!", "type": "text"}, "name"),
        ({"name": "tier", "type": "date"}, "type"),
    ],
)
def test_bad_attribute_payloads_are_a_400_naming_the_field(api_for, world, payload, field):
    response = api_for(world.admin).post(f"{API}/", payload, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json(), response.json()
    assert not AttributeDefinition.objects.exists()


def test_names_never_change_through_the_api(api_for, world):
    definition = _declare(world)
    response = api_for(world.admin).patch(
        f"{API}/{definition.pk}/", {"name": "line"}, format="json"
    )
    assert response.status_code == 400 and "never change" in str(response.json()["name"])


def test_the_attributes_list_uses_a_constant_number_of_queries(
    client_for, api_for, world, django_assert_max_num_queries
):
    for n in range(3):
        _declare(world, name=f"attr_{n}", type="text", allowed_values=[])
    client = client_for(world.admin)
    client.get("/research/attributes/")
    with django_assert_max_num_queries(8):
        page = client.get("/research/attributes/")
    for n in range(3, 12):
        _declare(world, name=f"attr_{n}", type="text", allowed_values=[])
    with django_assert_max_num_queries(8):
        page = client.get("/research/attributes/")
    assert len(page.context["definitions"]) == 12
    with django_assert_max_num_queries(4):
        assert api_for(world.admin).get(f"{API}/").json()["count"] == 12


def test_the_participants_api_filters_on_declared_attributes(api_for, world, panel):
    _declare(world)
    _declare(world, name="seats", label="Seats", type="number", allowed_values=[])
    _give(panel.people[:6], "product_line", ["POS"] * 3 + ["web shop"] * 3)
    _give(panel.people[:6], "seats", [5, 50, 500, 5, 50, 500])
    client = api_for(world.member)
    url = "/api/v1/research/participants/"
    assert client.get(url, {"attr_product_line": "POS"}).json()["count"] == 3
    assert client.get(url, {"attr_product_line": "POS", "attr_seats_min": 10}).json()["count"] == 2
    bad_value = client.get(url, {"attr_product_line": "kiosk"})
    assert bad_value.status_code == 400 and "attr_product_line" in bad_value.json()
    bad_number = client.get(url, {"attr_seats_min": "many"})
    assert bad_number.status_code == 400 and "attr_seats_min" in bad_number.json()
    unknown = client.get(url, {"attr_colour": "red"})
    assert unknown.status_code == 400 and "attr_colour" in unknown.json()


def test_the_participant_page_labels_custom_values_and_marks_retired_ones(client_for, world, panel):
    line = _declare(world)
    _declare(world, name="beta", label="Beta tester", type="boolean", allowed_values=[])
    _give(panel.people[:1], "product_line", ["POS"])
    person = panel.people[0]
    person.attributes["beta"] = True
    person.save(update_fields=["attributes"])
    attributes.attribute_retire(definition=line, by=world.admin)
    html = client_for(world.member).get(person.get_absolute_url()).content.decode()
    assert "Product line</dt>" in html and "POS" in html
    assert 'Beta tester</dt><dd class="col-7">yes' in html
    assert 'POS <span class="badge text-bg-secondary">retired</span>' in html


def test_a_newly_declared_attribute_stratifies_a_sample(world, panel, research_request):
    _declare(world)
    _give(panel.people, "product_line", ["POS", "web shop", "web shop", "mobile app"] * 10)
    research_request.dimensions = targeting.dimensions_clean(["product_line"])
    research_request.participants_needed = 8
    research_request.save(update_fields=["dimensions", "participants_needed"])
    sample = targeting.sample_draw(request=research_request, by=world.researcher, seed=11)
    rows = {r["value"]: r["sample"] for r in sample.makeup["dimensions"][0]["rows"]}
    assert sample.makeup["dimensions"][0]["name"] == "product_line"
    assert rows == {"web shop": 4, "POS": 2, "mobile app": 2}
