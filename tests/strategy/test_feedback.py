"""Independent first, leaders speak last, anonymity that holds, and bad input refused whole."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from strategy import feedback, notifications
from strategy.models import Participation, Point, Reply
from tests.factories import MembershipFactory, UserFactory
from tests.strategy.conftest import confirm, reveal

pytestmark = pytest.mark.django_db


def give(strategy, user, **fields):
    fields = {"type": "concern", "body": "A concern", "rationale": "Because", **fields}
    return feedback.point_create(strategy=strategy, by=user, **fields)


def test_during_the_window_nobody_sees_anyone_elses_feedback(
    world, client_as, api_for, open_strategy
):
    for user in (world.member, world.outsider):
        confirm(open_strategy, user)
    give(open_strategy, world.member, body="Checkout team worry", section_key="diagnosis")
    give(open_strategy, world.outsider, body="Search team worry", section_key="diagnosis")
    for user, own, other in (
        (world.member, "Checkout team worry", "Search team worry"),
        (world.outsider, "Search team worry", "Checkout team worry"),
    ):
        page = client_as(user).get(open_strategy.get_absolute_url()).content.decode()
        assert own in page and other not in page
        assert "2 points:" in page  # counts per section only
        listed = (
            api_for(user)
            .get(reverse("api:strategy-feedback-list"), {"strategy": open_strategy.pk})
            .json()["results"]
        )
        assert [p["body"] for p in listed] == [own]
    # The owner, leadership and admins see counts, never content.
    for user in (world.leader, world.admin):
        page = client_as(user).get(open_strategy.get_absolute_url()).content.decode()
        assert "Checkout team worry" not in page and "Search team worry" not in page
        assert (
            api_for(user)
            .get(reverse("api:strategy-feedback-list"), {"strategy": open_strategy.pk})
            .json()["results"]
            == []
        )
    assert (
        client_as(world.admin)
        .get(reverse("strategy:discussion", args=[open_strategy.pk]))
        .status_code
        == 403
    )
    other_point = Point.objects.get(body="Search team worry")
    assert (
        api_for(world.member)
        .get(reverse("api:strategy-feedback-detail", args=[other_point.public_id]))
        .status_code
        == 404
    )


def test_nothing_reveals_early_not_even_an_admin(world, api_for, client_as, open_strategy):
    assert notifications.windows_close_due() == 0
    for target in ("reveal", "decision", "final"):
        response = api_for(world.admin).post(
            reverse("api:strategy-phase", args=[open_strategy.pk]), {"target": target}
        )
        assert response.status_code in (400, 403)
        response = client_as(world.leader).post(
            reverse("strategy:transition", args=[open_strategy.pk]), {"target": target}
        )
    open_strategy.refresh_from_db()
    assert open_strategy.phase == "feedback" and open_strategy.revealed_at is None


def test_everything_is_revealed_together_when_the_window_closes(world, client_as, open_strategy):
    for user in (world.member, world.outsider):
        confirm(open_strategy, user)
    give(open_strategy, world.member, body="Checkout team worry")
    give(open_strategy, world.outsider, body="Search team worry")
    reveal(open_strategy)
    for user in (world.member, world.outsider, world.leader):
        page = (
            client_as(user)
            .get(reverse("strategy:discussion", args=[open_strategy.pk]))
            .content.decode()
        )
        assert "Checkout team worry" in page and "Search team worry" in page


def test_leaders_speak_last(world, api_for, open_strategy):
    response = api_for(world.leader).post(
        reverse("api:strategy-feedback-list"),
        {"strategy": open_strategy.pk, "type": "idea", "body": "From the top"},
    )
    assert response.status_code == 403
    assert "Leaders speak last" in response.json()["detail"]
    leader_in_team = UserFactory(username="vp", is_leadership=True)
    MembershipFactory(user=leader_in_team, team=world.team)
    with pytest.raises(PermissionDenied):
        give(open_strategy, leader_in_team)
    assert not Point.objects.exists()


def test_the_owner_answers_clarifying_questions_for_everyone_during_the_window(
    world, client_as, open_strategy
):
    confirm(open_strategy, world.member)
    question = give(
        open_strategy,
        world.member,
        type="question",
        body="What counts as mobile?",
        rationale="",
        is_clarifying=True,
    )
    plain = give(open_strategy, world.member, type="question", body="Why now?", rationale="")
    feedback.reply_create(point=question, by=world.leader, body="Apps and mobile web.")
    with pytest.raises(PermissionDenied):
        feedback.reply_create(point=plain, by=world.leader, body="Because.")
    with pytest.raises(PermissionDenied):
        feedback.reply_create(point=question, by=world.teammate, body="I think it means apps.")
    page = client_as(world.outsider).get(open_strategy.get_absolute_url()).content.decode()
    assert "What counts as mobile?" in page and "Apps and mobile web." in page
    assert "Why now?" not in page
    assert Reply.objects.count() == 1


def test_anonymous_feedback_keeps_no_author_and_waits_for_three_voices(
    world, client_as, open_strategy
):
    confirm(open_strategy, world.member)
    give(open_strategy, world.member, body="Secret worry", is_anonymous=True, team=world.team)
    point = Point.objects.get()
    assert point.author_id is None and point.team == world.team
    assert Participation.objects.filter(user=world.member).exists()
    reveal(open_strategy)
    page = (
        client_as(world.leader)
        .get(reverse("strategy:discussion", args=[open_strategy.pk]))
        .content.decode()
    )
    assert "Secret worry" not in page and "withheld" in page
    # Django admin is no side door: even a superuser finds no such point, and no author.
    world.admin.is_superuser = True
    world.admin.save()
    admin_page = client_as(world.admin).get(
        f"/django-admin/strategy/point/{point.pk}/change/", follow=True
    )
    assert admin_page.redirect_chain[-1][0] == "/django-admin/"
    assert "Secret worry" not in admin_page.content.decode()
    assert "Mia Member" not in admin_page.content.decode()


def test_anonymous_feedback_shows_once_three_of_the_team_answered(world, client_as, open_strategy):
    for user in (world.member, world.teammate, world.lead):
        confirm(open_strategy, user)
    give(open_strategy, world.member, body="Secret worry", is_anonymous=True, team=world.team)
    give(open_strategy, world.teammate, type="support", body="Good", rationale="")
    give(open_strategy, world.lead, type="idea", body="Try it", rationale="")
    reveal(open_strategy)
    page = (
        client_as(world.outsider)
        .get(reverse("strategy:discussion", args=[open_strategy.pk]))
        .content.decode()
    )
    assert (
        "Secret worry" in page
        and "Anonymous, Checkout" in page
        and "Mia Member" not in page.split("Secret worry")[0][-400:]
    )


def test_feedback_needs_a_read_confirmation_first(world, open_strategy):
    with pytest.raises(ValidationError, match="confirm you read"):
        give(open_strategy, world.member)
    assert not Point.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"type": "pushback", "rationale": ""}, "rationale"),
        ({"type": "concern", "rationale": "  "}, "rationale"),
        ({"type": "alternative", "rationale": "why", "cost": "", "team": None}, "cost"),
        ({"type": "idea", "is_clarifying": True}, "is_clarifying"),
        ({"type": "question", "is_clarifying": True, "is_anonymous": True}, "is_anonymous"),
        ({"type": "idea", "section_key": "no-such-section"}, "section_key"),
        ({"type": "idea", "is_anonymous": True, "team": None}, "team"),
        ({"type": "gossip"}, "type"),
    ],
)
def test_bad_feedback_names_the_field_and_saves_nothing(world, open_strategy, fields, field):
    confirm(open_strategy, world.member)
    with pytest.raises(ValidationError) as exc:
        give(open_strategy, world.member, **fields)
    assert field in exc.value.error_dict
    assert not Point.objects.exists() and not Participation.objects.exists()


def test_nobody_speaks_for_a_team_they_are_not_in(world, open_strategy):
    confirm(open_strategy, world.member)
    with pytest.raises(ValidationError) as exc:
        give(open_strategy, world.member, on_behalf_of_team=True, team=world.other_team)
    assert "team" in exc.value.error_dict


def test_feedback_after_the_window_is_refused_by_page_and_api(
    world, client_as, api_for, open_strategy
):
    confirm(open_strategy, world.member)
    reveal(open_strategy)
    response = api_for(world.member).post(
        reverse("api:strategy-feedback-list"),
        {"strategy": open_strategy.pk, "type": "idea", "body": "Late"},
    )
    assert response.status_code == 403 and "not open" in response.json()["detail"]
    assert (
        client_as(world.member)
        .get(reverse("strategy:feedback", args=[open_strategy.pk]))
        .status_code
        == 403
    )
    assert not Point.objects.exists()


def test_an_alternative_is_a_teams_and_sits_beside_the_draft_after_the_reveal(
    world, client_as, open_strategy
):
    confirm(open_strategy, world.member)
    response = client_as(world.member).post(
        reverse("strategy:feedback", args=[open_strategy.pk]),
        {
            "type": "alternative",
            "body": "Rewrite checkout",
            "rationale": "Wallets are a patch",
            "cost": "Two quarters",
            "voice": "me",
            "team": world.team.pk,
        },
    )
    assert response.status_code == 302
    alternative = Point.objects.get()
    assert alternative.on_behalf_of_team and alternative.team == world.team
    during = client_as(world.outsider).get(open_strategy.get_absolute_url()).content.decode()
    assert "1 alternative so far" in during and "Rewrite checkout" not in during
    reveal(open_strategy)
    after = client_as(world.outsider).get(open_strategy.get_absolute_url()).content.decode()
    assert "Rewrite checkout" in after and "Checkout (via Mia Member)" in after


def test_the_form_shows_the_error_and_keeps_the_input(world, client_as, open_strategy):
    confirm(open_strategy, world.member)
    response = client_as(world.member).post(
        reverse("strategy:feedback", args=[open_strategy.pk]),
        {"type": "pushback", "body": "No", "voice": "me"},
    )
    assert response.status_code == 200
    assert "pushbacks, concerns and alternatives need a rationale" in response.content.decode()
    assert not Point.objects.exists()
