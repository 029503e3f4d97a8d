import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db

GENERIC = "That username and password do not match"


def test_it_signs_in_and_out(world, client):
    response = client.post(
        reverse("accounts:login"), {"username": "member", "password": "demo-pass-123"}, follow=True
    )
    assert response.context["user"] == world.member
    assert "Good to see you, Mia Member" in response.content.decode()
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_and_unknown_user_get_the_same_message(world, client):
    wrong = client.post(reverse("accounts:login"), {"username": "member", "password": "nope"})
    unknown = client.post(reverse("accounts:login"), {"username": "ghost", "password": "nope"})
    assert GENERIC in wrong.content.decode()
    assert GENERIC in unknown.content.decode()


def test_repeated_failures_are_throttled(world, client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "member", "password": "wrong"})
    # Even the right password is refused while the lock lasts.
    response = client.post(
        reverse("accounts:login"), {"username": "member", "password": "demo-pass-123"}
    )
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()


def test_pages_send_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_password_reset_by_email(world, client):
    client.post(reverse("accounts:password_reset"), {"email": "member@example.com"})
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/accounts/password-reset/\S+/\S+/", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-brand-new-secret-42", "new_password2": "a-brand-new-secret-42"},
        follow=True,
    )
    assert "Your password is changed" in done.content.decode()
    client.post(reverse("accounts:logout"))
    signed_in = client.post(
        reverse("accounts:login"),
        {"username": "member", "password": "a-brand-new-secret-42"},
        follow=True,
    )
    assert signed_in.context["user"] == world.member


def test_password_reset_does_not_reveal_unknown_addresses(world, client):
    response = client.post(
        reverse("accounts:password_reset"), {"email": "nobody@example.com"}, follow=True
    )
    assert "Check your email" in response.content.decode()
    assert mail.outbox == []
