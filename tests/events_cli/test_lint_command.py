"""`productops-events lint` and `fix` over a small repository: output formats, strict mode,
baselines, exemptions, offline conventions, unreadable files and the patch `fix` prints."""

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from telemetry.events_cli.main import main
from tests.conftest import require_tool

ROOT = Path(__file__).resolve().parents[2]
SARIF_SCHEMA = ROOT / "tests" / "data" / "sarif-schema-2.1.0.json"


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.delenv("PRODUCTOPS_URL", raising=False)
    (tmp_path / ".git").mkdir()
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "checkout.ts").write_text(
        'analytics.track("Order Completed", { order_id: 1 });\n'
        'analytics.track("signupClicked", { "Plan Type": "pro" });\n'
        "analytics.track(`Viewed ${page}`);\n"
    )
    (tmp_path / "app.py").write_text('track_event("Coupon Applied", {"couponCode": "X"})\n')
    (tmp_path / ".productops-events.yml").write_text(
        "wrappers:\n  - {call: track_event, event_arg: 0}\n"
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_lists_every_call_passing_ones_too(repo, capsys):
    code, out, _ = run(capsys, "lint", ".", "--format", "json")
    assert code == 0
    calls = json.loads(out)["calls"]
    assert [(c["file"], c["line"], c["name"], c["ok"], c["dynamic"]) for c in calls] == [
        ("app.py", 1, "Coupon Applied", False, False),
        ("web/checkout.ts", 1, "Order Completed", True, False),
        ("web/checkout.ts", 2, "signupClicked", False, False),
        ("web/checkout.ts", 3, None, True, True),
    ]
    signup = calls[2]
    assert signup["suggestion"] == "Signup Clicked"
    assert {v["rule"] for v in signup["violations"]} == {"case"}
    assert signup["properties"][0]["name"] == "Plan Type"
    assert signup["properties"][0]["suggestion"] == "plan_type"
    assert calls[0]["properties"][0]["suggestion"] == "coupon_code"  # from the wrapper's dict
    assert "dynamic, not checked" in calls[3]["note"]


def test_text_names_file_line_rule_and_suggestion(repo, capsys):
    _, out, _ = run(capsys, "lint", ".")
    assert "web/checkout.ts:2: case: Use Title Case" in out
    assert "→ suggestion: Signup Clicked" in out
    assert "web/checkout.ts:3: dynamic, not checked (`Viewed ${page}`)" in out
    assert "4 tracking calls, 1 ok, 2 failing, 1 dynamic" in out


def test_github_format_writes_workflow_annotations(repo, capsys):
    _, out, _ = run(capsys, "lint", ".", "--format", "github")
    lines = out.splitlines()
    assert "::warning file=web/checkout.ts,line=2,title=productops-events case::" in lines[1]
    assert all(line.startswith("::warning ") for line in lines)


def test_sarif_validates_against_the_sarif_2_1_0_schema(repo, capsys):
    _, out, _ = run(capsys, "lint", ".", "--format", "sarif")
    document = json.loads(out)
    schema = json.loads(SARIF_SCHEMA.read_text())
    jsonschema.Draft7Validator(schema).validate(document)
    results = document["runs"][0]["results"]
    assert {
        (r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results
    } >= {("case", 2)}
    # Exempt and baselined results are SARIF too (suppressions, baselineState).
    run(capsys, "lint", ".", "--write-baseline", "baseline.json")
    checkout = repo / "web" / "checkout.ts"
    checkout.write_text(
        checkout.read_text()
        + 'analytics.track("viewPage"); // productops-events: ignore the v1 dashboards read it\n'
    )
    _, out, _ = run(capsys, "lint", ".", "--format", "sarif", "--baseline", "baseline.json")
    document = json.loads(out)
    jsonschema.Draft7Validator(schema).validate(document)
    results = document["runs"][0]["results"]
    assert {r.get("baselineState") for r in results} == {"unchanged", None}
    assert any(r.get("suppressions") for r in results)
    # The validator really checks: a result without its message is refused.
    del results[0]["message"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(schema).validate(document)


def test_it_exits_0_unless_strict_by_flag_or_config(repo, capsys):
    assert run(capsys, "lint", ".")[0] == 0
    assert run(capsys, "lint", ".", "--strict")[0] == 1
    (repo / ".productops-events.yml").write_text(
        "strict: true\nwrappers:\n  - {call: track_event, event_arg: 0}\n"
    )
    assert run(capsys, "lint", ".")[0] == 1


def test_a_baseline_lets_old_violations_pass_and_fails_new_ones(repo, capsys):
    assert run(capsys, "lint", ".", "--write-baseline", "baseline.json")[0] == 0
    assert run(capsys, "lint", ".", "--strict", "--baseline", "baseline.json")[0] == 0
    checkout = repo / "web" / "checkout.ts"
    # Moving old code keeps it known; a new bad call fails.
    checkout.write_text("\n\n" + checkout.read_text())
    assert run(capsys, "lint", ".", "--strict", "--baseline", "baseline.json")[0] == 0
    checkout.write_text(checkout.read_text() + 'analytics.track("clickedBuyBtn");\n')
    code, out, _ = run(capsys, "lint", ".", "--strict", "--baseline", "baseline.json")
    assert code == 1
    assert "checkout.ts:6: case" in out and "[baseline]" in out


def test_an_inline_ignore_with_a_reason_exempts_and_one_without_fails(repo, capsys):
    checkout = repo / "web" / "checkout.ts"
    checkout.write_text(
        'analytics.track("signupClicked"); // productops-events: ignore v1 app still sends it\n'
    )
    code, out, _ = run(capsys, "lint", "web", "--strict", "--format", "json")
    assert code == 0
    assert json.loads(out)["calls"][0]["exempt"] == "inline: v1 app still sends it"
    checkout.write_text('analytics.track("Order Completed"); // productops-events: ignore\n')
    code, out, _ = run(capsys, "lint", "web", "--strict", "--format", "json")
    assert code == 1
    assert json.loads(out)["calls"][0]["violations"][0]["rule"] == "ignore_without_reason"


def test_a_convention_file_runs_offline_with_team_words_and_no_lint(repo, capsys):
    (repo / "web" / "checkout.ts").write_text(
        'analytics.track("gizmo_yeeted");\nanalytics.track("legacy-thing");\n'
    )
    from telemetry.naming import PRESETS

    current = {"number": 7, "preset": "snake", "rules": PRESETS["snake"].to_dict(), "note": ""}
    (repo / "convention.json").write_text(json.dumps(current))
    code, out, _ = run(capsys, "lint", "web", "--convention", "convention.json", "--format", "json")
    calls = json.loads(out)["calls"]
    assert calls[0]["ok"] is False  # "yeet" is nobody's word yet
    assert json.loads(out)["convention"]["version"] == 7
    current["team_words"] = {"actions": {"yeet": "yeeted"}, "objects": ["gizmo"]}
    current["no_lint"] = [{"name": "legacy-thing", "reason": "the finance dashboards read it"}]
    (repo / "convention.json").write_text(json.dumps(current))
    code, out, _ = run(
        capsys, "lint", "web", "--strict", "--convention", "convention.json", "--format", "json"
    )
    calls = json.loads(out)["calls"]
    assert calls[0]["ok"] is True
    assert calls[1]["exempt"] == "registry no_lint: the finance dashboards read it"
    assert code == 0


def test_unreadable_files_are_reported_and_scanning_goes_on(repo, capsys):
    (repo / "web" / "broken.js").write_bytes(b"\xff\xfe\x00analytics.track(")
    (repo / "web" / "zz.js").write_text('analytics.track("Order Completed");\n')
    code, out, _ = run(capsys, "lint", "web", "missing-dir", "--format", "json")
    document = json.loads(out)
    assert any("broken.js" in e for e in document["unreadable"])
    assert any("missing-dir: no such file" in e for e in document["unreadable"])
    assert "web/zz.js" in {c["file"] for c in document["calls"]}


def test_fix_prints_a_patch_that_git_applies(repo, capsys):
    require_tool("git", "apt-get install git; the test applies the patch with it")
    code, patch, _ = run(capsys, "fix", ".")
    assert code == 0
    assert '-analytics.track("signupClicked", { "Plan Type": "pro" });' in patch
    assert '+analytics.track("Signup Clicked", { "plan_type": "pro" });' in patch
    assert '+track_event("Coupon Applied", {"coupon_code": "X"})' in patch
    (repo / "fix.patch").write_text(patch)
    subprocess.run(["git", "apply", "--check", "fix.patch"], cwd=repo, check=True)
    subprocess.run(["git", "apply", "fix.patch"], cwd=repo, check=True)
    code, out, _ = run(capsys, "lint", "web", "--format", "json")
    assert [c["name"] for c in json.loads(out)["calls"]][:2] == [
        "Order Completed",
        "Signup Clicked",
    ]


def test_fix_renames_property_keys_it_can_and_leaves_shorthand_alone(repo, capsys):
    (repo / "web" / "checkout.ts").write_text(
        "analytics.track('Order Completed', { orderId: id, 'Plan Type': p, cartTotal });\n"
    )
    (repo / "app.rb").write_text(
        "Analytics.track(user_id: 1, event: 'Order Completed', properties: { orderId: 1 })\n"
    )
    run(capsys, "fix", ".", "--write")
    assert (repo / "web" / "checkout.ts").read_text() == (
        "analytics.track('Order Completed', { order_id: id, 'plan_type': p, cartTotal });\n"
    )
    assert "properties: { order_id: 1 }" in (repo / "app.rb").read_text()


def test_fix_write_renames_in_place(repo, capsys):
    run(capsys, "fix", ".", "--write")
    assert 'analytics.track("Signup Clicked"' in (repo / "web" / "checkout.ts").read_text()
    assert "`Viewed ${page}`" in (repo / "web" / "checkout.ts").read_text()


def test_the_command_line_runs_without_django(repo):
    code = (
        "import sys; sys.modules['django'] = None; sys.modules['rest_framework'] = None\n"
        "from telemetry.events_cli.main import main\n"
        "sys.exit(main(['lint', '.', '--strict']))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=repo,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1, proc.stderr
    assert "web/checkout.ts:2: case" in proc.stdout


def test_a_bad_config_is_a_clear_usage_error(repo, capsys):
    (repo / ".productops-events.yml").write_text("wrappers:\n  - {event_arg: 0}\n")
    code, _, err = run(capsys, "lint", ".")
    assert code == 2
    assert "wrappers[0] needs `call`" in err
