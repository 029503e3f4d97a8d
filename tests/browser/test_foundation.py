"""The foundation in a real browser: sign in, move through the navigation, manage API tokens."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from productops.accounts.models import ApiToken

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_member_signs_in_moves_through_the_navigation_and_manages_a_token(
    world, page, sign_in, screenshot
):
    sign_in(page, "member")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you, Mia Member")
    expect(page.get_by_role("heading", name="My teams")).to_be_visible()
    screenshot(page, "home")

    nav = page.get_by_role("navigation", name="Main")
    for label, path in [
        ("Telemetry", "/telemetry/"),
        ("Strategy", "/strategy/"),
        ("Research", "/research/"),
        ("Teams", "/accounts/teams/"),
    ]:
        nav.get_by_role("link", name=label, exact=True).click()
        page.wait_for_url(f"**{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        expect(nav.get_by_role("link", name=label, exact=True)).to_have_class(re.compile("active"))
    expect(nav.get_by_role("link", name="Audit log")).to_have_count(0)

    page.get_by_role("button", name="Mia Member").click()
    page.get_by_role("link", name="Profile & API tokens").click()
    page.get_by_label("Token name").fill("CI lint job")
    page.get_by_role("button", name="Create token").click()
    secret = page.locator("#new-token-value")
    expect(secret).to_contain_text("pop_")
    expect(page.get_by_test_id("token-row")).to_have_count(1)
    screenshot(page, "token-created")
    raw = secret.inner_text().strip()
    assert ApiToken.objects.get(user=world.member).token_hash == ApiToken.hash(raw)

    # The secret is shown once: a reload no longer shows it.
    page.reload()
    expect(page.locator("#new-token-value")).to_have_count(0)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke CI lint job").click()
    expect(page.get_by_test_id("token-row")).to_contain_text("revoked")
    assert ApiToken.objects.get(user=world.member).revoked_at is not None
    screenshot(page, "token-revoked")

    page.get_by_role("button", name="Mia Member").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_a_wrong_password_shows_one_clear_message(world, page, screenshot):
    page.goto("/accounts/sign-in/")
    page.get_by_label("Username").fill("member")
    page.get_by_label("Password").fill("not-my-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("That username and password do not match")).to_be_visible()
    screenshot(page, "wrong-password")


ROLE_NAVIGATION = [
    ("admin", True, True),
    ("ceo", False, False),
    ("rita", False, False),
    ("dev", False, False),
]


def test_each_demo_sign_in_sees_the_navigation_its_role_allows(
    _playwright_browser, live_server, sign_in, screenshot
):
    call_command("seed_demo")
    for username, sees_audit_log, sees_django_admin in ROLE_NAVIGATION:
        context = _playwright_browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 860}
        )
        page = context.new_page()
        sign_in(page, username, "demo")
        nav = page.get_by_role("navigation", name="Main")
        for label in ["Home", "Telemetry", "Strategy", "Research", "Teams"]:
            expect(nav.get_by_role("link", name=label, exact=True)).to_be_visible()
        expect(nav.get_by_role("link", name="Audit log")).to_have_count(1 if sees_audit_log else 0)
        nav.locator("#user-menu").click()
        expect(page.get_by_role("link", name="Django admin")).to_have_count(
            1 if sees_django_admin else 0
        )
        screenshot(page, username)
        if sees_audit_log:
            nav.get_by_role("link", name="Audit log").click()
            expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
        context.close()
