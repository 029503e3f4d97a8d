"""Identical requests arriving together (a double click, a retrying CI job) never end in a 500:
each one is either done once or answered 409 naming what already exists.

Real threads against PostgreSQL, released together by a barrier.
"""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from productops.accounts.models import ApiToken, Membership
from research.models import FatigueRuleSet
from telemetry.models import ConventionVersion, Property
from tests.factories import UserFactory

pytestmark = pytest.mark.postgres

ROUNDS = 4


def _at_once(requests):
    """Run the callables together; return their status codes (500 for an exception)."""
    barrier = threading.Barrier(len(requests))
    statuses = [None] * len(requests)

    def run(i, request):
        try:
            barrier.wait()
            statuses[i] = request().status_code
        except Exception:  # the test client re-raises what would have been a 500
            statuses[i] = 500
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, r)) for i, r in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _post_twice(first, second, url, body):
    return _at_once(
        [lambda: _client(first).post(url, body), lambda: _client(second).post(url, body)]
    )


def test_two_identical_property_posts_make_one_property(world, transactional_db):
    for n in range(ROUNDS):
        body = {"name": f"plan_type_{n}", "type": "string", "team": "checkout"}
        statuses = _post_twice(world.member, world.teammate, "/api/v1/telemetry/properties/", body)
        assert sorted(statuses) in ([201, 400], [201, 409]), statuses
        assert Property.objects.filter(name=f"plan_type_{n}").count() == 1


def test_adding_one_colleague_twice_at_once_adds_them_once(world, transactional_db):
    for n in range(ROUNDS):
        newcomer = UserFactory(username=f"newcomer{n}")
        url = f"/api/v1/teams/{world.team.slug}/memberships/"
        statuses = _post_twice(world.lead, world.lead, url, {"username": newcomer.username})
        assert sorted(statuses) in ([201, 400], [201, 409]), statuses
        assert Membership.objects.filter(user=newcomer, team=world.team).count() == 1


def test_two_tokens_with_one_name_at_once_make_one_token(world, transactional_db):
    for n in range(ROUNDS):
        statuses = _post_twice(world.member, world.member, "/api/v1/tokens/", {"name": f"ci {n}"})
        assert sorted(statuses) in ([201, 400], [201, 409]), statuses
        assert world.member.api_tokens.active().filter(name=f"ci {n}").count() == 1
    assert ApiToken.objects.count() == ROUNDS


def test_concurrent_convention_publishes_each_get_their_own_number(world, transactional_db):
    statuses = _at_once(
        [
            lambda n=n: _client(world.admin).post(
                "/api/v1/telemetry/conventions/publish/",
                {"preset": "segment", "note": f"publish {n}"},
                format="json",
            )
            for n in range(6)
        ]
    )
    assert statuses == [201] * 6
    assert sorted(ConventionVersion.objects.values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6]


def test_concurrent_rule_updates_each_store_a_version(world, transactional_db):
    FatigueRuleSet.objects.all().delete()
    statuses = _at_once(
        [
            lambda n=n: _client(world.admin).put(
                "/api/v1/research/rules/",
                {"rules": {"session_cooldown_days": 30 + n}, "note": f"edit {n}"},
                format="json",
            )
            for n in range(4)
        ]
    )
    assert statuses == [200] * 4
    assert sorted(FatigueRuleSet.objects.values_list("version", flat=True)) == [1, 2, 3, 4]
