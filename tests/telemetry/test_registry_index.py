"""The registry's duplicate index is built once per process and kept current between requests."""

import datetime

from django.urls import reverse

from telemetry import linting, services
from telemetry.models import Event


def _duplicate(name, **kwargs):
    found = linting.lint_names([name], **kwargs)[0]["duplicates"]
    return found[0] if found else None


def test_usage_shown_beside_a_duplicate_follows_teams_joining_and_leaving(world, register):
    event = register("Order Completed")
    assert _duplicate("order_completed")["usage"] == 0

    services.event_set_usage(event=event, team=world.other_team, by=world.outsider, using=True)
    assert _duplicate("order_completed")["usage"] == 1

    services.event_set_usage(event=event, team=world.other_team, by=world.outsider, using=False)
    assert _duplicate("order_completed")["usage"] == 0


def test_the_live_check_on_the_page_shows_the_usage_just_saved(world, register, client_for):
    event = register("Order Completed")
    client = client_for(world.outsider)
    url = reverse("telemetry:event_new") + "?check=1&name=order_completed"
    assert "used by 1 team" in client.get(url, HTTP_HX_REQUEST="true").content.decode()

    client.post(reverse("telemetry:event_usage", args=[event.pk]), {"team": "search", "using": "1"})
    assert "used by 2 teams" in client.get(url, HTTP_HX_REQUEST="true").content.decode()


def test_a_change_that_committed_after_a_newer_one_is_still_seen(world, register):
    first = register("Order Completed")
    second = register("Product Viewed")
    assert _duplicate("order_completed")["status"] == "active"
    # A transaction that saved before `second` but committed after it: its updated_at is older
    # than the newest one the index has already seen.
    Event.objects.filter(pk=first.pk).update(
        status=Event.Status.DEPRECATED,
        updated_at=second.updated_at - datetime.timedelta(seconds=5),
    )
    assert _duplicate("order_completed")["status"] == "deprecated"


def test_a_renamed_event_is_found_under_its_new_name_and_its_old_one(world, register):
    event = register("Order Completed")
    assert _duplicate("order_completed")["name"] == "Order Completed"

    services.event_rename(event=event, new_name="Purchase Completed", by=world.member)
    via_alias = _duplicate("order_completed")
    assert (via_alias["name"], via_alias["matched"]) == ("Purchase Completed", "Order Completed")
    assert _duplicate("purchase_completed")["name"] == "Purchase Completed"


def test_a_deleted_event_is_no_longer_offered(world, register):
    register("Order Completed")
    kept = register("Product Viewed")
    assert _duplicate("order_completed") is not None
    Event.objects.exclude(pk=kept.pk).delete()
    assert _duplicate("order_completed") is None
    assert _duplicate("product_viewed")["id"] == kept.pk


def test_new_events_join_cached_answers(world, register):
    register("Order Completed")
    names = ["order_completed", "cart_viewed"]
    assert [r["duplicates"] != [] for r in linting.lint_names(names)] == [True, False]
    cart = register("Cart Viewed", team=world.other_team, by=world.outsider)
    again = linting.lint_names(names)
    assert again[1]["duplicates"][0]["id"] == cart.pk
    assert again[1]["duplicates"][0]["team"] == "Search"


def test_a_big_batch_leaves_the_garbage_collector_as_it_found_it(world, register):
    import gc

    register("Order Completed")
    names = [f"Thing {i} Viewed" for i in range(1000)]
    assert gc.isenabled()
    assert len(_lint_batch(names)) == 1000
    assert gc.isenabled()
    gc.disable()
    try:
        _lint_batch(names)
        assert not gc.isenabled()
    finally:
        gc.enable()


def _lint_batch(names):
    return linting.lint_names(names, duplicate_limit=1)


def test_a_change_is_seen_even_when_the_next_check_comes_long_after_it(
    world, register, monkeypatch
):
    event = register("Order Completed")
    assert _duplicate("order_completed")["status"] == "active"
    saved = event.updated_at + datetime.timedelta(minutes=1)
    Event.objects.filter(pk=event.pk).update(status=Event.Status.DEPRECATED, updated_at=saved)
    # Nobody lints for half an hour: the recent-saves window has moved past the change.
    later = saved + datetime.timedelta(minutes=30)
    monkeypatch.setattr(linting.timezone, "now", lambda: later)
    assert _duplicate("order_completed")["status"] == "deprecated"
