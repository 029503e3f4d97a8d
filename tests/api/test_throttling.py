"""Request rates: per person (token or session), per anonymous address, and bad tokens per
address. Each refusal is a 429 with Retry-After."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings
from rest_framework.test import APIClient

from productops.accounts.services import token_create

pytestmark = pytest.mark.django_db


def _rates(**rates):
    return override_settings(
        REST_FRAMEWORK={
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {
                **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                **rates,
            },
        }
    )


@pytest.fixture(autouse=True)
def no_earlier_counts():
    """Counts of other tests (same user ids on SQLite, same address) must not leak in."""
    if hasattr(cache, "delete_pattern"):
        cache.delete_pattern("throttle_*")
    else:
        cache.clear()


def _token_client(user, address="203.0.113.7"):
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_create(user=user, name='ci')[1]}")
    return client


def test_a_person_over_their_rate_gets_a_429_with_retry_after(world):
    client = _token_client(world.member)
    with _rates(user="3/min"):
        statuses = [client.get("/api/v1/me/").status_code for _ in range(4)]
        refused = client.get("/api/v1/me/")
    assert statuses == [200, 200, 200, 429]
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "throttled" in refused.json()["detail"].lower()


def test_token_and_session_requests_of_one_person_share_the_rate(world, client_for):
    token_client = _token_client(world.member)
    session_client = client_for(world.member)
    with _rates(user="3/min"):
        assert token_client.get("/api/v1/me/").status_code == 200
        assert session_client.get("/api/v1/me/").status_code == 200
        assert token_client.get("/api/v1/me/").status_code == 200
        refused = session_client.get("/api/v1/me/")
        other_person = _token_client(world.teammate).get("/api/v1/me/")
    assert refused.status_code == 429
    assert refused.has_header("Retry-After")
    assert other_person.status_code == 200


def test_anonymous_requests_are_limited_per_address(db):
    client = APIClient(REMOTE_ADDR="198.51.100.9")
    with _rates(anon="2/min"):
        statuses = [client.get("/api/schema/").status_code for _ in range(3)]
        refused = client.get("/api/schema/")
    assert statuses == [200, 200, 429]
    assert refused.has_header("Retry-After")


def test_bad_tokens_from_one_address_are_refused_after_the_limit(world):
    good = token_create(user=world.member, name="ci")[1]
    attacker = APIClient(REMOTE_ADDR="192.0.2.66")
    with _rates(failed_token="3/hour"):
        guesses = []
        for n in range(4):
            attacker.credentials(HTTP_AUTHORIZATION=f"Bearer pop_guess{n}")
            guesses.append(attacker.get("/api/v1/me/").status_code)
        # Once blocked, even a right guess from that address learns nothing.
        attacker.credentials(HTTP_AUTHORIZATION=f"Bearer {good}")
        blocked = attacker.get("/api/v1/me/")
        elsewhere = APIClient(REMOTE_ADDR="192.0.2.67")
        elsewhere.credentials(HTTP_AUTHORIZATION=f"Bearer {good}")
        colleague = elsewhere.get("/api/v1/me/")
    assert guesses == [401, 401, 401, 429]
    assert blocked.status_code == 429
    assert 3000 < int(blocked["Retry-After"]) <= 3600
    assert "unknown tokens" in blocked.json()["detail"]
    assert colleague.status_code == 200


def test_a_malformed_rate_stops_startup_naming_the_variable(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from productops.env import env_rate

    monkeypatch.setenv("API_THROTTLE_USER", "lots")
    with pytest.raises(ImproperlyConfigured, match="API_THROTTLE_USER"):
        env_rate("API_THROTTLE_USER", "600/min")
    monkeypatch.setenv("API_THROTTLE_USER", "1200/min")
    assert env_rate("API_THROTTLE_USER", "600/min") == "1200/min"


def test_a_forged_forwarded_for_header_does_not_reset_the_bad_token_count(world):
    attacker = APIClient(REMOTE_ADDR="192.0.2.66")
    with _rates(failed_token="2/hour"):
        statuses = []
        for n in range(3):
            attacker.credentials(
                HTTP_AUTHORIZATION=f"Bearer pop_guess{n}", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}"
            )
            statuses.append(attacker.get("/api/v1/me/").status_code)
    assert statuses == [401, 401, 429]
