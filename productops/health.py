"""/healthz: one JSON answer a load balancer and a person can both read."""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse

from productops.celery import app as celery_app


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _check_cache() -> str:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", 5)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not return what was written")
    cache.delete(key)
    return "ok"


def _check_broker() -> str:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


CHECKS = {"database": _check_database, "cache": _check_cache, "broker": _check_broker}


def healthz(request):
    states = {}
    for name, check in CHECKS.items():
        try:
            states[name] = check()
        except Exception as exc:  # noqa: BLE001 - any failure is "down", with its reason
            states[name] = f"error: {exc.__class__.__name__}: {exc}"[:300]
    healthy = all(state == "ok" for state in states.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "degraded",
            "checks": states,
            "broker": "redis" if settings.REDIS_URL else "filesystem",
        },
        status=200 if healthy else 503,
    )
