"""The owner's "where we disagree" table, computed from what the pages show after the reveal."""

import pytest
from django.urls import reverse

from strategy import where_we_disagree
from tests.strategy import reviews_world
from tests.strategy.conftest import reveal

pytestmark = pytest.mark.django_db


@pytest.fixture
def split_strategy(world):
    return reviews_world.split_strategy(world, revealed=False)


def test_nothing_is_computed_before_the_reveal(split_strategy, world, client_as):
    strategy, *_ = split_strategy
    assert where_we_disagree.subjects_for(strategy) == []
    page = client_as(world.leader).get(reverse("strategy:disagreement", args=[strategy.pk]))
    assert 'data-testid="sealed"' in page.content.decode()
    assert 'data-testid="disagreement-row"' not in page.content.decode()


def test_the_owner_sees_split_blocking_and_unclear_subjects_first(split_strategy, world, client_as):
    strategy, a, bets, options = split_strategy
    reveal(strategy)
    report = where_we_disagree.report_for(strategy)
    by_key = {d.subject.key: d for d in report.items}
    assert by_key[str(a.public_id)].spread == 1.0
    assert by_key[bets].subject.support == 1 and by_key[bets].subject.against == 2
    assert by_key[bets].blocking and by_key[bets].subject.open_blockers == 2
    assert by_key[options].unclear
    on_agenda = [d.subject.key for d in report.items if d.needs_time]
    assert set(on_agenda) == {str(a.public_id), bets, options}
    # Three named voices only: too few for the dominance share to mean anything.
    assert report.voices == 3 and report.dominance is None

    page = client_as(world.leader).get(reverse("strategy:disagreement", args=[strategy.pk]))
    html = page.content.decode()
    assert html.index(f'data-key="{a.public_id}"') < html.index(f'data-key="{options}"')
    assert "split-bar-fill pct-" in html and 'style="' not in html


def test_the_audience_cannot_open_the_owners_table(split_strategy, world, client_as):
    strategy, *_ = split_strategy
    reveal(strategy)
    url = reverse("strategy:disagreement", args=[strategy.pk])
    assert client_as(world.member).get(url).status_code == 403
    assert client_as(world.outsider).get(url).status_code == 403
