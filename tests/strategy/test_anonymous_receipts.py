"""Anonymous authors keep a private receipt: they see, withdraw and follow their point, while the
point stores no author and nobody else can find out whose it is."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from strategy import feedback, services
from strategy.models import Point
from tests.strategy.conftest import confirm, make_draft, open_window, reveal

pytestmark = pytest.mark.django_db

SECRET = "I think the wallet bet is a vanity project."


@pytest.fixture
def anonymous(world):
    strategy = open_window(make_draft(world), world)
    for person in (world.member, world.teammate, world.lead):
        confirm(strategy, person)
    point = feedback.point_create(
        strategy=strategy,
        by=world.member,
        type="pushback",
        body=SECRET,
        rationale="Guests cannot pay with wallets.",
        team=world.team,
        is_anonymous=True,
    )
    for person in (world.teammate, world.lead):
        feedback.point_create(strategy=strategy, by=person, type="idea", body="An idea.")
    return strategy, point


def test_the_point_stores_no_author_nor_their_id(anonymous, world):
    strategy, point = anonymous
    row = Point.objects.filter(pk=point.pk).values().get()
    assert row["author_id"] is None
    # The only trace is a keyed hash, which names nobody by itself.
    assert len(row["receipt"]) == 64 and world.member.username not in str(row)
    # Its time is the window's opening, shared by every anonymous point.
    assert row["created_at"] == strategy.feedback_opens_at


def test_the_author_sees_their_anonymous_point_during_the_window(anonymous, world, client_as):
    strategy, point = anonymous
    mine = client_as(world.member).get(strategy.get_absolute_url()).content.decode()
    assert SECRET in mine and 'data-testid="my-anonymous"' in mine
    for other in (world.teammate, world.leader, world.admin):
        assert SECRET not in client_as(other).get(strategy.get_absolute_url()).content.decode()


def test_the_api_lists_my_points_only_for_me(anonymous, world, api_for):
    strategy, point = anonymous
    url = reverse("api:strategy-feedback-mine")
    mine = api_for(world.member).get(url, {"strategy": strategy.pk}).json()
    assert [p["body"] for p in mine] == [SECRET] and mine[0]["author"] is None
    theirs = api_for(world.teammate).get(url, {"strategy": strategy.pk}).json()
    assert SECRET not in str(theirs)


def test_the_author_withdraws_it_and_nobody_else_can(anonymous, world, client_as, api_for):
    strategy, point = anonymous
    for other in (world.teammate, world.leader, world.admin):
        assert (
            client_as(other).post(reverse("strategy:withdraw", args=[point.public_id])).status_code
            == 404
        )
        assert (
            api_for(other)
            .delete(reverse("api:strategy-feedback-detail", args=[point.public_id]))
            .status_code
            == 404
        )
    assert Point.objects.filter(pk=point.pk).exists()
    response = client_as(world.member).post(reverse("strategy:withdraw", args=[point.public_id]))
    assert response.status_code == 302
    assert not Point.objects.filter(pk=point.pk).exists()


def test_the_api_withdraws_too(anonymous, world, api_for):
    strategy, point = anonymous
    response = api_for(world.member).delete(
        reverse("api:strategy-feedback-detail", args=[point.public_id])
    )
    assert response.status_code == 204 and not Point.objects.filter(pk=point.pk).exists()


def test_after_the_reveal_it_cannot_be_withdrawn_and_the_author_is_told_its_disposition(
    anonymous, world, client_as
):
    strategy, point = anonymous
    reveal(strategy)
    with pytest.raises(ValidationError):
        feedback.point_withdraw(point=point, by=world.member)
    with pytest.raises(PermissionDenied):
        feedback.point_withdraw(point=point, by=world.teammate)
    services.disposition_set(
        point=point,
        by=world.leader,
        status="declined",
        reason="Wallets are where mobile payers already are.",
    )
    mine = client_as(world.member).get(strategy.get_absolute_url()).content.decode()
    assert 'data-testid="my-disposition"' in mine
    assert "Wallets are where mobile payers already are." in mine
    other = client_as(world.teammate).get(strategy.get_absolute_url()).content.decode()
    assert 'data-testid="my-anonymous"' not in other


def test_a_withheld_point_is_still_visible_to_its_author(world, client_as):
    strategy = open_window(make_draft(world), world)
    confirm(strategy, world.member)
    feedback.point_create(
        strategy=strategy,
        by=world.member,
        type="concern",
        body="Lonely concern.",
        rationale="Nobody else on my team answered.",
        team=world.team,
        is_anonymous=True,
    )
    reveal(strategy)
    mine = client_as(world.member).get(strategy.get_absolute_url()).content.decode()
    assert "Lonely concern." in mine and "It is withheld" in mine
    owner = client_as(world.leader).get(reverse("strategy:discussion", args=[strategy.pk]))
    assert "Lonely concern." not in owner.content.decode()


def test_the_home_page_tells_only_the_author_about_the_answer(anonymous, world, client_as):
    strategy, point = anonymous
    reveal(strategy)
    services.disposition_set(
        point=point,
        by=world.leader,
        status="parked",
        reason="We revisit this after the wallet pilot reports.",
    )
    home = client_as(world.member).get(reverse("home")).content.decode()
    assert "Answers to your anonymous feedback" in home and "parked" in home
    for other in (world.teammate, world.lead, world.leader):
        assert "Answers to your anonymous feedback" not in (
            client_as(other).get(reverse("home")).content.decode()
        )
