"""In Chromium: an anonymous author finds and withdraws their own point, the owner reads
summaries without names, and voters see only their own dots until voting closes."""

import pytest
from playwright.sync_api import expect

from strategy import feedback
from strategy.models import Point
from tests.browser.test_strategy import browser_as  # noqa: F401 - the fixture
from tests.strategy.conftest import confirm, make_draft, open_window, reveal

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_anonymous_author_keeps_their_voice_and_nobody_else_learns_it(
    world,
    browser_as,  # noqa: F811
    screenshot,  # noqa: F811
):
    strategy = open_window(make_draft(world), world)
    for person in (world.teammate, world.lead):
        confirm(strategy, person)
        feedback.point_create(strategy=strategy, by=person, type="idea", body=f"Idea of {person}.")

    member = browser_as("member")
    member.goto(f"/strategy/{strategy.pk}/feedback/")
    member.get_by_label("In one line: what is the core bet?").fill(
        "Wallets first, to win back mobile payers."
    )
    member.get_by_role("button", name="I have read it").click()
    member.get_by_label("Pushback").check()
    member.get_by_label("Your point").fill("The wallet bet is a vanity project.")
    member.get_by_label("Why", exact=True).fill("Guests cannot pay with wallets.")
    member.get_by_label("Anonymously").check()
    member.get_by_role("button", name="Send feedback").click()
    expect(member.get_by_text("Only you can find it again")).to_be_visible()
    mine = member.get_by_test_id("my-points")
    expect(mine).to_contain_text("The wallet bet is a vanity project.")
    expect(mine.get_by_test_id("my-anonymous")).to_be_visible()
    screenshot(member, "my-anonymous-point")
    assert Point.objects.get(body__startswith="The wallet bet").author_id is None

    # The owner reads the summaries, but not whose they are.
    owner = browser_as("leader")
    owner.goto(f"/strategy/{strategy.pk}/dashboard/")
    expect(owner.get_by_test_id("summaries")).to_contain_text("Wallets first")
    expect(owner.get_by_test_id("summaries")).not_to_contain_text("Mia Member")
    owner.goto(strategy.get_absolute_url())
    expect(owner.get_by_text("The wallet bet is a vanity project.")).to_have_count(0)

    # Second thoughts: the author withdraws it before anyone has read it.
    member.reload()
    member.get_by_test_id("my-points").get_by_role("button", name="Withdraw").click()
    expect(member.get_by_text("Your point is withdrawn")).to_be_visible()
    assert not Point.objects.filter(body__startswith="The wallet bet").exists()

    # After the reveal, a voter sees their own dot and no tally.
    reveal(strategy)
    teammate = browser_as("teammate")
    teammate.goto(f"/strategy/{strategy.pk}/discussion/")
    first = teammate.get_by_test_id("point").first
    first.get_by_role("button", name="Vote").click()
    expect(first.get_by_test_id("my-dot")).to_be_visible()
    expect(teammate.get_by_test_id("vote-count")).to_have_count(0)
    expect(teammate.get_by_test_id("voting-closes")).to_be_visible()
    screenshot(teammate, "own-dots-only")
