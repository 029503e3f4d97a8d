"""Drift in Chromium: a developer finds what production sends unregistered and fixes it in a click."""

import json

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from telemetry.drift_job import drift_refresh
from telemetry.models import Event, Source
from telemetry.observed import observed_ingest
from telemetry.observed_batch import batch_read
from tests.factories import MembershipFactory, TeamFactory, UserFactory


@pytest.fixture
def traffic(transactional_db):
    checkout = TeamFactory(name="Checkout", slug="checkout")
    dev = UserFactory(username="dev", display_name="Devi Patel")
    MembershipFactory(user=dev, team=checkout)
    Source.objects.create(key="checkout-web", team=checkout, platform="web")
    now = timezone.now()
    batch = [
        {
            "event": "promoBannerClicked",
            "source": "checkout-web",
            "properties": {"banner": "spring", "position": 2},
        }
    ] * 4
    observed_ingest(batch=batch_read(json.dumps({"batch": batch}).encode(), now=now), now=now)
    drift_refresh()
    return checkout


def test_dev_registers_an_observed_name_from_the_team_pages(page, sign_in, screenshot, traffic):
    sign_in(page, "dev")
    page.goto("/telemetry/teams/checkout/")
    page.get_by_test_id("drift-link").click()
    unregistered = page.get_by_test_id("drift-unregistered")
    expect(unregistered).to_contain_text("promoBannerClicked")
    expect(unregistered).to_contain_text("4 sent in 30 days from checkout-web")
    expect(unregistered).to_contain_text("suggested name")
    screenshot(page, "drift-1-unregistered")

    unregistered.get_by_role("button", name="Register as sent").click()
    expect(page.get_by_role("status")).to_contain_text("is registered with the properties")
    event = Event.objects.get(name="promoBannerClicked")
    assert sorted(event.event_properties.values_list("property__name", flat=True)) == [
        "banner",
        "position",
    ]
    screenshot(page, "drift-2-registered")


@pytest.mark.django_db(transaction=True)
def test_admin_hands_the_demos_unclaimed_source_to_a_team(page, sign_in, screenshot):
    from django.core.management import call_command

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    sign_in(page, "admin", "demo")
    page.goto("/telemetry/drift/")
    expect(page.get_by_test_id("drift-table")).to_contain_text("Checkout")
    unassigned = page.get_by_test_id("unassigned")
    expect(unassigned).to_contain_text("legacy-batch-import")
    screenshot(page, "drift-org")
    unassigned.get_by_label("Team for legacy-batch-import").select_option(label="Checkout")
    unassigned.get_by_role("button", name="Assign").click()
    expect(page.get_by_role("status")).to_contain_text(
        "legacy-batch-import now counts for Checkout"
    )
    assert Source.objects.get(key="legacy-batch-import").team.slug == "checkout"
    page.goto("/telemetry/teams/checkout/drift/")
    expect(page.get_by_test_id("drift-unregistered")).to_contain_text("promoBannerClicked")
    screenshot(page, "drift-team-demo")
