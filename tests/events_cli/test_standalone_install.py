"""`pip install ./telemetry-cli` gives a working `productops-events` in an environment without
Django (nor lemminflect): the wheel holds only the pure packages and the shipped word index."""

import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_standalone_wheel_installs_and_lints_without_django(tmp_path):
    pytest.importorskip(
        "hatchling", reason="building the wheel offline needs hatchling (test extra)"
    )
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-build-isolation",
            "--no-deps",
            "-q",
            str(ROOT / "telemetry-cli"),
            "-w",
            str(wheels),
        ],
        check=True,
        capture_output=True,
    )
    [wheel] = wheels.glob("productops_events-*.whl")
    env_dir = tmp_path / "env"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    pip = env_dir / "bin" / "pip"
    subprocess.run(
        [pip, "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".git").mkdir()
    (repo / "app.ts").write_text(
        'analytics.track("clickedSignupBtn");\nanalytics.track("Order Placed");\n'
    )
    result = subprocess.run(
        [env_dir / "bin" / "productops-events", "lint", ".", "--strict"],
        cwd=repo,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 1, result.stderr
    assert (
        "app.ts:1: case:" in result.stdout and "suggestion: Signup Button Clicked" in result.stdout
    )
    assert "2 tracking calls, 1 ok, 1 failing" in result.stdout
    probe = subprocess.run(
        [
            env_dir / "bin" / "python",
            "-c",
            "import importlib.util as u; print(u.find_spec('django'), u.find_spec('lemminflect'))",
        ],
        capture_output=True,
        text=True,
    )
    assert probe.stdout.strip() == "None None"
