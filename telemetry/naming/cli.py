"""`python -m telemetry.naming lint ...`: the linter on the command line, for CI jobs."""

from __future__ import annotations

import json
import sys

from telemetry.naming.convention import DEFAULT_PRESET, PRESETS, Convention
from telemetry.naming.lint import lint_events, lint_properties


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m telemetry.naming",
        description="Lint analytics event or property names against a naming convention.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    lint = sub.add_parser("lint", help="lint names (use '-' to read one name per line from stdin)")
    lint.add_argument("names", nargs="+")
    lint.add_argument("--preset", choices=sorted(PRESETS), default=DEFAULT_PRESET)
    lint.add_argument("--convention", help="JSON file with a convention (overrides --preset)")
    lint.add_argument("--kind", choices=("event", "property"), default="event")
    lint.add_argument("--json", action="store_true", help="print JSON lines")
    args = parser.parse_args(argv)

    conv = PRESETS[args.preset]
    if args.convention:
        try:
            with open(args.convention, encoding="utf-8") as fh:
                conv = Convention.from_dict(json.load(fh))
        except (OSError, ValueError) as exc:
            print(f"error: convention {args.convention}: {exc}", file=sys.stderr)
            return 2
    names: list[str] = []
    for name in args.names:
        if name == "-":
            names.extend(line.rstrip("\n") for line in sys.stdin)
        else:
            names.append(name)
    failed = 0
    results = lint_events(names, conv) if args.kind == "event" else lint_properties(names, conv)
    for name, result in zip(names, results, strict=True):
        failed += not result.ok
        if args.json:
            print(json.dumps(result.to_dict(), ensure_ascii=False))
            continue
        if result.ok:
            print(f"ok    {name}")
            continue
        print(f"FAIL  {name}")
        for v in result.violations:
            print(f"      {v.rule}: {v.message}")
        if result.suggestion:
            print(f"      suggestion: {result.suggestion}")
        elif result.note:
            print(f"      no suggestion: {result.note}")
    return 1 if failed else 0
