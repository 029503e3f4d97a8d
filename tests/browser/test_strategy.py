"""The strategy journey in Chromium: publish, blind feedback from two teams, reveal, votes,
every point answered, version 2 with its diff, final, and "you said, we did"."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from strategy import notifications
from strategy.models import Point, ReadReceipt, Strategy
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people(world):
    UserFactory(
        username="ceo", display_name="Cora Chen", is_leadership=True, time_zone="America/New_York"
    )
    return world


@pytest.fixture
def browser_as(page, live_server, sign_in):
    """browser_as(username) -> a page in its own browser context, signed in."""
    pages = {}

    def open_as(username):
        if username not in pages:
            context = page.context.browser.new_context(
                base_url=live_server.url,
                viewport={"width": 1280, "height": 900},
                timezone_id="Europe/Berlin",
            )
            context.set_default_timeout(10_000)
            pages[username] = context.new_page()
            sign_in(pages[username], username)
        return pages[username]

    yield open_as
    for p in pages.values():
        p.context.close()


def _read_everything(pg):
    for section in pg.locator("[data-section-key]").all():
        section.locator(".section-end").scroll_into_view_if_needed()
    pg.wait_for_timeout(600)


def test_the_whole_strategy_journey(people, browser_as, screenshot):
    # The CEO drafts and publishes; the window opens.
    ceo = browser_as("ceo")
    ceo.goto("/strategy/")
    ceo.get_by_role("link", name="New strategy").click()
    ceo.get_by_label("Title").fill("Checkout 2027")
    ceo.get_by_label("Checkout").check()
    ceo.get_by_label("Search").check()
    ceo.get_by_label("Diagnosis").fill("Mobile conversion fell from 61% to 54% in a year.")
    ceo.get_by_label("Guiding policy").fill(
        "Make paying on a phone effortless before building anything new."
    )
    ceo.get_by_label("Bets and what we give up").fill(
        "### Wallets first\n\nApple Pay and Google Pay by default.\n\n### What we give up\n\nNo new markets in H1."
    )
    ceo.get_by_label("Options considered").fill("Status quo; wallets first; a full rewrite.")
    ceo.get_by_label("What would have to be true").fill("Most mobile buyers have a wallet set up.")
    ceo.get_by_role("button", name="Save working copy").click()
    expect(ceo.get_by_text("unpublished working copy")).to_be_visible()
    ceo.get_by_role("link", name="Publish & open for feedback").click()
    closes = timezone.localtime(
        timezone.now() + timedelta(days=3), timezone=timezone.get_fixed_timezone(-300)
    )
    ceo.get_by_label("Feedback window closes").fill(closes.strftime("%Y-%m-%dT%H:%M"))
    screenshot(ceo, "publish")
    ceo.get_by_role("button", name="Publish version 1 and open the window").click()
    expect(ceo.get_by_text("the feedback window is open")).to_be_visible()
    strategy = Strategy.objects.get()
    assert strategy.phase == "feedback"

    # Two teams read and give feedback blind.
    member = browser_as("member")
    member.goto("/strategy/")
    member.get_by_test_id("needs-feedback").get_by_role("link", name="Checkout 2027").click()
    _read_everything(member)
    expect(member.locator("#read-count")).to_have_text("7")
    member.reload()
    # The beacon reported every section the reader scrolled past; the server remembers.
    expect(member.locator("#read-count")).to_have_text("7")
    assert ReadReceipt.objects.filter(user__username="member").exclude(section_key="").count() == 7
    member.get_by_label("In one line: what is the core bet?").fill(
        "Wallets first, to win back mobile payers."
    )
    member.get_by_role("button", name="I have read it").click()
    member.get_by_label("Pushback").check()
    member.get_by_label("About").select_option(label="Guiding policy")
    member.get_by_label("Your point").fill("Wallets alone will not fix guest checkout.")
    member.get_by_label("Why", exact=True).fill("A third of buyers never sign in.")
    screenshot(member, "feedback-form")
    member.get_by_role("button", name="Send feedback").click()
    expect(member.get_by_text("It stays private until the window closes")).to_be_visible()

    outsider = browser_as("outsider")
    outsider.goto(strategy.get_absolute_url())
    _read_everything(outsider)
    outsider.get_by_label("In one line: what is the core bet?").fill(
        "Phones first: wallets as the default."
    )
    outsider.get_by_role("button", name="I have read it").click()
    # Selecting a passage anchors the feedback to it.
    outsider.goto(strategy.get_absolute_url())
    outsider.get_by_text("Apple Pay and Google Pay by default.").click(click_count=3)
    outsider.get_by_role("link", name="Give feedback on the selected passage").click()
    expect(outsider.get_by_label("Quoted passage (optional)")).to_have_value(
        "Apple Pay and Google Pay by default."
    )
    expect(outsider.get_by_label("About")).to_have_value("wallets-first")
    outsider.get_by_label("Concern").check()
    outsider.get_by_label("Your point").fill(
        "Search traffic on phones lands on slow product pages."
    )
    outsider.get_by_label("Why", exact=True).fill("Page speed, not payment, may be the bottleneck.")
    outsider.get_by_role("button", name="Send feedback").click()
    expect(
        outsider.get_by_text("Search traffic on phones lands on slow product pages.")
    ).to_be_visible()
    expect(outsider.get_by_text("Wallets alone will not fix guest checkout.")).to_have_count(0)
    expect(outsider.get_by_test_id("total-points")).to_have_text("2")
    screenshot(outsider, "blind-window")
    member.goto(strategy.get_absolute_url())
    expect(member.get_by_text("Wallets alone will not fix guest checkout.")).to_be_visible()
    expect(member.get_by_text("Search traffic on phones")).to_have_count(0)
    ceo.goto(strategy.get_absolute_url())
    expect(ceo.get_by_text("Wallets alone will not fix")).to_have_count(0)
    ceo.goto(f"/strategy/{strategy.pk}/dashboard/")
    expect(ceo.get_by_test_id("summaries")).to_contain_text("Phones first: wallets as the default.")
    expect(ceo.get_by_test_id("summaries")).to_contain_text(
        "Wallets first, to win back mobile payers."
    )
    screenshot(ceo, "dashboard")

    # The window closes (time passes; the beat sweep reveals).
    Strategy.objects.filter(pk=strategy.pk).update(
        feedback_opens_at=timezone.now() - timedelta(days=3),
        feedback_closes_at=timezone.now() - timedelta(minutes=1),
    )
    assert notifications.windows_close_due() == 1

    # Everything is revealed together; votes are cast.
    teammate = browser_as("teammate")
    teammate.goto(f"/strategy/{strategy.pk}/discussion/")
    expect(teammate.get_by_test_id("point")).to_have_count(2)
    expect(teammate.get_by_test_id("votes-left")).to_have_text("5")
    for point in teammate.get_by_test_id("point").all():
        point.get_by_role("button", name="Vote").click()
        expect(point.get_by_role("button", name="Voted · take back")).to_be_visible()
    expect(teammate.get_by_test_id("votes-left")).to_have_text("3")
    screenshot(teammate, "discussion-votes")
    assert sorted(Point.objects.values_list("vote_count", flat=True)) == [1, 1]

    # The owner answers every point.
    ceo.goto(f"/strategy/{strategy.pk}/discussion/")
    expect(ceo.get_by_test_id("undisposed-banner")).to_contain_text("2 pushbacks")
    pushback = ceo.locator("[data-testid=point]", has_text="Wallets alone will not fix")
    pushback.get_by_label("Disposition").select_option("adapted")
    pushback.get_by_label("Reason").fill("Guest buyers get wallets too, without signing in.")
    pushback.get_by_label("Changed where").select_option(label="Guiding policy")
    pushback.get_by_role("button", name="Save").click()
    concern = ceo.locator("[data-testid=point]", has_text="Search traffic on phones")
    concern.get_by_label("Disposition").select_option("declined")
    concern.get_by_label("Reason").fill("Page speed is tracked in the performance strategy.")
    concern.get_by_role("button", name="Save").click()
    expect(ceo.get_by_test_id("undisposed-banner")).to_contain_text(
        "Every pushback, concern and alternative has a disposition"
    )
    screenshot(ceo, "dispositions")

    # Version 2 with the diff.
    ceo.goto(f"/strategy/{strategy.pk}/edit/")
    ceo.get_by_label("Guiding policy").fill(
        "Make paying on a phone effortless before building anything new, for guests as well as signed-in buyers."
    )
    ceo.get_by_role("button", name="Save working copy").click()
    ceo.get_by_role("link", name="Publish new version").click()
    ceo.get_by_label("Change summary").fill("Guests get wallets too.")
    ceo.get_by_role("button", name="Publish").click()
    expect(ceo.get_by_test_id("change-summary")).to_have_text("Guests get wallets too.")
    member.goto(strategy.get_absolute_url())
    expect(member.get_by_test_id("since-last-read")).to_be_visible()
    member.get_by_role("link", name="See what changed since then").click()
    expect(member.get_by_test_id("diff-section")).to_have_count(1)
    expect(member.get_by_test_id("diff-section")).to_contain_text(
        "for guests as well as signed-in buyers"
    )
    screenshot(member, "diff")

    # Final, and "you said, we did".
    ceo.goto(f"/strategy/{strategy.pk}/dashboard/")
    ceo.get_by_role("button", name="Move to: Final").click()
    expect(ceo.get_by_role("heading", name="You said, we did")).to_be_visible()
    member.goto(f"/strategy/{strategy.pk}/you-said-we-did/")
    items = member.get_by_test_id("ysw-item")
    expect(items).to_have_count(2)
    expect(
        member.locator("[data-testid=ysw-item]", has_text="Wallets alone will not fix")
    ).to_contain_text("Adapted")
    expect(
        member.locator("[data-testid=ysw-item]", has_text="Search traffic on phones")
    ).to_contain_text("Declined")
    expect(
        member.locator("[data-testid=ysw-item]", has_text="Wallets alone will not fix").get_by_role(
            "link", name="See the change in version 2"
        )
    ).to_be_visible()
    screenshot(member, "you-said-we-did")
