"""The drift job on ingested traffic, the drift pages and their one-click actions, the digest."""

import datetime
import json

import pytest
from django.utils import timezone

from productops.accounts.models import Notification
from telemetry import drift_actions, services
from telemetry.digest import drift_digests_send
from telemetry.drift_job import drift_refresh
from telemetry.models import Alias, DriftItem, Event, Property, Source
from telemetry.observed import observed_ingest
from telemetry.observed_batch import batch_read
from telemetry.properties import event_set_properties

pytestmark = pytest.mark.django_db


def send(events, *, days_ago=0, source="checkout-web"):
    now = timezone.now()
    when = (now - datetime.timedelta(days=days_ago)).isoformat()
    batch = [
        {"event": name, "properties": props, "source": source, "timestamp": when}
        for name, props in events
    ]
    observed_ingest(batch=batch_read(json.dumps({"batch": batch}).encode(), now=now), now=now)


@pytest.fixture
def traffic(world, register):
    """Checkout owns checkout-web (web) and checkout-ios (ios); one source nobody owns."""
    Source.objects.create(key="checkout-web", team=world.team, platform="web")
    Source.objects.create(key="checkout-ios", team=world.team, platform="ios")
    old = timezone.now() - datetime.timedelta(days=60)
    order = register("Order Completed", platforms=["web", "ios"])
    event_set_properties(
        event=order,
        by=world.member,
        rows=[
            {"name": "order_id", "type": "string", "required": True},
            {"name": "total", "type": "number"},
        ],
    )
    stale = register("Cart Abandoned")
    planned = register("Checkout Redesigned", status="planned")
    Event.objects.filter(pk__in=[order.pk, stale.pk, planned.pk]).update(created_at=old)
    send([("Order Completed", {"order_id": 42, "total": 10})] * 3)
    send([("Order Completed", {"total": 10.5})])
    send([("Cart Abandoned", {})], days_ago=40)
    send([("clickedPromoBanner", {"banner": "spring", "position": 2})] * 5)
    send([("Mystery Event", {})], source="mystery-android")
    return {"order": order, "stale": stale, "planned": planned}


def _open():
    return sorted(
        DriftItem.objects.filter(resolved_at=None).values_list(
            "kind", "name", "detail", "team__slug"
        )
    )


def test_the_job_finds_every_kind_of_drift_in_real_traffic(world, traffic):
    drift_refresh()
    assert _open() == [
        ("missing_required", "Order Completed", "order_id", "checkout"),
        ("never_seen", "Checkout Redesigned", "", "checkout"),
        ("platform_gap", "Order Completed", "ios", "checkout"),
        ("stale", "Cart Abandoned", "", "checkout"),
        ("type_mismatch", "Order Completed", "order_id", "checkout"),
        ("unregistered", "Mystery Event", "", None),
        ("unregistered", "clickedPromoBanner", "", "checkout"),
    ]
    promo = DriftItem.objects.get(name="clickedPromoBanner")
    assert promo.data["count"] == 5
    assert promo.data["suggestion"] and promo.data["lint_ok"] is False
    assert promo.data["properties"] == {"banner": ["string"], "position": ["integer"]}


def test_rerunning_keeps_items_and_resolves_what_went_away(world, traffic):
    drift_refresh()
    first_found = DriftItem.objects.get(kind="stale").first_found
    drift_refresh()
    assert DriftItem.objects.get(kind="stale").first_found == first_found
    send([("Cart Abandoned", {})])
    drift_refresh()
    assert DriftItem.objects.get(kind="stale").resolved_at is not None
    assert ("stale", "Cart Abandoned", "", "checkout") not in _open()


def test_members_register_an_observed_name_in_one_click(world, traffic, client_for):
    drift_refresh()
    item = DriftItem.objects.get(name="clickedPromoBanner")
    response = client_for(world.member).post(f"/telemetry/drift/{item.pk}/register/")
    assert response.status_code == 302
    event = Event.objects.get(name="clickedPromoBanner")
    assert event.team == world.team
    assert set(event.platforms.values_list("code", flat=True)) == {"web"}
    assert dict(event.event_properties.values_list("property__name", "property__type")) == {
        "banner": "string",
        "position": "integer",
    }
    item.refresh_from_db()
    assert item.resolved_at is not None
    drift_refresh()
    assert not DriftItem.objects.filter(name="clickedPromoBanner", resolved_at=None).exists()


def test_outsiders_cannot_act_on_a_teams_drift(world, traffic, client_for):
    drift_refresh()
    client = client_for(world.outsider)
    for item in DriftItem.objects.filter(team=world.team):
        for action in ["register", "deprecate", "fix-type", "alias"]:
            response = client.post(
                f"/telemetry/drift/{item.pk}/{action}/", {"into": traffic["order"].pk}
            )
            assert response.status_code == 403, (item, action)
    assert not Event.objects.filter(name="clickedPromoBanner").exists()
    assert Event.objects.get(name="Cart Abandoned").status == "active"
    page = client.get(f"/telemetry/teams/{world.team.slug}/drift/")
    assert page.status_code == 200
    assert b"Register as sent" not in page.content


def test_an_observed_name_becomes_an_alias_of_an_existing_event(world, traffic, client_for):
    drift_refresh()
    item = DriftItem.objects.get(name="clickedPromoBanner")
    client_for(world.member).post(
        f"/telemetry/drift/{item.pk}/alias/", {"into": traffic["order"].pk}
    )
    assert Alias.objects.get(old_name="clickedPromoBanner").event == traffic["order"]
    drift_refresh()
    assert not DriftItem.objects.filter(
        kind="unregistered", name="clickedPromoBanner", resolved_at=None
    ).exists()


def test_stale_events_are_deprecated_and_types_fixed_through_the_registry(
    world, traffic, client_for
):
    drift_refresh()
    client = client_for(world.member)
    stale = DriftItem.objects.get(kind="stale")
    client.post(f"/telemetry/drift/{stale.pk}/deprecate/")
    assert Event.objects.get(name="Cart Abandoned").status == "deprecated"
    mismatch = DriftItem.objects.get(kind="type_mismatch")
    client.post(f"/telemetry/drift/{mismatch.pk}/fix-type/")
    assert Property.objects.get(name="order_id").type == "integer"
    drift_refresh()
    kinds = {k for k, *_ in _open()}
    assert "stale" not in kinds and "type_mismatch" not in kinds


def test_the_team_drift_page_lists_items_with_their_actions(
    world, traffic, client_for, django_assert_max_num_queries
):
    drift_refresh()
    client = client_for(world.member)
    with django_assert_max_num_queries(20):
        response = client.get(f"/telemetry/teams/{world.team.slug}/drift/")
    text = response.content.decode()
    assert "clickedPromoBanner" in text and "Register as sent" in text
    assert "missing in 1 of 4 events" in text
    assert "Make it integer in the registry" in text
    # Twenty more unregistered names cost no more queries.
    send([(f"extra_name_{i}", {"a": 1}) for i in range(20)])
    drift_refresh()
    with django_assert_max_num_queries(20):
        client.get(f"/telemetry/teams/{world.team.slug}/drift/")
    health = client.get(f"/telemetry/teams/{world.team.slug}/")
    assert b'data-testid="drift-link"' in health.content


def test_only_admins_see_and_assign_unassigned_sources(world, traffic, client_for):
    drift_refresh()
    page = client_for(world.member).get("/telemetry/drift/")
    assert page.status_code == 200 and b"mystery-android" not in page.content
    admin = client_for(world.admin)
    assert b"mystery-android" in admin.get("/telemetry/drift/").content
    source = Source.objects.get(key="mystery-android")
    admin.post(f"/telemetry/sources/{source.pk}/assign/", {"team": world.other_team.pk})
    source.refresh_from_db()
    assert source.team == world.other_team
    drift_refresh()
    assert DriftItem.objects.get(name="Mystery Event").team == world.other_team


def test_members_claim_a_source_but_cannot_take_another_teams(world, traffic, client_for):
    client = client_for(world.outsider)
    client.post(f"/telemetry/teams/{world.other_team.slug}/sources/", {"key": "search-web"})
    assert Source.objects.get(key="search-web").team == world.other_team
    response = client.post(
        f"/telemetry/teams/{world.other_team.slug}/sources/", {"key": "checkout-web"}
    )
    assert response.status_code == 403
    assert Source.objects.get(key="checkout-web").team == world.team


def test_the_weekly_digest_is_short_actionable_and_sent_once(world, traffic, mailoutbox):
    drift_refresh()
    assert drift_digests_send() == 3  # member, teammate and lead of Checkout
    note = Notification.objects.filter(recipient=world.member).get()
    assert "Checkout" in note.title and "new telemetry drift" in note.title
    assert "clickedPromoBanner (suggested name:" in note.body
    assert "Required property missing: 1" in note.body
    assert note.url == f"/telemetry/teams/{world.team.slug}/drift/"
    assert len(note.body.splitlines()) <= 10
    assert drift_digests_send() == 0
    assert Notification.objects.filter(recipient=world.member).count() == 1
    assert not Notification.objects.filter(recipient=world.outsider).exists()


def test_no_digest_when_the_week_brought_nothing_new(world, traffic):
    drift_refresh()
    DriftItem.objects.update(first_found=timezone.now() - datetime.timedelta(days=8))
    assert drift_digests_send() == 0


def test_unassigned_drift_cannot_be_acted_on_by_members(world, traffic):
    drift_refresh()
    item = DriftItem.objects.get(name="Mystery Event")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        drift_actions.drift_register(item=item, by=world.member)
    assert not services.Event.objects.filter(name="Mystery Event").exists()


def test_the_demo_traffic_tells_a_drift_story_and_is_safe_to_run_twice():
    from productops.accounts import demo as accounts_demo
    from telemetry import demo

    accounts_demo.seed()
    demo.seed()
    counts = (_observed_days(), DriftItem.objects.count())
    demo.seed()
    assert (_observed_days(), DriftItem.objects.count()) == counts
    kinds = set(DriftItem.objects.filter(resolved_at=None).values_list("kind", flat=True))
    assert kinds >= {"unregistered", "stale", "type_mismatch", "missing_required", "platform_gap"}
    assert DriftItem.objects.filter(team=None, name="LegacyOrderSync").exists()
    checkout = DriftItem.objects.filter(team__slug="checkout", resolved_at=None)
    assert checkout.filter(kind="unregistered", name="promoBannerClicked").exists()


def _observed_days():
    from telemetry.models import ObservedDay

    return ObservedDay.objects.count()


def test_registering_under_the_suggested_name_keeps_the_sent_name_as_an_alias(
    world, traffic, client_for
):
    drift_refresh()
    item = DriftItem.objects.get(name="clickedPromoBanner")
    suggestion = item.data["suggestion"]
    client_for(world.member).post(f"/telemetry/drift/{item.pk}/register/", {"as": "suggestion"})
    event = Event.objects.get(name=suggestion)
    assert Alias.objects.get(old_name="clickedPromoBanner").event == event
    drift_refresh()
    assert not DriftItem.objects.filter(
        kind="unregistered", name="clickedPromoBanner", resolved_at=None
    ).exists()


def test_the_drift_api_lists_open_items_under_the_page_rules(
    world, traffic, api_for, django_assert_max_num_queries
):
    drift_refresh()
    client = api_for(world.outsider)
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/telemetry/drift/", {"team": world.team.slug})
    names = {(i["kind"], i["name"]) for i in response.json()["results"]}
    assert ("unregistered", "clickedPromoBanner") in names
    assert ("unregistered", "Mystery Event") not in names
    everything = client.get("/api/v1/telemetry/drift/").json()["results"]
    assert all(i["team"] is not None for i in everything)
    admin_view = api_for(world.admin).get("/api/v1/telemetry/drift/", {"kind": "unregistered"})
    assert {i["name"] for i in admin_view.json()["results"]} == {
        "clickedPromoBanner",
        "Mystery Event",
    }


def test_sources_change_hands_over_the_api_only_as_on_the_pages(world, traffic, api_for):
    mystery = Source.objects.get(key="mystery-android")
    web = Source.objects.get(key="checkout-web")
    outsider = api_for(world.outsider)
    assert (
        outsider.patch(
            f"/api/v1/telemetry/sources/{web.pk}/", {"team": world.other_team.slug}, format="json"
        ).status_code
        == 403
    )
    web.refresh_from_db()
    assert web.team == world.team
    response = outsider.patch(
        f"/api/v1/telemetry/sources/{mystery.pk}/", {"team": world.other_team.slug}, format="json"
    )
    assert response.status_code == 200 and response.json()["team"] == world.other_team.slug
    listed = {s["key"] for s in outsider.get("/api/v1/telemetry/sources/").json()["results"]}
    assert listed == {"mystery-android"}


def test_the_organisation_drift_page_counts_per_team_in_a_fixed_number_of_queries(
    world, traffic, client_for, django_assert_max_num_queries
):
    from tests.factories import TeamFactory

    drift_refresh()
    client = client_for(world.admin)
    with django_assert_max_num_queries(15):
        first = client.get("/telemetry/drift/")
    for i in range(10):
        TeamFactory(name=f"Team {i}")
    with django_assert_max_num_queries(15):
        again = client.get("/telemetry/drift/")
    assert first.status_code == again.status_code == 200
    assert 'data-testid="drift-table"' in again.content.decode()
    assert "Team 9" in again.content.decode()


def test_unregistered_names_are_judged_with_the_teams_own_words(world, traffic):
    from telemetry.models import ObservedName, TeamVocabulary

    send([("Card Tokenized", {})])
    assert ObservedName.objects.get(name="Card Tokenized").lint_ok is False
    TeamVocabulary.objects.create(team=world.team, actions={"tokenize": "tokenized"})
    drift_refresh()
    item = DriftItem.objects.get(name="Card Tokenized")
    assert item.data["lint_ok"] is True
