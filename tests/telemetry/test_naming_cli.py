"""`python -m telemetry.naming lint ...`: the offline entry point for CI."""

import io
import json
import subprocess
import sys
from pathlib import Path

from telemetry.naming import PRESETS, main

ROOT = Path(__file__).resolve().parents[2]


def test_it_exits_1_and_prints_violations_and_suggestions(capsys):
    assert main(["lint", "clickedSignupBtn", "Order Completed"]) == 1
    out = capsys.readouterr().out
    assert "FAIL  clickedSignupBtn" in out
    assert "abbreviation: 'btn' is an abbreviation" in out
    assert "suggestion: Signup Button Clicked" in out
    assert "ok    Order Completed" in out


def test_it_exits_0_when_every_name_passes(capsys):
    assert main(["lint", "Order Completed", "Signed In"]) == 0


def test_it_says_why_there_is_no_suggestion(capsys):
    main(["lint", "Search Results"])
    out = capsys.readouterr().out
    assert "no suggestion: 'search' could be a noun or the action here" in out
    assert out.lower().count("suggestion") == 1


def test_presets_properties_and_json_output(capsys):
    assert main(["lint", "--preset", "snake", "--json", "order_completed", "Order Completed"]) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["ok"] for r in lines] == [True, False]
    assert lines[1]["suggestion"] == "order_completed"
    assert main(["lint", "--kind", "property", "planType"]) == 1
    assert "suggestion: plan_type" in capsys.readouterr().out


def test_it_reads_names_from_stdin(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("view_product\nCart Viewed\n"))
    assert main(["lint", "-"]) == 1
    out = capsys.readouterr().out
    assert "suggestion: Product Viewed" in out
    assert "ok    Cart Viewed" in out


def test_it_loads_a_convention_file_and_rejects_a_bad_one(tmp_path, capsys):
    good = tmp_path / "conv.json"
    good.write_text(json.dumps(PRESETS["camel"].to_dict()))
    assert main(["lint", "--convention", str(good), "orderCompleted"]) == 0
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"event_case": "kebab"}))
    assert main(["lint", "--convention", str(bad), "x"]) == 2
    assert "event_case" in capsys.readouterr().err


def test_module_runs_without_django():
    code = (
        "import sys, runpy; sys.argv=['x','lint','view_product'];"
        "\ntry:\n    runpy.run_module('telemetry.naming', run_name='__main__')"
        "\nexcept SystemExit as e:\n    print('exit', e.code)"
        "\nprint('django' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert "suggestion: Product Viewed" in result.stdout
    assert result.stdout.strip().splitlines()[-2:] == ["exit 1", "False"]
