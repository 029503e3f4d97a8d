"""In Chromium, two people in one review session: a leader facilitating and a team member.

Positions are sealed, revealed together, the leader's after the member's; the question queue
updates in the other browser; the outcome is recorded and shows for everyone."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_strategy import browser_as  # noqa: F401 - the fixture
from tests.strategy.reviews_world import make_session, split_strategy

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_leader_and_a_member_run_a_review_session(world, browser_as, screenshot):  # noqa: F811
    strategy, *_ = split_strategy(world)
    session = make_session(strategy, world)
    url = f"/strategy/sessions/{session.public_id}/"

    leader = browser_as("leader")
    leader.goto(url)
    expect(leader.get_by_test_id("agenda-item")).to_have_count(3)
    leader.get_by_role("button", name="Start the session").click()
    expect(leader.get_by_test_id("live-item")).to_be_visible()
    expect(leader.get_by_test_id("timer")).to_contain_text(":")

    member = browser_as("member")
    member.goto(url)
    item_title = leader.get_by_test_id("live-item").inner_text()
    expect(member.get_by_test_id("live-item")).to_have_text(item_title)

    # Both record a private position; neither sees the other's.
    form = member.get_by_test_id("position-form")
    form.get_by_label("Block").check()
    form.get_by_label("Why, in one line").fill("Wallet fees eat the margin")
    form.get_by_role("button", name="Record").click()
    expect(member.get_by_test_id("my-position")).to_contain_text("Wallet fees eat the margin")

    form = leader.get_by_test_id("position-form")
    form.get_by_label("Support").check()
    form.get_by_label("Why, in one line").fill("Mobile payers need it now")
    form.get_by_role("button", name="Record").click()
    expect(leader.get_by_test_id("positions-sealed")).to_contain_text("2 positions recorded")
    expect(leader.get_by_text("Wallet fees eat the margin")).to_have_count(0)
    expect(member.get_by_test_id("positions-sealed")).to_contain_text("2 positions recorded")
    expect(member.get_by_text("Mobile payers need it now")).to_have_count(0)
    screenshot(member, "sealed")

    # A question from the member reaches the leader's screen; the leader's upvote reaches back.
    member.get_by_label("Your question").fill("What do wallet fees cost us per order?")
    member.get_by_role("button", name="Ask").click()
    leader_q = leader.get_by_test_id("question").filter(has_text="What do wallet fees cost")
    expect(leader_q).to_be_visible(timeout=6000)
    leader_q.get_by_role("button", name="Upvote").click()
    expect(
        member.get_by_test_id("question")
        .filter(has_text="What do wallet fees cost")
        .get_by_test_id("question-votes")
    ).to_have_text("1", timeout=6000)

    # Revealed together: everyone's but the leaders' first.
    leader.get_by_role("button", name="Reveal positions").click()
    expect(member.get_by_test_id("position")).to_contain_text(
        "Wallet fees eat the margin", timeout=6000
    )
    expect(member.get_by_test_id("leaders-pending")).to_be_visible()
    expect(member.get_by_test_id("position-leader")).to_have_count(0)
    screenshot(member, "others-revealed")
    leader.get_by_role("button", name="Reveal leaders' positions").click()
    expect(member.get_by_test_id("position-leader")).to_contain_text(
        "Mobile payers need it now", timeout=6000
    )

    # The outcome is recorded on the spot and shows for everyone.
    outcome = leader.get_by_test_id("outcome-form")
    outcome.get_by_label("Decision").fill("Pilot wallets in one market first")
    outcome.get_by_label("Owner (username)").fill("member")
    outcome.get_by_label("Follow-up").fill("Fee study by Friday")
    outcome.get_by_role("button", name="Record outcome").click()
    expect(member.get_by_test_id("live-outcome")).to_contain_text(
        "Pilot wallets in one market first", timeout=6000
    )
    screenshot(leader, "outcome")


def test_the_review_pages_of_the_demo_run_under_the_policy(page, sign_in, screenshot):
    from django.core.management import call_command

    from strategy.demo import FINAL_TITLE, REVIEW_TITLE
    from strategy.models import ReviewSession, Strategy

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    review = Strategy.objects.get(title=REVIEW_TITLE)
    final = Strategy.objects.get(title=FINAL_TITLE)
    session = ReviewSession.objects.get(strategy=review)
    sign_in(page, review.owner.username, "demo")
    for url, name in [
        (f"/strategy/{review.pk}/assumptions/", "assumptions"),
        (f"/strategy/{review.pk}/disagreement/", "disagreement"),
        (f"/strategy/{review.pk}/sessions/", "sessions"),
        (f"/strategy/sessions/{session.public_id}/", "session"),
        (f"/strategy/{final.pk}/decision/", "decision"),
    ]:
        page.goto(url)
        expect(page.locator("h1")).to_be_visible()
        screenshot(page, name)
    page.goto(f"/strategy/{review.pk}/disagreement/")
    expect(page.get_by_test_id("disagreement-row").first).to_be_visible()
    page.goto(f"/strategy/{final.pk}/decision/")
    expect(page.get_by_test_id("dissent")).to_have_count(1)
