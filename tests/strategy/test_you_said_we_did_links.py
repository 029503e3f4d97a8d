"""“You said, we did” links a change only where the anchored section really changed."""

import pytest
from django.urls import reverse

from strategy import feedback, services
from strategy.models import Strategy
from tests.strategy.conftest import confirm, make_draft, open_window, reveal

pytestmark = pytest.mark.django_db

REASON = "We sharpened the diagnosis with the Android numbers."


@pytest.fixture
def answered(world):
    strategy = open_window(make_draft(world), world)
    confirm(strategy, world.member)
    point = feedback.point_create(
        strategy=strategy,
        by=world.member,
        type="pushback",
        body="The diagnosis ignores Android.",
        rationale="Android abandonment doubled.",
        section_key="diagnosis",
    )
    reveal(strategy)
    services.disposition_set(
        point=point, by=world.leader, status="adapted", reason=REASON, section_key="diagnosis"
    )
    return strategy


def publish(strategy, by, summary, **changes):
    Strategy.objects.filter(pk=strategy.pk).update(**changes)
    strategy.refresh_from_db()
    services.version_publish(strategy=strategy, by=by, change_summary=summary)


def ysw(client, strategy):
    return client.get(reverse("strategy:you_said_we_did", args=[strategy.pk])).content.decode()


def test_no_link_when_the_section_did_not_change(answered, world, client_as):
    publish(answered, world.leader, "Policy only", guiding_policy="Phones first, always.")
    page = ysw(client_as(world.leader), answered)
    assert "See the change in version 2" not in page
    assert 'data-testid="ysw-no-change"' in page


def test_the_link_points_at_the_version_where_the_section_changed(answered, world, client_as):
    publish(answered, world.leader, "Policy only", guiding_policy="Phones first, always.")
    publish(
        answered,
        world.leader,
        "Diagnosis",
        diagnosis="Conversion fell 4 points; Android abandonment doubled.",
    )
    page = ysw(client_as(world.leader), answered)
    assert "See the change in version 3" in page and "?a=1&amp;b=3#s-diagnosis" in page
    diff = (
        client_as(world.leader)
        .get(reverse("strategy:diff", args=[answered.pk]) + "?a=1&b=3")
        .content.decode()
    )
    assert 'id="s-diagnosis"' in diff
