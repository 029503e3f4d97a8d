"""Near-duplicate names in a registry, and properties whose type differs between events.

Pure Python with no Django import. Lookups are dictionary hits on a few keys (the same name
ignoring case and separators; the same words in any order; the same after synonyms; the same
letters) and a rapidfuzz pass over one small block of names for close spellings.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

from rapidfuzz import fuzz, process

from telemetry.naming_convention import Convention, canonical_type
from telemetry.naming_structure import engine, expand
from telemetry.naming_text import normalise, segments, singular
from telemetry.words import SMALL_WORDS

REASONS = ("identical", "reordered", "synonym", "spelling")

# Scores order the reasons; a close spelling scores below every exact key match.
_SCORES = {"identical": 1.0, "spelling": 0.95, "reordered": 0.9, "synonym": 0.85}
# The same meaningful words but one ("cart_item_added" for "Add to Cart") ranks below those.
_ONE_WORD_APART = 0.7
_MIN_SHARED_WORDS = 2
_MAX_CONTENT_WORDS = 6
_FUZZY_CUTOFF = 85.0
_FUZZY_MIN_LENGTH = 5
_PER_KEY_CAP = 50
_LENGTH_RATIO = 0.73


@dataclass(frozen=True)
class Candidate:
    name: str
    reason: str
    score: float
    key: object = None


@dataclass(frozen=True)
class _Keys:
    identical: str
    spelling: str
    reordered: str
    synonym: str
    content: tuple[str, ...]  # meaningful words after synonyms, sorted, without "to", "from"...


def _lemmas(name: str, conv: Convention) -> list[str]:
    """Each word in its dictionary form: verbs in base form, nouns singular."""
    eng = engine(conv)
    forms, phrases, cache = eng.forms, eng.phrases, eng.lemmas
    words = expand(list(chain.from_iterable(segments(name))), eng, [])
    out: list[str] = []
    i, n = 0, len(words)
    while i < n:
        w = words[i]
        if w in phrases:
            for parts in phrases[w]:
                k = len(parts)
                if tuple(words[i : i + k]) == parts:
                    out.extend(forms[" ".join(parts)][0].split(" "))
                    i += k
                    break
            else:
                parts = None
            if parts:
                continue
        lemma = cache.get(w)
        if lemma is None:
            if len(cache) > 200_000:  # bound memory against endless random words
                cache.clear()
            hit = forms.get(w)
            lemma = cache[w] = hit[0] if hit else singular(w)
        out.append(lemma)
        i += 1
    return out


@lru_cache(maxsize=32)
def _synonym_table(conv: Convention):
    table: dict[tuple[str, ...], tuple[str, ...]] = {}
    for group in conv.synonyms:
        canonical = tuple(_lemmas(group[0], conv))
        for phrase in group:
            table.setdefault(tuple(_lemmas(phrase, conv)), canonical)
    first_words = frozenset(k[0] for k in table if k)
    return table, max((len(k) for k in table), default=1), first_words


def _canonical(lemmas: list[str], conv: Convention) -> list[str]:
    table, longest, first_words = _synonym_table(conv)
    if first_words.isdisjoint(lemmas):
        return lemmas
    out: list[str] = []
    i, n = 0, len(lemmas)
    while i < n:
        for span in range(min(longest, n - i), 0, -1):
            replacement = table.get(tuple(lemmas[i : i + span]))
            if replacement is not None:
                out.extend(replacement)
                i += span
                break
        else:
            out.append(lemmas[i])
            i += 1
    return out


@lru_cache(maxsize=65536)
def _keys(name: str, conv: Convention) -> _Keys:
    lemmas = _lemmas(name, conv)
    canonical = _canonical(lemmas, conv)
    return _Keys(
        identical=normalise(name),
        spelling="".join(lemmas),
        reordered=" ".join(sorted(lemmas)),
        synonym=" ".join(sorted(canonical)),
        content=tuple(sorted({w for w in canonical if w not in SMALL_WORDS})),
    )


def _block(spelling: str) -> str:
    return spelling[:2]


class DuplicateIndex:
    """Answers "did you mean one of these?" for a new name against a whole registry."""

    def __init__(self, entries: Iterable[tuple[str, object]], convention: Convention):
        self.convention = convention
        self._names: list[str] = []
        self._payloads: list[object] = []
        self._by: dict[str, dict[str, list[int]]] = {
            reason: defaultdict(list) for reason in _SCORES
        }
        # Close spellings: blocks by first two letters, each spelling once with its entries.
        self._blocks: dict[str, dict[str, list[int]]] = {}
        self._by_length: dict[str, tuple[list[int], list[str]]] = {}
        self._content: dict[tuple[str, ...], list[int]] = defaultdict(list)
        self._content_less_one: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for name, key in entries:
            self.add(name, key)

    def __len__(self) -> int:
        return len(self._names)

    def add(self, name: str, key: object = None) -> None:
        if not isinstance(name, str) or not name.strip():
            return
        idx = len(self._names)
        self._names.append(name)
        self._payloads.append(key)
        keys = _keys(name, self.convention)
        spelling = keys.spelling
        if not spelling:
            return
        for reason in _SCORES:
            self._by[reason][getattr(keys, reason)].append(idx)
        content = keys.content
        if _MIN_SHARED_WORDS <= len(content) <= _MAX_CONTENT_WORDS:
            self._content[content].append(idx)
            if len(content) > _MIN_SHARED_WORDS:
                for k in range(len(content)):
                    self._content_less_one[content[:k] + content[k + 1 :]].append(idx)
        if len(spelling) >= _FUZZY_MIN_LENGTH:
            block = self._blocks.setdefault(_block(spelling), {})
            if spelling in block:
                block[spelling].append(idx)
            else:
                block[spelling] = [idx]
                self._by_length.pop(_block(spelling), None)

    def _close_spellings(self, spelling: str, limit: int) -> list[tuple[str, float]]:
        prefix = _block(spelling)
        block = self._blocks.get(prefix)
        if not block:
            return []
        sorted_block = self._by_length.get(prefix)
        if sorted_block is None:
            ordered = sorted(block, key=lambda s: (len(s), s))
            sorted_block = ([len(s) for s in ordered], ordered)
            self._by_length[prefix] = sorted_block
        lengths, ordered = sorted_block
        # fuzz.ratio >= 85 needs the shorter string to be at least 74% of the longer one.
        size = len(spelling)
        lo = bisect_left(lengths, int(size * _LENGTH_RATIO))
        hi = bisect_right(lengths, int(size / _LENGTH_RATIO) + 1)
        if lo >= hi:
            return []
        return [
            (choice, ratio)
            for choice, ratio, _ in process.extract(
                spelling,
                ordered[lo:hi],
                scorer=fuzz.ratio,
                score_cutoff=_FUZZY_CUTOFF,
                limit=limit,
            )
        ]

    def find(self, name: str, *, limit: int = 5, exclude_key: object = None) -> list[Candidate]:
        if not isinstance(name, str) or limit <= 0:
            return []
        keys = _keys(name, self.convention)
        if not keys.spelling:
            return []
        found: dict[int, tuple[float, str]] = {}
        payloads = self._payloads

        def take(idx: int, score: float, reason: str) -> None:
            if exclude_key is not None and payloads[idx] == exclude_key:
                return
            if idx not in found or found[idx][0] < score:
                found[idx] = (score, reason)

        for reason, score in _SCORES.items():
            for idx in self._by[reason].get(getattr(keys, reason), ())[:_PER_KEY_CAP]:
                take(idx, score, reason)
        content = keys.content
        if _MIN_SHARED_WORDS <= len(content) <= _MAX_CONTENT_WORDS:
            # Entries with one more meaningful word, then entries with one fewer.
            for idx in self._content_less_one.get(content, ())[:_PER_KEY_CAP]:
                take(idx, _ONE_WORD_APART, "reordered")
            if len(content) > _MIN_SHARED_WORDS:
                for k in range(len(content)):
                    fewer = content[:k] + content[k + 1 :]
                    for idx in self._content.get(fewer, ())[:_PER_KEY_CAP]:
                        take(idx, _ONE_WORD_APART, "reordered")
        if len(found) < limit and len(keys.spelling) >= _FUZZY_MIN_LENGTH:
            block = self._blocks.get(_block(keys.spelling), {})
            for choice, ratio in self._close_spellings(keys.spelling, limit + len(found) + 1):
                for idx in block[choice][:_PER_KEY_CAP]:
                    take(idx, round(0.8 * ratio / 100, 4), "spelling")
        ranked = sorted(
            found.items(), key=lambda item: (-item[1][0], self._names[item[0]], item[0])
        )
        return [
            Candidate(self._names[idx], reason, score, payloads[idx])
            for idx, (score, reason) in ranked[:limit]
        ]


@dataclass(frozen=True)
class TypeConflict:
    property: str
    types: dict[str, list[object]]


def _type_name(value: object) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return "unknown"
    return canonical_type(value) or str(value).strip().lower()


def property_type_conflicts(rows: Iterable[tuple[object, str, str]]) -> list[TypeConflict]:
    """Properties (same name ignoring case and separators) sent with different types."""
    by_property: dict[str, dict[str, list[object]]] = defaultdict(lambda: defaultdict(list))
    spellings: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        try:
            event_key, prop, type_ = row
        except (TypeError, ValueError):
            continue
        if not isinstance(prop, str):
            continue
        key = normalise(prop)
        if not key:
            continue
        spellings[key].add(prop)
        keys = by_property[key][_type_name(type_)]
        if event_key not in keys:
            keys.append(event_key)
    conflicts = [
        TypeConflict(min(spellings[key]), {t: types[t] for t in sorted(types)})
        for key, types in by_property.items()
        if len(types) > 1
    ]
    return sorted(conflicts, key=lambda c: c.property)
