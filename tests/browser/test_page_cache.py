"""The page cache in a real browser: a page seen again comes from the cache, and what a person
does (a form post, an htmx mark-read) shows on the very next page, as it would without it."""

import re

import pytest
from playwright.sync_api import expect

from productops.accounts.models import Notification

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def cache_on(settings):
    from django.core.cache import cache

    settings.PAGE_CACHE_SECONDS = 10
    if hasattr(cache, "delete_pattern"):
        cache.delete_pattern("page-cache:*")
    else:
        cache.clear()


def test_what_a_person_does_shows_at_once_on_cached_pages(world, page, sign_in, screenshot):
    for key, title in [("k1", "Interview booked"), ("k2", "Feedback window opens")]:
        Notification.objects.create(recipient=world.member, key=key, title=title)
    sign_in(page, "member")

    page.goto("/accounts/notifications/")
    again = page.goto("/accounts/notifications/")
    assert again.headers.get("x-page-cache") == "hit"
    expect(page.get_by_test_id("unread-count")).to_contain_text("2")

    # htmx marks one read in place; the next full page, and its header count, know it.
    page.locator(".notification.unread").filter(has_text="Interview booked").get_by_role(
        "button", name="Mark read"
    ).click()
    expect(page.locator(".notification.unread")).to_have_count(1)
    page.reload()
    expect(page.get_by_test_id("unread-count")).to_contain_text("1")
    expect(page.locator(".notification.unread")).to_have_count(1)

    page.get_by_role("button", name="Mark all read").click()
    expect(page.get_by_text("Marked 1 notification as read.")).to_be_visible()
    expect(page.get_by_test_id("unread-count")).to_have_count(0)
    screenshot(page, "all-read")
    # The flash message was shown once; the page seen again no longer carries it.
    page.reload()
    expect(page.get_by_text("Marked 1 notification as read.")).to_have_count(0)
    expect(page.locator(".notification.unread")).to_have_count(0)

    # A page opened from the cache still runs its scripts under the CSP (checked at teardown).
    page.goto("/telemetry/")
    cached = page.goto("/telemetry/")
    assert cached.headers.get("x-page-cache") == "hit"
    # The same search twice: the second results fragment may come from the cache, and it is
    # still only the fragment, swapped into the page once.
    search = page.get_by_label("Search names and descriptions")
    for text in ("checkout", "signup", "checkout"):
        search.fill("")
        search.press_sequentially(text, delay=10)
        expect(page).to_have_url(re.compile(rf"q={text}"), timeout=10_000)
        expect(page.locator("#results")).to_have_count(1)
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
