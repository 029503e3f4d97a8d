"""The assumptions register: sealed confidence ratings, spreads after the reveal under the k floor."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from strategy import assumptions, feedback
from strategy.models import ConfidenceRating
from tests.strategy.conftest import confirm, make_draft, open_window, reveal

pytestmark = pytest.mark.django_db


@pytest.fixture
def rated(world):
    strategy = make_draft(world)
    a = assumptions.assumption_add(
        strategy=strategy,
        by=world.leader,
        text="Most abandonment is caused by typing card details.",
    )
    b = assumptions.assumption_add(
        strategy=strategy, by=world.leader, text="Wallet adoption keeps growing on mobile."
    )
    open_window(strategy, world)
    for user, score in [(world.member, 1), (world.teammate, 5), (world.lead, 3)]:
        assumptions.rating_set(assumption=a, by=user, score=score, reason=f"{user.username} says")
    assumptions.rating_set(assumption=a, by=world.outsider, score=4)
    return strategy, a, b


def test_the_owner_lists_assumptions_and_the_audience_cannot(world, client_as):
    strategy = make_draft(world)
    resp = client_as(world.leader).post(
        reverse("strategy:assumption_add", args=[strategy.pk]), {"text": "Payers want wallets."}
    )
    assert resp.status_code == 302
    assert strategy.assumption_items.get().text == "Payers want wallets."
    open_window(strategy, world)
    resp = client_as(world.member).post(
        reverse("strategy:assumption_add", args=[strategy.pk]), {"text": "Sneaky"}
    )
    assert resp.status_code == 403
    assert strategy.assumption_items.count() == 1


def test_a_rating_outside_one_to_five_is_refused_and_changes_nothing(rated, world, client_as):
    strategy, a, b = rated
    client = client_as(world.member)
    for bad in ("0", "6", "three", ""):
        resp = client.post(reverse("strategy:assumption_rate", args=[b.public_id]), {"score": bad})
        assert resp.status_code == 400
        assert "from 1 (very unsure) to 5" in resp.content.decode()
    assert not ConfidenceRating.objects.filter(assumption=b).exists()
    assert ConfidenceRating.objects.get(assumption=a, user=world.member).score == 1


def test_a_rating_after_the_window_is_refused_and_changes_nothing(rated, world, client_as):
    strategy, a, b = rated
    reveal(strategy)
    resp = client_as(world.member).post(
        reverse("strategy:assumption_rate", args=[a.public_id]), {"score": "5"}
    )
    assert resp.status_code == 400
    assert "feedback window is open" in resp.content.decode()
    assert ConfidenceRating.objects.get(assumption=a, user=world.member).score == 1


def test_leaders_do_not_rate(rated, world):
    strategy, a, b = rated
    with pytest.raises(Exception, match="Leaders speak last"):
        assumptions.rating_set(assumption=b, by=world.leader, score=3)


def test_ratings_are_sealed_from_everyone_until_the_reveal(rated, world, client_as):
    strategy, a, b = rated
    url = reverse("strategy:assumptions", args=[strategy.pk])
    for user in (world.leader, world.admin):
        page = client_as(user).get(url).content.decode()
        assert "Your confidence" not in page
        assert 'data-testid="spread"' not in page
        assert "teammate says" not in page and "member says" not in page
    # A member sees only their own rating, to change it.
    page = client_as(world.member).get(url).content.decode()
    assert "member says" in page and "teammate says" not in page
    assert assumptions.spreads(strategy) == []


def test_after_the_reveal_the_owner_sees_the_spread_per_team_above_the_floor(
    rated, world, client_as
):
    strategy, a, b = rated
    # Only Checkout rated (three people: 1, 3, 5); nobody from the small team.
    ConfidenceRating.objects.filter(user=world.outsider).delete()
    reveal(strategy)
    page = client_as(world.leader).get(reverse("strategy:assumptions", args=[strategy.pk]))
    html = page.content.decode()
    assert html.count('data-testid="spread"') == 2
    assert 'data-testid="spread-team"' in html and "Checkout" in html
    spread = assumptions.spreads(strategy)[0]
    assert spread.overall.n == 3 and spread.overall.counts == [1, 0, 1, 0, 1]
    checkout = next(t for t in spread.teams if t.label == "Checkout")
    assert checkout.n == 3 and checkout.mean == 3.0 and checkout.stdev == 1.63
    # Fewer than k raters in all: no figure at all.
    assert assumptions.spreads(strategy)[1].overall.n == 0


def test_no_team_is_broken_out_when_the_total_minus_it_gives_one_persons_rating(
    rated, world, client_as
):
    strategy, a, b = rated  # Checkout: three raters; Search: only the outsider, who rated 4
    reveal(strategy)
    spread = assumptions.spreads(strategy)[0]
    assert spread.overall.n == 4 and spread.overall.counts == [1, 0, 1, 1, 1]
    assert [(t.label, t.hidden, t.n) for t in spread.teams] == [("across teams", True, 0)]
    html = client_as(world.leader).get(reverse("strategy:assumptions", args=[strategy.pk]))
    html = html.content.decode()
    assert 'data-testid="spread-team-hidden"' in html and 'data-testid="spread-team"' not in html


def test_a_point_can_aim_at_an_assumption_of_the_same_strategy_only(rated, world):
    strategy, a, b = rated
    confirm(strategy, world.member)
    point = feedback.point_create(
        strategy=strategy,
        by=world.member,
        type="concern",
        body="Card typing is not the main cause.",
        rationale="Our session recordings show drop-off at the address form.",
        assumption=a.public_id,
    )
    assert point.assumption == a
    other = make_draft(world, title="Other")
    foreign = assumptions.assumption_add(strategy=other, by=world.leader, text="Something else.")
    with pytest.raises(ValidationError) as exc:
        feedback.point_create(
            strategy=strategy,
            by=world.member,
            type="question",
            body="?",
            assumption=foreign.public_id,
        )
    assert "assumption" in exc.value.message_dict


def test_admin_lists_assumptions_read_only_and_never_a_rating(rated, world, client_as):
    from django.contrib import admin

    strategy, a, b = rated
    assert ConfidenceRating not in admin.site._registry
    world.admin.is_superuser = True
    world.admin.save()
    client = client_as(world.admin)
    page = client.get(reverse("admin:strategy_assumption_change", args=[a.pk]))
    assert page.status_code == 200 and "member says" not in page.content.decode()
    assert (
        client.post(
            reverse("admin:strategy_assumption_delete", args=[a.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert strategy.assumption_items.count() == 2
