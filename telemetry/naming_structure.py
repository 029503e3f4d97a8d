"""A name as structure — category, object words, one action, qualifiers — and back to text.

Pure Python with no Django import. `parse` reads any case style and word order; `render` writes the
structure in the convention's style, order and tense.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from telemetry import words as W
from telemetry.naming_convention import Convention
from telemetry.naming_text import (
    CONTROL_CHARS,
    guess_base,
    normalise,
    plural,
    present_participle,
    segments,
    strip_dynamic,
    third_person,
)

_KIND_WEIGHT = {"past": 4.0, "preterite": 3.5, "third": 2.0, "ing": 2.0, "base": 1.5}
_KIND_RANK = {"past": 5, "preterite": 4, "third": 3, "ing": 2, "base": 1}
_SMALL = W.SMALL_WORDS
_QUALIFIER_STARTS = W.SMALL_WORDS - {"and", "or"}


class ParsedName(NamedTuple):
    """Words are lowercase; the action is kept in base form and as written."""

    category: tuple[str, ...] = ()
    objects: tuple[str, ...] = ()
    action: str | None = None
    action_form: str | None = None
    action_kind: str | None = None  # base, third, ing, past, preterite
    qualifiers: tuple[str, ...] = ()
    order: str | None = None  # the word order as written, when it can be told
    known_action: bool = True
    confident: bool = True  # False when the action word may as well be a noun ("Order History")
    dynamic: tuple[tuple[str, str], ...] = ()  # (kind, value) removed from the name
    abbreviations: tuple[tuple[str, str], ...] = ()
    prefix: str = ""  # a reserved prefix that was dropped
    doubt: str = ""  # why a suggestion would be a guess: "noun-or-verb" or "unknown-object"
    redundant: tuple[str, ...] = ()  # a trailing "event" that adds nothing ("Ad Click Event")

    @property
    def words(self) -> tuple[str, ...]:
        middle = (self.action,) if self.action else ()
        return self.category + self.objects + middle + self.qualifiers


class Engine:
    """Lookup tables derived once from a Convention."""

    def __init__(self, conv: Convention):
        self.conv = conv
        forms: dict[str, tuple[str, str]] = {}

        def add(form: str, base: str, kind: str) -> None:
            old = forms.get(form)
            if old is None or _KIND_RANK[kind] > _KIND_RANK[old[1]]:
                forms[form] = (base, kind)

        for base, past in conv.actions.items():
            head, _, particle = base.partition(" ")
            tail = f" {particle}" if particle else ""
            add(base, base, "base")
            add(third_person(head) + tail, base, "third")
            add(present_participle(head, past.partition(" ")[0]) + tail, base, "ing")
            add(past, base, "past")
        for form, head in {**W.PRETERITES, **W.PAST_VARIANTS}.items():
            for base in (b for b in conv.actions if b.partition(" ")[0] == head):
                particle = base.partition(" ")[2]
                kind = "past" if form in W.PAST_VARIANTS else "preterite"
                add(f"{form} {particle}" if particle else form, base, kind)
        self.forms = forms
        self.past = dict(conv.actions)
        self.title_words: dict[str, str] = {}
        # Multi-word forms by their first word, longest first: "signed" -> [("signed", "up")].
        phrases: dict[str, list[tuple[str, ...]]] = {}
        for form in forms:
            if " " in form:
                parts = tuple(form.split(" "))
                phrases.setdefault(parts[0], []).append(parts)
        self.phrases = {k: sorted(v, key=len, reverse=True) for k, v in phrases.items()}
        # Multi-word objects ("seat map") count word by word, and plurals count too.
        words = {w for o in conv.objects for w in o.split(" ")}
        self.objects = frozenset(words) | frozenset(plural(w) for w in words)
        self.abbreviations = dict(conv.abbreviations)
        self.prefixes = tuple(p.lower() for p in conv.reserved_prefixes)
        self.longest_prefix = max((len(p) for p in self.prefixes), default=0)
        self.reserved_names = frozenset(normalise(n) for n in conv.reserved_names)
        self.reserved_property_names = frozenset(normalise(n) for n in conv.reserved_property_names)
        # Reserved names are short; longer names skip the lookup.
        self.reserved_length = 8 + max(
            (len(n) for n in (*conv.reserved_names, *conv.reserved_property_names)), default=0
        )
        bad = CONTROL_CHARS + re.escape(conv.forbidden_chars)
        if conv.ascii_only:
            bad += "\x80-\U0010ffff"
        self.bad_chars_re = re.compile(f"[{bad}]")
        separators = re.escape("".join(c for c in " _.-" if c not in conv.forbidden_chars))
        if any(c.isalnum() for c in conv.forbidden_chars):
            # Forbidden letters: no name is "plain", every one gets the full character check.
            self.plain_re = re.compile(r"(?!)")
        elif separators:
            self.plain_re = re.compile(f"[A-Za-z]+(?:[{separators}][A-Za-z]+)*\\Z")
        else:
            self.plain_re = re.compile("[A-Za-z]+\\Z")
        self.lemmas: dict[str, str] = {}
        self.word_info: dict[str, tuple | None] = {}


@lru_cache(maxsize=64)
def _build_engine(conv: Convention) -> Engine:
    return Engine(conv)


def engine(conv: Convention) -> Engine:
    eng = conv.__dict__.get("_engine")
    if eng is None:
        eng = _build_engine(conv)
        object.__setattr__(conv, "_engine", eng)
    return eng


def expand(words, eng: Engine, found: list) -> list[str]:
    """Expand abbreviations ("btn" -> "button"), recording each one found."""
    abbreviations = eng.abbreviations
    if abbreviations.keys().isdisjoint(words):
        return list(words)
    out = []
    for w in words:
        full = abbreviations.get(w)
        if full:
            found.append((w, full))
            out.extend(full.split(" "))
        else:
            out.append(w)
    return out


def _word_info(w: str, eng: Engine):
    """(base, kind, known, also a noun) when the word alone can be an action, else None."""
    hit = eng.forms.get(w)
    known = True
    if hit is None:
        if (
            len(w) >= 5
            and w.endswith("ed")
            and w not in eng.objects
            and w not in W.NOT_VERBS_ED
            and w[0].isalpha()
        ):
            hit, known = (guess_base(w), "past"), False
        else:
            return None
    base, kind = hit
    noun = kind in ("base", "third", "ing") and w in eng.objects
    score = _KIND_WEIGHT[kind] - noun - (not known)
    return base, kind, known, noun, score


def _find_action(words: list[str], eng: Engine):
    info, phrases, forms = eng.word_info, eng.phrases, eng.forms
    n = len(words)
    best = None
    for i, w in enumerate(words):
        if w in phrases:
            for parts in phrases[w]:
                k = len(parts)
                if tuple(words[i : i + k]) == parts:
                    form = " ".join(parts)
                    base, kind = forms[form]
                    score = _KIND_WEIGHT[kind] + k - 1
                    end = i + k
                    if end == n or words[end] in _SMALL:
                        score += 0.6
                    elif i == 0:
                        score += 0.4
                    if best is None or score >= best[0]:
                        best = (score, i, k, base, kind, form, True, True)
                    break
            else:
                parts = None
            if parts:
                continue
        if w in info:
            found = info[w]
        else:
            if len(info) > 200_000:  # bound memory against endless random words
                info.clear()
            found = info[w] = _word_info(w, eng)
        if found is None:
            continue
        base, kind, known, noun, score = found
        if i + 1 == n or words[i + 1] in _SMALL:
            score += 0.6
        elif i == 0:
            score += 0.4
        elif kind == "past" and words[i + 1] in eng.objects:
            # A participle between words describes the next noun: "Close Selected Tabs".
            score -= 2.5
        if best is None or score >= best[0]:
            best = (score, i, 1, base, kind, w, known, not noun)
    if best is None or best[0] < 0.5:
        return None
    return best[1:]


def strip_prefix(name: str, eng: Engine) -> tuple[str, str]:
    """(name without a reserved prefix, the prefix) — ("", "") parts when there is none."""
    if not eng.prefixes:
        return name, ""
    head = name.lstrip()
    lowered = head[: eng.longest_prefix].lower()
    if lowered.startswith(eng.prefixes):
        for prefix in eng.prefixes:
            if lowered.startswith(prefix):
                return head[len(prefix) :], head[: len(prefix)]
    return name, ""


def _drop_redundant(words: list[str]) -> tuple[list[str], tuple[str, ...]]:
    dropped = []
    while len(words) > 1 and words[-1] in W.REDUNDANT_WORDS:
        dropped.append(words[-1])
        words = words[:-1]
    return words, tuple(dropped)


def parse_body(body: str, dynamic: tuple, prefix: str, eng: Engine) -> ParsedName:
    """Parse a name whose reserved prefix and dynamic values are already removed."""
    parts = segments(body)
    if not parts:
        return ParsedName(dynamic=dynamic, prefix=prefix)
    abbreviations: list = []
    if len(parts) > 1:
        category = tuple(expand([w for s in parts[:-1] for w in s], eng, abbreviations))
    else:
        category = ()
    words = expand(parts[-1], eng, abbreviations)
    redundant = ()
    if len(words) > 1 and words[-1] in W.REDUNDANT_WORDS:
        words, redundant = _drop_redundant(words)
    found = _find_action(words, eng)
    if found is None:
        return ParsedName(
            category,
            tuple(words),
            dynamic=dynamic,
            abbreviations=tuple(abbreviations),
            prefix=prefix,
            redundant=redundant,
        )
    i, span, base, kind, form, known, confident = found
    doubt = "" if confident else "noun-or-verb"
    pre, post = words[:i], words[i + span :]
    order = None
    if pre:
        objects, qualifiers = pre, post
        order = "object_action"
    else:
        cut = next((k for k, w in enumerate(post) if w in _QUALIFIER_STARTS), len(post))
        objects, qualifiers = post[:cut], post[cut:]
        if objects:
            order = "action_object"
            # Moving words in front of the action is only safe when one is a known object.
            if confident and not any(w in eng.objects for w in objects):
                confident, doubt = False, "unknown-object"
    return ParsedName(
        category,
        tuple(objects),
        base,
        form,
        kind,
        tuple(qualifiers),
        order,
        known,
        confident,
        dynamic,
        tuple(abbreviations),
        prefix,
        doubt,
        redundant,
    )


@lru_cache(maxsize=16384)
def _parse(name: str, conv: Convention) -> ParsedName:
    eng = engine(conv)
    body, prefix = strip_prefix(name, eng)
    dynamic = ()
    if conv.forbid_dynamic_values:
        body, dynamic = strip_dynamic(body)
    return parse_body(body, dynamic, prefix, eng)


def parse(name: str, convention: Convention) -> ParsedName:
    if not isinstance(name, str):
        name = ""
    return _parse(name, convention)


def action_text(parsed: ParsedName, conv: Convention) -> str:
    """The action in the convention's tense, lowercase: "clicked", "sign up", ..."""
    if conv.tense == "past":
        return engine(conv).past.get(parsed.action) or parsed.action_form or parsed.action
    if conv.tense == "present":
        return parsed.action
    return parsed.action_form or parsed.action


def _title_word(word: str) -> str:
    acronym = W.ACRONYMS.get(word)
    if acronym is None and word[-1:] == "s" and word[:-1] in W.ACRONYMS:
        acronym = W.ACRONYMS[word[:-1]] + "s"
    return acronym or word[:1].upper() + word[1:]


def _title(words: list[str], qualifier_from: int, cache: dict[str, str]) -> str:
    if len(cache) > 100_000:
        cache.clear()
    return " ".join(
        [
            w
            if k >= qualifier_from and k and w in _SMALL
            else cache.get(w) or cache.setdefault(w, _title_word(w))
            for k, w in enumerate(words)
        ]
    )


def render(parsed: ParsedName, convention: Convention) -> str:
    style = convention.event_case
    head = list(parsed.category) if style != "dotted" else []
    objects = list(parsed.objects)
    if parsed.action:
        action = action_text(parsed, convention).split(" ")
        if convention.word_order == "object_action":
            words = head + objects + action
        else:
            words = head + action + objects
    else:
        words = head + objects
    qualifier_from = len(words)
    words += parsed.qualifiers
    if style == "title":
        return _title(words, qualifier_from, engine(convention).title_words)
    if style == "camel":
        return words[0] + "".join(w[:1].upper() + w[1:] for w in words[1:]) if words else ""
    body = "_".join(words)
    if style == "dotted" and parsed.category and body:
        return "_".join(parsed.category) + "." + body
    return body
