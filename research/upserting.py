"""Writing an imported panel: upsert participants and accounts by external id, and say whom it changed.

Called by research/importing.py inside its all-or-nothing transaction.
"""

import json

from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils import timezone

from research.models import Account, Participant

BATCH = 2000


def texts_param(values):
    """For `__in` over many strings: one array parameter on PostgreSQL."""
    values = list(values)
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::text[])", (values,))
    return values


def participants_upsert(*, rows: list[dict], update_fields: list[str]) -> set[int]:
    """Insert or update by external id; returns the ids of people who are new or whose fatigue
    inputs (consent, flags, account, attributes) changed."""
    if connection.vendor == "postgresql":
        return _upsert_participants_copy(rows, update_fields)
    before = _fatigue_inputs([r["external_id"] for r in rows])
    for start in range(0, len(rows), BATCH):
        Participant.objects.bulk_create(
            [Participant(**row) for row in rows[start : start + BATCH]],
            update_conflicts=True,
            unique_fields=["external_id"],
            update_fields=update_fields,
        )
    after = _fatigue_inputs([r["external_id"] for r in rows])
    return {
        pid
        for ext, (pid, *inputs) in after.items()
        if before.get(ext, (None,))[1:] != tuple(inputs)
    }


def _fatigue_inputs(ext_ids) -> dict[str, tuple]:
    """What the fatigue rules read from each participant, by external id (with the pk first)."""
    rows = Participant.objects.filter(external_id__in=texts_param(ext_ids)).values_list(
        "external_id", "pk", "consent", "opted_out", "do_not_contact", "account_id", "attributes"
    )
    return {
        ext: (pk, *rest[:4], json.dumps(rest[4], sort_keys=True, default=str))
        for ext, pk, *rest in rows
    }


def account_inputs(account_keys) -> dict[str, tuple]:
    if not account_keys:
        return {}
    rows = Account.objects.filter(external_id__in=texts_param(account_keys)).values_list(
        "external_id", "pk", "renewal_date", "owner_flagged"
    )
    return {ext: (pk, *rest) for ext, pk, *rest in rows}


# The participant fields an import may write; the external id is the upsert key.
PARTICIPANT_FIELDS = [
    "name",
    "email",
    "time_zone",
    "language",
    "consent",
    "consent_at",
    "do_not_contact",
    "opted_out",
    "contact_block_reason",
    "plan",
    "region",
    "country",
    "industry",
    "company_size",
    "tenure",
    "usage_level",
]

_COPY_COLUMNS = [
    "external_id",
    "account_id",
    *PARTICIPANT_FIELDS,
    "attributes",
    "created_at",
    "updated_at",
]


# What a new participant gets for a field the file leaves empty or does not map.
DEFAULTS = {
    "time_zone": "UTC",
    "language": "en",
    "consent": Participant.Consent.PENDING,
    "consent_at": None,
    "do_not_contact": False,
    "opted_out": False,
}


def _blank(value) -> bool:
    return value is None or value == ""


def _existing(ext_ids) -> dict[str, dict]:
    """The stored values an import may keep, by external id."""
    fields = [*PARTICIPANT_FIELDS, "account_id", "attributes"]
    return {
        row[0]: dict(zip(fields, row[1:], strict=True))
        for row in Participant.objects.filter(external_id__in=texts_param(ext_ids))
        .order_by()
        .values_list("external_id", *fields)
        .iterator(chunk_size=5000)
    }


def participant_rows(*, clean: list[dict], account_ids: dict[str, int], now) -> list[dict]:
    """Upsert rows in which only what the file says changes.

    An empty cell, or a column the file does not map, keeps what the panel already holds (a new
    person gets the default); a custom attribute column changes only that attribute. A file can
    therefore never blank out a value: that is done on the participant's page.
    """
    existing = _existing([r["external_id"] for r in clean])
    rows = []
    for r in clean:
        old = existing.get(r["external_id"])
        row = {"external_id": r["external_id"]}
        for field in PARTICIPANT_FIELDS:
            value = r.get(field)
            if _blank(value):
                value = old[field] if old else DEFAULTS.get(field, "")
            row[field] = value
        row["email"] = row["email"].lower()
        # Consent given without a date dates from now, unless it was already on record.
        if r.get("consent") == Participant.Consent.GRANTED and _blank(r.get("consent_at")):
            kept = old and old["consent"] == Participant.Consent.GRANTED
            row["consent_at"] = old["consent_at"] if kept else now
        if r.get("_keep_consent_at") and old:
            row["consent_at"] = old["consent_at"]
        account = r.get("account_id")
        row["account_id"] = (
            account_ids.get(account) if account else (old["account_id"] if old else None)
        )
        row["attributes"] = {**((old or {}).get("attributes") or {}), **r["_attributes"]}
        row["created_at"] = row["updated_at"] = now
        rows.append(row)
    return rows


def _upsert_participants_copy(batch: list[dict], update_fields: list[str]) -> set[int]:
    """PostgreSQL: COPY the rows into a temporary table, then one INSERT … ON CONFLICT DO UPDATE.

    The same upsert as bulk_create(update_conflicts=True), without building a statement with
    millions of placeholders: 100,000 rows take seconds instead of minutes. Returns the ids of
    participants who are new or whose fatigue inputs changed, compared in SQL.
    """
    columns = [*_COPY_COLUMNS, "blocked_rules", "blocked_mask", "contact_count"]
    updates = ["account_id" if f == "account" else f for f in update_fields]
    inputs = "consent, opted_out, do_not_contact, account_id, attributes"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE research_import_rows ON COMMIT DROP AS "
            f"SELECT {', '.join(columns)} FROM research_participant WITH NO DATA"
        )
        with cursor.cursor.copy(
            f"COPY research_import_rows ({', '.join(columns)}) FROM STDIN"
        ) as copy:
            for row in batch:
                values = [row[c] for c in _COPY_COLUMNS]
                values[_COPY_COLUMNS.index("attributes")] = json.dumps(row["attributes"])
                copy.write_row([*values, "[]", 0, 0])
        cursor.execute(
            "CREATE TEMPORARY TABLE research_import_before ON COMMIT DROP AS "
            f"SELECT p.id, {', '.join('p.' + c for c in inputs.split(', '))} "
            "FROM research_participant p JOIN research_import_rows r USING (external_id)"
        )
        cursor.execute(
            f"INSERT INTO research_participant ({', '.join(columns)}) "
            f"SELECT {', '.join(columns)} FROM research_import_rows "
            "ON CONFLICT (external_id) DO UPDATE SET "
            + ", ".join(f"{f} = EXCLUDED.{f}" for f in updates)
        )
        cursor.execute(
            "SELECT p.id FROM research_participant p "
            "JOIN research_import_rows r USING (external_id) "
            "LEFT JOIN research_import_before b ON b.id = p.id "
            f"WHERE b.id IS NULL OR ({', '.join('p.' + c for c in inputs.split(', '))}) "
            f"IS DISTINCT FROM ({', '.join('b.' + c for c in inputs.split(', '))})"
        )
        changed = {pid for (pid,) in cursor.fetchall()}
        cursor.execute("DROP TABLE research_import_rows, research_import_before")
    return changed


def accounts_upsert(*, clean, mapped) -> dict[str, int]:
    """Upsert the file's accounts; a name, date or owner the file leaves empty or does not map
    stays as it is (a new account is named after its id until a file names it)."""
    if "account_id" not in mapped:
        return {}
    keys = sorted({r["account_id"] for r in clean if r.get("account_id")})
    stored = {
        ext: {"name": name, "renewal_date": renewal, "owner_name": owner, "owner_flagged": flag}
        for ext, name, renewal, owner, flag in Account.objects.filter(
            external_id__in=texts_param(keys)
        ).values_list("external_id", "name", "renewal_date", "owner_name", "owner_flagged")
    }
    accounts = {}
    for r in clean:
        ext = r.get("account_id")
        if not ext:
            continue
        current = accounts.setdefault(ext, dict(stored.get(ext) or {"name": ext}))
        if r.get("account_name") and ext not in accounts.get("_named", ()):
            current["name"] = r["account_name"]
            accounts.setdefault("_named", set()).add(ext)
        for field, target in (
            ("renewal_date", "renewal_date"),
            ("owner_name", "account_owner"),
            ("owner_flagged", "owner_flagged"),
        ):
            if target in r and r[target] not in (None, ""):
                current[field] = r[target]
    accounts.pop("_named", None)
    if not accounts:
        return {}
    update_fields = ["updated_at"]
    if "account_name" in mapped:
        update_fields.append("name")
    for field, target in (
        ("renewal_date", "renewal_date"),
        ("owner_name", "account_owner"),
        ("owner_flagged", "owner_flagged"),
    ):
        if target in mapped:
            update_fields.append(field)
    now = timezone.now()
    if connection.vendor == "postgresql":
        return _upsert_accounts_copy(accounts, update_fields, now)
    objs = [
        Account(
            external_id=ext,
            name=data["name"],
            renewal_date=data.get("renewal_date"),
            owner_name=data.get("owner_name", ""),
            owner_flagged=data.get("owner_flagged", False),
            created_at=now,
            updated_at=now,
        )
        for ext, data in accounts.items()
    ]
    for start in range(0, len(objs), BATCH):
        Account.objects.bulk_create(
            objs[start : start + BATCH],
            update_conflicts=True,
            unique_fields=["external_id"],
            update_fields=update_fields,
        )
    return dict(
        Account.objects.filter(external_id__in=texts_param(accounts)).values_list(
            "external_id", "pk"
        )
    )


_ACCOUNT_COLUMNS = [
    "external_id",
    "name",
    "renewal_date",
    "owner_name",
    "owner_flagged",
    "owner_flag_reason",
    "attributes",
    "created_at",
    "updated_at",
]


def _upsert_accounts_copy(accounts: dict, update_fields: list[str], now) -> dict[str, int]:
    """PostgreSQL: the accounts' upsert as COPY + one INSERT … ON CONFLICT … RETURNING their ids."""
    columns = ", ".join(_ACCOUNT_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE research_import_accounts ON COMMIT DROP AS "
            f"SELECT {columns} FROM research_account WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY research_import_accounts ({columns}) FROM STDIN") as copy:
            for ext, data in accounts.items():
                copy.write_row(
                    [
                        ext,
                        data["name"],
                        data.get("renewal_date"),
                        data.get("owner_name", ""),
                        data.get("owner_flagged", False),
                        "",
                        "{}",
                        now,
                        now,
                    ]
                )
        cursor.execute(
            f"INSERT INTO research_account ({columns}) SELECT {columns} FROM research_import_accounts "
            "ON CONFLICT (external_id) DO UPDATE SET "
            + ", ".join(f"{f} = EXCLUDED.{f}" for f in update_fields)
            + " RETURNING external_id, id"
        )
        ids = dict(cursor.fetchall())
        cursor.execute("DROP TABLE research_import_accounts")
    return ids
