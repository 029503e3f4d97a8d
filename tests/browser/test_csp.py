"""The portal under its Content-Security-Policy in Chromium: every main page, Django admin and
the API docs work, and the csp_violations fixture (tests/conftest.py) would fail on any breach."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from research.models import ResearchRequest
from strategy.models import Strategy

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_watch_catches_an_inline_script_blocked_by_the_policy(page, csp_violations):
    page.route(
        "**/csp-probe",
        lambda route: route.fulfill(
            status=200,
            headers={"Content-Security-Policy": "script-src 'self'"},
            content_type="text/html",
            body="<p>probe</p><script>document.title = 'ran'</script>",
        ),
    )
    page.goto("/csp-probe")
    expect(page.get_by_text("probe")).to_be_visible()
    page.wait_for_timeout(200)
    assert page.title() != "ran"
    assert any("script-src" in v for v in csp_violations), csp_violations
    csp_violations.clear()  # this test provoked them on purpose


def test_the_main_pages_admin_and_api_docs_run_without_breaching_the_policy(
    page, sign_in, screenshot
):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    sign_in(page, "admin", "demo")
    strategy = Strategy.objects.filter(phase="final").first()
    research_request = ResearchRequest.objects.first()
    pages = [
        "/",
        "/telemetry/",
        "/telemetry/health/",
        "/telemetry/drift/",
        "/telemetry/teams/checkout/drift/",
        "/telemetry/convention/",
        "/telemetry/properties/",
        "/strategy/",
        strategy.get_absolute_url(),
        f"/strategy/{strategy.pk}/you-said-we-did/",
        f"/strategy/{strategy.pk}/dashboard/",
        "/research/",
        "/research/panel/",
        "/research/health/",
        f"/research/requests/{research_request.pk}/" if research_request else "/research/",
        "/accounts/profile/",
        "/accounts/notifications/",
        "/accounts/teams/",
        "/accounts/audit/",
        "/django-admin/",
        "/django-admin/accounts/user/",
        "/django-admin/accounts/user/add/",
    ]
    for path in pages:
        response = page.goto(path)
        assert response.status == 200, path
        expect(page.locator("h1").first).to_be_visible()

    # The bars take their widths from classes now, not style attributes.
    page.goto("/telemetry/health/")
    bar = page.locator(".progress-bar").first
    expect(bar).to_be_visible()
    assert bar.evaluate("el => el.getBoundingClientRect().width") > 0
    screenshot(page, "telemetry-health")

    # Bootstrap's dropdown still opens (its script is a static file).
    page.get_by_role("button", name="Alex Admin").click()
    expect(page.get_by_role("link", name="Profile & API tokens")).to_be_visible()

    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("ProductOps Portal API")
    expect(page.locator(".opblock").first).to_be_visible()
    screenshot(page, "swagger")

    page.goto("/api/redoc/")
    # ReDoc lays out the whole schema (~17,000 lines) in the browser before it shows anything:
    # seconds on a busy 2-core machine, so it gets more than the default 5 s.
    expect(page.get_by_role("heading", name="ProductOps Portal API").first).to_be_visible(
        timeout=30_000
    )
    expect(page.get_by_role("menuitem").first).to_be_visible()


def test_the_version_picker_switches_versions_without_inline_handlers(page, sign_in):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    final = Strategy.objects.filter(phase="final").first()
    sign_in(page, "ceo", "demo")
    page.goto(final.get_absolute_url())
    picker = page.locator("select#v")
    # The demo's final strategy has two versions (README), so the picker is there to use.
    assert picker.count() == 1
    first = picker.locator("option").last.get_attribute("value")
    picker.select_option(first)
    page.wait_for_url(f"**v={first}")
    expect(page.get_by_text(f"Version {first}", exact=False).first).to_be_visible()


def test_error_pages_show_the_layout_the_reason_and_a_way_on(page, sign_in, screenshot, world):
    from telemetry import services as telemetry_services

    event = telemetry_services.event_register(
        team=world.other_team, name="Search Performed", by=world.outsider
    )
    sign_in(page, "member")
    page.goto("/telemetry/")
    response = page.goto(f"/telemetry/events/{event.pk}/edit/")
    assert response.status == 403
    expect(page.get_by_test_id("error-reason")).to_have_text(
        "Only members of Search can change this event."
    )
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    screenshot(page, "403")
    page.get_by_role("link", name="Back to Telemetry").click()
    page.wait_for_url("**/telemetry/")

    response = page.goto("/telemetry/events/999999/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("We can’t find that page")
    screenshot(page, "404")
    page.get_by_role("link", name="Go to the home page").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you")


def test_no_page_asks_for_a_missing_favicon(page, sign_in, world):
    missing = []
    page.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)
    sign_in(page, "member")
    page.goto("/telemetry/")
    favicon = page.request.get("/favicon.ico")
    assert favicon.ok
    assert "svg" in favicon.headers["content-type"]
    assert missing == []
