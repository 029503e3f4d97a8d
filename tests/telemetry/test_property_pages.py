"""Property pages flag a property name used with conflicting types across events."""

import pytest
from django.urls import reverse

from telemetry import properties
from telemetry.models import Property

pytestmark = pytest.mark.django_db


@pytest.fixture
def conflicting(world, register):
    checkout = register("Plan Changed")
    properties.event_set_properties(
        event=checkout, by=world.member, rows=[{"name": "plan_type", "type": "string"}]
    )
    search = register("Plan Viewed", team=world.other_team, by=world.outsider)
    properties.event_set_properties(
        event=search,
        by=world.outsider,
        rows=[{"name": "planType", "type": "integer"}, {"name": "order_id", "type": "string"}],
    )
    return Property.objects.get(name="plan_type"), Property.objects.get(name="planType")


@pytest.mark.parametrize("who", ["member", "outsider", "admin", "researcher"])
def test_the_list_flags_both_spellings_and_names_the_other(world, client_for, conflicting, who):
    page = client_for(getattr(world, who)).get(reverse("telemetry:property_list"))
    assert page.status_code == 200
    flagged = {p.name: p.conflict for p in page.context["page"] if p.conflict}
    assert set(flagged) == {"plan_type", "planType"}
    assert flagged["plan_type"].types == {"integer": ["planType"], "string": ["plan_type"]}
    body = page.content.decode()
    assert body.count('data-testid="type-conflict"') == 2
    assert "Also sent as <code>planType</code> (integer)" in body


def test_the_property_page_shows_the_conflict_and_the_events(world, client_for, conflicting):
    plan_type, plan_camel = conflicting
    page = client_for(world.outsider).get(plan_type.get_absolute_url())
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="type-conflict"' in body
    assert [o.name for o in page.context["others"]] == ["planType"]
    assert [ep.event.name for ep in page.context["uses"]] == ["Plan Changed"]
    assert plan_camel.get_absolute_url() in body


def test_a_property_without_a_conflict_is_not_flagged(world, client_for, conflicting):
    order_id = Property.objects.get(name="order_id")
    page = client_for(world.member).get(order_id.get_absolute_url())
    assert page.context["conflict"] is None
    assert 'data-testid="type-conflict"' not in page.content.decode()


def test_the_conflict_goes_once_the_types_agree(world, client_for, conflicting):
    _, plan_camel = conflicting
    plan_camel.type = "string"
    plan_camel.save(update_fields=["type"])
    page = client_for(world.member).get(reverse("telemetry:property_list"))
    assert not [p for p in page.context["page"] if p.conflict]


def test_property_pages_need_sign_in_and_a_missing_one_is_404(world, client, client_for):
    assert "/sign-in/" in client.get(reverse("telemetry:property_detail", args=[1]))["Location"]
    missing = client_for(world.member).get(reverse("telemetry:property_detail", args=[999999]))
    assert missing.status_code == 404


def test_property_pages_keep_their_query_counts(
    world, client_for, register, django_assert_max_num_queries
):
    for i in range(15):
        event = register(f"Thing {i} Viewed")
        properties.event_set_properties(
            event=event,
            by=world.member,
            rows=[{"name": f"p_{i}", "type": "string"}, {"name": f"P {i}", "type": "integer"}],
        )
    client = client_for(world.member)
    with django_assert_max_num_queries(8):
        listing = client.get(reverse("telemetry:property_list"))
    assert len([p for p in listing.context["page"] if p.conflict]) == 30
    prop = Property.objects.get(name="p_3")
    with django_assert_max_num_queries(10):
        detail = client.get(prop.get_absolute_url())
    assert [o.name for o in detail.context["others"]] == ["P 3"]
