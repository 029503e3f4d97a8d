"""The demo strategies read well in a browser: the open window as a team member, the final one's record."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from strategy.models import Strategy

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_strategies_tell_their_story(page, live_server, sign_in, screenshot):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    open_one, final = Strategy.objects.get(phase="feedback"), Strategy.objects.get(phase="final")
    sign_in(page, "dev", "demo")
    page.goto("/strategy/")
    expect(page.get_by_test_id("needs-feedback")).to_contain_text(open_one.title)
    screenshot(page, "index")
    page.goto(open_one.get_absolute_url())
    expect(page.get_by_text("Does “mobile” include the mobile web")).to_be_visible()
    expect(page.get_by_text("Both: the apps and the mobile web.")).to_be_visible()
    expect(page.get_by_text("Wallets alone will not fix guest checkout")).to_have_count(0)
    screenshot(page, "open-window")
    # Leadership sees every strategy; dev's team was not in the search strategy's audience.
    page = page.context.browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 860}
    ).new_page()
    sign_in(page, "ceo", "demo")
    page.goto(f"/strategy/{final.pk}/you-said-we-did/")
    expect(page.get_by_test_id("ysw-item")).to_have_count(3)
    screenshot(page, "you-said-we-did")
    page.goto(f"/strategy/{final.pk}/diff/?a=1&b=2")
    expect(page.get_by_test_id("diff-section").first).to_be_visible()
    screenshot(page, "diff")
    page.context.close()
