import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parts = [p.strip().split() for p in header.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


def test_pages_forbid_inline_scripts_and_styles(world, client_for):
    response = client_for(world.member).get(reverse("home"))
    csp = _directives(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]


def test_the_sign_in_page_has_the_policy_and_the_usual_headers(client):
    response = client.get(reverse("accounts:login"))
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "name", ["home", "accounts:profile", "accounts:notifications", "telemetry:index"]
)
def test_personal_pages_are_never_stored(world, client_for, name):
    response = client_for(world.member).get(reverse(name))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_api_answers_to_a_signed_in_person_are_never_stored(world, api_client):
    api_client.force_login(world.member)
    response = api_client.get(reverse("api:me"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_api_answers_to_a_token_are_never_stored(world, client):
    from productops.accounts.services import token_create

    _token, raw = token_create(user=world.member, name="ci")
    response = client.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_a_view_that_sets_its_own_caching_keeps_it(client):
    # The sign-in page is never_cache'd by Django with its own, stricter header.
    response = client.get(reverse("accounts:login"))
    assert "no-store" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]


def test_static_files_stay_cacheable(client):
    response = client.get("/static/css/portal.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_no_template_carries_inline_script_or_style(settings):
    """The policy would block them: every script and style must come from a static file."""
    from pathlib import Path

    roots = [Path(settings.BASE_DIR) / "templates"] + [
        Path(settings.BASE_DIR) / app / "templates" for app in settings.PORTAL_APPS
    ]
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=\"|\son[a-z]+=\"|hx-on")
    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}: {match.group(0)}"
        for root in roots
        if root.exists()
        for path in root.rglob("*.html")
        for match in inline.finditer(path.read_text())
    ]
    assert offenders == []


@pytest.mark.parametrize("name", ["api-docs", "api-redoc"])
def test_api_docs_load_their_scripts_from_files(world, client_for, name):
    response = client_for(world.member).get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "fonts.googleapis.com" not in html
    assert _directives(response)["script-src"] == ["'self'"]


def test_the_swagger_start_script_is_served_as_a_file(world, client_for):
    client = client_for(world.member)
    html = client.get(reverse("api-docs")).content.decode()
    script_url = re.search(r'<script src="([^"]*script=[^"]*)"', html).group(1)
    response = client.get(script_url.replace("&amp;", "&"))
    assert response.status_code == 200
    assert "SwaggerUIBundle(" in response.content.decode()
