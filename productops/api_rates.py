"""How often the API may be called: per person, per anonymous address, and bad tokens per address.

Each refusal is a 429 with Retry-After (DRF's Throttled). Counts live in the Django cache.
"""

import time

from django.core.exceptions import ImproperlyConfigured
from rest_framework import exceptions, throttling
from rest_framework.settings import api_settings


class _RateFromSettings:
    """Reads the rate on each request, so override_settings and a reload take effect."""

    def get_rate(self):
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError:
            raise ImproperlyConfigured(
                f"REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'] has no rate for {self.scope!r}."
            ) from None


class UserRateThrottle(_RateFromSettings, throttling.UserRateThrottle):
    """Per person, whether they come with a token or a browser session."""


class AnonRateThrottle(_RateFromSettings, throttling.AnonRateThrottle):
    pass


class FailedTokenThrottle(_RateFromSettings, throttling.SimpleRateThrottle):
    """Bad bearer tokens per client address: guessing tokens gets slow fast."""

    scope = "failed_token"

    def get_cache_key(self, request, view=None):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def refuse_if_blocked(self, request) -> None:
        """Refuse before looking at the token, so a blocked address learns nothing more."""
        if self.rate is None:
            return
        self.key = self.get_cache_key(request)
        self.now = time.time()
        self.history = [t for t in self.cache.get(self.key, []) if t > self.now - self.duration]
        if len(self.history) >= self.num_requests:
            raise exceptions.Throttled(
                self.wait(), detail="Too many unknown tokens from this address; wait and retry."
            )

    def record_failure(self, request) -> None:
        if self.rate is None:
            return
        self.refuse_if_blocked(request)
        self.throttle_success()
