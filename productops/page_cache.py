"""Rendered pages and API lists kept per person, and dropped by any write to the database.

The portal is read far more than it is written: people open the catalogue, a strategy or the
panel many times between two changes. Most of a page's cost is the ORM compiling the same
queries again, so a page a person saw a moment ago is served again as long as nothing in the
database has changed since.

"Nothing has changed" is one data version for the whole portal, kept in the shared cache.
Per-object invalidation would miss things: one membership change alters what every page shows
that person. The version is bumped by a database execute wrapper, not by model signals, so
bulk_create, update(), raw SQL, migrations and Celery workers all count and none can be
forgotten. Inside a transaction the bump waits for the commit; a write made outside any
request (a test, a shell) is caught when the next request starts.

What else a page depends on is in the key: the person, the CSRF secret their forms carry,
the full URL, the htmx and Accept headers, and the time to the nearest `PAGE_CACHE_SECONDS`,
so relative times and deadlines are at most that stale. Pending flash messages skip the
cache, and a response that set cookies or wrote to the database is not kept.

Only with a shared cache (REDIS_URL): a per-process cache would not hear other processes'
writes.
"""

import hashlib
import logging
import re
import secrets
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.signals import request_started
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.signals import connection_created
from django.http import HttpResponse
from django.utils import timezone

log = logging.getLogger(__name__)

# Statements that cannot change what a page shows; anything else counts as a write. DECLARE,
# FETCH and CLOSE are server-side cursors over a SELECT (QuerySet.iterator() on PostgreSQL).
_READS = (
    "SELECT",
    "DECLARE",
    "FETCH",
    "CLOSE",
    "SAVEPOINT",
    "RELEASE",
    "ROLLBACK",
    "SET ",
    "SHOW",
    "BEGIN",
    "COMMIT",
    "PRAGMA",
    "EXPLAIN",
)
# A common table expression is a read unless it modifies data.
_MODIFYING = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE|TRUNCATE)\b", re.IGNORECASE)
# Sessions are saved by requests that change nothing anyone sees.
_UNWATCHED_TABLES = ('"django_session"',)
_KEPT_HEADERS = ("Content-Type", "Vary", "Allow", "HX-Trigger", "Content-Language")


def enabled() -> bool:
    return bool(settings.PAGE_CACHE_SECONDS)


# ------------------------------------------------------------------ the data version


def _version_key() -> str:
    # Two portals (or two test databases) may share one Redis.
    return "page-cache:version:" + str(settings.DATABASES[DEFAULT_DB_ALIAS]["NAME"])


def data_version() -> int:
    version = cache.get(_version_key())
    if version is None:
        # A random start: a version key evicted and recreated never meets its old pages.
        cache.add(_version_key(), secrets.randbits(48), timeout=None)
        version = cache.get(_version_key())
    return version


def bump(connection=None) -> None:
    connection = connection or connections[DEFAULT_DB_ALIAS]
    connection.page_cache_dirty = False
    try:
        cache.incr(_version_key())
    except ValueError:  # no version yet: nothing cached under it either
        data_version()
    except Exception:  # noqa: BLE001 - a cache outage must never fail a write
        log.exception("page cache: could not bump the data version")


def _after_commit() -> None:
    bump()


def is_write(sql: str) -> bool:
    head = sql.lstrip()[:10].upper()
    if head.startswith(_READS):
        return False
    if head.startswith("WITH") and not _MODIFYING.search(sql):
        return False
    start = sql[:64]
    return not any(table in start for table in _UNWATCHED_TABLES)


def _watch_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if enabled() and is_write(sql):
        connection = context["connection"]
        connection.page_cache_dirty = True
        connection.page_cache_writes = getattr(connection, "page_cache_writes", 0) + 1
        if not connection.in_atomic_block:
            bump(connection)
        elif not any(func is _after_commit for _, func, _ in connection.run_on_commit):
            transaction.on_commit(_after_commit, using=connection.alias)
    return result


def _install(sender, connection, **kwargs):
    if _watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch_writes)


def _catch_up(**kwargs):
    # A write outside any request and outside a committed transaction (a test's own setup, a
    # shell) has not bumped yet; do it before this request reads the version.
    connection = connections[DEFAULT_DB_ALIAS]
    if getattr(connection, "page_cache_dirty", False):
        bump(connection)


def connect() -> None:
    """Called from AppConfig.ready(): watch every database connection for writes."""
    connection_created.connect(_install, dispatch_uid="page_cache_install")
    request_started.connect(_catch_up, dispatch_uid="page_cache_catch_up")
    for connection in connections.all(initialized_only=True):
        _install(None, connection)


# ------------------------------------------------------------------ serving


def _writes_so_far() -> int:
    return getattr(connections[DEFAULT_DB_ALIAS], "page_cache_writes", 0)


def _key(request, *, forms: bool) -> str | None:
    if request.method != "GET":
        return None
    user = request.user
    if not user.is_authenticated:
        return None
    # A page's forms carry a token made from the CSRF secret: without one yet, the page would
    # carry a secret the browser is only about to receive.
    secret = request.META.get("CSRF_COOKIE", "")
    if (forms and not secret) or len(get_messages(request)):
        return None
    _catch_up()
    meta = request.META
    parts = [
        str(data_version()),
        str(int(timezone.now().timestamp() // settings.PAGE_CACHE_SECONDS)),
        str(user.pk),
        secret,
        request.build_absolute_uri(),
        meta.get("HTTP_ACCEPT", ""),
        *(f"{name}={value}" for name, value in sorted(meta.items()) if name.startswith("HTTP_HX_")),
    ]
    digest = hashlib.blake2b("\x00".join(parts).encode(), digest_size=20).hexdigest()
    return "page-cache:" + digest


def _keepable(request, response, writes_before: int) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and _writes_so_far() == writes_before
        and not get_messages(request).used
        and not len(get_messages(request))
    )


def serve(request, render, *, forms: bool = True) -> HttpResponse:
    """The response `render()` would give this person, from the cache when nothing changed.
    `forms=False` for answers with no forms in them (JSON)."""
    if not enabled():
        return render()
    try:
        key = _key(request, forms=forms)
        hit = cache.get(key) if key else None
    except Exception:  # noqa: BLE001 - a cache outage costs speed, never the page
        log.exception("page cache: lookup failed")
        return render()
    if key is None:
        return render()
    if hit is not None:
        content, headers = hit
        response = HttpResponse(content)
        for name, value in headers:
            response[name] = value
        response["X-Page-Cache"] = "hit"
        return response
    writes_before = _writes_so_far()
    response = render()
    if hasattr(response, "render"):
        response.render()
    if _keepable(request, response, writes_before):
        headers = [(name, response[name]) for name in _KEPT_HEADERS if response.has_header(name)]
        try:
            cache.set(key, (response.content, headers), settings.PAGE_CACHE_SECONDS)
        except Exception:  # noqa: BLE001
            log.exception("page cache: store failed")
        response["X-Page-Cache"] = "miss"
    return response


def per_person(view):
    """Decorate a page view: its GET answers are served from the cache while nothing changed."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return serve(request, lambda: view(request, *args, **kwargs))

    return wrapped


def api_read(handler):
    """Decorate a DRF view's list/retrieve/get method. It runs after authentication, permissions
    and throttling, which stay per request. Only JSON for signed-in sessions: token clients are
    answered fresh (a token's scope is not part of the key), and the browsable API is for people
    exploring, not for load."""

    @wraps(handler)
    def wrapped(self, request, *args, **kwargs):
        if not enabled() or not _json_for_a_session(request):
            return handler(self, request, *args, **kwargs)

        def render():
            response = handler(self, request, *args, **kwargs)
            response = self.finalize_response(request, response, *args, **kwargs)
            response.render()
            return response

        return serve(request, render, forms=False)

    return wrapped


def _json_for_a_session(request) -> bool:
    from rest_framework.authentication import SessionAuthentication

    renderer = getattr(request, "accepted_renderer", None)
    return (
        isinstance(getattr(request, "successful_authenticator", None), SessionAuthentication)
        and renderer is not None
        and renderer.format == "json"
    )
