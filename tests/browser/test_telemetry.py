"""The registry's two main journeys in Chromium: registering with the live check, and changing the convention."""

import pytest
from playwright.sync_api import expect

from telemetry import conventions, properties, services
from tests.factories import MembershipFactory, TeamFactory, UserFactory


@pytest.fixture
def org(transactional_db):
    checkout = TeamFactory(name="Checkout", slug="checkout")
    search = TeamFactory(name="Search", slug="search")
    dev = UserFactory(username="dev", display_name="Devi Patel")
    sam = UserFactory(username="sam", display_name="Sam Search")
    admin = UserFactory(username="admin", display_name="Alex Admin", is_productops_admin=True)
    MembershipFactory(user=dev, team=checkout)
    MembershipFactory(user=sam, team=search)
    MembershipFactory(user=admin, team=search)
    return checkout, search, dev, sam, admin


def test_dev_takes_the_suggestion_sees_a_near_duplicate_and_registers(
    page, sign_in, screenshot, org
):
    checkout, search, dev, sam, _ = org
    services.event_register(
        team=search, name="Sign Up Button Clicked", by=sam, description="Search's sign-up CTA."
    )

    sign_in(page, "dev")
    page.goto("/telemetry/events/new/")
    name = page.get_by_label("Event name")
    name.press_sequentially("clickedSignupBtn", delay=20)

    check = page.locator("#lint-result")
    expect(check.get_by_test_id("violations")).to_contain_text("abbreviation")
    expect(check.get_by_test_id("suggestion")).to_contain_text("Signup Button Clicked")
    screenshot(page, "1-violation-and-suggestion")

    check.get_by_role("button", name="Use this name").click()
    expect(name).to_have_value("Signup Button Clicked")
    expect(check.get_by_test_id("lint-ok")).to_be_visible()
    duplicates = check.get_by_test_id("duplicates")
    expect(duplicates).to_contain_text("Sign Up Button Clicked")
    expect(duplicates).to_contain_text("Search")
    screenshot(page, "2-suggestion-taken-near-duplicate")

    page.get_by_label("Description").fill(
        "Checkout's own sign-up button on the guest checkout page."
    )
    page.get_by_role("button", name="Register event").click()
    expect(page.get_by_test_id("event-name")).to_have_text("Signup Button Clicked")
    expect(page.get_by_test_id("lint-state")).to_have_text("conforms")
    screenshot(page, "3-registered")


def test_dev_reuses_the_existing_event_instead_of_registering_a_copy(
    page, sign_in, screenshot, org
):
    from telemetry.models import Event

    checkout, search, dev, sam, _ = org
    theirs = services.event_register(
        team=search, name="Order Completed", by=sam, description="An order went through."
    )

    sign_in(page, "dev")
    page.goto("/telemetry/events/new/")
    page.get_by_label("Team").select_option(label="Checkout")
    page.get_by_label("Event name").press_sequentially("order_completed", delay=20)
    check = page.locator("#lint-result")
    expect(check.get_by_test_id("duplicates")).to_contain_text("Order Completed")
    reuse = check.get_by_role("button", name="This event already exists: reuse it in Checkout")
    expect(reuse).to_be_visible()
    screenshot(page, "1-duplicate-offered")

    reuse.click()
    expect(page.get_by_test_id("event-name")).to_have_text("Order Completed")
    expect(page.get_by_role("alert").filter(has_text="nothing was copied")).to_be_visible()
    screenshot(page, "2-reused")
    assert list(Event.objects.values_list("name", flat=True)) == ["Order Completed"]
    assert list(theirs.used_by.values_list("slug", flat=True)) == ["checkout"]


def test_on_a_phone_the_live_check_sits_above_the_register_button(page, sign_in, org):
    sign_in(page, "dev")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/telemetry/events/new/")
    page.get_by_label("Event name").press_sequentially("clickedSignupBtn", delay=10)
    check = page.locator("#lint-result")
    expect(check.get_by_test_id("violations")).to_be_visible()
    name_box = page.get_by_label("Event name").bounding_box()
    check_box = check.bounding_box()
    button_box = page.get_by_role("button", name="Register event").bounding_box()
    assert name_box["y"] < check_box["y"] < button_box["y"]


def test_admin_previews_a_convention_change_before_publishing(page, sign_in, screenshot, org):
    from telemetry.models import ConventionVersion

    checkout, search, dev, sam, _ = org
    for name in ["Order Completed", "Product Viewed", "Cart Viewed"]:
        services.event_register(team=checkout, name=name, by=dev)
    services.event_register(team=search, name="search_failed", by=sam)

    sign_in(page, "admin")
    page.goto("/telemetry/convention/")
    page.get_by_label("Start from preset").select_option("snake")
    expect(page.get_by_label("Event case")).to_have_value("snake")
    page.get_by_label("Note").fill("Match the warehouse.")
    page.get_by_role("button", name="Preview the impact").click()

    impact = page.get_by_test_id("impact")
    expect(page.get_by_test_id("impact-summary")).to_contain_text("75% → 25%")
    checkout_row = impact.get_by_test_id("impact-row").filter(has_text="Checkout")
    expect(checkout_row).to_contain_text("100% → 0%")
    expect(checkout_row).to_contain_text("Order Completed")
    expect(checkout_row).to_contain_text("order_completed")
    expect(impact.get_by_test_id("impact-row").filter(has_text="Search")).to_contain_text(
        "0% → 100%"
    )
    screenshot(page, "1-impact-before-publishing")
    assert not ConventionVersion.objects.exists()

    page.get_by_role("button", name="Publish v1").click()
    expect(page.get_by_role("alert").filter(has_text="v1 is published")).to_be_visible()
    expect(page.get_by_test_id("version").first).to_contain_text("v1 · snake")
    expect(page.get_by_test_id("version-changes").first).to_contain_text("First published version")
    screenshot(page, "2-published")


@pytest.mark.postgres
@pytest.mark.redis
def test_admin_changes_the_convention_and_naming_health_follows(
    page, sign_in, screenshot, org, celery_worker_process
):
    checkout, _, dev, _, _ = org
    for name in ["Order Completed", "Product Viewed", "order_refunded"]:
        services.event_register(team=checkout, name=name, by=dev)

    sign_in(page, "admin")
    page.goto("/telemetry/health/")
    row = page.get_by_test_id("health-row").filter(has_text="Checkout")
    expect(row.get_by_test_id("team-share")).to_have_text("67%")
    screenshot(page, "1-health-before")

    page.goto("/telemetry/convention/")
    page.get_by_label("Start from preset").select_option("snake")
    expect(page.get_by_label("Event case")).to_have_value("snake")
    page.get_by_label("Note").fill("Data Platform asked for snake_case to match the warehouse.")
    screenshot(page, "2-convention-editor")
    page.get_by_role("button", name="Preview the impact").click()
    expect(page.get_by_test_id("impact-row").filter(has_text="Checkout")).to_contain_text(
        "67% → 33%"
    )
    page.get_by_role("button", name="Publish v1").click()
    expect(page.get_by_test_id("version").first).to_contain_text("v1 · snake")

    # The real worker re-lints every event; the page shows the new share once it has.
    page.goto("/telemetry/health/")
    share = (
        page.get_by_test_id("health-row").filter(has_text="Checkout").get_by_test_id("team-share")
    )
    for _ in range(40):
        if share.inner_text() == "33%":
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(share).to_have_text("33%")
    screenshot(page, "3-health-after")
    page.goto("/telemetry/teams/checkout/")
    expect(page.get_by_role("link", name="Order Completed")).to_be_visible()
    expect(page.get_by_test_id("warning-group")).to_contain_text("2 events")
    screenshot(page, "4-team-health")


def test_switching_team_rechecks_the_name_with_that_teams_words(page, sign_in, org):
    checkout, search, dev, _, _ = org
    from tests.factories import MembershipFactory

    MembershipFactory(user=dev, team=search)
    conventions.team_vocabulary_save(
        team=search, by=dev, actions={"frobnicate": "frobnicated"}, objects=["voucher"]
    )
    sign_in(page, "dev")
    page.goto("/telemetry/events/new/")
    page.get_by_label("Team").select_option(label="Checkout")
    page.get_by_label("Event name").press_sequentially("Voucher Frobnicated", delay=20)
    check = page.locator("#lint-result")
    expect(check.get_by_test_id("violations")).to_be_visible()
    page.get_by_label("Team").select_option(label="Search")
    expect(check.get_by_test_id("lint-ok")).to_be_visible()


def test_dev_edits_properties_row_by_row(page, sign_in, screenshot, org):
    checkout, search, dev, sam, _ = org
    event = services.event_register(team=checkout, name="Order Completed", by=dev)
    theirs = services.event_register(team=search, name="Plan Viewed", by=sam)
    properties.event_set_properties(
        event=theirs,
        by=sam,
        rows=[{"name": "plan_type", "type": "integer", "description": "Plan id"}],
    )

    sign_in(page, "dev")
    page.goto(f"/telemetry/events/{event.pk}/edit/")
    expect(page.get_by_test_id("no-properties")).to_be_visible()
    add = page.get_by_role("button", name="Add a property")
    add.click()
    first = page.get_by_role("group", name="Property 1")
    first.get_by_label("Name", exact=True).fill("order_id")
    first.get_by_label("Type", exact=True).select_option("string")
    first.get_by_label("Required").check()
    first.get_by_label("Pattern").fill("(o-")
    add.click()
    second = page.get_by_role("group", name="Property 2")
    second.get_by_label("Name", exact=True).fill("plan_type")
    second.get_by_label("Type", exact=True).select_option("string")
    add.click()
    third = page.get_by_role("group", name="Property 3")
    third.get_by_label("Name", exact=True).fill("email")
    third.get_by_label("Personal data").check()
    # What was typed survives adding rows (htmx swaps the rows with the values posted).
    expect(first.get_by_label("Name", exact=True)).to_have_value("order_id")
    page.get_by_role("button", name="Save changes").click()

    errors = page.get_by_test_id("property-errors")
    expect(errors).to_contain_text("Property 1, pattern: Not a regular expression")
    screenshot(page, "1-row-errors")
    page.get_by_role("group", name="Property 1").get_by_label("Pattern").fill(r"^o-\d+$")
    page.get_by_role("button", name="Save changes").click()
    expect(errors).to_contain_text("Property 2, type: “plan_type” is shared by every event")
    expect(errors).to_contain_text("ask Search")

    # Back to the catalogue's type (blank), and the personal-data row is dropped.
    page.get_by_role("group", name="Property 2").get_by_label("Type", exact=True).select_option("")
    page.get_by_role("button", name="Remove property 3 (email)").click()
    expect(page.get_by_role("group", name="Property 3")).to_have_count(0)
    screenshot(page, "2-fixed-rows")
    page.get_by_role("button", name="Save changes").click()

    expect(page.get_by_test_id("event-name")).to_have_text("Order Completed")
    table = page.locator("table").filter(has_text="order_id")
    expect(table).to_contain_text(r"^o-\d+$")
    expect(table).to_contain_text("plan_type")
    expect(table).not_to_contain_text("email")
    screenshot(page, "3-saved")
    page.get_by_role("link", name="plan_type").click()
    expect(page.get_by_test_id("property-type")).to_have_text("integer")
