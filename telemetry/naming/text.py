"""Text handling for the naming engine: words out of any case style, dynamic values, inflection.

Pure Python with no Django import. Hot paths are cached, since registries repeat the same words.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import chain

from telemetry.naming import words as W

# One word: a lowercase run with an optional capital (camelCase), a plural acronym (URLs), an
# acronym before a capitalised word (HTTPServer), an all-caps run, or digits glued to letters (2fa). Digits after letters
# stay in the word ("s3", "oauth2"), so only free-standing numbers count as dynamic values.
# Digits before lowercase letters start a word ("Checkout3dsCompleted": checkout, 3ds,
# completed), and so do digits before capitals that end a word ("3DS", "2FAEnabled": 2fa, enabled).
TOKEN_RE = re.compile(
    r"[A-Z]?[a-z]+(?:[0-9]+(?![a-z]))?|[A-Z]{2,}s(?![a-z])|[A-Z]+(?=[A-Z][a-z])|[A-Z]+[0-9]*"
    r"|[0-9]+(?:[a-z]+|[A-Z]+(?![a-z]))?"
)
CONTROL_CHARS = r"\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff"
CONTROL_RE = re.compile(f"[{CONTROL_CHARS}]")

# Cheap pre-check: without a digit, '@', or a URL marker there is nothing dynamic to look for.
_DIGIT_OR_AT_RE = re.compile(r"[0-9@]")
# (kind, pattern, a character every match contains: looked for first, as it is cheaper)
_DYNAMIC_RES = (
    ("URL", re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)[^\s]+", re.I), ""),
    ("e-mail address", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "@"),
    (
        "id",
        re.compile(
            r"(?<![0-9a-z])[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}"
            r"(?![0-9a-z])",
            re.I,
        ),
        "",
    ),
    (
        "date",
        re.compile(
            r"(?<![0-9])(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})"
            r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?(?![0-9])"
        ),
        "",
    ),
    ("time", re.compile(r"(?<![0-9])\d{1,2}:\d{2}(?::\d{2})?(?![0-9])"), ":"),
    (
        "id",
        re.compile(
            r"(?<![0-9A-Za-z])(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{10,}(?![0-9A-Za-z])"
        ),
        "",
    ),
    # A number before a unit is a milestone, part of what happened ("video_played_50_percent").
    (
        "number",
        re.compile(
            r"(?<![A-Za-z0-9])\d+(?:[.,]\d+)*(?![A-Za-z0-9])"
            rf"(?![ _.-]?(?i:{'|'.join(sorted(W.UNITS))})(?![A-Za-z]))"
        ),
        "",
    ),
)
_EMPTY_BRACKETS_RE = re.compile(r"[(\[{<]\s*[-_,;:/|.]*\s*[)\]}>]")
# A run of separators after a word keeps its first one; deleting the rest (rather than
# substituting a group) keeps the substitution in C.
SEPARATOR_RUN_RE = re.compile(r"(?<=\S[ _\-.])[ _\-.]+")


def strip_dynamic(text: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """Remove dates, ids, numbers, e-mail addresses and URLs; returns (text, ((kind, value), ...))."""
    url = "://" in text or "www." in text.lower()
    if not url and not _DIGIT_OR_AT_RE.search(text):
        return text, ()
    found = []
    for label, regex, marker in _DYNAMIC_RES:
        if (marker and marker not in text) or (label == "URL" and not url):
            continue
        # Most names hold one kind of value at most; a search is cheaper than findall and sub.
        if regex.search(text):
            found.extend([(label, match) for match in regex.findall(text)])
            text = regex.sub(" ", text)
    text = _EMPTY_BRACKETS_RE.sub(" ", text)
    return text, tuple(found)


def asciify(text: str) -> str:
    """Accented letters lose their accents; other non-ASCII characters become separators."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(
        c if c.isascii() else ("" if unicodedata.combining(c) else " ") for c in decomposed
    )


def segment_words(segment: str) -> list[str]:
    # Plain words (lower, Capitalised or ALLCAPS) are split with str methods; only camelCase,
    # digits and punctuation need the regular expression.
    flat = segment.replace("-", " ").replace("_", " ")
    if flat.replace(" ", "").isalpha() and (flat.islower() or flat.isupper() or flat.istitle()):
        return flat.lower().split()
    out: list[str] = []
    for part in flat.split():
        if part.isalpha() and (part.islower() or part.isupper() or part[1:].islower()):
            out.append(part.lower())
        else:
            out.extend(map(str.lower, TOKEN_RE.findall(part)))
    return out


@lru_cache(maxsize=32768)
def segments(name: str) -> tuple[tuple[str, ...], ...]:
    """Lowercase words of each dot-separated segment; empty segments are dropped."""
    if not name.isascii():
        name = asciify(name)
    out = []
    for segment in name.split("."):
        found = segment_words(segment)
        if found:
            out.append(tuple(found))
    return tuple(out)


@lru_cache(maxsize=32768)
def normalise(name: str) -> str:
    """Key for "the same name once case and separators are ignored": app_opened."""
    if not isinstance(name, str):
        return ""
    return "_".join(chain.from_iterable(segments(name)))


def plural(word: str) -> str:
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


@lru_cache(maxsize=16384)
def singular(word: str) -> str:
    if len(word) <= 3 or word.endswith(("ss", "us", "is", "ous")):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses", "zes")):
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    return word


def third_person(head: str) -> str:
    if head.endswith(("s", "x", "z", "ch", "sh", "o")):
        return head + "es"
    if head.endswith("y") and len(head) > 1 and head[-2] not in "aeiou":
        return head[:-1] + "ies"
    return head + "s"


def present_participle(head: str, past: str) -> str:
    if head.endswith("ie"):
        return head[:-2] + "ying"
    if head.endswith("e") and not head.endswith(("ee", "ye", "oe")) and len(head) > 2:
        return head[:-1] + "ing"
    if len(head) > 1 and past == head + head[-1] + "ed":
        return head + head[-1] + "ing"
    return head + "ing"


def regular_past(base: str) -> str:
    """Past participle by the regular rules; the irregular table covers the rest."""
    head, _, particle = base.partition(" ")
    if head in W.IRREGULAR_PAST:
        past = W.IRREGULAR_PAST[head]
    elif head.endswith("e"):
        past = head + "d"
    elif head.endswith("y") and len(head) > 1 and head[-2] not in "aeiou":
        past = head[:-1] + "ied"
    else:
        past = head + "ed"
    return f"{past} {particle}" if particle else past


def guess_base(past: str) -> str:
    """Base form of an unknown regular past ("frobnicated" -> "frobnicate"), for messages."""
    if past.endswith("ied"):
        return past[:-3] + "y"
    stem = past[:-2]
    if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in "lsz":
        return stem[:-1]
    if stem.endswith(("at", "iz", "is", "ur", "uc", "ov", "v", "g")):
        return stem + "e"
    return stem
