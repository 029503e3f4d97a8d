"""Booking in a real browser: a participant in São Paulo opens the e-mail link, books, moves it."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from research import invitations
from research.models import Booking
from tests.factories import MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _study():
    from types import SimpleNamespace

    from tests.research.scheduling_world import scheduling_world

    team = TeamFactory(name="Growth", slug="growth")
    rita = UserFactory(username="researcher", display_name="Rita Researcher", is_researcher=True)
    MembershipFactory(user=rita, team=team)
    return scheduling_world(SimpleNamespace(team=team, researcher=rita), selected=2, standby=0)


def test_a_participant_books_from_the_email_link_and_moves_the_session(
    _playwright_browser, live_server, screenshot
):
    w = _study()
    with_sent = invitations.invitations_send(request=w.request, by=w.researcher)
    assert len(with_sent.sent) == 2
    message = next(m for m in mail.outbox if m.to == [w.people[0].email])
    path = re.search(r"http://[^/\s]+(/research/book/\S+/)", message.body).group(1)

    context = _playwright_browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1100, "height": 900},
        timezone_id="America/Sao_Paulo",
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(path)
    # The browser's zone is detected (the participant's stored zone is New York).
    expect(page.locator("#tz")).to_have_value("America/Sao_Paulo")
    screenshot(page, "1-slots")
    first = page.locator("input[name=slot]").first
    value = first.get_attribute("value")
    local_label = page.locator(f"label[for={first.get_attribute('id')}]").inner_text()
    start = timezone.datetime.fromisoformat(value)
    assert start.astimezone(ZoneInfo("America/Sao_Paulo")).strftime("%H:%M") == local_label
    # Pick a slot beyond the reschedule cut-off.
    later = page.locator("input[name=slot]").nth(12)
    later.check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your session")
    screenshot(page, "2-confirm")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your session is confirmed")
    expect(page.get_by_test_id("confirmed-time")).to_contain_text("America/Sao_Paulo")
    screenshot(page, "3-confirmed")
    booking = Booking.objects.get(status="confirmed")
    assert booking.time_zone == "America/Sao_Paulo"
    assert any(m.attachments for m in mail.outbox if m.to == [w.people[0].email])

    page.get_by_role("link", name="Move it").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Move your session")
    page.locator("input[name=slot]").nth(20).check()
    page.get_by_role("button", name="Move my session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your session is confirmed")
    screenshot(page, "4-moved")
    booking.refresh_from_db()
    assert booking.sequence == 1 and booking.starts_at > timezone.now() + timedelta(hours=12)

    # The same link again shows the booking; a tampered one gets a clear page.
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your session is confirmed")
    page.goto(path[:-5] + "xxxx/")
    expect(page.get_by_test_id("link-error")).to_be_visible()
    screenshot(page, "5-tampered")
    context.close()


def test_rita_publishes_availability_invites_and_sees_the_booking_in_her_calendar(
    page, sign_in, screenshot, live_server
):
    w = _study()
    w.researcher.set_password("pw-rita-123")
    w.researcher.username = "rita"
    w.researcher.save()
    sign_in(page, "rita", "pw-rita-123")
    page.goto("/research/availability/")
    page.get_by_label("Weekly").fill(
        "Mon 09:00-12:00\nTue 09:00-12:00\nWed 09:00-12:00\nThu 09:00-12:00\nFri 09:00-12:00"
    )
    page.get_by_role("button", name="Save availability").click()
    expect(page.get_by_text("Availability saved")).to_be_visible()
    page.goto(f"/research/requests/{w.request.pk}/schedule/")
    page.get_by_label("Invite the next (empty: all selected)").fill("1")
    page.get_by_role("button", name="Send invitations").click()
    expect(page.get_by_text("1 invitation(s) sent.")).to_be_visible()
    screenshot(page, "schedule")
    message = next(m for m in mail.outbox if m.to != ["rita@example.com"])
    path = re.search(r"http://[^/\s]+(/research/book/\S+/)", message.body).group(1)
    participant = _playwright_browser_context(page)
    participant.goto(path + "?tz=Asia/Kolkata")
    participant.locator("input[name=slot]").nth(12).check()
    participant.get_by_role("button", name="Continue").click()
    participant.get_by_role("button", name="Confirm").click()
    expect(participant.get_by_role("heading", level=1)).to_have_text("Your session is confirmed")
    page.goto("/research/calendar/")
    expect(page.get_by_test_id("calendar")).to_contain_text("Checkout friction interviews")
    screenshot(page, "calendar")


def _playwright_browser_context(page):
    # A separate browser context: the participant has no portal session.
    context = page.context.browser.new_context(base_url=page.url.split("/research")[0])
    return context.new_page()
