"""The k floor as an insider tries it: voices are fixed at the close, small teams are pooled,
and no count, per-team figure or summary singles anyone out."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from productops.accounts.models import Membership
from strategy import feedback, services
from tests.factories import MembershipFactory, UserFactory
from tests.strategy.conftest import confirm, make_draft, open_window, reveal

pytestmark = pytest.mark.django_db


def give(
    strategy, user, *, anonymous=False, team=None, type="pushback", body="Wallets are not enough."
):
    confirm(strategy, user)
    return feedback.point_create(
        strategy=strategy,
        by=user,
        type=type,
        body=body,
        rationale="Guests cannot use them." if type in ("pushback", "concern") else "",
        team=team,
        is_anonymous=anonymous,
    )


def search_people(world, n):
    people = [UserFactory(username=f"searcher{i}") for i in range(n)]
    for person in people:
        MembershipFactory(user=person, team=world.other_team)
    return people


def discussion(client, strategy):
    return client.get(reverse("strategy:discussion", args=[strategy.pk])).content.decode()


# --- item 3: voices fixed at the close ------------------------------------------------------------


def test_a_lead_adding_a_member_after_the_close_reveals_nothing(world, client_as):
    strategy = open_window(make_draft(world), world)
    give(
        strategy, world.member, anonymous=True, team=world.team, body="Secret small-team pushback."
    )
    give(strategy, world.teammate, type="idea", body="Named idea.")
    searchers = search_people(world, 3)
    for person in searchers:
        give(strategy, person, type="support", body="Search agrees.")
    reveal(strategy)
    assert "Secret small-team pushback" not in discussion(client_as(world.outsider), strategy)
    # The Checkout lead brings a Search colleague who answered into the team after the close.
    MembershipFactory(user=searchers[0], team=world.team)
    assert "Secret small-team pushback" not in discussion(client_as(world.outsider), strategy)
    assert feedback.withheld_count(strategy) == 1


def test_removing_a_member_after_the_close_neither_hides_a_point_nor_lifts_it_from_the_gate(
    world, client_as
):
    strategy = open_window(make_draft(world), world)
    give(strategy, world.member, anonymous=True, team=world.team, body="Checkout pushback.")
    give(strategy, world.teammate, type="idea", body="Idea one.")
    give(strategy, world.lead, type="idea", body="Idea two.")
    reveal(strategy)
    assert "Anonymous, Checkout" in discussion(client_as(world.outsider), strategy)
    Membership.objects.filter(user=world.lead, team=world.team).delete()
    page = discussion(client_as(world.outsider), strategy)
    assert "Checkout pushback" in page and "Anonymous, Checkout" in page
    assert services.undisposed_points(strategy).count() == 1
    with pytest.raises(ValidationError):
        services.version_publish(strategy=strategy, by=world.leader, change_summary="v2")


def test_small_teams_are_pooled_across_teams_and_count_in_the_gate(world, client_as, api_for):
    strategy = open_window(make_draft(world), world)
    give(strategy, world.member, anonymous=True, team=world.team, body="Checkout worry.")
    give(strategy, world.teammate, type="idea", body="Named idea.")
    give(
        strategy,
        world.outsider,
        anonymous=True,
        team=world.other_team,
        type="concern",
        body="Search worry.",
    )
    reveal(strategy)
    page = discussion(client_as(world.teammate), strategy)
    assert "Checkout worry" in page and "Search worry" in page
    assert page.count("Anonymous, across teams") == 2
    assert "Anonymous, Checkout" not in page and "Anonymous, Search" not in page
    listed = (
        api_for(world.teammate)
        .get(reverse("api:strategy-feedback-list"), {"strategy": strategy.pk})
        .json()["results"]
    )
    anonymous = [p for p in listed if p["is_anonymous"]]
    assert len(anonymous) == 2 and {p["team"] for p in anonymous} == {None}
    assert {p["voice"] for p in anonymous} == {"Anonymous, across teams"}
    assert services.undisposed_points(strategy).count() == 2
    owner = client_as(world.leader).get(reverse("strategy:dashboard", args=[strategy.pk]))
    assert 'data-testid="undisposed-total">2<' in owner.content.decode()
    assert "Anonymous, Checkout" not in owner.content.decode()


def test_a_pool_below_the_floor_stays_withheld(world, client_as):
    strategy = open_window(make_draft(world), world)
    give(strategy, world.member, anonymous=True, team=world.team, body="Lonely worry.")
    give(strategy, world.teammate, type="idea", body="Named idea.")
    reveal(strategy)
    assert "Lonely worry" not in discussion(client_as(world.teammate), strategy)
    assert feedback.withheld_count(strategy) == 1


# --- item 4: no count singles anyone out ----------------------------------------------------------


def test_counts_exclude_withheld_points_while_the_owner_polls(world, client_as):
    strategy = open_window(make_draft(world), world)
    owner = client_as(world.leader)

    def total():
        page = owner.get(strategy.get_absolute_url()).content.decode()
        return page.split('data-testid="total-points">')[1].split("<")[0]

    assert total() == "0"
    give(strategy, world.member, anonymous=True, team=world.team, body="A lone anonymous post.")
    assert total() == "0"
    give(strategy, world.teammate, type="idea", body="Named idea.")
    assert total() == "1"
    give(strategy, world.outsider, type="idea", body="Search idea.")
    # Three voices across the small teams: the pooled point may now be counted.
    assert total() == "3"


def test_per_team_figures_during_the_window_only_for_teams_with_k_voices(world, client_as):
    strategy = open_window(make_draft(world), world)
    give(strategy, world.outsider, type="idea", body="Search idea.")
    page = (
        client_as(world.leader)
        .get(reverse("strategy:dashboard", args=[strategy.pk]))
        .content.decode()
    )
    search_row = page.split('<th scope="row">Search</th>')[1].split("</tr>")[0]
    assert "Shown once at least three" in search_row and "%" not in search_row
    for person in search_people(world, 2):
        give(strategy, person, type="idea", body="More search.")
    page = (
        client_as(world.leader)
        .get(reverse("strategy:dashboard", args=[strategy.pk]))
        .content.decode()
    )
    search_row = page.split('<th scope="row">Search</th>')[1].split("</tr>")[0]
    assert "Shown once" not in search_row and "<td>3</td><td>3</td></tr>" in search_row + "</tr>"


def test_summaries_have_no_names_until_the_reveal_then_only_for_named_feedback(world, client_as):
    strategy = open_window(make_draft(world), world)
    give(strategy, world.member, anonymous=True, team=world.team, body="Anonymous view.")
    give(strategy, world.teammate, type="idea", body="Named view.")
    give(strategy, world.outsider, type="idea", body="Search view.")
    owner = client_as(world.leader)
    page = owner.get(reverse("strategy:dashboard", args=[strategy.pk])).content.decode()
    assert page.count('data-testid="summary"') == 3
    for name in ("Mia Member", "Tom Teammate", "Otto Outsider"):
        assert name not in page
    reveal(strategy)
    page = owner.get(reverse("strategy:dashboard", args=[strategy.pk])).content.decode()
    summaries = page.split('data-testid="summaries"')[1]
    assert "Tom Teammate" in summaries and "Otto Outsider" in summaries
    assert "Mia Member" not in summaries


def test_pages_never_say_how_many_points_are_withheld(world, client_as):
    """A small team of one plus "1 withheld" would tell everyone that person wrote anonymously."""

    def withheld_note(strategy):
        return [
            client_as(world.leader)
            .get(url)
            .content.decode()
            .split('data-testid="withheld"')[1][:300]
            for url in (
                reverse("strategy:discussion", args=[strategy.pk]),
                reverse("strategy:dashboard", args=[strategy.pk]),
            )
        ]

    with_point = open_window(make_draft(world), world)
    give(
        with_point, world.outsider, anonymous=True, team=world.other_team, body="Lone Search view."
    )
    reveal(with_point)
    without_point = open_window(make_draft(world, title="Other"), world)
    give(without_point, world.outsider, type="idea", body="Named Search view.")
    reveal(without_point)
    assert feedback.withheld_count(with_point) == 1 and feedback.withheld_count(without_point) == 0
    assert withheld_note(with_point) == withheld_note(without_point)


def test_the_migration_fixes_the_voices_of_strategies_revealed_before_snapshots(world):
    import importlib

    from django.apps import apps

    from strategy.models import Strategy, TeamVoices

    migration = importlib.import_module("strategy.migrations.0010_snapshot_voices_of_revealed")
    strategy = open_window(make_draft(world), world)
    give(strategy, world.member, anonymous=True, team=world.team, body="Old anonymous view.")
    reveal(strategy)
    TeamVoices.objects.all().delete()
    Strategy.objects.filter(pk=strategy.pk).update(pooled_voices=None)
    migration.snapshot(apps, None)
    assert dict(TeamVoices.objects.values_list("team__name", "voices")) == {
        "Checkout": 1,
        "Search": 0,
    }
    assert Strategy.objects.get(pk=strategy.pk).pooled_voices == 1
