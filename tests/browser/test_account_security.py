"""Changing one's e-mail address and asking too often for a password reset, in Chromium."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_member_changes_her_address_and_confirms_it_from_the_new_inbox(
    world, page, sign_in, screenshot
):
    sign_in(page, "member")
    page.goto("/accounts/profile/")
    page.get_by_label("Email address").fill("mia.new@example.com")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_test_id("pending-email")).to_contain_text("mia.new@example.com")
    expect(page.get_by_label("Email address")).to_have_value("member@example.com")
    screenshot(page, "pending")

    confirm = re.search(r"http://\S+(/accounts/profile/email/confirm/\S+/)", mail.outbox[0].body)
    page.goto(confirm.group(1))
    screenshot(page, "confirm")
    page.get_by_role("button", name="Use mia.new@example.com").click()
    expect(page.get_by_text("Your e-mail address is now mia.new@example.com")).to_be_visible()
    expect(page.get_by_label("Email address")).to_have_value("mia.new@example.com")
    expect(page.get_by_test_id("pending-email")).to_have_count(0)


def test_the_fourth_reset_request_for_one_address_gets_a_friendly_wait_page(
    world, page, screenshot
):
    for _ in range(4):
        page.goto("/accounts/password-reset/")
        page.get_by_label("Email").fill("member@example.com")
        page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Please wait before asking again")).to_be_visible()
    screenshot(page, "limited")
    assert len(mail.outbox) == 3
