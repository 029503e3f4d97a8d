"""Only the audience teams, leadership (and the owner, delegates, admins) see a strategy."""

import pytest
from django.urls import reverse

from strategy import feedback, services
from strategy.models import PAGES, Point
from tests.factories import UserFactory
from tests.strategy.conftest import confirm, open_window, reveal

pytestmark = pytest.mark.django_db


@pytest.fixture
def narrow(world):
    """A strategy for the Checkout team only: the outsider (Search) is not its audience."""
    return open_window(_checkout_only(world), world)


def _checkout_only(world):
    return services.strategy_create(
        by=world.leader,
        title="Checkout only",
        audience_teams=[world.team],
        **{k: "text" for k in ("diagnosis", "guiding_policy", "bets", "options", "assumptions")},
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("member", 200),
        ("teammate", 200),
        ("lead", 200),
        ("leader", 200),
        ("admin", 200),
        ("outsider", 404),
        ("researcher", 404),
    ],
)
def test_the_strategy_page_per_role(world, client_as, narrow, role, status):
    assert client_as(getattr(world, role)).get(narrow.get_absolute_url()).status_code == status
    assert (
        client_as(getattr(world, role))
        .get(reverse("api:strategy-detail", args=[narrow.pk]))
        .status_code
        == status
    )


def test_other_leadership_sees_it_too(world, client_as, narrow):
    other_leader = UserFactory(username="cfo", is_leadership=True)
    assert client_as(other_leader).get(narrow.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("role", ["member", "leader", "admin", "outsider"])
def test_a_draft_is_seen_only_by_its_owner_and_delegates(world, client_as, role):
    draft = _checkout_only(world)
    delegate = UserFactory(username="delegate")
    draft.delegates.add(delegate)
    expected = 200 if role == "leader" else 404
    assert client_as(getattr(world, role)).get(draft.get_absolute_url()).status_code == expected
    assert client_as(delegate).get(draft.get_absolute_url()).status_code == 200


def test_every_page_refuses_an_outsider(world, client_as, narrow):
    confirm(narrow, world.member)
    point = feedback.point_create(strategy=narrow, by=world.member, type="idea", body="An idea")
    reveal(narrow)
    outsider = client_as(world.outsider)
    # Every page a strategy's header links to.
    for name in PAGES:
        assert outsider.get(reverse(f"strategy:{name}", args=[narrow.pk])).status_code == 404, name
    assert (
        outsider.post(
            reverse("strategy:read_beacon", args=[narrow.pk, 1]), {"key": "diagnosis"}
        ).status_code
        == 404
    )
    for name in ("vote", "reply", "dispose"):
        assert (
            outsider.post(
                reverse(f"strategy:{name}", args=[point.public_id]),
                {"body": "x", "status": "adopted"},
            ).status_code
            == 404
        ), name
    assert (
        outsider.post(
            reverse("strategy:transition", args=[narrow.pk]), {"target": "final"}
        ).status_code
        == 404
    )
    api = reverse("api:strategy-feedback-list") + f"?strategy={narrow.pk}"
    assert client_as(world.outsider).get(api).status_code == 404
    assert "Checkout only" not in outsider.get(reverse("strategy:index")).content.decode()


def test_audience_members_cannot_open_owner_pages(world, client_as, narrow):
    member = client_as(world.member)
    assert member.get(reverse("strategy:dashboard", args=[narrow.pk])).status_code == 403
    assert member.get(reverse("strategy:edit", args=[narrow.pk])).status_code == 403
    assert member.get(reverse("strategy:publish", args=[narrow.pk])).status_code == 403


def test_only_leadership_drafts_strategies(world, client_as):
    assert client_as(world.member).get(reverse("strategy:create")).status_code == 403
    assert client_as(world.leader).get(reverse("strategy:create")).status_code == 200


def test_the_list_is_filtered_with_few_queries(
    world, client_as, narrow, django_assert_max_num_queries
):
    for _n in range(10):
        open_window(_checkout_only(world), world)
    client = client_as(world.member)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("strategy:index"))
    assert response.content.decode().count('data-testid="needs-feedback"') == 11
    assert Point.objects.count() == 0
