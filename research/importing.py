"""Panel import from CSV or XLSX: read, map columns, check every row, then upsert all or nothing."""

import csv
import io
import re
import zoneinfo
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from research import eligibility, suppression, upserting
from research.models import (
    COMPANY_SIZES,
    PLANS,
    REGIONS,
    TENURES,
    USAGE_LEVELS,
    AttributeDefinition,
    Participant,
    Suppression,
)

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 500_000
MAX_ERRORS_SHOWN = 200

# target -> (label, required)
BASE_TARGETS = {
    "external_id": ("Participant id", True),
    "name": ("Name", True),
    "email": ("E-mail", True),
    "account_id": ("Account id", False),
    "account_name": ("Account name", False),
    "time_zone": ("Time zone (IANA)", False),
    "language": ("Language", False),
    "consent": ("Consent (granted / pending / withdrawn)", False),
    "consent_at": ("Consent date", False),
    "do_not_contact": ("Do not contact (yes/no)", False),
    "opted_out": ("Opted out (yes/no)", False),
    "contact_block_reason": ("Opt-out / do-not-contact reason", False),
    "plan": ("Plan", False),
    "region": ("Region", False),
    "country": ("Country", False),
    "industry": ("Industry", False),
    "company_size": ("Company size", False),
    "tenure": ("Tenure", False),
    "usage_level": ("Usage level", False),
    "renewal_date": ("Account renewal date", False),
    "account_owner": ("Account owner", False),
    "owner_flagged": ("Account owner flagged (yes/no)", False),
}
CHOICES = {
    "plan": PLANS,
    "region": REGIONS,
    "company_size": COMPANY_SIZES,
    "tenure": TENURES,
    "usage_level": USAGE_LEVELS,
}
# Every column's database limit: a longer value is a row error in the dry run, never a 500.
LENGTHS = {
    "external_id": 64,
    "name": 200,
    "email": 254,
    "account_id": 64,
    "account_name": 200,
    "language": 16,
    "contact_block_reason": 300,
    "country": 60,
    "industry": 60,
    "account_owner": 120,
}
ALIASES = {
    "external_id": ["id", "participant_id", "customer_id", "contact_id", "external id"],
    "email": ["e-mail", "email_address", "mail"],
    "name": ["full_name", "contact_name"],
    "account_id": ["company_id", "account external id", "account_external_id"],
    "account_name": ["company", "company_name", "account"],
    "time_zone": ["timezone", "tz", "zone"],
    "usage_level": ["usage"],
    "do_not_contact": ["dnc"],
    "opted_out": ["opt_out", "optout"],
    "account_owner": ["owner", "account_owner_name"],
}
TRUE = {"1", "true", "yes", "y", "x"}
FALSE = {"0", "false", "no", "n"}
# What an empty cell means, chosen once for every column and shown in the preview.
EMPTY_CELL_MEANING = (
    "An empty cell keeps what the panel already holds for that person (a new person gets the "
    "default), and a column you do not map is left alone; an import never blanks out a value "
    "or removes a custom attribute."
)
# A spreadsheet runs a cell that starts with one of these (CSV/formula injection). An import
# stores such text as text, and exports neutralise it; the preview flags it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_SEP = "\x1f"
_SUSPICIOUS = re.compile("\x00|(?:^|\x1f)[=+\\-@\t\r]")
# Text columns checked for formula-like cells (numbers, dates and choices cannot hold one).
TEXT_TARGETS = {
    "external_id",
    "name",
    "email",
    "account_id",
    "account_name",
    "contact_block_reason",
    "country",
    "industry",
    "account_owner",
}


def limit_text() -> str:
    return f"{MAX_BYTES // 2**20} MB" if MAX_BYTES >= 2**20 else f"{MAX_BYTES} bytes"


def targets() -> dict:
    found = dict(BASE_TARGETS)
    for d in AttributeDefinition.objects.active():
        found[f"attr:{d.name}"] = (f"{d.label or d.name} (custom)", False)
    return found


def _norm(text: str) -> str:
    return text.strip().lower().replace("-", "_").replace(" ", "_")


def guess_mapping(headers: list[str], target_names) -> dict:
    by_norm = {_norm(h): h for h in headers}
    mapping = {}
    for name in target_names:
        plain = name.removeprefix("attr:")
        for candidate in [plain, *ALIASES.get(name, [])]:
            if _norm(candidate) in by_norm:
                mapping[name] = by_norm[_norm(candidate)]
                break
    return mapping


# Reading --------------------------------------------------------------------------------------


def sheet_names(data: bytes, file_name: str) -> list[str]:
    """The worksheets of an .xlsx file (empty for a CSV), for choosing one."""
    if not file_name.lower().endswith(".xlsx"):
        return []
    book = _open_xlsx(data)
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def read_table(data: bytes, file_name: str, sheet: str = "") -> tuple[list[str], list[list[str]]]:
    """Headers and rows as strings; a clear error for a file the panel cannot read."""
    if len(data) > MAX_BYTES:
        raise ValidationError(
            {
                "file": f"The file is {len(data) / 1e6:.1f} MB; the limit is {limit_text()}. "
                "Split it, or push it through the API in parts."
            }
        )
    if not data.strip():
        raise ValidationError({"file": "The file is empty."})
    if file_name.lower().endswith(".xlsx"):
        table = _read_xlsx(data, sheet)
    elif file_name.lower().endswith((".csv", ".txt")):
        table = _read_csv(data)
    else:
        raise ValidationError({"file": "Upload a .csv (UTF-8) or .xlsx file."})
    if not table:
        raise ValidationError({"file": "The file has no header row."})
    headers = [h.strip() for h in table[0]]
    if not any(headers):
        raise ValidationError({"file": "The first row must name the columns."})
    duplicates = sorted({h for h in headers if h and headers.count(h) > 1})
    if duplicates:
        raise ValidationError(
            {"file": f"Column names must be unique; repeated: {', '.join(duplicates)}."}
        )
    rows = table[1:]
    if len(rows) > MAX_ROWS:
        raise ValidationError(
            {"file": f"{len(rows)} rows is more than {MAX_ROWS} per import; split the file."}
        )
    return headers, rows


def _read_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise ValidationError(
            {
                "file": f"The file is not UTF-8 (first bad byte on line {line}). In Excel use “Save as → CSV UTF-8”, "
                "or export from the CRM as UTF-8."
            }
        ) from None
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return [
            row
            for row in csv.reader(io.StringIO(text), dialect)
            if any(cell.strip() for cell in row)
        ]
    except csv.Error as e:
        raise ValidationError({"file": f"The CSV is malformed: {e}."}) from None


def _open_xlsx(data: bytes):
    import openpyxl

    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged or mislabelled file
        raise ValidationError(
            {"file": "This is not a readable .xlsx workbook; re-save it from Excel."}
        ) from None


def _read_xlsx(data: bytes, sheet_name: str = "") -> list[list[str]]:
    book = _open_xlsx(data)
    names = list(book.sheetnames)
    # A workbook with several sheets is never read by guessing: the person names the sheet.
    if sheet_name:
        if sheet_name not in names:
            book.close()
            raise ValidationError(
                {"sheet": f"The workbook has no sheet “{sheet_name}”; it has: {', '.join(names)}."}
            )
        sheet = book[sheet_name]
    elif len(names) > 1:
        book.close()
        raise ValidationError(
            {
                "sheet": f"The workbook has {len(names)} sheets ({', '.join(names)}); "
                "choose the one to import."
            }
        )
    else:
        sheet = book.worksheets[0]
    rows = []
    for values in sheet.iter_rows(values_only=True):
        cells = ["" if v is None else _cell(v) for v in values]
        if any(c.strip() for c in cells):
            rows.append(cells)
    book.close()
    return rows


def _cell(value) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# Checking -------------------------------------------------------------------------------------

_ZONES = None


def _zones() -> set[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = zoneinfo.available_timezones()
    return _ZONES


def _bool(value: str, field: str) -> bool | None:
    text = value.strip().lower()
    if not text:
        return None
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ValueError(f"{field} must be yes or no, not “{value}”")


def _consent(value: str) -> str | None:
    text = value.strip().lower()
    if text in {"granted", "yes", "y", "true", "1", "opted_in", "opt_in"}:
        return Participant.Consent.GRANTED
    if not text:
        return None
    if text in {"pending", "no", "n", "false", "0", "unknown"}:
        return Participant.Consent.PENDING
    if text in {"withdrawn", "revoked"}:
        return Participant.Consent.WITHDRAWN
    raise ValueError(f"consent must be granted, pending or withdrawn, not “{value}”")


def _when(value: str, field: str):
    text = value.strip()
    if not text:
        return None
    parsed = parse_datetime(text)
    if parsed is None:
        day = parse_date(text[:10])
        if day is None:
            raise ValueError(f"{field} must be a date like 2026-03-31, not “{value}”")
        parsed = datetime.combine(day, time(12, 0))
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, zoneinfo.ZoneInfo("UTC"))
    return parsed


def _day(value: str, field: str):
    text = value.strip()
    if not text:
        return None
    day = parse_date(text[:10])
    if day is None:
        raise ValueError(f"{field} must be a date like 2026-03-31, not “{value}”")
    return day


def import_check(*, headers: list[str], rows: list[list[str]], mapping: dict) -> dict:
    """Validate every row; returns a report plus the clean rows under "_clean" (not for display)."""
    all_targets = targets()
    unknown_columns = sorted(set(mapping.values()) - set(headers))
    missing = [
        all_targets[t][0]
        for t, (_l, required) in all_targets.items()
        if required and not mapping.get(t)
    ]
    file_errors = []
    if unknown_columns:
        file_errors.append(
            f"The file has no column {', '.join(unknown_columns)}; map an existing column."
        )
    if missing:
        file_errors.append(
            f"Missing required column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}. "
            "Add it to the file or map the column that holds it."
        )
    if file_errors:
        return {
            "rows": len(rows),
            "errors": [],
            "error_count": 0,
            "file_errors": file_errors,
            "new": 0,
            "updated": 0,
            "accounts": 0,
            "_clean": [],
        }
    definitions = {d.name: d for d in AttributeDefinition.objects.active()}
    index = {
        target: headers.index(column) for target, column in mapping.items() if target in all_targets
    }
    zones = _zones()
    seen: dict[str, int] = {}
    errors = []
    error_count = 0
    formulas = []
    formula_count = 0
    clean = []

    def error(row_no, field, message):
        nonlocal error_count
        error_count += 1
        if len(errors) < MAX_ERRORS_SHOWN:
            errors.append({"row": row_no, "field": field, "message": message})

    for offset, raw in enumerate(rows):
        row_no = offset + 2  # the header is row 1, as in a spreadsheet
        values = {t: (raw[i].strip() if i < len(raw) else "") for t, i in index.items()}
        ok = True
        # One search over the whole row; only a row that may hold a NUL or a formula is
        # looked at cell by cell (before stripping: a leading tab is what a spreadsheet runs).
        cells = (
            {t: (raw[i] if i < len(raw) else "") for t, i in index.items()}
            if _SUSPICIOUS.search(_SEP.join(raw))
            else {}
        )
        for target, cell in cells.items():
            if "\x00" in cell:
                error(row_no, target, "The cell holds a NUL character, which no text can store.")
                ok = False
            elif cell.startswith(FORMULA_STARTS) and (
                target in TEXT_TARGETS or _is_text_attribute(target, definitions)
            ):
                formula_count += 1
                if len(formulas) < MAX_ERRORS_SHOWN:
                    formulas.append({"row": row_no, "field": target, "value": cell[:60]})
        for target, (label, required) in all_targets.items():
            if required and not values.get(target):
                error(row_no, target, f"{label} is empty; every row needs one.")
                ok = False
        for target, limit in LENGTHS.items():
            if len(values.get(target, "")) > limit:
                error(
                    row_no, target, f"{all_targets[target][0]} is longer than {limit} characters."
                )
                ok = False
        ext = values.get("external_id", "")
        if ext:
            if ext in seen:
                error(
                    row_no,
                    "external_id",
                    f"Participant id {ext} is also on row {seen[ext]}; keep one row per id.",
                )
                ok = False
            else:
                seen[ext] = row_no
        email = values.get("email", "")
        if email and len(email) <= LENGTHS["email"]:
            try:
                validate_email(email)
            except ValidationError:
                error(row_no, "email", f"“{email}” is not an e-mail address.")
                ok = False
        zone = values.get("time_zone", "")
        if zone and zone not in zones:
            error(
                row_no,
                "time_zone",
                f"“{zone}” is not an IANA time zone; use one like Europe/Berlin.",
            )
            ok = False
        for target, allowed in CHOICES.items():
            value = values.get(target, "")
            if value and value not in allowed:
                error(row_no, target, f"{target} “{value}” is not one of {', '.join(allowed)}.")
                ok = False
        parsed = {}
        try:
            if "consent" in values:
                parsed["consent"] = _consent(values["consent"])
            if "consent_at" in values:
                parsed["consent_at"] = _when(values["consent_at"], "consent date")
            for flag in ("do_not_contact", "opted_out", "owner_flagged"):
                if flag in values:
                    parsed[flag] = _bool(values[flag], flag.replace("_", " "))
            if "renewal_date" in values:
                parsed["renewal_date"] = _day(values["renewal_date"], "renewal date")
        except ValueError as e:
            error(row_no, "row", f"{e}.")
            ok = False
        attributes = {}
        for target in values:
            if target.startswith("attr:"):
                name = target.removeprefix("attr:")
                try:
                    coerced = definitions[name].coerce(values[target])
                except ValueError as e:
                    error(row_no, target, f"{e}.")
                    ok = False
                    continue
                if coerced is not None:
                    attributes[name] = coerced
        if ok:
            clean.append({**values, **parsed, "_attributes": attributes})
    existing = dict(
        Participant.objects.filter(
            external_id__in=upserting.texts_param([r["external_id"] for r in clean])
        ).values_list("external_id", "pk")
    )
    stay, would_lift = _keep_suppressed(clean, existing)
    return {
        "rows": len(rows),
        "errors": errors,
        "error_count": error_count,
        "file_errors": [],
        "new": len(clean) - len(existing),
        "updated": len(existing),
        "accounts": len({r["account_id"] for r in clean if r.get("account_id")}),
        "stay_opted_out": stay,
        "would_lift": would_lift,
        "formula_cells": formulas,
        "formula_count": formula_count,
        "empty_cells": EMPTY_CELL_MEANING,
        "_clean": clean,
    }


def _is_text_attribute(target: str, definitions) -> bool:
    definition = (
        definitions.get(target.removeprefix("attr:")) if target.startswith("attr:") else None
    )
    return definition is not None and definition.type in ("text", "choice")


def _keep_suppressed(clean: list[dict], existing: dict[str, int]) -> tuple[int, int]:
    """Pin the rows of people on the suppression list to it: (people on it, rows that said otherwise).

    A file can add an opt-out but never lift one: "opt_out = no", a blank cell or "consent =
    granted" for a suppressed person is kept as it was, and the preview says how many.
    """
    from research.suppression import suppressed_ids

    if not existing:
        return 0, 0
    kinds_of = suppressed_ids(existing.values())
    if not kinds_of:
        return 0, 0
    stay = would_lift = 0
    for r in clean:
        kinds = kinds_of.get(existing.get(r["external_id"]))
        if not kinds:
            continue
        stay += 1
        lifted = False
        if "opt_out" in kinds:
            lifted |= "opted_out" in r and r["opted_out"] is not True
            r["opted_out"] = True
        if "consent_withdrawn" in kinds:
            lifted |= (
                r.get("consent", Participant.Consent.WITHDRAWN) != Participant.Consent.WITHDRAWN
            )
            r["consent"] = Participant.Consent.WITHDRAWN
            r["_keep_consent_at"] = True
        would_lift += lifted
    return stay, would_lift


def public(report: dict) -> dict:
    return {k: v for k, v in report.items() if not k.startswith("_")}


# Writing --------------------------------------------------------------------------------------


def _no_progress(fraction, stage):
    return None


def import_commit(*, headers, rows, mapping, by, progress=_no_progress) -> dict:
    """Check, then upsert by external id in one transaction: any bad row and nothing is written.

    ``progress(fraction, stage)`` hears how far it got (the import job shows it on the page).
    """
    progress(0.05, "checking rows")
    report = import_check(headers=headers, rows=rows, mapping=mapping)
    if report["file_errors"] or report["error_count"]:
        first = report["file_errors"] or [
            f"row {e['row']}: {e['message']}" for e in report["errors"][:3]
        ]
        raise ValidationError(
            {
                "file": [
                    f"Nothing was imported: {report['error_count']} row error(s). "
                    if report["error_count"]
                    else "Nothing was imported. "
                ]
                + first
            }
        )
    clean = report.pop("_clean")
    now = timezone.now()
    mapped = set(mapping)
    account_keys = sorted({r["account_id"] for r in clean if r.get("account_id")})
    progress(0.5, "writing accounts")
    with transaction.atomic():
        suppression.source_set(Suppression.Source.IMPORT, by)
        accounts_before = upserting.account_inputs(account_keys)
        account_ids = upserting.accounts_upsert(clean=clean, mapped=mapped)
        update_fields = [f for f in upserting.PARTICIPANT_FIELDS if f in mapped]
        if {"account_id"} & mapped:
            update_fields.append("account")
        if any(t.startswith("attr:") for t in mapped):
            update_fields.append("attributes")
        update_fields.append("updated_at")
        progress(0.6, "writing participants")
        batch = upserting.participant_rows(clean=clean, account_ids=account_ids, now=now)
        # Re-evaluate only whom the file changed: new people, changed consent, flags, account or
        # attributes, and everyone at an account whose renewal date or owner flag changed. The
        # nightly CRM push of an unchanged panel then costs a comparison, not a full refresh.
        changed = upserting.participants_upsert(rows=batch, update_fields=update_fields)
        # New opt-outs and withdrawals from this file join the suppression list (the trigger
        # records them already on PostgreSQL; this names who imported them, everywhere).
        suppression.suppressions_record_missing(
            participant_ids=sorted(changed), source=Suppression.Source.IMPORT, by=by
        )
        accounts_after = upserting.account_inputs(account_keys)
        moved = [
            pk
            for ext, (pk, *values) in accounts_after.items()
            if accounts_before.get(ext, (None,))[1:] != tuple(values)
        ]
        if moved:
            changed.update(
                Participant.objects.filter(account_id__in=moved).values_list("pk", flat=True)
            )
        progress(0.85, "re-checking eligibility")
        eligibility.refresh_participants(ids=sorted(changed), now=now)
    progress(1.0, "done")
    from productops.accounts.services import audit_record

    if by is not None and clean:
        first = Participant.objects.filter(external_id=clean[0]["external_id"]).first()
        audit_record(
            actor=by,
            action="research.panel.imported",
            target=first,
            data={"rows": len(clean), "new": report["new"], "updated": report["updated"]},
        )
    return public(report)
