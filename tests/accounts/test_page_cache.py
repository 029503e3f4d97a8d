"""Pages and API lists served again from the per-person cache, and never once the data changed.

The suite runs with the cache off (tests/settings.py); these tests turn it on. Whatever way the
database changes, by the ORM without signals, raw SQL, a lead's click or a real Celery worker,
the next page shows it; one person never gets another's page; flash messages, htmx fragments,
the clock, tokens and throttling keep working.
"""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from productops import page_cache
from productops.accounts.models import Membership, Notification, Team
from productops.accounts.services import token_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 10
    # Other tests' pages and request counts must not leak in. On Redis only this test's keys go:
    # the broker may share the database.
    if hasattr(cache, "delete_pattern"):
        cache.delete_pattern("page-cache:*")
        cache.delete_pattern("throttle_*")
    else:
        cache.clear()


def signed_in(user, client_class=Client):
    client = client_class()
    client.force_login(user)
    return client


def get_warm(client, url, **headers):
    """GET until the page is kept: the first answer of a new session sets the CSRF cookie that
    every cached page is keyed on."""
    for _ in range(3):
        response = client.get(url, headers=headers)
        if response.get("X-Page-Cache") == "miss":
            return response
    raise AssertionError(f"{url} was never kept: {response.status_code} {response.headers}")


@pytest.mark.parametrize(
    "sql,writes",
    [
        ('SELECT "accounts_team"."id" FROM "accounts_team"', False),
        ("  select 1", False),
        ('DECLARE "_django_curs_1" NO SCROLL CURSOR WITH HOLD FOR SELECT 1', False),
        ("WITH person AS (SELECT 1) SELECT * FROM person", False),
        ("WITH gone AS (DELETE FROM research_hold RETURNING id) SELECT count(*) FROM gone", True),
        ('INSERT INTO "accounts_team" ("name") VALUES (%s)', True),
        ('UPDATE "accounts_team" SET "name" = %s', True),
        ('DELETE FROM "telemetry_event" WHERE id = 1', True),
        ('TRUNCATE "telemetry_event"', True),
        ('ALTER TABLE "telemetry_event" ADD COLUMN "x" int', True),
        # Saving a session changes nothing anyone sees.
        ('UPDATE "django_session" SET "session_data" = %s', False),
    ],
)
def test_which_statements_count_as_changes(sql, writes):
    assert page_cache.is_write(sql) is writes


def test_a_page_seen_again_is_served_from_the_cache_unchanged(world):
    client = signed_in(world.member)
    first = get_warm(client, "/accounts/teams/")
    again = client.get("/accounts/teams/")
    assert again["X-Page-Cache"] == "hit"
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    # The portal's headers still come from the middleware on every answer.
    assert again["Cache-Control"] == "private, no-store"
    assert "Content-Security-Policy" in again


def test_an_update_that_sends_no_model_signal_shows_on_the_next_page(world):
    client = signed_in(world.member)
    assert b"Checkout" in get_warm(client, "/accounts/teams/").content
    Team.objects.filter(pk=world.team.pk).update(name="Payments")
    page = client.get("/accounts/teams/")
    assert page["X-Page-Cache"] == "miss"
    assert b"Payments" in page.content


def test_raw_sql_shows_on_the_next_page(world):
    client = signed_in(world.member)
    get_warm(client, "/accounts/teams/")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_team SET name = %s WHERE id = %s", ["Ledger", world.team.pk]
        )
    assert b"Ledger" in client.get("/accounts/teams/").content


def test_one_person_never_gets_another_persons_page(world):
    Notification.objects.create(
        recipient=world.member, key="k1", title="Your interview is confirmed"
    )
    member, outsider = signed_in(world.member), signed_in(world.outsider)
    assert b"Your interview is confirmed" in get_warm(member, "/accounts/notifications/").content
    assert client_hit(member, "/accounts/notifications/")
    theirs = get_warm(outsider, "/accounts/notifications/")
    assert b"Your interview is confirmed" not in theirs.content
    assert b"Your interview is confirmed" not in outsider.get("/accounts/notifications/").content


def client_hit(client, url, **headers) -> bool:
    return client.get(url, headers=headers).get("X-Page-Cache") == "hit"


def test_a_lead_removing_a_member_takes_effect_on_the_members_next_answer(world):
    member = signed_in(world.member, APIClient)
    assert [t["slug"] for t in get_warm(member, "/api/v1/me/").json()["teams"]] == [world.team.slug]
    assert client_hit(member, "/api/v1/me/")
    lead = signed_in(world.lead)
    membership = Membership.objects.get(user=world.member, team=world.team)
    removed = lead.post(f"/accounts/teams/{world.team.slug}/members/{membership.pk}/remove/")
    assert removed.status_code == 302
    answer = member.get("/api/v1/me/")
    assert answer["X-Page-Cache"] == "miss"
    assert answer.json()["teams"] == []


def test_an_htmx_fragment_and_the_full_page_are_kept_apart(world):
    client = signed_in(world.member)
    page = get_warm(client, "/telemetry/?q=checkout")
    fragment = get_warm(client, "/telemetry/?q=checkout", HX_Request="true", HX_Target="results")
    assert b"<html" in page.content
    assert b"<html" not in fragment.content
    assert b"<html" in client.get("/telemetry/?q=checkout").content
    assert (
        b"<html"
        not in client.get(
            "/telemetry/?q=checkout", headers={"HX-Request": "true", "HX-Target": "results"}
        ).content
    )


def test_a_flash_message_is_shown_once_and_never_kept(world):
    Notification.objects.create(recipient=world.member, key="k2", title="Window opens")
    client = signed_in(world.member)
    get_warm(client, "/accounts/notifications/")
    client.post("/accounts/notifications/read-all/")
    with_message = client.get("/accounts/notifications/")
    assert b"Marked 1 notification as read." in with_message.content
    assert with_message.get("X-Page-Cache") is None
    after = client.get("/accounts/notifications/")
    assert b"Marked 1 notification as read." not in after.content


def test_a_kept_page_expires_with_the_clock(world, monkeypatch):
    client = signed_in(world.member)
    get_warm(client, "/accounts/teams/")
    assert client_hit(client, "/accounts/teams/")
    later = timezone.now() + timedelta(seconds=11)
    monkeypatch.setattr(page_cache.timezone, "now", lambda: later)
    assert client.get("/accounts/teams/")["X-Page-Cache"] == "miss"


def test_token_clients_are_answered_fresh_and_throttling_still_counts_cached_answers(
    world, settings
):
    token = token_create(user=world.member, name="ci")[1]
    tokened = APIClient()
    tokened.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert tokened.get("/api/v1/telemetry/events/").get("X-Page-Cache") is None
    assert tokened.get("/api/v1/telemetry/events/").get("X-Page-Cache") is None

    session = signed_in(world.teammate, APIClient)
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user": "3/min"}
    with override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    ):
        answers = [session.get("/api/v1/telemetry/events/") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.get("X-Page-Cache") for a in answers[:3]] == ["miss", "hit", "hit"]


def test_a_page_that_wrote_while_rendering_is_not_kept(world, monkeypatch):
    from productops import views

    render = views.render

    def render_and_write(*args, **kwargs):
        Team.objects.filter(pk=world.team.pk).update(product_area="Growth")
        return render(*args, **kwargs)

    client = signed_in(world.member)
    client.get("/")
    monkeypatch.setattr(views, "render", render_and_write)
    assert client.get("/").get("X-Page-Cache") is None
    assert client.get("/").get("X-Page-Cache") is None


def test_off_means_no_caching_and_no_header(world, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client = signed_in(world.member)
    for _ in range(3):
        assert client.get("/accounts/teams/").get("X-Page-Cache") is None


@pytest.mark.django_db(transaction=True)
def test_a_write_in_a_transaction_counts_when_it_commits_and_not_if_rolled_back(world):
    before = page_cache.data_version()
    with transaction.atomic():
        Team.objects.filter(pk=world.team.pk).update(name="Payments")
        assert page_cache.data_version() == before  # not visible to anyone yet
    committed = page_cache.data_version()
    assert committed != before

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        Team.objects.filter(pk=world.team.pk).update(name="Never")
        raise Undo
    assert page_cache.data_version() == committed


def _idle(log: str) -> bool:
    return log.count("] received") == log.count("] succeeded") > 0


@pytest.fixture
def page_cache_worker(monkeypatch, transactional_db, request):
    # The worker is another process: it must bump the version in the shared Redis itself.
    monkeypatch.setenv("TEST_PAGE_CACHE_SECONDS", "10")
    return request.getfixturevalue("celery_worker_process")


@pytest.mark.postgres
@pytest.mark.redis
def test_a_real_celery_worker_changing_data_empties_the_cache(page_cache_worker, world):
    from strategy import phases, tasks
    from strategy.models import Strategy
    from tests.strategy.conftest import make_draft, open_window

    worker = page_cache_worker
    strategy = open_window(make_draft(world), world)
    Strategy.objects.filter(pk=strategy.pk).update(
        feedback_opens_at=timezone.now() - timedelta(days=3),
        feedback_closes_at=timezone.now() - timedelta(minutes=1),
    )
    # Publishing queued notifications: let the worker finish them, they change pages too.
    assert worker.wait_until(lambda: _idle(worker.log.read_text())), worker.log.read_text()
    client = signed_in(world.member)
    url = f"/strategy/{strategy.pk}/"
    before = get_warm(client, url)
    assert client_hit(client, url)

    tasks.close_due_windows.delay()
    assert worker.wait_until(
        lambda: Strategy.objects.filter(pk=strategy.pk, phase=phases.REVEAL).exists()
    ), worker.log.read_text()
    after = client.get(url)
    assert after["X-Page-Cache"] == "miss"
    assert after.content != before.content
