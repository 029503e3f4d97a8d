import pytest
from django.urls import reverse

from strategy import feedback
from strategy.models import Point
from tests.strategy.conftest import confirm, reveal

pytestmark = pytest.mark.django_db


def test_the_journey_through_the_pages(world, client_as, draft):
    owner = client_as(world.leader)
    assert owner.get(reverse("strategy:index")).status_code == 200
    page = owner.get(draft.get_absolute_url())
    assert "unpublished working copy" in page.content.decode()
    response = owner.post(
        reverse("strategy:publish", args=[draft.pk]),
        {"change_summary": "First version.", "closes_at": "2099-01-01T10:00"},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.phase == "feedback"

    member = client_as(world.member)
    assert "Checkout 2027" in member.get(reverse("strategy:index")).content.decode()
    page = member.get(draft.get_absolute_url()).content.decode()
    assert "I have read it" in page and "Who sees what" in page
    member.post(reverse("strategy:read_beacon", args=[draft.pk, 1]), {"key": ["diagnosis", "bets"]})
    response = member.post(
        reverse("strategy:feedback", args=[draft.pk]),
        {"summary": "Wallets first for mobile payers."},
    )
    assert response.status_code == 302
    response = member.post(
        reverse("strategy:feedback", args=[draft.pk]),
        {
            "type": "pushback",
            "section_key": "guiding-policy",
            "body": "Not only wallets",
            "rationale": "Cards matter",
            "voice": "me",
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert Point.objects.filter(author=world.member, type="pushback").exists()

    owner_page = owner.get(reverse("strategy:dashboard", args=[draft.pk])).content.decode()
    assert "Wallets first for mobile payers." in owner_page

    reveal(draft)
    disc = (
        client_as(world.teammate)
        .get(reverse("strategy:discussion", args=[draft.pk]))
        .content.decode()
    )
    assert "Not only wallets" in disc
    point = Point.objects.get()
    client_as(world.teammate).post(reverse("strategy:vote", args=[point.public_id]), {})
    point.refresh_from_db()
    assert point.vote_count == 1
    owner.post(
        reverse("strategy:dispose", args=[point.public_id]),
        {"status": "adopted", "reason": "", "section_key": "guiding-policy"},
    )
    assert point.__class__.objects.get().disposition.status == "adopted"
    owner.post(reverse("strategy:edit", args=[draft.pk]), {})  # invalid: re-renders, writes nothing
    draft.refresh_from_db()
    draft.guiding_policy += "\n\nCards too."
    draft.save()
    response = owner.post(
        reverse("strategy:publish", args=[draft.pk]), {"change_summary": "Cards too"}
    )
    assert response.status_code == 302
    diff = owner.get(reverse("strategy:diff", args=[draft.pk]) + "?a=1&b=2").content.decode()
    assert "Cards too." in diff
    response = owner.post(reverse("strategy:transition", args=[draft.pk]), {"target": "final"})
    assert response.status_code == 302
    ysw = (
        client_as(world.member)
        .get(reverse("strategy:you_said_we_did", args=[draft.pk]))
        .content.decode()
    )
    assert "Not only wallets" in ysw and "Adopted" in ysw and "?a=1&amp;b=2" in ysw


def test_home_cards_show_what_waits_for_me(world, client_as, open_strategy):
    page = client_as(world.member).get(reverse("home")).content.decode()
    assert "Strategies waiting for your read and feedback" in page and "Checkout 2027" in page
    confirm(open_strategy, world.member)
    feedback.point_create(
        strategy=open_strategy, by=world.member, type="pushback", body="No", rationale="Why"
    )
    assert (
        "Strategies waiting for your read"
        not in client_as(world.member).get(reverse("home")).content.decode()
    )
    reveal(open_strategy)
    owner_page = client_as(world.leader).get(reverse("home")).content.decode()
    assert (
        "Points waiting for your disposition" in owner_page
        and "Checkout 2027: 1 to answer" in owner_page
    )


def test_home_cards_cost_few_queries(world, django_assert_max_num_queries, open_strategy):
    from strategy.home import cards

    with django_assert_max_num_queries(3):
        cards(world.member)


def test_the_api_is_in_the_openapi_schema(world, client_as):
    import yaml

    schema = yaml.safe_load(client_as(world.member).get(reverse("api-schema")).content)
    for path in (
        "/api/v1/strategy/strategies/",
        "/api/v1/strategy/strategies/{id}/publish/",
        "/api/v1/strategy/strategies/{id}/diff/",
        "/api/v1/strategy/versions/{id}/",
        "/api/v1/strategy/feedback/",
        "/api/v1/strategy/feedback/{id}/vote/",
        "/api/v1/strategy/feedback/{id}/disposition/",
    ):
        assert path in schema["paths"], path


def test_forms_never_redirect_off_site(world, client_as, open_strategy):
    confirm(open_strategy, world.member)
    point = feedback.point_create(strategy=open_strategy, by=world.member, type="idea", body="Idea")
    reveal(open_strategy)
    response = client_as(world.teammate).post(
        reverse("strategy:vote", args=[point.public_id]), {"next": "//evil.example/"}
    )
    assert response["Location"].startswith(f"/strategy/{open_strategy.pk}/discussion/")


def _alternative(strategy, user, team, body):
    confirm(strategy, user)
    return feedback.point_create(
        strategy=strategy,
        by=user,
        type="alternative",
        body=body,
        rationale="Cheaper to run.",
        cost="Two engineers for a quarter.",
        team=team,
    )


def test_the_page_shows_alternatives_and_clarifying_questions_only_when_there_are_some(
    world, client_as, open_strategy
):
    from tests.strategy.conftest import make_draft, open_window

    quiet = open_window(make_draft(world, title="Quiet"), world)
    _alternative(open_strategy, world.member, world.team, "Fix guest checkout first.")
    confirm(open_strategy, world.teammate)
    feedback.point_create(
        strategy=open_strategy,
        by=world.teammate,
        type="question",
        body="Does mobile web count?",
        is_clarifying=True,
    )
    reader = client_as(world.outsider)
    during = reader.get(open_strategy.get_absolute_url()).content.decode()
    assert "1 alternative so far" in during and "Fix guest checkout first." not in during
    assert "Clarifying questions" in during and "Does mobile web count?" in during
    assert "Clarifying questions" not in reader.get(quiet.get_absolute_url()).content.decode()
    reveal(open_strategy)
    reveal(quiet)
    after = reader.get(open_strategy.get_absolute_url()).content.decode()
    assert "Fix guest checkout first." in after and "Checkout (via Mia Member)" in after
    assert "Does mobile web count?" in after
    empty = reader.get(quiet.get_absolute_url()).content.decode()
    assert "No team put forward an alternative." in empty and "Clarifying questions" not in empty


def test_your_feedback_lists_your_named_and_anonymous_points_and_nobody_elses(
    world, client_as, open_strategy
):
    confirm(open_strategy, world.member)
    feedback.point_create(strategy=open_strategy, by=world.member, type="idea", body="Named idea.")
    feedback.point_create(
        strategy=open_strategy,
        by=world.member,
        type="risk",
        body="Quiet risk.",
        team=world.team,
        is_anonymous=True,
    )
    confirm(open_strategy, world.teammate)
    feedback.point_create(
        strategy=open_strategy,
        by=world.teammate,
        type="risk",
        body="Teammate's risk.",
        team=world.team,
        is_anonymous=True,
    )
    mine = client_as(world.member).get(open_strategy.get_absolute_url()).content.decode()
    assert mine.count('data-testid="my-point"') == 2
    assert "Named idea." in mine and "Quiet risk." in mine and "Teammate&#x27;s risk." not in mine
    assert mine.count('data-testid="my-anonymous"') == 1
    theirs = client_as(world.lead).get(open_strategy.get_absolute_url()).content.decode()
    assert 'data-testid="my-point"' not in theirs


def test_the_page_links_are_the_reversed_urls(world, open_strategy):
    from strategy.models import PAGES

    for name in PAGES:
        assert open_strategy.page_urls[name] == reverse(f"strategy:{name}", args=[open_strategy.pk])
