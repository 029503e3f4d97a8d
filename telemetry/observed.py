"""Counting observed events: one batch is one transaction of atomic upserts.

Counts are added in SQL (`count = count + EXCLUDED.count`), never read-modify-written in Python,
so two batches for the same name at once both count. Rows are written in sorted key order so two
concurrent batches lock them in the same order and cannot deadlock.

The messageId store is a table with a unique index rather than Redis: a repeat is recognised by
the same INSERT ... ON CONFLICT that commits or rolls back with the counts, so a batch that fails
halfway leaves neither its counts nor its messageIds behind, and a retry counts it exactly once.
"""

import datetime
import hashlib
import uuid
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from telemetry import naming
from telemetry.conventions import current_convention
from telemetry.models import ObservedDay, ObservedName, ObservedProperty, SeenMessage, Source
from telemetry.observed_batch import (
    Batch,
    batch_totals,
    first_of_each_message,
    platform_for,
)

DEDUPE_WINDOW = datetime.timedelta(hours=24)
# Rows per INSERT statement: well under SQLite's and PostgreSQL's parameter limits.
CHUNK = 500


@dataclass
class Ingested:
    counted: int
    repeats: int
    skipped: int
    new_names: list


def _at(value: datetime.datetime):
    # Raw SQL bypasses the fields, so values are adapted as the ORM would store them.
    return connection.ops.adapt_datetimefield_value(value)


def _day(value: datetime.date):
    return connection.ops.adapt_datefield_value(value)


def _functions():
    if connection.vendor == "postgresql":
        return "LEAST", "GREATEST"
    return "MIN", "MAX"


def _insert(table: str, columns: list, rows: list, tail: str, tail_params=(), *, fetch=False):
    """INSERT many rows with an ON CONFLICT `tail`. On PostgreSQL the rows travel as one array
    per column through unnest(), bound server-side in binary, so a 1,000-row statement costs the
    driver a few array dumps instead of thousands of quoted literals; elsewhere VALUES in chunks."""
    names = ", ".join(name for name, _ in columns)
    if connection.vendor == "postgresql":
        import psycopg

        arrays = ", ".join(f"%s::{kind}[]" for _, kind in columns)
        connection.ensure_connection()
        # Django's cursors bind client-side; this one shares the connection and its transaction.
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}) {tail}",
                [list(column) for column in zip(*rows, strict=True)] + list(tail_params),
            )
            return cursor.fetchall() if fetch else []
    fetched = []
    placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            params = [value for row in chunk for value in row] + list(tail_params)
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {', '.join([placeholder] * len(chunk))} {tail}",
                params,
            )
            if fetch:
                fetched.extend(cursor.fetchall())
    return fetched


def message_digest(message_id: str) -> uuid.UUID:
    return uuid.UUID(bytes=hashlib.md5(message_id.encode(), usedforsecurity=False).digest())


def _fresh_messages(message_ids: list[str], now: datetime.datetime) -> set[str]:
    """Record the batch's messageIds; return those not counted in the last 24 hours."""
    if not message_ids:
        return set()
    table = SeenMessage._meta.db_table
    stamp = _at(now)
    by_digest = {message_digest(m): m for m in message_ids}
    # Sorted, so concurrent batches take the index locks in the same order.
    digests = (
        sorted(by_digest) if connection.vendor == "postgresql" else sorted(d.hex for d in by_digest)
    )
    # A row older than the window is taken over (and returned) as if it were new; the hourly
    # sweep keeps the table small, but correctness does not depend on it having run.
    fresh = _insert(
        table,
        [("digest", "uuid"), ("seen_at", "timestamptz")],
        [(d, stamp) for d in digests],
        f"ON CONFLICT (digest) DO UPDATE SET seen_at = EXCLUDED.seen_at "
        f"WHERE {table}.seen_at < %s RETURNING digest",
        [_at(now - DEDUPE_WINDOW)],
        fetch=True,
    )
    return {by_digest[d if isinstance(d, uuid.UUID) else uuid.UUID(d)] for (d,) in fresh}


def _ids_by(model, column: str, values: set) -> dict:
    found = {}
    ordered = sorted(values)
    for start in range(0, len(ordered), CHUNK):
        found.update(
            (value, pk)
            for pk, value in model.objects.filter(
                **{f"{column}__in": ordered[start : start + CHUNK]}
            ).values_list("pk", column)
        )
    return found


def _ensure_names(names: set[str], now) -> tuple[dict, list]:
    ids = _ids_by(ObservedName, "name", names)
    missing = sorted(names - ids.keys())
    if missing:
        convention = current_convention().convention
        rows = []
        for name, result in zip(missing, naming.lint_events(missing, convention), strict=True):
            rows.append(
                (
                    name,
                    _at(now),
                    result.ok,
                    _violations_json(result),
                    (result.suggestion or "")[:400],
                )
            )
        _insert(
            ObservedName._meta.db_table,
            [
                ("name", "varchar"),
                ("first_seen", "timestamptz"),
                ("lint_ok", "boolean"),
                ("lint_violations", "jsonb"),
                ("lint_suggestion", "varchar"),
            ],
            rows,
            "ON CONFLICT (name) DO NOTHING",
        )
        ids.update(_ids_by(ObservedName, "name", set(missing)))
    return ids, missing


def _violations_json(result) -> str:
    import json

    return json.dumps(
        [{"rule": v.rule, "message": v.message, "part": v.part} for v in result.violations]
    )


def _ensure_sources(keys: set[str], now) -> dict:
    ids = _ids_by(Source, "key", keys)
    missing = sorted(keys - ids.keys())
    if missing:
        _insert(
            Source._meta.db_table,
            [("key", "varchar"), ("platform", "varchar"), ("created_at", "timestamptz")],
            [(key, platform_for(key), _at(now)) for key in missing],
            "ON CONFLICT (key) DO NOTHING",
        )
        ids.update(_ids_by(Source, "key", set(missing)))
    return ids


def observed_ingest(*, batch: Batch, now: datetime.datetime | None = None) -> Ingested:
    """Count a checked batch. Everything happens in one transaction: all of it counts, or none."""
    now = now or timezone.now()
    events, repeats = first_of_each_message(batch.events)
    least, greatest = _functions()
    with transaction.atomic():
        message_ids = [e[3] for e in events if e[3] is not None]
        if message_ids:
            fresh = _fresh_messages(message_ids, now)
            before = len(events)
            events = [e for e in events if e[3] is None or e[3] in fresh]
            repeats += before - len(events)
        totals = batch_totals(events)
        if not totals.days:
            return Ingested(0, repeats, batch.skipped, [])
        name_ids, new_names = _ensure_names({k[0] for k in totals.days}, now)
        source_ids = _ensure_sources({k[1] for k in totals.days}, now)

        day_table = ObservedDay._meta.db_table
        day_rows = sorted(
            (name_ids[name], source_ids[source], _day(day), count, _at(first), _at(last))
            for (name, source, day), (count, first, last) in totals.days.items()
        )
        _insert(
            day_table,
            [
                ("observed_id", "bigint"),
                ("source_id", "bigint"),
                ("day", "date"),
                ("count", "bigint"),
                ("first_seen", "timestamptz"),
                ("last_seen", "timestamptz"),
            ],
            day_rows,
            f"ON CONFLICT (observed_id, source_id, day) DO UPDATE SET "
            f"count = {day_table}.count + EXCLUDED.count, "
            f"first_seen = {least}({day_table}.first_seen, EXCLUDED.first_seen), "
            f"last_seen = {greatest}({day_table}.last_seen, EXCLUDED.last_seen)",
        )
        if totals.properties:
            prop_table = ObservedProperty._meta.db_table
            prop_rows = sorted(
                (name_ids[name], source_ids[source], _day(day), key, kind, count)
                for (name, source, day, key, kind), count in totals.properties.items()
            )
            _insert(
                prop_table,
                [
                    ("observed_id", "bigint"),
                    ("source_id", "bigint"),
                    ("day", "date"),
                    ("key", "varchar"),
                    ("type", "varchar"),
                    ("count", "bigint"),
                ],
                prop_rows,
                f"ON CONFLICT (observed_id, source_id, day, key, type) DO UPDATE SET "
                f"count = {prop_table}.count + EXCLUDED.count",
            )
    return Ingested(totals.counted, repeats, batch.skipped, new_names)


def seen_messages_sweep(*, now: datetime.datetime | None = None) -> int:
    """Forget messageIds older than the dedupe window."""
    now = now or timezone.now()
    deleted, _ = SeenMessage.objects.filter(seen_at__lt=now - DEDUPE_WINDOW).delete()
    return deleted


# Drift reads 90 days; a year and a bit keeps last year's same season for a person comparing.
KEEP_DAYS = 400


def observed_history_prune(*, today: datetime.date | None = None) -> int:
    """Drop daily counts older than KEEP_DAYS, and names no longer seen at all."""
    today = today or timezone.now().date()
    cutoff = today - datetime.timedelta(days=KEEP_DAYS)
    deleted, _ = ObservedDay.objects.filter(day__lt=cutoff).delete()
    ObservedProperty.objects.filter(day__lt=cutoff).delete()
    ObservedName.objects.filter(days__isnull=True, first_seen__date__lt=cutoff).delete()
    return deleted
