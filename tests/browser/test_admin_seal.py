"""An admin in Chromium, during the feedback window, opens Django admin at a sealed point and cannot read it."""

import pytest
from playwright.sync_api import expect

from strategy import feedback
from tests.strategy.conftest import confirm, make_draft, open_window

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "Payments team is burnt out, nobody says so"


def test_an_admin_cannot_read_sealed_feedback_in_django_admin(world, page, sign_in, screenshot):
    world.admin.is_superuser = True
    world.admin.save(update_fields=["is_superuser"])
    strategy = open_window(make_draft(world), world)
    confirm(strategy, world.member)
    point = feedback.point_create(
        strategy=strategy,
        by=world.member,
        type="concern",
        body=SECRET,
        rationale="Three people left this quarter.",
        is_anonymous=True,
        team=world.team,
    )

    sign_in(page, "admin")
    page.goto("/django-admin/strategy/point/")
    expect(page.get_by_text("0 points")).to_be_visible()
    screenshot(page, "point-list")
    page.goto("/django-admin/strategy/point/?q=burnt")
    expect(page.get_by_text(SECRET)).to_have_count(0)

    # Straight to the point's own pages by its id: admin knows no such point.
    page.goto(f"/django-admin/strategy/point/{point.pk}/change/")
    expect(page.locator(".messagelist")).to_contain_text("doesn’t exist")
    screenshot(page, "point-change")
    assert SECRET not in page.content()
    page.goto(f"/django-admin/strategy/point/{point.pk}/history/")
    assert SECRET not in page.content()

    # The strategy is visible, without the feedback; no disposition can be forged for the point.
    page.goto(f"/django-admin/strategy/strategy/{strategy.pk}/change/")
    expect(page.get_by_role("heading", name="View strategy")).to_be_visible()
    assert SECRET not in page.content()
    screenshot(page, "strategy")
    response = page.goto("/django-admin/strategy/disposition/add/")
    assert response.status == 403
    assert SECRET not in page.content()
