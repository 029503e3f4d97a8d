"""A pytest plugin: record the analytics events a test suite emits and check them at the end.

Use the `analytics_recorder` fixture as the analytics client in your tests (it has the
`track`/`capture`/`logEvent` shapes of the common SDKs, and `record(event, properties)`), e.g.

    @pytest.fixture(autouse=True)
    def _analytics(analytics_recorder, monkeypatch):
        monkeypatch.setattr(myapp.tracking, "client", analytics_recorder)

Options (or the same names in the ini file, without the dashes and with underscores):
    --productops-events-plan events.yml     check names, properties and types against it
    --productops-events-convention FILE     convention JSON or the portal's YAML export
    --productops-events-capture FILE        write the capture JSON (see conformance.py)
    --productops-events-strict              a conformance problem fails the run

Vendor-neutral and offline: nothing is sent anywhere and no source is grepped.
"""

from __future__ import annotations

import json

import pytest

_KEY = pytest.StashKey[list]()
_PROBLEMS = pytest.StashKey[list]()


def pytest_addoption(parser):
    group = parser.getgroup("productops-events", "analytics event conformance")
    for name, help_ in (
        ("plan", "events.yml (or the portal's YAML export) to check emitted events against"),
        (
            "convention",
            "convention JSON or YAML export (default: the plan's, else the segment preset)",
        ),
        ("capture", "write the emitted events to this JSON file"),
    ):
        group.addoption(f"--productops-events-{name}", dest=f"productops_events_{name}", help=help_)
        parser.addini(f"productops_events_{name}", help_)
    group.addoption(
        "--productops-events-strict",
        action="store_true",
        dest="productops_events_strict",
        help="fail the run when an emitted event does not conform",
    )
    parser.addini(
        "productops_events_strict", "fail on conformance problems", type="bool", default=False
    )


def _option(config, name):
    return (
        config.getoption(f"productops_events_{name}")
        or config.getini(f"productops_events_{name}")
        or None
    )


def pytest_configure(config):
    config.stash[_KEY] = []


class AnalyticsRecorder:
    """A test double of an analytics client that remembers what the code sent."""

    def __init__(self, sink: list, source: str):
        self._sink = sink
        self._source = source
        self.events: list[dict] = []

    def record(self, event: str, properties: dict | None = None) -> None:
        entry = {"event": event, "properties": dict(properties or {}), "source": self._source}
        self.events.append(entry)
        self._sink.append(entry)

    # Segment/RudderStack/Mixpanel/Amplitude browser shape: track(event, properties).
    def track(self, event: str, properties: dict | None = None, *args, **kwargs) -> None:
        self.record(event, properties if properties is not None else kwargs.get("properties"))

    def capture(self, event: str, properties: dict | None = None, **kwargs) -> None:
        self.record(event, properties if properties is not None else kwargs.get("properties"))

    logEvent = track  # noqa: N815 - Amplitude's name

    @property
    def names(self) -> list[str]:
        return [e["event"] for e in self.events]


@pytest.fixture
def analytics_recorder(request) -> AnalyticsRecorder:
    return AnalyticsRecorder(request.config.stash[_KEY], request.node.nodeid)


def _problems(config):
    from telemetry.events_cli import conformance, conventions, definitions

    events = config.stash[_KEY]
    plan_path = _option(config, "plan")
    convention_path = _option(config, "convention")
    plan = definitions.read(plan_path) if plan_path else None
    if convention_path:
        loaded = conventions.from_file(convention_path)
    elif plan is not None and plan.convention:
        loaded = conventions.from_document({"convention": plan.convention, "events": []}, plan_path)
    else:
        loaded = conventions.preset(None)
    return conformance.check_capture(events, loaded, plan.events if plan else None)


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    events = config.stash.get(_KEY, [])
    capture = _option(config, "capture")
    if capture:
        with open(capture, "w", encoding="utf-8") as fh:
            json.dump(
                {"version": 1, "events": events}, fh, indent=2, ensure_ascii=False, default=str
            )
    if not events:
        return
    problems = _problems(config)
    config.stash[_PROBLEMS] = problems
    strict = config.getoption("productops_events_strict") or config.getini(
        "productops_events_strict"
    )
    if problems and strict and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    events = config.stash.get(_KEY, [])
    if not events:
        return
    from telemetry.events_cli.conformance import format_problems

    problems = config.stash.get(_PROBLEMS, [])
    terminalreporter.section("productops-events")
    terminalreporter.write_line(format_problems(problems, len(events)))
