"""A malformed setting stops startup with the variable's name."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from productops import env

# Set by the browser fixtures for Playwright; a real deployment never has it.
TEST_ONLY = {"DJANGO_ALLOW_ASYNC_UNSAFE"}


def _start(**overrides):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", *TEST_ONLY}
    }
    environment.update(DJANGO_SETTINGS_MODULE="productops.settings", **overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "variable,value",
    [
        ("DEBUG", "maybe"),
        ("DATABASE_URL", "mysql://db/portal"),
        ("REDIS_URL", "localhost:6379"),
        ("AXES_FAILURE_LIMIT", "lots"),
        ("TIME_ZONE", "Mars/Olympus"),
    ],
)
def test_a_malformed_variable_stops_startup_naming_it(variable, value):
    result = _start(**{"DEBUG": "true", variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr.splitlines()[-1]


def test_production_mode_requires_a_secret_key():
    result = _start(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_embedded_defaults_start_with_nothing_configured():
    assert _start(DEBUG="true").returncode == 0


def test_check_deploy_is_clean_with_production_settings():
    environment = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", *TEST_ONLY}
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="productops.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="portal.example.com",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_typed_helpers_parse_and_refuse(monkeypatch):
    monkeypatch.setenv("PO_TEST_INT", "12")
    monkeypatch.setenv("PO_TEST_LIST", "a, b,,c")
    monkeypatch.setenv("PO_TEST_BOOL", "Yes")
    assert env.env_int("PO_TEST_INT", 1) == 12
    assert env.env_list("PO_TEST_LIST", []) == ["a", "b", "c"]
    assert env.env_bool("PO_TEST_BOOL") is True
    monkeypatch.setenv("PO_TEST_INT", "-3")
    with pytest.raises(ImproperlyConfigured, match="PO_TEST_INT=-3 is below the minimum of 0"):
        env.env_int("PO_TEST_INT", 1, minimum=0)


def _base_url(**overrides):
    environment = {k: v for k, v in os.environ.items() if k not in {"PORT", "PORTAL_BASE_URL"}}
    environment.update(DJANGO_SETTINGS_MODULE="productops.settings", DEBUG="true", **overrides)
    script = "from django.conf import settings; print(settings.PORTAL_BASE_URL)"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]  # after the shell's own greeting


def test_links_in_mail_point_at_the_port_make_run_serves_on():
    # `make run PORT=8123` once mailed links to :8000, where nothing answered.
    assert _base_url() == "http://127.0.0.1:8000"
    assert _base_url(PORT="8123") == "http://127.0.0.1:8123"
    assert _base_url(PORT="8123", PORTAL_BASE_URL="https://portal.example.com") == (
        "https://portal.example.com"
    )
