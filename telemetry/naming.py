"""The naming convention as data, and the linter that checks event and property names against it.

Pure Python with no Django import, so the command line and CI use it offline:
`python -m telemetry.naming lint "clickedSignupBtn" view_product`.

A name is read as structure (category, object words, one action, qualifiers) so that it can be
re-rendered in any case style and word order. Nothing here raises on user input: bad names come
back as violations.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from telemetry import words as W

CASE_STYLES = ("title", "snake", "camel", "dotted")
WORD_ORDERS = ("object_action", "action_object")
TENSES = ("past", "present", "any")
PROPERTY_TYPES = ("string", "number", "integer", "boolean", "array", "object", "datetime")

DEFAULT_FORBIDDEN_CHARS = "!\"#$%&'()*+,/:;<=>?@[\\]^`{|}~"
DEFAULT_RESERVED_NAMES = (
    "alias",
    "event",
    "first_open",
    "group",
    "identify",
    "page",
    "page_view",
    "pageview",
    "screen",
    "screen_view",
    "session_end",
    "session_start",
    "track",
    "undefined",
    "null",
    "test",
)
DEFAULT_RESERVED_PROPERTY_NAMES = (
    "anonymous_id",
    "context",
    "event",
    "event_text",
    "id",
    "integrations",
    "message_id",
    "original_timestamp",
    "properties",
    "received_at",
    "sent_at",
    "timestamp",
    "traits",
    "user_id",
    "uuid_ts",
)

_WORD_RE = re.compile(r"^[a-z][a-z0-9]*(?: [a-z][a-z0-9]*)*$")


class FrozenMap(Mapping):
    """A read-only, hashable mapping, so a Convention can be a cache key."""

    __slots__ = ("_data", "_hash")

    def __init__(self, data: Mapping | Iterable = ()):
        self._data = dict(sorted(dict(data).items()))
        self._hash = None

    def __getitem__(self, key):
        return self._data[key]

    def __iter__(self) -> Iterator:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(tuple(self._data.items()))
        return self._hash

    def __eq__(self, other) -> bool:
        if isinstance(other, FrozenMap):
            return self._data == other._data
        if isinstance(other, Mapping):
            return self._data == dict(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"


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


def _default_actions() -> dict[str, str]:
    actions = {verb: regular_past(verb) for verb in W.REGULAR_VERBS}
    actions.update(W.IRREGULAR_PAST)
    for phrase in W.PHRASAL_VERBS:
        actions.setdefault(phrase, regular_past(phrase))
    return actions


def _check_words(key: str, values: Iterable[str]) -> None:
    for value in values:
        if not isinstance(value, str) or not _WORD_RE.match(value):
            raise ValueError(
                f"{key}: {value!r} is not a lowercase word or phrase (letters, digits, spaces)"
            )


@dataclass(frozen=True)
class Convention:
    event_case: str = "title"
    property_case: str = "snake"
    word_order: str = "object_action"
    tense: str = "past"
    reserved_prefixes: tuple[str, ...] = ("$", "mp_", "ga_", "amplitude_", "segment_")
    reserved_names: tuple[str, ...] = DEFAULT_RESERVED_NAMES
    reserved_property_names: tuple[str, ...] = DEFAULT_RESERVED_PROPERTY_NAMES
    max_length: int = 64
    forbidden_chars: str = DEFAULT_FORBIDDEN_CHARS
    ascii_only: bool = True
    forbid_dynamic_values: bool = True
    abbreviations: Mapping[str, str] = field(default_factory=lambda: FrozenMap(W.ABBREVIATIONS))
    actions: Mapping[str, str] = field(default_factory=lambda: FrozenMap(_default_actions()))
    objects: frozenset[str] = field(default_factory=lambda: frozenset(W.OBJECTS))
    synonyms: tuple[tuple[str, ...], ...] = W.SYNONYMS

    def __post_init__(self):
        set_ = object.__setattr__
        for key, allowed in (
            ("event_case", CASE_STYLES),
            ("property_case", CASE_STYLES),
            ("word_order", WORD_ORDERS),
            ("tense", TENSES),
        ):
            if getattr(self, key) not in allowed:
                raise ValueError(
                    f"{key}: {getattr(self, key)!r} is not one of {', '.join(allowed)}"
                )
        for key in ("reserved_prefixes", "reserved_names", "reserved_property_names"):
            value = getattr(self, key)
            if isinstance(value, str) or not all(isinstance(v, str) and v for v in value):
                raise ValueError(f"{key}: must be a list of non-empty strings")
            set_(self, key, tuple(value))
        if isinstance(self.max_length, bool) or not isinstance(self.max_length, int):
            raise ValueError("max_length: must be an integer")
        if not 8 <= self.max_length <= 1000:
            raise ValueError("max_length: must be between 8 and 1000")
        if not isinstance(self.forbidden_chars, str):
            raise ValueError("forbidden_chars: must be a string of characters")
        for key in ("ascii_only", "forbid_dynamic_values"):
            if not isinstance(getattr(self, key), bool):
                raise ValueError(f"{key}: must be true or false")
        for key in ("abbreviations", "actions"):
            value = getattr(self, key)
            if not isinstance(value, Mapping):
                raise ValueError(f"{key}: must be a mapping of word to word")
            _check_words(key, value.keys())
            _check_words(key, value.values())
            if not isinstance(value, FrozenMap):
                set_(self, key, FrozenMap(value))
        if isinstance(self.objects, str):
            raise ValueError("objects: must be a list of words")
        _check_words("objects", self.objects)
        set_(self, "objects", frozenset(self.objects))
        if isinstance(self.synonyms, str):
            raise ValueError("synonyms: must be a list of groups of words")
        groups = []
        for group in self.synonyms:
            if isinstance(group, str) or len(group) < 2:
                raise ValueError("synonyms: each group needs at least two words")
            _check_words("synonyms", group)
            groups.append(tuple(group))
        set_(self, "synonyms", tuple(groups))
        set_(
            self,
            "_hash",
            hash(tuple(getattr(self, f.name) for f in dataclasses.fields(self))),
        )

    def __hash__(self) -> int:
        return self._hash

    def to_dict(self) -> dict:
        return {
            "event_case": self.event_case,
            "property_case": self.property_case,
            "word_order": self.word_order,
            "tense": self.tense,
            "reserved_prefixes": list(self.reserved_prefixes),
            "reserved_names": list(self.reserved_names),
            "reserved_property_names": list(self.reserved_property_names),
            "max_length": self.max_length,
            "forbidden_chars": self.forbidden_chars,
            "ascii_only": self.ascii_only,
            "forbid_dynamic_values": self.forbid_dynamic_values,
            "abbreviations": dict(self.abbreviations),
            "actions": dict(self.actions),
            "objects": sorted(self.objects),
            "synonyms": [list(group) for group in self.synonyms],
        }

    @classmethod
    def from_dict(cls, data: dict) -> Convention:
        if not isinstance(data, Mapping):
            raise ValueError("convention: must be a JSON object")
        known = {f.name for f in dataclasses.fields(cls)}
        for key in data:
            if key not in known:
                raise ValueError(f"{key}: unknown convention key")
        kwargs = {}
        for key, value in data.items():
            if key in ("reserved_prefixes", "reserved_names", "reserved_property_names"):
                if not isinstance(value, list | tuple):
                    raise ValueError(f"{key}: must be a list of strings")
                value = tuple(value)
            elif key == "objects":
                if not isinstance(value, list | tuple | set | frozenset):
                    raise ValueError("objects: must be a list of words")
                value = frozenset(value)
            elif key == "synonyms":
                if not isinstance(value, list | tuple) or not all(
                    isinstance(g, list | tuple) for g in value
                ):
                    raise ValueError("synonyms: must be a list of lists of words")
                value = tuple(tuple(g) for g in value)
            kwargs[key] = value
        try:
            return cls(**kwargs)
        except TypeError as exc:  # pragma: no cover - all keys are checked above
            raise ValueError(str(exc)) from exc

    def with_team_words(
        self, *, actions: Mapping[str, str] = FrozenMap(), objects: Iterable[str] = ()
    ) -> Convention:
        """Add a team's words; organisation words keep their meaning, and no rule changes."""
        actions = dict(actions)
        objects = list(objects)
        _check_words("actions", actions.keys())
        _check_words("actions", actions.values())
        _check_words("objects", objects)
        merged = {**actions, **self.actions}
        return dataclasses.replace(
            self, actions=FrozenMap(merged), objects=self.objects | frozenset(objects)
        )


DEFAULT_PRESET = "segment"
PRESETS: dict[str, Convention] = {
    "segment": Convention(),
    "snake": Convention(event_case="snake"),
    "camel": Convention(event_case="camel", property_case="camel"),
    "dotted": Convention(event_case="dotted"),
}


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str
    part: str = ""


@dataclass(frozen=True)
class LintResult:
    name: str
    ok: bool
    violations: tuple[Violation, ...]
    suggestion: str | None
    note: str = ""

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "ok": self.ok,
            "violations": [dataclasses.asdict(v) for v in self.violations],
            "suggestion": self.suggestion,
            "note": self.note,
        }


@dataclass(frozen=True)
class ParsedName:
    """A name as structure. Words are lowercase; the action is kept in base form and as written."""

    category: tuple[str, ...] = ()
    objects: tuple[str, ...] = ()
    action: str | None = None
    action_form: str | None = None
    action_kind: str | None = None  # base, third, ing, past, preterite
    qualifiers: tuple[str, ...] = ()
    order: str | None = None  # the word order as written, when it can be told
    known_action: bool = True
    confident: bool = True
    dynamic: tuple[str, ...] = ()
    abbreviations: tuple[tuple[str, str], ...] = ()

    @property
    def words(self) -> tuple[str, ...]:
        middle = (self.action,) if self.action else ()
        return self.category + self.objects + middle + self.qualifiers


# --- text handling -------------------------------------------------------------------------

_TOKEN_RE = re.compile(
    r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+[0-9]*|[A-Z]+[0-9]*s?(?![a-z])|[0-9]+[A-Za-z]*"
)
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_DYNAMIC_RES = (
    ("URL", re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)[^\s]+", re.I)),
    ("e-mail address", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    (
        "id",
        re.compile(
            r"(?<![0-9a-z])[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}(?![0-9a-z])",
            re.I,
        ),
    ),
    (
        "date",
        re.compile(
            r"(?<![0-9])(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})"
            r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?(?![0-9])"
        ),
    ),
    ("time", re.compile(r"(?<![0-9])\d{1,2}:\d{2}(?::\d{2})?(?![0-9])")),
    (
        "id",
        re.compile(
            r"(?<![0-9A-Za-z])(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{10,}(?![0-9A-Za-z])"
        ),
    ),
    ("number", re.compile(r"(?<![A-Za-z0-9])\d+(?:[.,]\d+)*(?![A-Za-z0-9])")),
)
_EMPTY_BRACKETS_RE = re.compile(r"[(\[{<]\s*[-_,;:/|.]*\s*[)\]}>]")
_SEPARATOR_RUN_RE = re.compile(r"(?<=\S)([ _\-.])[ _\-.]+")
_PREFIX_SEPARATOR_RE = re.compile(r"^[ _\-.]+|[ _\-.:#]+$")


def _strip_dynamic(text: str) -> tuple[str, tuple[str, ...]]:
    found = []
    if any(c.isdigit() for c in text) or "@" in text or "://" in text or "www." in text:
        for label, regex in _DYNAMIC_RES:
            for match in regex.findall(text):
                found.append(f"{label} {match!r}")
            text = regex.sub(" ", text)
        text = _EMPTY_BRACKETS_RE.sub(" ", text)
    return text, tuple(found)


def _asciify(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(
        c if c.isascii() else ("" if unicodedata.combining(c) else " ") for c in decomposed
    )


@lru_cache(maxsize=65536)
def _tokens(segment: str) -> tuple[str, ...]:
    return tuple(t.lower() for t in _TOKEN_RE.findall(segment))


def _segments(name: str) -> list[tuple[str, ...]]:
    if not name.isascii():
        name = _asciify(name)
    return [t for t in (_tokens(s) for s in name.split(".")) if t]


@lru_cache(maxsize=65536)
def normalise(name: str) -> str:
    """Key for "the same name once case and separators are ignored"."""
    if not isinstance(name, str):
        return ""
    return "_".join(w for segment in _segments(name) for w in segment)


def _plural(word: str) -> str:
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


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


def _third(head: str) -> str:
    if head.endswith(("s", "x", "z", "ch", "sh", "o")):
        return head + "es"
    if head.endswith("y") and len(head) > 1 and head[-2] not in "aeiou":
        return head[:-1] + "ies"
    return head + "s"


def _ing(head: str, past: str) -> str:
    if head.endswith("ie"):
        return head[:-2] + "ying"
    if head.endswith("e") and not head.endswith(("ee", "ye", "oe")) and len(head) > 2:
        return head[:-1] + "ing"
    if past == head + head[-1] + "ed":
        return head + head[-1] + "ing"
    return head + "ing"


# --- the compiled convention ---------------------------------------------------------------

_KIND_WEIGHT = {"past": 4.0, "preterite": 3.5, "third": 2.0, "ing": 2.0, "base": 1.5}
_KIND_RANK = {"past": 5, "preterite": 4, "third": 3, "ing": 2, "base": 1}


class _Engine:
    """Lookup tables derived once from a Convention."""

    def __init__(self, conv: Convention):
        self.conv = conv
        forms: dict[str, tuple[str, str]] = {}

        def add(form: str, base: str, kind: str) -> None:
            old = forms.get(form)
            if old is None or _KIND_RANK[kind] > _KIND_RANK[old[1]]:
                forms[form] = (base, kind)

        self.past = dict(conv.actions)
        for base, past in conv.actions.items():
            head, _, particle = base.partition(" ")
            tail = f" {particle}" if particle else ""
            past_head = past.partition(" ")[0]
            add(base, base, "base")
            add(_third(head) + tail, base, "third")
            add(_ing(head, past_head) + tail, base, "ing")
            add(past, base, "past")
        for form, head in {**W.PRETERITES, **W.PAST_VARIANTS}.items():
            for base in (b for b in conv.actions if b.partition(" ")[0] == head):
                particle = base.partition(" ")[2]
                kind = "past" if form in W.PAST_VARIANTS else "preterite"
                add(f"{form} {particle}" if particle else form, base, kind)
        self.forms = forms
        self.max_phrase = max((f.count(" ") + 1 for f in forms), default=1)
        self.objects = frozenset(conv.objects) | frozenset(_plural(o) for o in conv.objects)
        self.abbreviations = dict(conv.abbreviations)
        self.reserved_names = frozenset(normalise(n) for n in conv.reserved_names)
        self.reserved_property_names = frozenset(normalise(n) for n in conv.reserved_property_names)
        self.prefixes = tuple(p.lower() for p in conv.reserved_prefixes)
        self.forbidden = frozenset(conv.forbidden_chars)


@lru_cache(maxsize=64)
def _engine(conv: Convention) -> _Engine:
    return _Engine(conv)


# --- parsing and rendering -----------------------------------------------------------------


def _expand(words: Iterable[str], eng: _Engine, found: list) -> list[str]:
    out = []
    for w in words:
        full = eng.abbreviations.get(w)
        if full:
            found.append((w, full))
            out.extend(full.split(" "))
        else:
            out.append(w)
    return out


def _find_action(words: list[str], eng: _Engine):
    n = len(words)
    best = None
    for i in range(n):
        for span in range(min(eng.max_phrase, n - i), 0, -1):
            form = words[i] if span == 1 else " ".join(words[i : i + span])
            hit = eng.forms.get(form)
            known = True
            if hit is None:
                if span != 1:
                    continue
                w = words[i]
                if (
                    len(w) >= 5
                    and w.endswith("ed")
                    and w not in eng.objects
                    and w not in W.NOT_VERBS_ED
                    and not w[0].isdigit()
                ):
                    base = w[:-1] if w.endswith("ied") is False and w[-3] == "e" else w[:-2]
                    if w.endswith("ied"):
                        base = w[:-3] + "y"
                    hit, known = (base, "past"), False
                else:
                    continue
            base, kind = hit
            score = _KIND_WEIGHT[kind] + (span - 1)
            noun = span == 1 and words[i] in eng.objects and kind in ("base", "third", "ing")
            if noun:
                score -= 1.0
            if not known:
                score -= 1.0
            end = i + span
            if end == n or words[end] in W.SMALL_WORDS:
                score += 0.6
            elif i == 0:
                score += 0.4
            if best is None or score >= best[0]:
                best = (score, i, span, base, kind, form, known, not noun)
            break
    if best is None or best[0] < 0.5:
        return None
    return best[1:]


@lru_cache(maxsize=65536)
def _parse(name: str, conv: Convention) -> ParsedName:
    eng = _engine(conv)
    dynamic: tuple[str, ...] = ()
    lowered = name.lstrip().lower()
    for prefix in eng.prefixes:
        if lowered.startswith(prefix):
            name = name.lstrip()[len(prefix) :]
            break
    if conv.forbid_dynamic_values:
        name, dynamic = _strip_dynamic(name)
    segments = _segments(name)
    abbreviations: list = []
    if not segments:
        return ParsedName(dynamic=dynamic)
    category = tuple(_expand((w for s in segments[:-1] for w in s), eng, abbreviations))
    words = _expand(segments[-1], eng, abbreviations)
    found = _find_action(words, eng)
    if found is None:
        return ParsedName(
            category=category,
            objects=tuple(words),
            dynamic=dynamic,
            abbreviations=tuple(abbreviations),
        )
    i, span, base, kind, form, known, confident = found
    pre, post = words[:i], words[i + span :]
    order = None
    if pre:
        objects, qualifiers = pre, post
        order = "object_action"
    else:
        cut = next((k for k, w in enumerate(post) if w in W.SMALL_WORDS), len(post))
        objects, qualifiers = post[:cut], post[cut:]
        if objects:
            order = "action_object"
    return ParsedName(
        category=category,
        objects=tuple(objects),
        action=base,
        action_form=form,
        action_kind=kind,
        qualifiers=tuple(qualifiers),
        order=order,
        known_action=known,
        confident=confident,
        dynamic=dynamic,
        abbreviations=tuple(abbreviations),
    )


def parse(name: str, convention: Convention) -> ParsedName:
    if not isinstance(name, str):
        name = ""
    return _parse(name, convention)


def _action_text(parsed: ParsedName, conv: Convention) -> str:
    if conv.tense == "past":
        return conv.actions.get(parsed.action) or parsed.action_form or parsed.action
    if conv.tense == "present":
        return parsed.action
    return parsed.action_form or parsed.action


def _title_word(word: str, role: str, first: bool) -> str:
    if word in W.ACRONYMS:
        return W.ACRONYMS[word]
    if role == "qualifier" and not first and word in W.SMALL_WORDS:
        return word
    return word[:1].upper() + word[1:]


def _words_with_roles(parsed: ParsedName, conv: Convention, with_category: bool):
    seq: list[tuple[str, str]] = []
    if with_category:
        seq += [(w, "object") for w in parsed.category]
    objects = [(w, "object") for w in parsed.objects]
    qualifiers = [(w, "qualifier") for w in parsed.qualifiers]
    if parsed.action:
        action = [(w, "action") for w in _action_text(parsed, conv).split(" ")]
        if conv.word_order == "object_action":
            seq += objects + action + qualifiers
        else:
            seq += action + objects + qualifiers
    else:
        seq += objects + qualifiers
    return seq


def _style(seq: list[tuple[str, str]], style: str) -> str:
    if style == "title":
        return " ".join(_title_word(w, r, k == 0) for k, (w, r) in enumerate(seq))
    if style == "camel":
        return "".join(w if k == 0 else w[:1].upper() + w[1:] for k, (w, _) in enumerate(seq))
    return "_".join(w for w, _ in seq)


def render(parsed: ParsedName, convention: Convention) -> str:
    style = convention.event_case
    if style == "dotted":
        body = _style(_words_with_roles(parsed, convention, False), "snake")
        if parsed.category and body:
            return "_".join(parsed.category) + "." + body
        return body
    return _style(_words_with_roles(parsed, convention, True), style)


# --- the rules ------------------------------------------------------------------------------

_SNAKE = r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*"
_TITLE_WORD = r"(?:[A-Z0-9][a-z0-9]*|[A-Z0-9]+s?|i[A-Z]+)"
_SMALL = "|".join(sorted(W.SMALL_WORDS))
_CASE_RES = {
    "title": re.compile(rf"^{_TITLE_WORD}(?: (?:{_TITLE_WORD}|{_SMALL}))*$"),
    "snake": re.compile(rf"^{_SNAKE}$"),
    "camel": re.compile(r"^[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)*$"),
    "dotted": re.compile(rf"^{_SNAKE}(?:\.{_SNAKE})+$"),
}
_CASE_HELP = {
    "title": "Title Case words separated by single spaces, e.g. 'Order Completed'",
    "snake": "snake_case, e.g. 'order_completed'",
    "camel": "camelCase, e.g. 'orderCompleted'",
    "dotted": "category.name in snake_case, e.g. 'checkout.order_completed'",
}
_TENSE_HELP = {"past": "past tense", "present": "present tense (base form)"}


def _show(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _char_checks(name: str, conv: Convention, eng: _Engine, out: list) -> str:
    """Character-level rules; returns the text with offending characters removed."""
    text = name
    if _CONTROL_RE.search(text):
        codes = sorted({f"U+{ord(c):04X}" for c in _CONTROL_RE.findall(text)})
        out.append(
            Violation(
                "forbidden-chars",
                f"Contains invisible control characters ({', '.join(codes[:5])}); remove them.",
                ", ".join(codes[:5]),
            )
        )
        text = _CONTROL_RE.sub("", text)
    if conv.ascii_only and not text.isascii():
        odd = sorted({c for c in text if not c.isascii()})
        out.append(
            Violation(
                "forbidden-chars",
                "Contains characters outside plain ASCII (emoji, accents or right-to-left text: "
                f"{' '.join(odd[:5])}); use English words in plain letters.",
                "".join(odd[:5]),
            )
        )
        text = "".join(c for c in text if c.isascii())
    bad = sorted({c for c in text if c in eng.forbidden})
    if bad:
        out.append(
            Violation(
                "forbidden-chars",
                f"Contains forbidden characters {' '.join(bad)}; use only letters, digits and the "
                "separator of the case style.",
                "".join(bad),
            )
        )
        text = "".join(c for c in text if c not in eng.forbidden)
    return text


def _common_checks(name: str, conv: Convention, eng: _Engine, reserved: frozenset, out: list):
    """Rules shared by events and properties. Returns (text for the case check, dynamic parts)."""
    if len(name) > conv.max_length:
        out.append(
            Violation(
                "max-length",
                f"{len(name)} characters; the maximum is {conv.max_length}.",
                _show(name),
            )
        )
    text, dynamic = (name, ())
    lowered = name.lstrip().lower()
    for prefix in eng.prefixes:
        if lowered.startswith(prefix):
            out.append(
                Violation(
                    "reserved-prefix",
                    f"Starts with '{prefix}', which is reserved for analytics tools' own names.",
                    name.lstrip()[: len(prefix)],
                )
            )
            text = name.lstrip()[len(prefix) :]
            break
    if conv.forbid_dynamic_values:
        text, dynamic = _strip_dynamic(text)
        for part in dynamic:
            out.append(
                Violation(
                    "dynamic-value",
                    f"Contains a dynamic value ({part}); send it as a property instead.",
                    part.split(" ", 1)[1].strip("'\""),
                )
            )
        if dynamic:
            text = _SEPARATOR_RUN_RE.sub(r"\1", text).strip(" _-.")
    if text:
        cleaned = _char_checks(text, conv, eng, out)
        if cleaned != text:
            cleaned = _SEPARATOR_RUN_RE.sub(r"\1", cleaned)
        text = cleaned.strip()
    if normalise(name) in reserved:
        out.append(
            Violation(
                "reserved-name",
                f"'{_show(name.strip())}' is reserved by analytics tools; name what happened instead.",
                name.strip(),
            )
        )
    return text


def _event_violations(name: str, conv: Convention) -> tuple[tuple[Violation, ...], ParsedName]:
    eng = _engine(conv)
    out: list[Violation] = []
    if not name.strip():
        out.append(
            Violation("empty", "The name is empty; say what happened, e.g. 'Order Completed'.")
        )
        return tuple(out), ParsedName()
    text = _common_checks(name, conv, eng, eng.reserved_names, out)
    parsed = _parse(name, conv)
    for short, full in dict(parsed.abbreviations).items():
        out.append(
            Violation("abbreviation", f"'{short}' is an abbreviation; write '{full}'.", short)
        )
    style = conv.event_case
    if text and not _CASE_RES[style].match(text):
        out.append(Violation("case", f"Use {_CASE_HELP[style]}.", _show(text)))
    if not parsed.objects and not parsed.action and not parsed.category:
        out.append(Violation("empty", "The name has no words in plain letters.", _show(name)))
        return tuple(out), parsed
    if parsed.action is None:
        out.append(
            Violation(
                "missing-action",
                "No action recognised; say what happened with a past-tense verb, "
                "e.g. 'Product Viewed'.",
                "",
            )
        )
    else:
        form = parsed.action_form or ""
        if not parsed.known_action:
            out.append(
                Violation(
                    "unknown-action",
                    f"'{form}' is not in the convention's actions; use a known verb or add it to "
                    "your team's words.",
                    form,
                )
            )
        if conv.tense != "any":
            want = ("past",) if conv.tense == "past" else ("base", "third")
            if parsed.action_kind not in want:
                expected = _action_text(parsed, conv)
                out.append(
                    Violation(
                        "tense",
                        f"Write the action in the {_TENSE_HELP[conv.tense]}: '{expected}', "
                        f"not '{form}'.",
                        form,
                    )
                )
        if parsed.order and parsed.order != conv.word_order:
            want = "object then action" if conv.word_order == "object_action" else "action first"
            out.append(
                Violation("word-order", f"Put the words in the order {want}.", _show(text or name))
            )
        if not parsed.objects and not parsed.category and parsed.action not in W.OBJECTLESS_ACTIONS:
            out.append(
                Violation(
                    "missing-object",
                    f"Say what was {_action_text(parsed, conv)}, e.g. 'Product "
                    f"{_action_text(parsed, conv).title()}'.",
                    "",
                )
            )
    if style == "dotted" and not parsed.category:
        out.append(
            Violation("missing-category", "Start with a category, e.g. 'checkout.order_completed'.")
        )
    return tuple(out), parsed


def _note(violations: tuple[Violation, ...], conv: Convention, parsed: ParsedName) -> str:
    rules = {v.rule for v in violations}
    if "empty" in rules:
        return "No suggestion: the name has no words to work with."
    if "missing-action" in rules:
        return "No suggestion: no action verb was recognised, so the linter will not guess one."
    if "unknown-action" in rules:
        return (
            f"No suggestion: '{parsed.action_form}' is not a known action; if it is one, add it "
            "to your team's words."
        )
    if not parsed.confident:
        return (
            f"No suggestion: '{parsed.action_form}' could be a noun or the action here; write "
            "the action in the past tense to make it clear."
        )
    if "missing-object" in rules:
        return "No suggestion: the name does not say which object the action happened to."
    if "reserved-name" in rules:
        return "No suggestion: reserved names cannot be repaired automatically."
    if "missing-category" in rules:
        return "No suggestion: the linter cannot choose the category for you."
    if "max-length" in rules:
        return f"No suggestion: it would still be longer than {conv.max_length} characters."
    return "No suggestion passes every rule; rename it by hand."


@lru_cache(maxsize=65536)
def _lint_event(name: str, conv: Convention) -> LintResult:
    violations, parsed = _event_violations(name, conv)
    if not violations:
        return LintResult(name, True, (), None)
    suggestion = None
    if parsed.confident and (parsed.objects or parsed.action):
        candidate = render(parsed, conv)
        if candidate and candidate != name and not _event_violations(candidate, conv)[0]:
            suggestion = candidate
    note = "" if suggestion else _note(violations, conv, parsed)
    return LintResult(name, False, violations, suggestion, note)


def lint_event(name: str, convention: Convention) -> LintResult:
    if not isinstance(name, str):
        name = "" if name is None else str(name)
    return _lint_event(name, convention)


def _property_violations(
    name: str, conv: Convention, type: str | None
) -> tuple[tuple[Violation, ...], list[str]]:
    eng = _engine(conv)
    out: list[Violation] = []
    if type is not None and type not in PROPERTY_TYPES:
        out.append(
            Violation(
                "property-type",
                f"Unknown type {_show(str(type))!r}; use one of {', '.join(PROPERTY_TYPES)}.",
                _show(str(type)),
            )
        )
    if not name.strip():
        out.append(Violation("empty", "The property name is empty; e.g. 'plan_type'."))
        return tuple(out), []
    text = _common_checks(name, conv, eng, eng.reserved_property_names, out)
    source = _strip_dynamic(name)[0] if conv.forbid_dynamic_values else name
    found: list = []
    words = _expand((w for s in _segments(source) for w in s), eng, found)
    for short, full in dict(found).items():
        out.append(
            Violation("abbreviation", f"'{short}' is an abbreviation; write '{full}'.", short)
        )
    style = "snake" if conv.property_case == "dotted" else conv.property_case
    if text and not _CASE_RES[style].match(text):
        out.append(Violation("case", f"Use {_CASE_HELP[style]} for property names.", _show(text)))
    if not words:
        out.append(Violation("empty", "The property name has no words in plain letters."))
    return tuple(out), words


@lru_cache(maxsize=65536)
def _lint_property(name: str, conv: Convention, type: str | None) -> LintResult:
    violations, words = _property_violations(name, conv, type)
    if not violations:
        return LintResult(name, True, (), None)
    suggestion = None
    if words:
        style = "snake" if conv.property_case == "dotted" else conv.property_case
        candidate = _style([(w, "object") for w in words], style)
        if candidate != name and not _property_violations(candidate, conv, None)[0]:
            suggestion = candidate
    note = ""
    if not suggestion:
        rules = {v.rule for v in violations}
        if rules == {"property-type"}:
            note = "The name is fine; only the type needs fixing."
        elif "reserved-name" in rules:
            note = "No suggestion: reserved names cannot be repaired automatically."
        elif not words:
            note = "No suggestion: the name has no words to work with."
        else:
            note = "No suggestion passes every rule; rename it by hand."
    return LintResult(name, False, violations, suggestion, note)


def lint_property(name: str, convention: Convention, type: str | None = None) -> LintResult:
    if not isinstance(name, str):
        name = "" if name is None else str(name)
    if type is not None and not isinstance(type, str):
        type = str(type)
    return _lint_property(name, convention, type)


# --- command line -----------------------------------------------------------------------------


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
    for name in names:
        result = lint_event(name, conv) if args.kind == "event" else lint_property(name, conv)
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
            print(f"      {result.note}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
