import re
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection
from django.urls import reverse

from strategy import feedback
from strategy.models import Point, Strategy, Vote, VoteBudget
from tests.strategy.conftest import confirm, make_draft, open_window, reveal


def _revealed_with_points(world, n=4, budget=2):
    strategy = open_window(make_draft(world, vote_budget=budget), world)
    confirm(strategy, world.member)
    points = [
        feedback.point_create(strategy=strategy, by=world.member, type="idea", body=f"Idea {i}")
        for i in range(n)
    ]
    reveal(strategy)
    return strategy, points


@pytest.mark.django_db
def test_votes_over_budget_are_refused_and_change_nothing(world, api_for):
    strategy, points = _revealed_with_points(world)
    client = api_for(world.teammate)
    for point in points[:2]:
        assert (
            client.post(reverse("api:strategy-feedback-vote", args=[point.public_id])).status_code
            == 200
        )
    response = client.post(reverse("api:strategy-feedback-vote", args=[points[2].public_id]))
    assert response.status_code == 400
    assert "all 2 of your votes" in response.json()["vote"][0]
    assert Vote.objects.filter(user=world.teammate).count() == 2
    assert Point.objects.get(pk=points[2].pk).vote_count == 0
    # Taking one back frees a dot.
    assert (
        client.delete(reverse("api:strategy-feedback-vote", args=[points[0].public_id])).json()[
            "votes_left"
        ]
        == 1
    )
    assert (
        client.post(reverse("api:strategy-feedback-vote", args=[points[2].public_id])).status_code
        == 200
    )


@pytest.mark.django_db
def test_voting_twice_on_one_point_costs_one_dot(world):
    strategy, points = _revealed_with_points(world)
    feedback.vote_cast(point=points[0], by=world.teammate)
    budget = feedback.vote_cast(point=points[0], by=world.teammate)
    assert budget.spent == 1 and Point.objects.get(pk=points[0].pk).vote_count == 1


@pytest.mark.django_db
def test_the_database_refuses_an_overspent_budget(world):
    strategy, points = _revealed_with_points(world)
    budget = VoteBudget.objects.create(strategy=strategy, user=world.teammate, budget=2, spent=2)
    with pytest.raises(IntegrityError):
        VoteBudget.objects.filter(pk=budget.pk).update(spent=3)


@pytest.mark.django_db
def test_no_votes_during_the_window_or_by_the_owner(world):
    strategy = open_window(make_draft(world), world)
    confirm(strategy, world.member)
    point = feedback.point_create(strategy=strategy, by=world.member, type="idea", body="Idea")
    with pytest.raises(PermissionDenied):
        feedback.vote_cast(point=point, by=world.teammate)
    reveal(strategy)
    with pytest.raises(PermissionDenied):
        feedback.vote_cast(point=point, by=world.leader)


@pytest.mark.django_db
def test_options_are_shuffled_per_person(world, client_as):
    strategy, points = _revealed_with_points(world, n=12, budget=5)

    def order(user):
        page = (
            client_as(user).get(reverse("strategy:discussion", args=[strategy.pk])).content.decode()
        )
        return re.findall(r'<article class="card point [^"]*" id="point-([0-9a-f-]{36})"', page)

    first, again, other = order(world.teammate), order(world.teammate), order(world.outsider)
    assert len(first) == 12
    assert first == again
    assert first != other


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_votes_never_overspend(world):
    strategy, points = _revealed_with_points(world, n=8, budget=3)
    barrier = threading.Barrier(len(points))
    errors = []

    def cast(point):
        try:
            barrier.wait()
            feedback.vote_cast(point=Point.objects.get(pk=point.pk), by=world.teammate)
        except ValidationError as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=cast, args=(p,)) for p in points]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Vote.objects.filter(user=world.teammate).count() == 3
    assert VoteBudget.objects.get(strategy=strategy, user=world.teammate).spent == 3
    assert sum(Point.objects.filter(strategy=strategy).values_list("vote_count", flat=True)) == 3
    assert len(errors) == 5
    assert Strategy.objects.get(pk=strategy.pk).phase == "reveal"
