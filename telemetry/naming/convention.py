"""The naming convention as data: organisation rules and vocabularies, JSON in and out.

Pure Python with no Django import. A Convention is frozen and hashable, so it can key caches; teams
add words with `with_team_words`, which can never loosen an organisation rule.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from telemetry.naming import words as W
from telemetry.naming.text import regular_past

CASE_STYLES = ("title", "snake", "camel", "dotted")
WORD_ORDERS = ("object_action", "action_object")
TENSES = ("past", "present", "any")
PROPERTY_TYPES = ("string", "number", "integer", "boolean", "array", "object", "datetime")
PROPERTY_TYPE_ALIASES = {
    "str": "string",
    "text": "string",
    "int": "integer",
    "long": "integer",
    "float": "number",
    "double": "number",
    "decimal": "number",
    "bool": "boolean",
    "list": "array",
    "dict": "object",
    "map": "object",
    "date": "datetime",
    "timestamp": "datetime",
    "date-time": "datetime",
}


def canonical_type(value: object) -> str | None:
    """The property type a tracking plan meant ("Int" -> "integer"), or None if unknown."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    if text in PROPERTY_TYPES:
        return text
    return PROPERTY_TYPE_ALIASES.get(text)


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


def _default_actions() -> dict[str, str]:
    actions = {verb: regular_past(verb) for verb in W.REGULAR_VERBS}
    actions.update(W.IRREGULAR_PAST)
    for phrase in W.PHRASAL_VERBS:
        actions.setdefault(phrase, regular_past(phrase))
    return actions


def _tidy(word: object) -> object:
    return " ".join(word.lower().split()) if isinstance(word, str) else word


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
        actions = {_tidy(k): _tidy(v) for k, v in dict(actions).items()}
        objects = [_tidy(o) for o in objects]
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
