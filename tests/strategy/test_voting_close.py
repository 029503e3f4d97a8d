"""Early votes must not sway later ones: tallies stay hidden until voting closes, then everyone sees them."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from strategy import feedback
from strategy.models import Point, Strategy
from tests.strategy.conftest import confirm, make_draft, open_window, reveal

pytestmark = pytest.mark.django_db


@pytest.fixture
def voted(world):
    strategy = open_window(make_draft(world), world)
    confirm(strategy, world.member)
    points = [
        feedback.point_create(
            strategy=strategy, by=world.member, type="idea", body=f"Idea number {i}"
        )
        for i in range(2)
    ]
    reveal(strategy)
    feedback.vote_cast(point=points[0], by=world.teammate)
    feedback.vote_cast(point=points[0], by=world.lead)
    return strategy, points


def close_voting(strategy):
    Strategy.objects.filter(pk=strategy.pk).update(
        voting_closes_at=timezone.now() - timedelta(minutes=1)
    )
    strategy.refresh_from_db()


def test_the_reveal_sets_a_voting_close_of_its_own(voted):
    strategy, _ = voted
    assert strategy.voting_closes_at > strategy.revealed_at
    assert strategy.voting_closes_at > strategy.feedback_closes_at


def test_the_discussion_page_hides_tallies_while_voting_is_open(voted, world, client_as):
    strategy, points = voted
    page = client_as(world.outsider).get(reverse("strategy:discussion", args=[strategy.pk]))
    html = page.content.decode()
    assert 'data-testid="vote-count"' not in html and "2 votes" not in html
    assert 'data-testid="voting-closes"' in html
    owner = client_as(world.leader).get(reverse("strategy:discussion", args=[strategy.pk]))
    assert "2 votes" not in owner.content.decode()


def test_a_voter_sees_only_their_own_dot(voted, world, client_as):
    strategy, points = voted
    html = (
        client_as(world.teammate)
        .get(reverse("strategy:discussion", args=[strategy.pk]))
        .content.decode()
    )
    assert html.count('data-testid="my-dot"') == 1 and "2 votes" not in html


def test_the_htmx_vote_fragment_shows_no_tally(voted, world, client_as):
    strategy, points = voted
    response = client_as(world.outsider).post(
        reverse("strategy:vote", args=[points[0].public_id]), {}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "3 votes" not in html and 'data-testid="vote-count"' not in html
    assert 'data-testid="my-dot"' in html


def test_the_api_hides_tallies_while_voting_is_open(voted, world, api_for):
    strategy, points = voted
    client = api_for(world.outsider)
    listed = client.get(reverse("api:strategy-feedback-list"), {"strategy": strategy.pk}).json()
    assert {p["vote_count"] for p in listed["results"]} == {None}
    one = client.get(reverse("api:strategy-feedback-detail", args=[points[0].public_id])).json()
    assert one["vote_count"] is None
    cast = client.post(reverse("api:strategy-feedback-vote", args=[points[0].public_id])).json()
    assert cast["vote_count"] is None and cast["voted"] is True


def test_the_alternatives_card_is_not_ranked_by_hidden_votes(world, client_as):
    strategy = open_window(make_draft(world), world)
    confirm(strategy, world.member)
    first = feedback.point_create(
        strategy=strategy,
        by=world.member,
        type="alternative",
        body="Alpha plan",
        rationale="Because alpha.",
        cost="A quarter.",
        team=world.team,
    )
    second = feedback.point_create(
        strategy=strategy,
        by=world.member,
        type="alternative",
        body="Beta plan",
        rationale="Because beta.",
        cost="A month.",
        team=world.team,
    )
    reveal(strategy)

    def alpha_first():
        html = client_as(world.outsider).get(strategy.get_absolute_url()).content.decode()
        return html.index("Alpha plan") < html.index("Beta plan"), html

    before, _ = alpha_first()
    for voter in (world.teammate, world.lead):
        feedback.vote_cast(point=second, by=voter)
    after, html = alpha_first()
    assert after == before and "2 votes" not in html
    close_voting(strategy)
    ranked, html = alpha_first()
    assert not ranked and "2 votes" in html
    assert first.pk != second.pk


def test_after_voting_closes_no_one_votes_and_everyone_sees_the_tallies(
    voted, world, api_for, client_as
):
    strategy, points = voted
    close_voting(strategy)
    with pytest.raises(PermissionDenied):
        feedback.vote_cast(point=Point.objects.get(pk=points[1].pk), by=world.outsider)
    html = (
        client_as(world.outsider)
        .get(reverse("strategy:discussion", args=[strategy.pk]))
        .content.decode()
    )
    assert "2 votes" in html and "Voting has closed" in html
    listed = (
        api_for(world.outsider)
        .get(reverse("api:strategy-feedback-list"), {"strategy": strategy.pk})
        .json()
    )
    assert sorted(p["vote_count"] for p in listed["results"]) == [0, 2]
