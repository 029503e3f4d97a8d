"""The production shape, read rather than run: there is no Docker engine on CI."""

import importlib

import pytest
import yaml
from django.conf import settings

from productops.celery import app as celery_app


def _compose():
    with open(settings.BASE_DIR / "docker-compose.yml") as fh:
        return yaml.safe_load(fh)


def test_compose_runs_postgres_redis_web_worker_and_beat_with_health_checks():
    services = _compose()["services"]
    assert set(services) >= {"db", "redis", "web", "worker", "beat"}
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert "gunicorn" in " ".join(services["web"]["command"])
    assert "worker" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"]
    for name in ["db", "redis", "web"]:
        assert "healthcheck" in services[name], name
    for name in ["web", "worker", "beat"]:
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"].startswith("redis://redis:6379")
        assert services[name]["depends_on"]["db"]["condition"] == "service_healthy"
    assert "pgdata" in _compose()["volumes"]
    assert any("pgdata:" in v for v in services["db"]["volumes"])


def test_dockerfile_builds_the_app_the_compose_file_runs():
    dockerfile = (settings.BASE_DIR / "Dockerfile").read_text()
    assert "pip install" in dockerfile
    assert "collectstatic" in dockerfile
    assert _compose()["services"]["web"]["build"] == "."


def test_every_periodic_job_names_a_real_task():
    celery_app.loader.import_default_modules()
    for name, entry in celery_app.conf.beat_schedule.items():
        assert entry["task"] in celery_app.tasks, name


@pytest.mark.django_db
def test_every_periodic_job_runs_once(world):
    celery_app.loader.import_default_modules()
    for entry in celery_app.conf.beat_schedule.values():
        task = celery_app.tasks[entry["task"]]
        task.apply(args=entry.get("args", ()), kwargs=entry.get("kwargs", {})).get()


def test_celery_is_json_only_with_time_limits():
    assert celery_app.conf.task_serializer == "json"
    assert celery_app.conf.accept_content == ["json"]
    assert celery_app.conf.task_soft_time_limit and celery_app.conf.task_time_limit


def test_the_three_apps_are_installed_with_their_namespaces():
    for app in ["telemetry", "strategy", "research"]:
        assert app in settings.INSTALLED_APPS
        importlib.import_module(f"{app}.urls")


def test_the_image_and_compose_serve_with_the_shared_gunicorn_settings(monkeypatch):
    """The load benchmark measures these settings; the image and compose must run the same."""
    from gunicorn.config import Config

    monkeypatch.delenv("GUNICORN_BIND", raising=False)
    monkeypatch.delenv("WEB_WORKERS", raising=False)
    import productops.gunicorn_conf as conf

    conf = importlib.reload(conf)
    for command in (
        _compose()["services"]["web"]["command"],
        yaml.safe_load((settings.BASE_DIR / "Dockerfile").read_text().split("CMD ", 1)[1]),
    ):
        assert command[command.index("-c") + 1] == "python:productops.gunicorn_conf"
    config = Config()
    for name in ("bind", "workers", "worker_class", "threads", "keepalive", "accesslog"):
        config.set(name, getattr(conf, name))  # gunicorn validates each value
    assert config.worker_class_str == "gthread" and config.threads > 1
    # The compose health check asks 127.0.0.1:8000 inside the container.
    assert config.bind == ["0.0.0.0:8000"]
    assert callable(conf.post_worker_init)
