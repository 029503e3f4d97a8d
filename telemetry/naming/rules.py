"""Rules on the text of a name — length, reserved prefixes and names, dynamic values, characters
and case style — shared by event and property names and by the check of a suggestion.

Pure Python with no Django import.
"""

from __future__ import annotations

import re
from itertools import chain

from telemetry.naming import words as W
from telemetry.naming.convention import Convention
from telemetry.naming.messages import Violation, show
from telemetry.naming.structure import Engine, strip_prefix
from telemetry.naming.text import CONTROL_RE, SEPARATOR_RUN_RE, strip_dynamic

_SNAKE = r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*"
_TITLE_WORD = r"(?:[A-Z0-9][a-z0-9]*|[A-Z0-9]+s?|i[A-Z]+)"
_SMALL = "|".join(sorted(W.SMALL_WORDS))
CASE_RES = {
    "title": re.compile(rf"^{_TITLE_WORD}(?: (?:{_TITLE_WORD}|{_SMALL}))*$"),
    "snake": re.compile(rf"^{_SNAKE}$"),
    "camel": re.compile(r"^[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)*$"),
    "dotted": re.compile(rf"^{_SNAKE}(?:\.{_SNAKE})+$"),
}


def case_ok(text: str, style: str) -> bool:
    if not CASE_RES[style].match(text):
        return False
    if style == "title" and not text.istitle():
        # Capitals are for acronyms (URL, SKU), not whole words: "ORDER COMPLETED" fails.
        for word in text.split(" "):
            if len(word) > 3 and word.isupper() and word.lower().rstrip("s") not in W.ACRONYMS:
                return False
    return True


def char_checks(text: str, conv: Convention, out: list) -> str:
    """Character rules; returns the text with the offending characters removed."""
    if CONTROL_RE.search(text):
        codes = sorted({f"U+{ord(c):04X}" for c in CONTROL_RE.findall(text)})[:5]
        out.append(
            Violation(
                "forbidden-chars",
                f"Contains invisible control characters ({', '.join(codes)}); remove them.",
                ", ".join(codes),
            )
        )
        text = CONTROL_RE.sub("", text)
    if conv.ascii_only and not text.isascii():
        odd = sorted({c for c in text if not c.isascii()})[:5]
        out.append(
            Violation(
                "forbidden-chars",
                "Contains characters outside plain ASCII (emoji, accents or right-to-left text: "
                f"{' '.join(odd)}); use English words in plain letters.",
                "".join(odd),
            )
        )
        text = "".join(c for c in text if c.isascii())
    forbidden = conv.forbidden_chars
    bad = sorted({c for c in text if c in forbidden})
    if bad:
        out.append(
            Violation(
                "forbidden-chars",
                f"Contains forbidden characters {' '.join(bad)}; use only letters, digits and the "
                "separator of the case style.",
                "".join(bad),
            )
        )
        text = "".join(c for c in text if c not in forbidden)
    return SEPARATOR_RUN_RE.sub("", text)


def dynamic_violations(dynamic: tuple[tuple[str, str], ...]) -> list[Violation]:
    return [
        Violation(
            "dynamic-value",
            f"Contains a dynamic value ({kind} '{show(value)}'); send it as a property instead.",
            value,
        )
        for kind, value in dynamic
    ]


def prepare(name: str, conv: Convention, eng: Engine, out: list):
    """Rules on the raw text. Returns (body to parse, dynamic parts, prefix, text for case)."""
    if len(name) > conv.max_length:
        out.append(
            Violation(
                "max-length",
                f"{len(name)} characters; the maximum is {conv.max_length}.",
                show(name),
            )
        )
    lowered = name.lower()
    if eng.plain_re.match(name) and not lowered.startswith(eng.prefixes) and "www." not in lowered:
        # Letters and single separators only: nothing dynamic, no odd characters.
        return name, (), "", name
    body, prefix = strip_prefix(name, eng)
    if prefix:
        out.append(
            Violation(
                "reserved-prefix",
                f"Starts with '{prefix}', which is reserved for analytics tools' own names.",
                prefix,
            )
        )
    dynamic = ()
    case_text = body
    if conv.forbid_dynamic_values:
        body, dynamic = strip_dynamic(body)
        if dynamic:
            out += dynamic_violations(dynamic)
            case_text = SEPARATOR_RUN_RE.sub("", body).strip(" _-.")
        else:
            case_text = body
    if eng.bad_chars_re.search(case_text):
        case_text = char_checks(case_text, conv, out).strip()
    return body, dynamic, prefix, case_text


def normalised_in(parts: tuple[tuple[str, ...], ...], names: frozenset, first: frozenset) -> bool:
    """Whether `normalise` of the name these are the segments of is one of `names`."""
    if not parts:
        return "" in names
    return parts[0][0] in first and "_".join(chain.from_iterable(parts)) in names
