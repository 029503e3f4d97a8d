"""The `productops-events` commands. Imports stay inside the commands so that starting the
process costs little more than the interpreter (a CI step runs it on every push)."""

from __future__ import annotations

import argparse
import os
import sys

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="productops-events",
        description="Check analytics tracking calls and event definitions against the ProductOps "
        "naming convention. Online checks use PRODUCTOPS_URL and PRODUCTOPS_TOKEN.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def convention_options(p):
        p.add_argument(
            "--convention",
            metavar="FILE",
            help="convention JSON (or the portal's YAML export); runs offline",
        )
        p.add_argument("--preset", help="a built-in convention: segment, snake, camel, dotted")
        p.add_argument("--team", help="your team's slug (team words, sync target)")
        p.add_argument("--offline", action="store_true", help="never call the portal")

    lint = sub.add_parser("lint", help="lint the tracking calls in source files")
    lint.add_argument("paths", nargs="+", metavar="PATH")
    lint.add_argument("--format", choices=("text", "json", "github", "sarif"), default="text")
    lint.add_argument("--strict", action="store_true", help="exit 1 when a call fails")
    lint.add_argument("--baseline", metavar="FILE", help="known violations that do not fail")
    lint.add_argument(
        "--write-baseline", metavar="FILE", help="record today's violations and exit 0"
    )
    lint.add_argument("--output", "-o", metavar="FILE", help="write the report here, not stdout")
    convention_options(lint)

    fix = sub.add_parser("fix", help="rename non-conforming literal event names (a unified diff)")
    fix.add_argument("paths", nargs="+", metavar="PATH")
    fix.add_argument("--write", action="store_true", help="apply the changes to the files")
    convention_options(fix)

    check = sub.add_parser("check", help="validate an events.yml definitions file")
    check.add_argument("files", nargs="+", metavar="events.yml")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument("--strict", action="store_true")
    convention_options(check)

    sync = sub.add_parser("sync", help="register events found in code or events.yml as planned")
    sync.add_argument("paths", nargs="+", metavar="PATH")
    sync.add_argument("--dry-run", action="store_true", help="show what would be registered")
    convention_options(sync)

    conform = sub.add_parser(
        "conform", help="check a capture of emitted events (JSON) against the plan"
    )
    conform.add_argument("capture", metavar="capture.json")
    conform.add_argument("--plan", metavar="events.yml")
    conform.add_argument("--strict", action="store_true")
    convention_options(conform)

    codegen = sub.add_parser("codegen", help="generate typed tracking helpers")
    codegen.add_argument("--lang", choices=("ts", "python"), required=True)
    codegen.add_argument(
        "--from",
        dest="source",
        metavar="FILE",
        help="events.yml or the portal's YAML export (offline)",
    )
    codegen.add_argument("--output", "-o", metavar="FILE")
    codegen.add_argument("--team", help="only this team's events")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from telemetry.events_cli.config import ConfigError

    try:
        if args.command == "lint":
            return cmd_lint(args)
        if args.command == "fix":
            return cmd_fix(args)
        if args.command == "check":
            return cmd_check(args)
        if args.command == "sync":
            return cmd_sync(args)
        if args.command == "conform":
            return cmd_conform(args)
        return cmd_codegen(args)
    except ConfigError as exc:
        print(f"productops-events: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except UsageError as exc:
        print(f"productops-events: {exc}", file=sys.stderr)
        return EXIT_USAGE


class UsageError(Exception):
    pass


def _portal(args):
    if getattr(args, "offline", False) or not os.environ.get("PRODUCTOPS_URL"):
        return None  # urllib is slow to import; offline runs never need it
    from telemetry.events_cli.portal import Portal, PortalError

    try:
        return Portal.from_env()
    except PortalError as exc:
        raise UsageError(str(exc)) from exc


def _convention(args, config, portal):
    from telemetry.events_cli import conventions

    PortalError = _portal_error(portal)

    path = args.convention or (config.convention if not args.preset else None)
    try:
        if path:
            return conventions.from_file(path)
        if portal is not None:
            data = portal.convention(args.team or config.team)
            return conventions.from_document(data, f"{portal.base} (online)")
        return conventions.preset(args.preset or config.preset)
    except (OSError, ValueError) as exc:
        raise UsageError(f"convention {path or args.preset or ''}: {exc}") from exc
    except PortalError as exc:
        raise UsageError(f"could not fetch the convention: {exc}") from exc


def _scan(paths, config):
    """Every tracking call under `paths`, and the files that could not be read."""
    from telemetry.events_cli.config import source_files
    from telemetry.events_cli.scan import language_of, scan_text

    files, missing = source_files(paths, config, language_of)
    errors = [f"{p}: no such file or directory" for p in missing]
    calls, texts = [], {}
    for path in files:
        lang = language_of(path)
        if lang is None:
            continue
        try:
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
        except UnicodeDecodeError as exc:
            errors.append(f"{path}: not UTF-8 text (byte {exc.start}); skipped")
            continue
        except OSError as exc:
            errors.append(f"{path}: {exc.strerror or exc}; skipped")
            continue
        if "\x00" in text:
            errors.append(f"{path}: binary content; skipped")
            continue
        rel = os.path.relpath(path, config.root).replace(os.sep, "/")
        found = scan_text(text, rel, lang, config.wrappers)
        if found:
            texts[path] = text
            for call in found:
                call.path_on_disk = path
            calls.extend(found)
    return calls, errors, texts


def _load(args, paths):
    from telemetry.events_cli.config import find_root, load_config

    config = load_config(find_root(paths[0] if paths else "."))
    portal = _portal(args)
    loaded = _convention(args, config, portal)
    return config, portal, loaded


def _portal_error(portal):
    if portal is None:
        return type("NoPortal", (Exception,), {})
    from telemetry.events_cli.portal import PortalError

    return PortalError


def _findings(args, config, portal, loaded, calls):
    from telemetry.events_cli.checking import check_calls

    PortalError = _portal_error(portal)

    duplicates = None
    if portal is not None:
        names = sorted({c.name for c in calls if c.name and not c.dynamic})
        try:
            duplicates = portal.duplicates(names, args.team or config.team) if names else {}
        except PortalError as exc:
            print(f"productops-events: duplicate check skipped: {exc}", file=sys.stderr)
    return check_calls(calls, loaded, duplicates)


def cmd_lint(args) -> int:
    from telemetry.events_cli import reports
    from telemetry.events_cli.baseline import apply_baseline, write_baseline
    from telemetry.events_cli.checking import counts_as_failure

    config, portal, loaded = _load(args, args.paths)
    calls, errors, _ = _scan(args.paths, config)
    findings = _findings(args, config, portal, loaded, calls)
    if args.write_baseline:
        n = write_baseline(args.write_baseline, findings)
        print(f"wrote {n} known violations to {args.write_baseline}", file=sys.stderr)
        return EXIT_OK
    baseline = args.baseline or config.baseline
    if baseline:
        try:
            apply_baseline(baseline, findings)
        except (OSError, ValueError, KeyError) as exc:
            raise UsageError(f"baseline {baseline}: {exc}") from exc
    if args.format == "json":
        report = reports.as_json(findings, errors, loaded.source, loaded.version)
    else:
        report = getattr(
            reports, {"text": "text", "github": "github", "sarif": "sarif"}[args.format]
        )(findings, errors, loaded.source)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(report)
    else:
        sys.stdout.write(report)
    strict = args.strict or config.strict
    return EXIT_FAILED if strict and any(counts_as_failure(f) for f in findings) else EXIT_OK


def cmd_fix(args) -> int:
    from telemetry.events_cli.patching import make_patch, renames

    config, portal, loaded = _load(args, args.paths)
    calls, errors, texts = _scan(args.paths, config)
    findings = _findings(args, config, portal, loaded, calls)
    patch, new_texts = make_patch(renames(calls, findings), config.root, texts)
    for error in errors:
        print(f"unreadable: {error}", file=sys.stderr)
    if args.write:
        for path, text in new_texts.items():
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
        print(f"renamed event names in {len(new_texts)} files", file=sys.stderr)
    else:
        sys.stdout.write(patch)
    return EXIT_OK


def cmd_check(args) -> int:
    from telemetry.events_cli import definitions

    config, portal, loaded = _load(args, args.files)
    failed = False
    for path in args.files:
        try:
            plan = definitions.read(path)
        except (OSError, ValueError) as exc:
            raise UsageError(f"{path}: {exc}") from exc
        problems = definitions.check(plan, loaded)
        if portal is not None:
            from telemetry.events_cli.portal import PortalError

            try:
                problems += definitions.collisions(plan, portal, args.team or config.team)
            except PortalError as exc:
                print(f"productops-events: collision check skipped: {exc}", file=sys.stderr)
        if args.format == "json":
            import json

            document = {"file": path, "events": len(plan.events), "problems": problems}
            print(json.dumps(document, indent=2, ensure_ascii=False))
        else:
            for p in problems:
                hint = f" → suggestion: {p['suggestion']}" if p.get("suggestion") else ""
                print(f"{path}:{p['line']}: {p['rule']}: {p['message']}{hint}")
            print(
                f"{path}: {len(plan.events)} events, {len(problems)} problems; convention: {loaded.source}"
            )
        strict = args.strict or config.strict
        failed |= any(p["level"] == "error" or strict for p in problems)
    return EXIT_FAILED if failed else EXIT_OK


def cmd_conform(args) -> int:
    from telemetry.events_cli import conformance, definitions

    config, portal, loaded = _load(args, [args.capture])
    try:
        events = conformance.read_capture(args.capture)
        plan = definitions.read(args.plan) if args.plan else None
    except (OSError, ValueError) as exc:
        raise UsageError(str(exc)) from exc
    problems = conformance.check_capture(events, loaded, plan.events if plan else None)
    print(conformance.format_problems(problems, len(events)))
    return EXIT_FAILED if problems and (args.strict or config.strict) else EXIT_OK


def cmd_sync(args) -> int:
    from telemetry.events_cli import definitions
    from telemetry.events_cli.portal import PortalError

    config, portal, loaded = _load(args, args.paths)
    team = args.team or config.team
    if not team:
        raise UsageError("sync needs the team: --team SLUG or `team:` in .productops-events.yml")
    events: dict[str, dict] = {}
    code_paths = []
    for path in args.paths:
        if path.endswith((".yml", ".yaml")) and os.path.isfile(path):
            try:
                plan = definitions.read(path)
            except (OSError, ValueError) as exc:
                raise UsageError(f"{path}: {exc}") from exc
            for event in plan.events:
                entry = events.setdefault(
                    event["name"], definitions.sync_entry(event, f"{path}:{event['line']}")
                )
                entry["source"] = "definitions"
        else:
            code_paths.append(path)
    if code_paths:
        calls, errors, _ = _scan(code_paths, config)
        for error in errors:
            print(f"unreadable: {error}", file=sys.stderr)
        for call in calls:
            if call.dynamic or not call.name:
                continue
            entry = events.setdefault(
                call.name,
                {
                    "name": call.name,
                    "description": "",
                    "properties": [],
                    "locations": [],
                    "source": "code",
                },
            )
            entry["locations"].append(f"{call.file}:{call.line}")
            known = {p["name"] for p in entry["properties"]}
            entry["properties"] += [
                {"name": k, "type": "string"}
                for k, _ in call.properties
                if k not in known and not known.add(k)
            ]
    body = {
        "team": team,
        "dry_run": args.dry_run,
        "events": sorted(events.values(), key=lambda e: e["name"]),
    }
    if portal is None:
        raise UsageError("sync talks to the portal: set PRODUCTOPS_URL and PRODUCTOPS_TOKEN")
    try:
        result = portal.request("POST", "cli/sync/", body)
    except PortalError as exc:
        print(f"productops-events: {exc}", file=sys.stderr)
        return EXIT_FAILED
    verb = "would register" if args.dry_run else "registered"
    for name in result["created"]:
        print(f"{verb} (planned): {name}")
    for name in result["updated"]:
        print(f"provenance updated: {name}")
    for name in result["missing_from_code"]:
        print(f"in the registry, not found in code: {name}")
    print(
        f"{len(result['created'])} new, {len(result['updated'])} updated, "
        f"{len(result['unchanged'])} unchanged, {len(result['missing_from_code'])} not in code"
    )
    return EXIT_OK


def cmd_codegen(args) -> int:
    from telemetry.events_cli import codegen, definitions

    if args.source:
        try:
            plan = definitions.read(args.source)
        except (OSError, ValueError) as exc:
            raise UsageError(f"{args.source}: {exc}") from exc
        events = [e for e in plan.events if not args.team or e.get("team") == args.team]
        code = codegen.generate(events, args.lang)
    else:
        portal = _portal(args)
        if portal is None:
            raise UsageError(
                "codegen needs --from events.yml, or PRODUCTOPS_URL and PRODUCTOPS_TOKEN"
            )
        from telemetry.events_cli.portal import PortalError

        try:
            code = portal.request(
                "GET", "cli/codegen/", query={"lang": args.lang, "team": args.team}, raw=True
            )
        except PortalError as exc:
            print(f"productops-events: {exc}", file=sys.stderr)
            return EXIT_FAILED
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(code)
    else:
        sys.stdout.write(code)
    return EXIT_OK
