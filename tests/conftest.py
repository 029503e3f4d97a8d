"""The shared fixture world and the switches for real services.

A test that needs PostgreSQL, Redis or Chromium is skipped, with the reason,
only when that service is absent.
"""

import os
import shutil
from types import SimpleNamespace

import pytest
from django.conf import settings

from tests.factories import MembershipFactory, TeamFactory, UserFactory

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def require_tool(name: str, install: str) -> str:
    """The path of a command a test needs. Skipped, with the reason, on a laptop without it;
    under CI (which installs it in .ci/run) a missing tool is a broken setup and fails."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed ({install})"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def pytest_collection_modifyitems(config, items):
    reasons = {}
    if not settings.IS_POSTGRES:
        reasons["postgres"] = "needs PostgreSQL: set DATABASE_URL=postgres://..."
    if not settings.REDIS_URL:
        reasons["redis"] = "needs Redis: set REDIS_URL=redis://..."
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        reasons["browser"] = f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/") or "/browser/" in item.nodeid:
            item.add_marker(pytest.mark.browser)
        for marker, reason in reasons.items():
            if marker in item.keywords:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Each test starts with no request counted, so tests never throttle one another."""
    from productops.accounts.rate_limits import rate_limits_clear

    rate_limits_clear()
    yield


@pytest.fixture
def world(db):
    """member and teammate share a team; outsider is in another; plus org roles."""
    team = TeamFactory(name="Checkout", product_area="Commerce")
    other_team = TeamFactory(name="Search", product_area="Discovery")
    member = UserFactory(username="member", display_name="Mia Member")
    teammate = UserFactory(username="teammate", display_name="Tom Teammate")
    outsider = UserFactory(username="outsider", display_name="Otto Outsider")
    lead = UserFactory(username="lead", display_name="Lea Lead")
    leader = UserFactory(username="leader", display_name="Lina Leader", is_leadership=True)
    researcher = UserFactory(
        username="researcher", display_name="Rita Researcher", is_researcher=True
    )
    admin = UserFactory(
        username="admin", display_name="Alex Admin", is_productops_admin=True, is_staff=True
    )
    MembershipFactory(user=member, team=team)
    MembershipFactory(user=teammate, team=team)
    MembershipFactory(user=lead, team=team, role="lead")
    MembershipFactory(user=outsider, team=other_team)
    return SimpleNamespace(
        team=team,
        other_team=other_team,
        member=member,
        teammate=teammate,
        outsider=outsider,
        lead=lead,
        leader=leader,
        researcher=researcher,
        admin=admin,
    )


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def client_for(client):
    """client_for(user) -> a Django test client signed in as that user."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def api_for():
    """api_for(user) -> a DRF client authenticated as that user through the session."""
    from rest_framework.test import APIClient

    def make(user):
        c = APIClient()
        c.force_authenticate(user)
        return c

    return make


# Browser fixtures: Playwright drives Debian's Chromium against live_server.
@pytest.fixture(scope="session")
def _playwright_browser():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Every page reports Content-Security-Policy violations on its console, which Chromium
# also does itself ("Refused to ... Content Security Policy"). The init script runs
# outside the page's policy, so it cannot itself be blocked.
_REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.effectiveDirective} blocked ${e.blockedURI || "inline"}`
    + ` at ${e.documentURI}${e.sample ? " (" + e.sample + ")" : ""}`);
});
"""


def _is_csp_violation(text: str) -> bool:
    return text.startswith("CSP violation:") or "Content Security Policy" in text


@pytest.fixture(autouse=True)
def csp_violations(request):
    """Fails a browser test at teardown if any page it opened broke the CSP.

    Wraps the shared browser's new_context, so contexts a test opens itself are watched too.
    """
    if request.node.get_closest_marker("browser") is None:
        yield None
        return
    browser = request.getfixturevalue("_playwright_browser")
    found = []
    original = browser.new_context

    def new_context(*args, **kwargs):
        context = original(*args, **kwargs)
        context.add_init_script(script=_REPORT_CSP_VIOLATIONS)

        def on_console(message):
            if _is_csp_violation(message.text):
                found.append(f"{message.page.url if message.page else '?'}: {message.text}")

        context.on("console", on_console)
        return context

    browser.new_context = new_context
    try:
        yield found
    finally:
        del browser.new_context
    if found:
        pytest.fail(
            "Content-Security-Policy violations:\n" + "\n".join(dict.fromkeys(found)),
            pytrace=False,
        )


@pytest.fixture
def page(_playwright_browser, live_server, csp_violations):
    context = _playwright_browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1280, "height": 860},
        timezone_id="Europe/Berlin",
    )
    context.set_default_timeout(10_000)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def screenshot(request):
    """screenshot(page, "name") saves test-artifacts/screenshots/<test>-<name>.png to look at."""
    folder = os.path.join(settings.BASE_DIR, "test-artifacts", "screenshots")
    os.makedirs(folder, exist_ok=True)

    def take(pg, name):
        path = os.path.join(folder, f"{request.node.name}-{name}.png")
        pg.screenshot(path=path, full_page=True)
        return path

    return take


@pytest.fixture
def sign_in():
    """sign_in(page, username, password) through the real sign-in form."""

    def do(pg, username, password="demo-pass-123"):
        pg.goto("/accounts/sign-in/")
        pg.get_by_label("Username").fill(username)
        pg.get_by_label("Password").fill(password)
        pg.get_by_role("button", name="Sign in").click()
        pg.wait_for_url(lambda url: "/sign-in/" not in url)

    return do


def _database_url_for_test_db() -> str:
    from django.db import connection

    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path):
    """A real Celery worker process on Redis, reading and writing the test database.

    Yields a namespace with `mail_dir` (where the worker's emails land as files).
    Needs PostgreSQL and Redis: mark the test with @pytest.mark.postgres and @pytest.mark.redis.
    """
    import signal
    import subprocess
    import sys
    import time

    from productops.celery import app as celery_app

    celery_app.control.purge()
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _database_url_for_test_db(),
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    hostname = f"test-{os.getpid()}-{time.monotonic_ns()}@%h"
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "productops",
            "worker",
            "--pool=prefork",
            "--concurrency=2",
            "--loglevel=INFO",
            "-n",
            hostname,
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if celery_app.control.ping(timeout=0.5):
            break
        if proc.poll() is not None:
            raise RuntimeError((tmp_path / "worker.log").read_text())
    else:
        proc.kill()
        raise RuntimeError(
            "the Celery worker did not start in 60 s: " + (tmp_path / "worker.log").read_text()
        )

    def wait_until(predicate, timeout=30):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if predicate():
                return True
            time.sleep(0.2)
        return False

    yield SimpleNamespace(mail_dir=mail_dir, wait_until=wait_until, log=tmp_path / "worker.log")
    # A cold shutdown: the test has already seen what it waited for.
    proc.send_signal(signal.SIGQUIT)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()
