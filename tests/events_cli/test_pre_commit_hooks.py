"""The hooks in .pre-commit-hooks.yaml run the command line as pre-commit would call them."""

import shlex
from pathlib import Path

import yaml

from telemetry.events_cli.main import main

ROOT = Path(__file__).resolve().parents[2]


def test_each_hook_runs_on_the_files_pre_commit_would_pass(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("PRODUCTOPS_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "a.ts").write_text('analytics.track("clickedSignupBtn");\n')
    (tmp_path / "b.py").write_text('analytics.track(user_id, "Order Completed")\n')
    (tmp_path / "events.yml").write_text(
        "events:\n  - {name: Order Completed, team: x, description: y}\n"
    )
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"productops-events", "productops-events-check"}
    lint = shlex.split(hooks["productops-events"]["entry"])
    assert lint[0] == "productops-events"
    assert main([*lint[1:], "a.ts", "b.py"]) == 1  # strict: the bad name blocks the commit
    assert main([*lint[1:], "b.py"]) == 0
    check = shlex.split(hooks["productops-events-check"]["entry"])
    assert main([*check[1:], "events.yml"]) == 0
    capsys.readouterr()
