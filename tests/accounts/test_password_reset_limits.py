import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = "accounts:password_reset"


def _ask(client, email, ip="203.0.113.7"):
    return client.post(reverse(URL), {"email": email}, REMOTE_ADDR=ip)


def test_one_address_gets_three_reset_mails_an_hour_then_a_friendly_429(world, client):
    for _ in range(3):
        assert _ask(client, "member@example.com").status_code == 302
    assert len(mail.outbox) == 3

    response = _ask(client, "MEMBER@example.com ")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    page = response.content.decode()
    assert "Please wait before asking again" in page
    assert "Back to sign in" in page
    assert len(mail.outbox) == 3  # nothing more was sent


def test_the_limit_on_one_address_holds_across_networks(world, client):
    for i in range(3):
        _ask(client, "member@example.com", ip=f"198.51.100.{i}")
    assert _ask(client, "member@example.com", ip="192.0.2.99").status_code == 429


def test_other_addresses_are_not_held_back_by_one_flooded_address(world, client):
    for _ in range(4):
        _ask(client, "member@example.com")
    assert _ask(client, "teammate@example.com").status_code == 302
    assert mail.outbox[-1].to == ["teammate@example.com"]


def test_one_network_may_ask_twenty_times_an_hour(world, client):
    for i in range(20):
        assert _ask(client, f"person{i}@example.com").status_code == 302
    response = _ask(client, "member@example.com")
    assert response.status_code == 429
    assert "Retry-After" in response
    assert mail.outbox == []
    assert _ask(client, "member@example.com", ip="192.0.2.1").status_code == 302


def test_unknown_addresses_count_too_so_the_answer_reveals_nothing(world, client):
    for _ in range(3):
        _ask(client, "nobody@example.com")
    assert _ask(client, "nobody@example.com").status_code == 429


def test_limits_come_from_settings(world, client, settings):
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL = 1
    assert _ask(client, "member@example.com").status_code == 302
    assert _ask(client, "member@example.com").status_code == 429


def test_a_new_window_opens_when_the_old_one_ends():
    from productops.accounts.rate_limits import rate_limit_hit

    hit = dict(scope="t", key="k", limit=1, window=60)
    assert rate_limit_hit(**hit, now=6_000_010) is None
    assert rate_limit_hit(**hit, now=6_000_029) == 31  # the window ends at 6_000_060
    assert rate_limit_hit(**hit, now=6_000_061) is None
