"""English word classes and verb inflections, from lemminflect's dictionary (shipped with the
package, read offline).

Pure Python with no Django import. The convention's own words (`Convention.actions`, `objects`)
come first; this answers for every other word, so "Order Placed" and "Error Occurred" read as
past-tense actions without anyone listing "place" and "occur". Only the dictionary is used, never
lemminflect's rules for unknown words: a word it does not know is `UNKNOWN`, and the linter
reads such words as names of things ("frecency", "multiselect").
"""

from __future__ import annotations

from functools import lru_cache

from telemetry.naming import lexicon_index

NOUN, VERB, ADJ, ADV, OTHER = 1, 2, 4, 8, 16  # OTHER: a pronoun, preposition, number word...
UNKNOWN = 0

_POS_BITS = {"NOUN": NOUN, "PROPN": NOUN, "VERB": VERB, "AUX": VERB, "ADJ": ADJ, "ADV": ADV}
# Verbs that never name what happened in an event ("has_inactive_tabs").
_AUXILIARIES = frozenset(
    [
        "be",
        "am",
        "is",
        "are",
        "was",
        "were",
        "been",
        "being",
        "have",
        "has",
        "had",
        "having",
        "do",
        "does",
        "did",
        "done",
        "can",
        "could",
        "may",
        "might",
        "must",
        "shall",
        "should",
        "will",
        "would",
    ]
)
# Prefixes that make a verb of a verb the dictionary may not list ("resubscribe", "unpin").
_VERB_PREFIXES = ("re", "un", "de", "pre", "dis", "auto")


# lemminflect costs about 0.6 s to import and load, too much for a command line run in CI: the
# words come from lexicon_index, the same data read in a few ms, and lemminflect itself only
# when the index is missing or for a word with capitals (which the linter never asks about).
_INDEXED = lexicon_index.available()


def _lemmas(word: str) -> dict[str, tuple[str, ...]]:
    if _INDEXED and word.islower():
        return lexicon_index.lemmas(word)
    import lemminflect

    return lemminflect.getAllLemmas(word)


def _verb_inflections(lemma: str) -> dict[str, tuple[str, ...]]:
    if _INDEXED and lemma.islower():
        return lexicon_index.verb_inflections(lemma)
    import lemminflect

    return lemminflect.getAllInflections(lemma, "VERB")


@lru_cache(maxsize=65536)
def classes(word: str) -> int:
    """The word classes the dictionary gives `word` (NOUN | VERB | ADJ | ADV bits), or UNKNOWN."""
    found = UNKNOWN
    for pos in _lemmas(word):
        found |= _POS_BITS.get(pos, OTHER)
    return found


def _kind(word: str, base: str) -> str | None:
    forms = _verb_inflections(base)
    if any("-" in f or " " in f for fs in forms.values() for f in fs):
        return None  # "login" -> "logged-in": a noun the dictionary also spells as a verb
    if word in forms.get("VBN", ()) or (word in forms.get("VBD", ()) and "VBN" not in forms):
        return "past"
    if word in forms.get("VBD", ()):
        return "preterite"
    if word in forms.get("VBZ", ()):
        return "third"
    if word in forms.get("VBG", ()):
        return "ing"
    if word == base or word in forms.get("VBP", ()):
        return "base"
    return None


@lru_cache(maxsize=65536)
def verb_form(word: str) -> tuple[str, str] | None:
    """(base, kind) when `word` is a form of an English verb: kind is base, third, ing, past
    (the participle, or a simple past that is the same word) or preterite; else None."""
    if not word.isalpha() or word in _AUXILIARIES:
        return None
    for base in _lemmas(word).get("VERB", ()):
        if base in _AUXILIARIES or not base.isalpha():
            continue
        kind = _kind(word, base)
        if kind:
            return base, kind
    if classes(word) == UNKNOWN:
        for prefix in _VERB_PREFIXES:
            rest = word[len(prefix) :]
            if word.startswith(prefix) and len(rest) >= 3:
                found = verb_form(rest)
                if found and classes(found[0]) & VERB:
                    return prefix + found[0], found[1]
    return None


@lru_cache(maxsize=16384)
def past(base: str) -> str:
    """The past participle of a verb `verb_form` found ("place" -> "placed")."""
    for prefix in ("", *_VERB_PREFIXES):
        if prefix and not base.startswith(prefix):
            continue
        head = base[len(prefix) :]
        forms = _verb_inflections(head)
        found = forms.get("VBN") or forms.get("VBD")
        if found:
            return prefix + found[0]
    return base + "ed"


@lru_cache(maxsize=65536)
def plural_noun(word: str) -> bool:
    """Whether `word` is the plural of an English noun ("results", "tabs" is unknown)."""
    return any(lemma != word for lemma in _lemmas(word).get("NOUN", ()))
