import re
import time

import pytest
from django.core import mail
from django.urls import reverse

from productops.accounts.models import AuditEntry

pytestmark = pytest.mark.django_db


def _profile(client, email, **overrides):
    return client.post(
        reverse("accounts:profile"),
        {
            "display_name": "Mia Member",
            "email": email,
            "time_zone": "Europe/Berlin",
            "notification_preference": "immediate",
            **overrides,
        },
        follow=True,
    )


def _confirm_path(message) -> str:
    return re.search(r"http://\S+(/accounts/profile/email/confirm/\S+/)", message.body).group(1)


def test_a_new_address_waits_for_confirmation_from_its_inbox(world, client_for):
    client = client_for(world.member)
    page = _profile(client, "mia.new@example.com").content.decode()
    assert "We sent a confirmation link to mia.new@example.com" in page
    assert 'data-testid="pending-email"' in page
    world.member.refresh_from_db()
    assert world.member.email == "member@example.com"  # unchanged until confirmed
    assert world.member.pending_email == "mia.new@example.com"

    to_new, to_old = mail.outbox
    assert to_new.to == ["mia.new@example.com"]
    assert to_old.to == ["member@example.com"]
    assert "mia.new@example.com" in to_old.body
    assert "/accounts/profile/email/confirm/" not in to_old.body  # the old inbox cannot confirm

    path = _confirm_path(to_new)
    assert "mia.new@example.com" in client.get(path).content.decode()
    world.member.refresh_from_db()
    assert world.member.email == "member@example.com"  # opening the link alone changes nothing
    done = client.post(path, follow=True).content.decode()
    assert "Your e-mail address is now mia.new@example.com" in done
    world.member.refresh_from_db()
    assert (world.member.email, world.member.pending_email) == ("mia.new@example.com", "")
    assert AuditEntry.objects.filter(action="user.email_changed", target_id=str(world.member.pk))


def test_the_other_fields_save_at_once(world, client_for):
    _profile(client_for(world.member), "mia.new@example.com", display_name="Mia M.")
    world.member.refresh_from_db()
    assert world.member.display_name == "Mia M."
    assert world.member.email == "member@example.com"


def test_keeping_the_same_address_sends_nothing(world, client_for):
    _profile(client_for(world.member), "member@example.com")
    assert mail.outbox == []
    world.member.refresh_from_db()
    assert world.member.pending_email == ""


def test_a_colleagues_address_cannot_even_be_requested(world, client_for):
    page = _profile(client_for(world.member), "teammate@example.com").content.decode()
    assert "Another account already uses this address" in page
    assert mail.outbox == []
    world.member.refresh_from_db()
    assert (world.member.email, world.member.pending_email) == ("member@example.com", "")


def test_the_link_confirms_only_for_the_person_it_was_made_for(world, client, client_for):
    _profile(client_for(world.member), "mia.new@example.com")
    path = _confirm_path(mail.outbox[0])
    client.logout()
    client.force_login(world.teammate)
    response = client.post(path)
    assert response.status_code == 400
    assert "made for another account" in response.content.decode()
    world.member.refresh_from_db()
    world.teammate.refresh_from_db()
    assert world.member.email == "member@example.com"
    assert world.teammate.email == "teammate@example.com"


def test_signed_out_visitors_must_sign_in_first(world, client_for, client):
    _profile(client_for(world.member), "mia.new@example.com")
    path = _confirm_path(mail.outbox[0])
    client.logout()
    response = client.post(path)
    assert response.status_code == 302
    assert "/accounts/sign-in/" in response["Location"]
    world.member.refresh_from_db()
    assert world.member.email == "member@example.com"


def test_a_tampered_link_gets_a_clear_message(world, client_for):
    client = client_for(world.member)
    _profile(client, "mia.new@example.com")
    path = _confirm_path(mail.outbox[0])
    tampered = path.replace(path[-6:-1], "AAAAA")
    response = client.post(tampered)
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    world.member.refresh_from_db()
    assert world.member.email == "member@example.com"


def test_an_expired_link_gets_a_clear_message(world, client_for, settings, monkeypatch):
    client = client_for(world.member)
    _profile(client, "mia.new@example.com")
    path = _confirm_path(mail.outbox[0])
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + settings.EMAIL_CHANGE_MAX_AGE + 5)
    response = client.post(path)
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    world.member.refresh_from_db()
    assert world.member.email == "member@example.com"


def test_a_newer_request_or_a_cancel_voids_older_links(world, client_for):
    client = client_for(world.member)
    _profile(client, "first@example.com")
    first = _confirm_path(mail.outbox[0])
    _profile(client, "second@example.com")
    assert "no longer current" in client.post(first).content.decode()
    second = _confirm_path(mail.outbox[2])
    client.post(reverse("accounts:email_change_cancel"))
    assert "no longer current" in client.post(second).content.decode()
    world.member.refresh_from_db()
    assert (world.member.email, world.member.pending_email) == ("member@example.com", "")


def test_the_api_routes_a_change_through_the_same_confirmation(world, api_for):
    response = api_for(world.member).patch(
        reverse("api:me"), {"email": "mia.api@example.com"}, format="json"
    )
    assert response.status_code == 200
    assert response.data["email"] == "member@example.com"
    assert response.data["pending_email"] == "mia.api@example.com"
    world.member.refresh_from_db()
    assert world.member.email == "member@example.com"
    assert mail.outbox[0].to == ["mia.api@example.com"]


def test_the_api_refuses_a_colleagues_address_naming_the_field(world, api_for):
    response = api_for(world.member).patch(
        reverse("api:me"), {"email": "teammate@example.com", "display_name": "X"}, format="json"
    )
    assert response.status_code == 400
    assert "email" in response.data
    world.member.refresh_from_db()
    assert (world.member.email, world.member.display_name) == ("member@example.com", "Mia Member")
