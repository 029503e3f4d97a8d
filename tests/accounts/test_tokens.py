import hashlib

import pytest
from django.urls import reverse

from productops.accounts.models import ApiToken, AuditEntry

pytestmark = pytest.mark.django_db


def _create(client, name="CI lint job"):
    return client.post(reverse("accounts:token_create"), {"name": name})


def test_a_token_is_shown_once_and_stored_hashed(world, client_for):
    client = client_for(world.member)
    page = _create(client).content.decode()
    token = ApiToken.objects.get(user=world.member)
    raw = page.split('id="new-token-value">', 1)[1].split("<", 1)[0].strip()
    assert raw.startswith("pop_")
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(ApiToken.objects.values().get())
    assert raw not in client.get(reverse("accounts:profile")).content.decode()


def test_bearer_token_authenticates_the_api_and_records_last_use(world, client_for, api_client):
    page = _create(client_for(world.member)).content.decode()
    raw = page.split('id="new-token-value">', 1)[1].split("<", 1)[0].strip()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = api_client.get(reverse("api:me"))
    assert response.status_code == 200
    assert response.json()["username"] == "member"
    assert ApiToken.objects.get(user=world.member).last_used_at is not None


def test_a_revoked_or_unknown_token_gets_401(world, client_for, api_client):
    client = client_for(world.member)
    raw = (
        _create(client)
        .content.decode()
        .split('id="new-token-value">', 1)[1]
        .split("<", 1)[0]
        .strip()
    )
    token = ApiToken.objects.get(user=world.member)
    client.post(reverse("accounts:token_revoke", args=[token.pk]))
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api_client.get(reverse("api:me")).status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION="Bearer pop_not-a-real-token")
    response = api_client.get(reverse("api:me"))
    assert response.status_code == 401
    assert "unknown or has been revoked" in response.json()["detail"]
    assert AuditEntry.objects.filter(action="token.revoked", target_id=str(token.pk)).exists()


def test_nobody_revokes_someone_elses_token(world, client_for):
    _create(client_for(world.member))
    token = ApiToken.objects.get(user=world.member)
    response = client_for(world.outsider).post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_names_are_required_and_unique_among_active_tokens(world, client_for):
    client = client_for(world.member)
    assert "Give the token a name" in _create(client, "   ").content.decode()
    _create(client, "CI")
    duplicate = _create(client, "ci")
    assert duplicate.status_code == 400
    assert "already have an active token with this name" in duplicate.content.decode()
    assert ApiToken.objects.filter(user=world.member).count() == 1


def test_tokens_through_the_api(world, api_for):
    api = api_for(world.member)
    created = api.post(reverse("api:token-list"), {"name": "nightly export"}, format="json")
    assert created.status_code == 201
    raw = created.json()["token"]
    listed = api.get(reverse("api:token-list")).json()["results"]
    assert [t["name"] for t in listed] == ["nightly export"]
    assert "token" not in listed[0]
    assert raw not in str(listed)
    assert api.delete(reverse("api:token-detail", args=[listed[0]["id"]])).status_code == 204
    assert ApiToken.objects.get().revoked_at is not None
    assert (
        api_for(world.outsider)
        .delete(reverse("api:token-detail", args=[listed[0]["id"]]))
        .status_code
        == 404
    )
