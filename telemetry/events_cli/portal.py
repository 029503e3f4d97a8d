"""The portal's API over plain urllib: PRODUCTOPS_URL and PRODUCTOPS_TOKEN from the environment."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request

API = "/api/v1/telemetry/"


class PortalError(RuntimeError):
    """The portal could not be reached or refused the request; the message says which."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class Portal:
    def __init__(self, url: str, token: str, timeout: float = 30):
        self.base = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    @classmethod
    def from_env(cls, environ=os.environ) -> Portal | None:
        url, token = environ.get("PRODUCTOPS_URL"), environ.get("PRODUCTOPS_TOKEN")
        if not url:
            return None
        if not token:
            raise PortalError(
                "PRODUCTOPS_URL is set but PRODUCTOPS_TOKEN is not; create a token on your profile page."
            )
        return cls(url, token)

    def request(self, method: str, path: str, body=None, query=None, raw: bool = False):
        url = self.base + API + path
        if query:
            url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Authorization", f"Bearer {self.token}")
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as response:
                payload = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:500].decode("utf-8", "replace")
            raise PortalError(f"{method} {url}: HTTP {exc.code}: {detail}", exc.code) from exc
        except (urllib.error.URLError, OSError) as exc:
            raise PortalError(f"{method} {url}: {exc}") from exc
        if raw:
            return payload.decode("utf-8")
        return json.loads(payload or b"null")

    def convention(self, team: str | None) -> dict:
        try:
            return self.request("GET", "cli/convention/", query={"team": team})
        except PortalError as exc:
            if exc.status != 404:
                raise
        # A portal without the command line's endpoint: the organisation's rules, no team words.
        return self.request("GET", "conventions/current/")

    def duplicates(self, names: list[str], team: str | None) -> dict[str, list[dict]]:
        """Near-duplicates already registered, per name, from the portal's lint endpoint."""
        found: dict[str, list[dict]] = {}
        for start in range(0, len(names), 1000):
            chunk = names[start : start + 1000]
            body = {"names": chunk, **({"team": team} if team else {})}
            for result in self.request("POST", "lint/", body)["results"]:
                found[result["name"]] = result.get("duplicates") or []
        return found
