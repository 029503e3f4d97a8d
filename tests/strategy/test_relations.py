"""The EXISTS-in-SQL relations give the same answers as the ORM joins they replace."""

import pytest
from django.db.models import Q
from django.http import Http404

from strategy import access, phases
from strategy.models import Participation, Strategy
from tests.factories import UserFactory
from tests.strategy.conftest import make_draft, open_window

pytestmark = pytest.mark.django_db


@pytest.fixture
def strategies(world):
    """A draft with a delegate, one open to both teams, one open to Checkout only, one answered."""
    delegate = UserFactory(username="delegate")
    draft = make_draft(world, title="Draft")
    draft.delegates.add(delegate)
    both = open_window(make_draft(world, title="Both teams"), world)
    narrow = open_window(make_draft(world, title="Checkout only"), world)
    narrow.audience_teams.set([world.team])
    answered = open_window(make_draft(world, title="Answered"), world)
    Participation.objects.create(strategy=answered, user=world.member)
    return delegate, [draft, both, narrow, answered]


def _people(world, delegate):
    return [
        world.member,
        world.teammate,
        world.outsider,
        world.lead,
        world.leader,
        world.researcher,
        world.admin,
        delegate,
    ]


def _visible_by_joins(user) -> set[int]:
    mine = Q(owner=user) | Q(delegates=user)
    if user.is_leadership or user.is_productops_admin:
        rule = mine | ~Q(phase=phases.DRAFT)
    else:
        rule = mine | (Q(audience_teams__memberships__user=user) & ~Q(phase=phases.DRAFT))
    return set(Strategy.objects.filter(rule).values_list("pk", flat=True))


def test_visible_to_is_the_same_rule_as_the_joins(world, strategies):
    delegate, _ = strategies
    for person in _people(world, delegate):
        expected = _visible_by_joins(person)
        assert set(Strategy.objects.visible_to(person).values_list("pk", flat=True)) == expected
        # Inside another query the strategy table is aliased; the SQL must follow it.
        nested = Strategy.objects.filter(pk__in=Strategy.objects.visible_to(person).values("pk"))
        assert set(nested.values_list("pk", flat=True)) == expected
        # No join fans out, so each strategy comes once without DISTINCT.
        listed = list(Strategy.objects.visible_to(person).values_list("pk", flat=True))
        assert len(listed) == len(set(listed))


def test_the_access_check_agrees_with_the_relation_queries(world, strategies):
    delegate, items = strategies
    for person in _people(world, delegate):
        for strategy in items:
            expected = access.viewer_for(Strategy.objects.get(pk=strategy.pk), person)
            try:
                _, viewer = access.strategy_get_for(person, strategy.pk)
            except Http404:
                assert not phases.can_view(strategy.phase, expected)
                continue
            assert viewer == expected


def test_the_list_marks_what_waits_for_my_feedback(world, strategies, client_as):
    page = client_as(world.member).get("/strategy/").content.decode()
    # Open to Checkout and not yet answered: "Both teams" and "Checkout only", not "Answered".
    needs = page.split('id="needs-heading"')[1].split("</section>")[0]
    assert "Both teams" in needs and "Checkout only" in needs and "Answered" not in needs
    outsider = client_as(world.outsider).get("/strategy/").content.decode()
    assert "Checkout only" not in outsider
