"""Fixed-window request limits kept in the Django cache (Redis in production).

Each limit counts hits per key in windows of `window` seconds; the counter lives
exactly one window, so nothing needs cleaning up.
"""

import hashlib
import math
import time

from django.core.cache import cache

KEY_PREFIX = "ratelimit"


def rate_limit_hit(*, scope: str, key: str, limit: int, window: int, now=None) -> int | None:
    """Count one hit; None while within the limit, else the seconds until the window ends."""
    now = time.time() if now is None else now
    bucket = int(now // window)
    # Hash the key: it may be an e-mail address, which must not sit in the cache in clear.
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"{KEY_PREFIX}:{scope}:{digest}:{bucket}"
    # add() then incr() is atomic on Redis, so concurrent requests cannot both slip under.
    if cache.add(cache_key, 1, timeout=window):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add() and incr()
            cache.add(cache_key, 1, timeout=window)
            count = 1
    if count <= limit:
        return None
    return max(1, math.ceil((bucket + 1) * window - now))


def rate_limits_clear() -> None:
    """Forget every counter (tests; an operator lifting a limit by hand)."""
    if hasattr(cache, "delete_pattern"):
        cache.delete_pattern(f"{KEY_PREFIX}:*")
    else:
        cache.clear()
