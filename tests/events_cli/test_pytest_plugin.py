"""The pytest plugin records what a team's suite emits through the test double and checks it
against the plan and convention at the end of the run; other runners use the capture file."""

import json
from pathlib import Path

import pytest

from telemetry.events_cli.main import main

pytest_plugins = ["pytester"]
ROOT = Path(__file__).resolve().parents[2]

PLAN = """\
events:
  - name: Order Completed
    team: checkout
    description: Paid.
    properties:
      - {name: order_id, type: string, required: true}
      - {name: total, type: number}
      - {name: plan, type: string, allowed_values: [free, pro]}
"""

SUITE = """\
import pytest

class Checkout:
    client = None

    def pay(self, total):
        self.client.track("Order Completed", {"order_id": "o1", "total": total})

    def pay_badly(self):
        self.client.track("orderCompleted", {"orderId": "o1"})
        self.client.track("Order Completed", {"total": "12", "plan": "gold"})

@pytest.fixture
def checkout(analytics_recorder):
    c = Checkout()
    c.client = analytics_recorder
    return c

def test_pay(checkout, analytics_recorder):
    checkout.pay(12.5)
    assert analytics_recorder.names == ["Order Completed"]
"""

BAD = """
def test_pay_badly(checkout):
    checkout.pay_badly()
"""


@pytest.fixture
def suite(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    # Load the plugin by module name only: once the project is installed its pytest11 entry point
    # would register the same module a second time.
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.delenv("PRODUCTOPS_URL", raising=False)
    pytester.makefile(".yml", events=PLAN)
    return pytester


def run(pytester, *args):
    return pytester.runpytest_subprocess(
        "-p",
        "telemetry.events_cli.pytest_plugin",
        "-p",
        "no:cacheprovider",
        "--productops-events-plan",
        "events.yml",
        *args,
    )


def test_conforming_events_pass_and_are_summarised(suite):
    suite.makepyfile(test_checkout=SUITE)
    result = run(suite, "--productops-events-strict")
    result.assert_outcomes(passed=1)
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*productops-events: 1 events emitted, 0 conformance problems*"])


def test_problems_are_listed_and_strict_fails_the_run(suite):
    suite.makepyfile(test_checkout=SUITE + BAD)
    result = run(suite)
    assert result.ret == 0  # informs by default
    strict = run(suite, "--productops-events-strict")
    assert strict.ret == 1
    strict.assert_outcomes(passed=2)
    out = strict.stdout.str()
    assert "orderCompleted: unregistered: not in the tracking plan" in out
    assert "orderCompleted: case:" in out and "suggestion: Order Completed" in out
    assert "property “orderId”: Use snake_case" in out
    assert "Order Completed: property_type: property “total” is str, the plan says number" in out
    assert (
        "Order Completed: property_value: property “plan” = 'gold' is not one of free, pro" in out
    )
    assert "Order Completed: missing_property: required property “order_id” was not sent" in out
    assert "(test_checkout.py::test_pay_badly)" in out


def test_the_capture_file_is_the_documented_format_and_conform_reads_it(suite, capsys):
    suite.makepyfile(test_checkout=SUITE + BAD)
    run(suite, "--productops-events-capture", "capture.json")
    capture = json.loads((suite.path / "capture.json").read_text())
    assert capture["version"] == 1
    assert capture["events"][0] == {
        "event": "Order Completed",
        "properties": {"order_id": "o1", "total": 12.5},
        "source": "test_checkout.py::test_pay",
    }
    # Another runner (jest, XCTest) writes the same file and checks it on the command line.
    code = main(
        [
            "conform",
            str(suite.path / "capture.json"),
            "--plan",
            str(suite.path / "events.yml"),
            "--strict",
        ]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "3 events emitted" in out and "unregistered" in out
