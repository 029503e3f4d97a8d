"""`check events.yml` against the convention, the portal's YAML export read back as is, and typed
helpers that the real compilers accept (tsc, mypy) and that reject a typo."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from telemetry import tracking_plan
from telemetry.events_cli import codegen, definitions
from telemetry.events_cli.conventions import preset
from telemetry.events_cli.main import main
from telemetry.naming import PRESETS
from tests.conftest import require_tool

ROOT = Path(__file__).resolve().parents[2]
TS_DIR = ROOT / ".cache" / "typescript"

EVENTS_YML = """\
version: 1
events:
  - name: Order Completed
    team: checkout
    status: planned
    description: |
      The buyer paid and we confirmed the order.
      Fires once per order; "quotes" and */ survive.
    properties:
      - {name: order_id, type: string, required: true, description: The order's id}
      - {name: total, type: number}
      - {name: plan, type: string, allowed_values: [free, pro]}
      - {name: class, type: boolean}
  - name: signupClicked
    owner: growth
    properties:
      - {name: Plan Type, type: strin}
  - name: Legacy Thing
    team: growth
    description: Sent by the v1 app.
    no_lint: kept for the finance dashboards
  - name: Order Completed
    team: growth
    description: again
"""


@pytest.fixture
def events_yml(tmp_path, monkeypatch):
    monkeypatch.delenv("PRODUCTOPS_URL", raising=False)
    path = tmp_path / "events.yml"
    path.write_text(EVENTS_YML)
    return path


def test_check_reports_structure_errors_and_naming_warnings_with_lines(events_yml, capsys):
    code = main(["check", str(events_yml), "--format", "json"])
    problems = json.loads(capsys.readouterr().out)["problems"]
    found = {(p["line"], p["rule"], p["level"]) for p in problems}
    assert (14, "case", "warning") in found
    assert (14, "missing_description", "warning") in found
    assert (17, "bad_type", "error") in found
    assert (17, "case", "warning") in found
    assert (22, "duplicate_definition", "error") in found
    assert not any(p["name"] == "Legacy Thing" for p in problems)  # no_lint with a reason
    assert code == 1  # errors fail even without --strict


def test_check_passes_a_clean_file_and_strict_fails_on_warnings(tmp_path, capsys):
    path = tmp_path / "events.yml"
    path.write_text(
        "events:\n  - name: Order Completed\n    team: checkout\n    description: Paid.\n"
        "    properties: [{name: order_id, type: string, required: true}]\n"
    )
    assert main(["check", str(path)]) == 0
    path.write_text(path.read_text() + "  - {name: signupClicked, team: growth, description: x}\n")
    assert main(["check", str(path)]) == 0
    assert main(["check", str(path), "--strict"]) == 1


def test_the_portals_yaml_export_reads_back_field_for_field():
    rows = [
        {
            "name": "Order Completed",
            "team": "checkout",
            "status": "active",
            "description": "Paid.",
            "platforms": ["web"],
            "tags": ["revenue"],
            "aliases": ["order_done"],
            "no_lint_reason": "",
            "lint_state": "ok",
            "properties": [
                {
                    "name": "order_id",
                    "type": "string",
                    "required": True,
                    "pii": False,
                    "description": "Id.",
                    "allowed_values": [],
                    "pattern": "",
                }
            ],
        },
        {
            "name": "legacy-thing",
            "team": "growth",
            "status": "deprecated",
            "description": "Old.",
            "platforms": [],
            "tags": [],
            "aliases": [],
            "no_lint_reason": "finance reads it",
            "lint_state": "exception",
            "properties": [],
        },
    ]
    text = tracking_plan.export_yaml(
        convention=PRESETS["segment"].to_dict(), convention_version=3, events=rows
    )
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as fh:
        fh.write(text)
    try:
        plan = definitions.read(fh.name)
        from telemetry.events_cli.conventions import from_file

        loaded = from_file(fh.name)
    finally:
        os.unlink(fh.name)
    first = {k: v for k, v in plan.events[0].items() if k != "line"}
    first["properties"] = [{k: v for k, v in p.items() if k != "line"} for p in first["properties"]]
    assert first == {
        "name": "Order Completed",
        "team": "checkout",
        "status": "active",
        "description": "Paid.",
        "platforms": ["web"],
        "tags": ["revenue"],
        "aliases": ["order_done"],
        "properties": [rows[0]["properties"][0]],
    }
    assert plan.events[1]["no_lint"] == "finance reads it"
    # The export carries the convention: `--convention` accepts it and honours its exceptions.
    assert loaded.version == 3 and loaded.no_lint == {"legacy-thing": "finance reads it"}
    assert definitions.check(plan, loaded) == []


def _tsc() -> str:
    require_tool("node", "apt-get install nodejs npm; the TypeScript check needs it")
    tsc = TS_DIR / "node_modules" / ".bin" / "tsc"
    if not tsc.exists():
        require_tool("npm", "apt-get install npm; it installs typescript for the check")
        TS_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(TS_DIR), "typescript@5"],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return str(tsc)


def _events():
    return definitions.read_text(EVENTS_YML).events


def test_generated_typescript_compiles_and_a_typo_does_not(tmp_path):
    tsc = _tsc()
    (tmp_path / "events.ts").write_text(codegen.generate(_events(), "ts"))
    good = (
        'import { setClient, trackOrderCompleted, trackLegacyThing } from "./events";\n'
        "setClient({ track: (e: string, p?: Record<string, unknown>) => console.log(e, p) });\n"
        'trackOrderCompleted({ order_id: "o1", total: 2, plan: "pro" });\n'
        "trackLegacyThing();\n"
    )
    (tmp_path / "good.ts").write_text(good)
    options = [
        "--strict",
        "--noEmit",
        "--target",
        "es2020",
        "--module",
        "commonjs",
        "--lib",
        "es2020,dom",
    ]
    ok = subprocess.run([tsc, *options, "good.ts"], cwd=tmp_path, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout
    for typo, message in (
        (good.replace('order_id: "o1"', 'orderId: "o1"'), "orderId"),
        (good.replace('"pro"', '"gold"'), '"gold"'),
        (good.replace("trackLegacyThing()", "trackLegacyThng()"), "trackLegacyThng"),
    ):
        (tmp_path / "bad.ts").write_text(typo)
        bad = subprocess.run(
            [tsc, *options, "bad.ts"], cwd=tmp_path, capture_output=True, text=True
        )
        assert bad.returncode != 0 and message in bad.stdout, bad.stdout


def test_generated_python_passes_mypy_and_a_typo_does_not(tmp_path):
    pytest.importorskip("mypy")
    (tmp_path / "events.py").write_text(codegen.generate(_events(), "python"))
    good = (
        "from events import set_client, track_order_completed, track_legacy_thing\n"
        "class Printer:\n"
        "    def track(self, event: str, properties: dict[str, object]) -> None:\n"
        "        print(event, properties)\n"
        "set_client(Printer())\n"
        'track_order_completed({"order_id": "o1", "total": 2.5, "plan": "pro"})\n'
        "track_legacy_thing()\n"
    )
    (tmp_path / "good.py").write_text(good)
    command = [
        sys.executable,
        "-m",
        "mypy",
        "--strict",
        "--no-incremental",
        "--cache-dir",
        os.devnull,
    ]
    ok = subprocess.run([*command, "good.py"], cwd=tmp_path, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout
    (tmp_path / "bad.py").write_text(good.replace('"order_id": "o1"', '"orderId": "o1"'))
    bad = subprocess.run([*command, "bad.py"], cwd=tmp_path, capture_output=True, text=True)
    assert bad.returncode == 1
    assert "orderId" in bad.stdout


def test_codegen_writes_docstrings_from_descriptions(tmp_path, capsys):
    path = tmp_path / "events.yml"
    path.write_text(EVENTS_YML)
    assert main(["codegen", "--lang", "python", "--from", str(path), "--team", "checkout"]) == 0
    out = capsys.readouterr().out
    assert '"""The buyer paid and we confirmed the order.' in out
    assert "def track_order_completed(properties: OrderCompletedProperties) -> None:" in out
    assert "track_legacy_thing" not in out  # another team's event


def test_preset_loader_names_the_choices():
    with pytest.raises(ValueError, match="choose one of camel, dotted, segment, snake"):
        preset("kebab")
