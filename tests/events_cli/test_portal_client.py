"""The command line against an older or unhappy portal: clear errors, and the organisation's
convention when the portal has no command-line endpoint yet."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from telemetry.events_cli.main import main
from telemetry.naming import PRESETS


class OldPortal(BaseHTTPRequestHandler):
    seen: list = []

    def do_GET(self):  # noqa: N802 - http.server's name
        self.seen.append((self.path, self.headers.get("Authorization")))
        if self.path.startswith("/api/v1/telemetry/conventions/current/"):
            body = {"number": 4, "preset": "snake", "rules": PRESETS["snake"].to_dict()}
            self._send(200, body)
        else:
            self.send_response(404)
            self.end_headers()

    def do_POST(self):  # noqa: N802
        if self.headers.get("Authorization") != "Bearer good":
            self._send(401, {"detail": "Invalid token."})
            return
        length = int(self.headers["Content-Length"])
        names = json.loads(self.rfile.read(length))["names"]
        self._send(200, {"results": [{"name": n, "duplicates": []} for n in names]})

    def _send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def portal(monkeypatch, tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), OldPortal)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("PRODUCTOPS_URL", f"http://127.0.0.1:{server.server_port}/")
    (tmp_path / ".git").mkdir()
    (tmp_path / "a.js").write_text('analytics.track("order_completed");\n')
    monkeypatch.chdir(tmp_path)
    OldPortal.seen = []
    yield server
    server.shutdown()


def test_an_old_portal_gives_the_organisations_convention(portal, monkeypatch, capsys):
    monkeypatch.setenv("PRODUCTOPS_TOKEN", "good")
    assert main(["lint", ".", "--team", "checkout", "--format", "json", "--strict"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["convention"]["version"] == 4  # snake_case: the call passes
    assert [p for p, _ in OldPortal.seen] == [
        "/api/v1/telemetry/cli/convention/?team=checkout",
        "/api/v1/telemetry/conventions/current/",
    ]
    assert {auth for _, auth in OldPortal.seen} == {"Bearer good"}


def test_a_refused_token_is_reported_and_the_lint_still_runs(portal, monkeypatch, capsys):
    monkeypatch.setenv("PRODUCTOPS_TOKEN", "bad")
    assert main(["lint", "."]) == 0
    captured = capsys.readouterr()
    assert "duplicate check skipped" in captured.err and "HTTP 401" in captured.err
    assert "1 tracking calls" in captured.out


def test_a_url_without_a_token_is_a_usage_error(portal, monkeypatch, capsys):
    monkeypatch.delenv("PRODUCTOPS_TOKEN", raising=False)
    assert main(["lint", "."]) == 2
    assert "PRODUCTOPS_TOKEN is not" in capsys.readouterr().err
