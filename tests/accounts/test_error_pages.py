import pytest
from django.db import connection
from django.template import loader
from django.urls import reverse

from telemetry import services as telemetry_services

pytestmark = pytest.mark.django_db


def test_a_refusal_says_why_and_where_to_go(world, client_for):
    event = telemetry_services.event_register(
        team=world.other_team, name="Search Performed", by=world.outsider
    )
    response = client_for(world.member).get(
        reverse("telemetry:event_edit", args=[event.pk]),
        HTTP_REFERER=f"http://testserver{reverse('telemetry:index')}",
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert "Only members of Search can change this event." in page
    assert 'href="/"' in page and "Go to the home page" in page
    assert "Back to Telemetry" in page
    assert 'data-testid="back-link"' in page
    assert 'id="main-nav"' in page  # the site's layout, navigation included


def test_a_missing_page_names_the_path_and_offers_the_way_home(world, client_for):
    response = client_for(world.member).get("/telemetry/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "We can’t find that page" in page
    assert "/telemetry/no-such-page/" in page
    assert "Go to the home page" in page
    assert "Resolver404" not in page


def test_a_back_link_to_another_site_is_not_offered(world, client_for):
    response = client_for(world.member).get(
        "/telemetry/no-such-page/", HTTP_REFERER="https://evil.example/phish"
    )
    assert "evil.example" not in response.content.decode()


def test_anonymous_visitors_get_the_styled_page_with_a_sign_in_link(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Sign in" in response.content.decode()
    assert "portal.css" in response.content.decode()


def test_the_server_error_page_renders_without_a_request_or_database(django_db_blocker):
    with django_db_blocker.block():
        html = loader.get_template("500.html").render()
    assert "Something went wrong on our side" in html
    assert "portal.css" in html
    assert 'href="/"' in html


def test_a_crash_answers_with_the_styled_500_page(world, client_for):
    client = client_for(world.member)
    client.raise_request_exception = False
    with connection.execute_wrapper(_fail_on("accounts_notification")):
        response = client.get(reverse("accounts:notifications"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def _fail_on(table):
    def wrapper(execute, sql, params, many, context):
        if table in sql:
            raise RuntimeError("the database went away")
        return execute(sql, params, many, context)

    return wrapper


def test_the_favicon_is_served(client):
    response = client.get("/favicon.ico", follow=True)
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"<svg" in body


def test_every_page_links_the_favicon(world, client_for):
    assert 'rel="icon"' in client_for(world.member).get(reverse("home")).content.decode()


def test_a_stale_form_gets_the_styled_csrf_page(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.member)
    response = client.post(reverse("accounts:profile"), {"display_name": "X"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "This form has expired" in page
    assert "portal.css" in page
