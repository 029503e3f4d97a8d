"""Duplicates resolved instead of multiplied: reuse, the duplicate report, merging, API warnings
and search by old names."""

import pytest
from django.urls import reverse

from productops.accounts.models import AuditEntry
from telemetry import merging, properties, services
from telemetry.models import Alias, Event, EventMerge, EventProperty
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- reuse


def test_the_register_form_offers_to_reuse_another_teams_event(world, client_for, register):
    event = register("Order Completed", team=world.other_team, by=world.outsider)
    client = client_for(world.member)
    check = client.get(
        reverse("telemetry:event_new"),
        {"check": "1", "name": "order_completed", "team": world.team.pk},
        HTTP_HX_REQUEST="true",
    )
    body = check.content.decode()
    assert "This event already exists: reuse it in Checkout" in body
    assert reverse("telemetry:event_reuse", args=[event.pk]) in body

    response = client.post(
        reverse("telemetry:event_reuse", args=[event.pk]), {"team": world.team.pk}
    )
    assert response.status_code == 302 and response["Location"] == event.get_absolute_url()
    assert Event.objects.count() == 1  # no copy
    assert list(event.used_by.all()) == [world.team]
    assert AuditEntry.objects.filter(action="telemetry.event.reused").count() == 1
    # A second click changes nothing.
    client.post(reverse("telemetry:event_reuse", args=[event.pk]), {"team": world.team.pk})
    assert AuditEntry.objects.filter(action="telemetry.event.reused").count() == 1


def test_only_members_reuse_an_event_for_their_team(world, client_for, register):
    event = register("Order Completed")
    response = client_for(world.outsider).post(
        reverse("telemetry:event_reuse", args=[event.pk]), {"team": world.team.pk}
    )
    assert response.status_code == 404
    assert not event.used_by.exists()


def test_api_registration_warns_about_duplicates_and_can_reuse(world, api_for, register):
    existing = register("Order Completed", team=world.other_team, by=world.outsider)
    created = api_for(world.member).post(
        "/api/v1/telemetry/events/", {"team": "checkout", "name": "order_completed"}, format="json"
    )
    assert created.status_code == 201
    assert [(d["id"], d["name"], d["team"]) for d in created.json()["duplicates"]] == [
        (existing.pk, "Order Completed", "Search")
    ]
    reused = api_for(world.teammate).post(
        f"/api/v1/telemetry/events/{existing.pk}/reuse/", {"team": "checkout"}, format="json"
    )
    assert reused.status_code == 200 and reused.json()["used_by"] == ["checkout"]
    refused = api_for(world.outsider).post(
        f"/api/v1/telemetry/events/{existing.pk}/reuse/", {"team": "checkout"}, format="json"
    )
    assert refused.status_code == 403


# ---------------------------------------------------------------- the report


def test_the_duplicate_report_groups_look_alikes_for_the_organisation_and_per_team(
    world, client_for, register
):
    keeper = register("Order Completed", team=world.other_team, by=world.outsider)
    copy = register("order_completed")
    register("Completed Order", team=world.other_team, by=world.outsider)
    register("Product Viewed")
    register("Results Viewed", team=world.other_team, by=world.outsider)
    register("Result Viewed", team=world.other_team, by=world.outsider)
    keeper.used_by.add(world.team)

    client = client_for(world.member)
    org = client.get(reverse("telemetry:duplicates"))
    groups = org.context["groups"]
    assert sorted(sorted(e.name for e in g.events) for g in groups) == [
        ["Completed Order", "Order Completed", "order_completed"],
        ["Result Viewed", "Results Viewed"],
    ]
    orders = next(g for g in groups if len(g.events) == 3)
    assert orders.keeper == keeper  # conforming and used by another team
    body = org.content.decode()
    assert f"{reverse('telemetry:event_merge', args=[copy.pk])}?into={keeper.pk}" in body

    mine = client.get(reverse("telemetry:team_duplicates", args=["checkout"])).context["groups"]
    assert [sorted(e.name for e in g.events) for g in mine] == [
        ["Completed Order", "Order Completed", "order_completed"]
    ]


def test_the_duplicate_report_has_a_bounded_number_of_queries(
    world, client_for, register, django_assert_max_num_queries
):
    nouns = "banner basket coupon invoice journal kiosk ledger magnet napkin oyster parcel quiver ribbon saddle tunnel"
    for noun in nouns.split():
        register(f"{noun.title()} Viewed")
        register(f"{noun}_viewed", team=world.other_team, by=world.outsider)
    client = client_for(world.member)
    client.get(reverse("telemetry:duplicates"))  # builds the registry index once
    with django_assert_max_num_queries(14):
        response = client.get(reverse("telemetry:duplicates"))
    assert len(response.context["groups"]) == 15


# ---------------------------------------------------------------- merge


@pytest.fixture
def two_copies(world, register):
    MembershipFactory(user=world.outsider, team=world.team)
    into = register("Order Completed", description="")
    properties.event_set_properties(
        event=into, by=world.member, rows=[{"name": "order_id", "type": "string"}]
    )
    source = register(
        "orderComplete",
        team=world.other_team,
        by=world.outsider,
        description="Search's copy",
        platforms=["ios"],
        tags=["revenue"],
    )
    properties.event_set_properties(
        event=source,
        by=world.outsider,
        rows=[
            {"name": "order_id", "type": "string", "required": True},
            {"name": "coupon_code", "type": "string"},
        ],
    )
    services.event_rename(event=source, new_name="order_completed_v2", by=world.outsider)
    return source, into


def test_merging_keeps_properties_aliases_users_history_and_provenance(
    world, client_for, two_copies
):
    source, into = two_copies
    source_id = source.pk
    client = client_for(world.outsider)
    confirm = client.get(reverse("telemetry:event_merge", args=[source.pk]), {"into": into.pk})
    assert confirm.status_code == 200
    assert [ep.property.name for ep in confirm.context["moving"]] == ["coupon_code"]

    response = client.post(
        reverse("telemetry:event_merge", args=[source.pk]),
        {"into": into.pk, "reason": "Same checkout event."},
    )
    assert response.status_code == 302 and response["Location"] == into.get_absolute_url()
    assert not Event.objects.filter(pk=source_id).exists()
    into.refresh_from_db()
    assert sorted(Alias.objects.filter(event=into).values_list("old_name", flat=True)) == [
        "orderComplete",
        "order_completed_v2",
    ]
    props = dict(EventProperty.objects.filter(event=into).values_list("property__name", "required"))
    assert props == {"coupon_code": False, "order_id": True}
    assert list(into.used_by.all()) == [world.other_team]
    assert into.description == "Search's copy"
    assert list(into.platforms.values_list("code", flat=True)) == ["ios"]
    merge = EventMerge.objects.get()
    assert (merge.source_id, merge.source_team, merge.snapshot["created_by"]) == (
        source_id,
        world.other_team,
        "outsider",
    )
    audit = AuditEntry.objects.get(action="telemetry.event.merged")
    assert audit.target_id == str(into.pk) and audit.reason == "Same checkout event."

    page = client.get(into.get_absolute_url()).content.decode()
    assert "merged in from Search" in page
    # The merged event's own history (its rename) shows on the event it became part of.
    assert "before it was merged here" in page
    assert "orderComplete" in page


def test_merging_is_for_the_duplicates_team_only(world, client_for, register):
    into = register("Order Completed")
    source = register("order_completed", team=world.other_team, by=world.outsider)
    response = client_for(world.member).post(
        reverse("telemetry:event_merge", args=[source.pk]), {"into": into.pk}
    )
    assert response.status_code == 403
    assert Event.objects.count() == 2


def test_an_event_cannot_merge_into_itself(world, register):
    event = register("Order Completed")
    with pytest.raises(Exception, match="cannot be itself"):
        merging.event_merge(source=event, into=event, by=world.member)


def test_merge_through_the_api(world, api_for, register):
    into = register("Order Completed")
    source = register("order_completed")
    response = api_for(world.member).post(
        f"/api/v1/telemetry/events/{source.pk}/merge/", {"into": into.pk}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["aliases"] == ["order_completed"]
    assert api_for(world.outsider).post(
        f"/api/v1/telemetry/events/{into.pk}/merge/", {"into": into.pk}, format="json"
    ).status_code in {403}


# ---------------------------------------------------------------- search by old names


def test_catalogue_search_finds_events_by_their_old_names(world, client_for, register):
    event = register("addToCart")
    services.event_rename(event=event, new_name="Product Added", by=world.member)
    register("Checkout Started", description="Cart handed to checkout")
    client = client_for(world.member)
    for query in ["addToCart", "addtocart"]:
        page = client.get(reverse("telemetry:index"), {"q": query})
        assert [e.name for e in page.context["page"]] == ["Product Added"], query
    api = client.get("/api/v1/telemetry/events/", {"q": "addToCart"}).json()
    assert [e["name"] for e in api["results"]] == ["Product Added"]


def test_a_chain_of_merges_keeps_every_provenance_and_history(world, client_for, register):
    a = register("order_completed")
    b = register("orderCompleted")
    c = register("Order Completed")
    merging.event_merge(source=a, into=b, by=world.member)
    merging.event_merge(source=b, into=c, by=world.member)
    assert sorted(EventMerge.objects.filter(into=c).values_list("source_name", flat=True)) == [
        "orderCompleted",
        "order_completed",
    ]
    assert sorted(c.aliases.values_list("old_name", flat=True)) == [
        "orderCompleted",
        "order_completed",
    ]
    lines = [
        line["text"]
        for line in client_for(world.member).get(c.get_absolute_url()).context["history"]
    ]
    assert "registered it (as “order_completed”, before it was merged here)" in lines
