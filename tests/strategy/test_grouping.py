"""Similar points grouped after the reveal, answered once, split by the owner."""

import pytest
from django.urls import reverse

from strategy import feedback, grouping
from strategy.models import Disposition, Point
from tests.strategy.conftest import confirm, make_draft, open_window, reveal

pytestmark = pytest.mark.django_db

REASON = "Wallet fees are fixed by contract for two years, so margins hold."


@pytest.fixture
def similar(world):
    strategy = open_window(make_draft(world), world)
    texts = [
        (world.member, "concern", "Wallet fees will eat the margin on small orders."),
        (world.teammate, "pushback", "The margin on small orders gets eaten by wallet fees."),
        (world.outsider, "risk", "Small orders lose their margin to wallet fees."),
        (world.lead, "concern", "Guest buyers never sign in, so they have no saved wallet."),
    ]
    for user, kind, body in texts:
        confirm(strategy, user)
        feedback.point_create(
            strategy=strategy, by=user, type=kind, body=body, rationale="Numbers from finance."
        )
    return reveal(strategy)


def test_the_owner_groups_answers_once_and_splits(similar, world, client_as):
    client = client_as(world.leader)
    client.post(reverse("strategy:groups_build", args=[similar.pk]))
    groups = grouping.groups_for(similar)
    assert len(groups) == 1 and len(groups[0].members) == 3
    html = client.get(reverse("strategy:dashboard", args=[similar.pk])).content.decode()
    assert html.count('data-testid="group-member"') == 3

    outsider_point = Point.objects.get(author=world.outsider)
    client.post(reverse("strategy:group_split", args=[outsider_point.public_id]))
    outsider_point.refresh_from_db()
    assert outsider_point.group is None and outsider_point.kept_apart
    client.post(reverse("strategy:groups_build", args=[similar.pk]))
    assert len(grouping.groups_for(similar)[0].members) == 2  # never regrouped

    group = grouping.groups_for(similar)[0]
    client.post(
        reverse("strategy:group_answer", args=[group.public_id]),
        {"status": "declined", "reason": "no"},
    )
    assert not Disposition.objects.exists()  # a short reason: nothing answered, all or none
    client.post(
        reverse("strategy:group_answer", args=[group.public_id]),
        {"status": "declined", "reason": REASON},
    )
    answered = Disposition.objects.values_list("point__author__username", flat=True)
    assert sorted(answered) == ["member", "teammate"]


def test_only_the_owner_groups_or_answers(similar, world, client_as):
    grouping.groups_build(strategy=similar, by=world.leader)
    group = grouping.groups_for(similar)[0]
    member = client_as(world.member)
    assert member.post(reverse("strategy:groups_build", args=[similar.pk])).status_code == 403
    resp = member.post(
        reverse("strategy:group_answer", args=[group.public_id]),
        {"status": "declined", "reason": REASON},
    )
    assert resp.status_code == 403 and not Disposition.objects.exists()


def test_nothing_is_grouped_before_the_reveal(world):
    strategy = open_window(make_draft(world), world)
    with pytest.raises(Exception, match="after the reveal"):
        grouping.groups_build(strategy=strategy, by=world.leader)
    assert grouping.groups_for(strategy) == []
