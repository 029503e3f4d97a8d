"""`.productops-events.yml` at the repository root: the team's wrappers and choices."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from telemetry.events_cli.scan import Wrapper

CONFIG_NAME = ".productops-events.yml"
SKIP_DIRS = {
    ".git",
    ".hg",
    "node_modules",
    ".venv",
    "venv",
    "__pycache__",
    ".tox",
    "dist",
    "build",
    "Pods",
    ".mypy_cache",
}


class ConfigError(ValueError):
    """The config file cannot be used; the message names the key and the fix."""


@dataclass
class Config:
    root: str = "."
    path: str | None = None
    wrappers: list[Wrapper] = field(default_factory=list)
    strict: bool = False
    baseline: str | None = None
    convention: str | None = None
    preset: str | None = None
    team: str | None = None
    exclude: list[str] = field(default_factory=list)


def find_root(start: str) -> str:
    """The nearest directory at or above `start` with the config file or a .git folder."""
    here = os.path.abspath(start if os.path.isdir(start) else os.path.dirname(start) or ".")
    while True:
        if os.path.exists(os.path.join(here, CONFIG_NAME)) or os.path.exists(
            os.path.join(here, ".git")
        ):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            return os.path.abspath(start if os.path.isdir(start) else ".")
        here = parent


def load_config(root: str) -> Config:
    path = os.path.join(root, CONFIG_NAME)
    config = Config(root=root)
    if not os.path.exists(path):
        return config
    import yaml

    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read it ({exc}).") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping such as `wrappers: [...]`.")
    known = {"wrappers", "strict", "baseline", "convention", "preset", "team", "exclude"}
    for key in data:
        if key not in known:
            raise ConfigError(
                f"{path}: unknown key {key!r}; use one of {', '.join(sorted(known))}."
            )
    config.path = path
    for number, item in enumerate(data.get("wrappers") or []):
        if not isinstance(item, dict) or not isinstance(item.get("call"), str) or not item["call"]:
            raise ConfigError(
                f"{path}: wrappers[{number}] needs `call`, e.g. {{call: track_event, event_arg: 0}}."
            )
        event_arg = item.get("event_arg", 0)
        props_arg = item.get("properties_arg")
        if isinstance(event_arg, bool) or not isinstance(event_arg, int) or event_arg < 0:
            raise ConfigError(f"{path}: wrappers[{number}].event_arg must be 0 or more.")
        if props_arg is not None and (
            isinstance(props_arg, bool) or not isinstance(props_arg, int) or props_arg < 0
        ):
            raise ConfigError(f"{path}: wrappers[{number}].properties_arg must be 0 or more.")
        config.wrappers.append(Wrapper(item["call"], event_arg, props_arg))
    strict = data.get("strict", False)
    if not isinstance(strict, bool):
        raise ConfigError(f"{path}: strict must be true or false.")
    config.strict = strict
    for key in ("baseline", "convention", "preset", "team"):
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            raise ConfigError(f"{path}: {key} must be a string.")
        if value and key in ("baseline", "convention"):
            value = os.path.join(root, value)
        setattr(config, key, value)
    exclude = data.get("exclude") or []
    if not isinstance(exclude, list) or not all(isinstance(e, str) for e in exclude):
        raise ConfigError(f"{path}: exclude must be a list of glob patterns.")
    config.exclude = exclude
    return config


def source_files(paths: list[str], config: Config, language_of) -> tuple[list[str], list[str]]:
    """The files to scan under `paths`, and the paths that do not exist."""
    import fnmatch

    files, missing = [], []

    def excluded(path: str) -> bool:
        rel = os.path.relpath(path, config.root)
        return any(fnmatch.fnmatch(rel, pattern) for pattern in config.exclude)

    for path in paths:
        if os.path.isfile(path):
            files.append(path)
        elif os.path.isdir(path):
            for dirpath, dirnames, filenames in os.walk(path):
                dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
                for name in sorted(filenames):
                    full = os.path.join(dirpath, name)
                    if language_of(name) and not excluded(full):
                        files.append(full)
        else:
            missing.append(path)
    return files, missing
