"""Near-duplicate names in a registry, and properties whose type differs between events.

Pure Python with no Django import. Lookups are dictionary hits on a few keys (the same name
ignoring case and separators; the same words in any order; the same after synonyms; the same
letters) and a rapidfuzz pass over one small block of names for close spellings.

A registry's index lives for many requests in a web process, so it keeps its entries in tuples
of ints and strings: the garbage collector then stops walking hundreds of thousands of lists on
every full collection (on a 50,000-event registry that walk cost more than the look-ups).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, islice

import numpy
from rapidfuzz import fuzz, process

from telemetry.naming.convention import Convention, canonical_type
from telemetry.naming.structure import engine, expand
from telemetry.naming.text import normalise, segments, singular
from telemetry.naming.words import SMALL_WORDS

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


# A name's keys, a plain tuple (so the collector can stop tracking it) in _SCORES order:
# identical, spelling, reordered, synonym; then the meaningful words after synonyms, sorted,
# without "to", "from"... (content).
_Keys = tuple
_SPELLING, _CONTENT = 1, 4


def _lemmas(name: str, conv: Convention) -> list[str]:
    """Each word in its dictionary form: verbs in base form, nouns singular."""
    return _word_lemmas(list(chain.from_iterable(segments(name))), conv)


def _word_lemmas(words: list[str], conv: Convention) -> list[str]:
    eng = engine(conv)
    forms, phrases, cache = eng.forms, eng.phrases, eng.lemmas
    words = expand(words, eng, [])
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


def _compute_keys(name: str, conv: Convention) -> _Keys:
    # The keys depend on the name's words alone, and its normalised form is those words
    # joined by "_": names written alike but for case and separators ("Cart Item Added",
    # cart_item_added, cartItemAdded) share one computation, which the registry's own names
    # have usually made already.
    normalised = normalise(name)
    cache = _key_caches_for(_normalised_caches, conv)
    keys = cache.get(normalised)
    if keys is None:
        lemmas = _word_lemmas(normalised.split("_") if normalised else [], conv)
        canonical = _canonical(lemmas, conv)
        keys = (
            normalised,
            "".join(lemmas),
            " ".join(sorted(lemmas)),
            " ".join(sorted(canonical)),
            tuple(sorted({w for w in canonical if w not in SMALL_WORDS})),
        )
        _remember(cache, normalised, keys)
    return keys


_KEY_CACHE_SIZE = 65536
_key_caches: dict[Convention, dict[str, _Keys]] = {}
_normalised_caches: dict[Convention, dict[str, _Keys]] = {}


def _key_caches_for(caches: dict, conv: Convention) -> dict[str, _Keys]:
    cache = caches.get(conv)
    if cache is None:
        if len(caches) > 32:
            caches.clear()
        cache = caches[conv] = {}
    return cache


def _remember(cache: dict, key: str, keys: _Keys) -> None:
    if len(cache) >= _KEY_CACHE_SIZE:
        # Bound memory against endless new names: the older half goes (dicts keep order).
        for old in list(islice(cache, _KEY_CACHE_SIZE // 2)):
            del cache[old]
    cache[key] = keys


def _keys(name: str, conv: Convention) -> _Keys:
    """The keys of a looked-up name, remembered: CI sends the same names again and again."""
    cache = _key_caches_for(_key_caches, conv)
    keys = cache.get(name)
    if keys is None:
        keys = _compute_keys(name, conv)
        _remember(cache, name, keys)
    return keys


def _block(spelling: str) -> str:
    return spelling[:2]


_SCORE_ITEMS = tuple(_SCORES.items())


def _append_to_list(table: dict, key, idx: int) -> None:
    entries = table.get(key)
    if entries is None:
        table[key] = [idx]
    else:
        entries.append(idx)


def _append_to_tuple(table: dict, key, idx: int) -> None:
    table[key] = (*table.get(key, ()), idx)


def _sealed(table: dict) -> dict:
    return {key: tuple(entries) for key, entries in table.items()}


class DuplicateIndex:
    """Answers "did you mean one of these?" for a new name against a whole registry."""

    def __init__(self, entries: Iterable[tuple[str, object]], convention: Convention):
        self.convention = convention
        self._names: list[str] = []
        self._payloads: list[object] = []
        # One table per reason, in _SCORES order: key -> entry numbers.
        self._by: tuple[dict, ...] = tuple({} for _ in _SCORES)
        # Close spellings: blocks by first two letters, each spelling once with its entries.
        self._blocks: dict[str, dict[str, tuple[int, ...]]] = {}
        # Per block, its spellings sorted by length (and the lengths) for the length window.
        self._by_length: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] = {}
        self._content: dict[tuple[str, ...], tuple[int, ...]] = {}
        self._content_less_one: dict[tuple[str, ...], tuple[int, ...]] = {}
        # Registry names are the names most often asked about (CI lints what is registered).
        self._own_keys: dict[str, _Keys] = {}
        # Built with lists (appending is cheap), then sealed into tuples.
        for name, key in entries:
            self._insert(name, key, _append_to_list, _compute_keys)
        self._by = tuple(_sealed(table) for table in self._by)
        self._content = _sealed(self._content)
        self._content_less_one = _sealed(self._content_less_one)
        self._blocks = {prefix: _sealed(block) for prefix, block in self._blocks.items()}
        for prefix in self._blocks:
            self._sort_block(prefix)

    def __len__(self) -> int:
        return len(self._names)

    def add(self, name: str, key: object = None) -> None:
        self._insert(name, key, _append_to_tuple, _keys)

    def _insert(self, name, key, append, keys_of) -> None:
        if not isinstance(name, str) or not name.strip():
            return
        idx = len(self._names)
        self._names.append(name)
        self._payloads.append(key)
        keys = self._own_keys.get(name) or keys_of(name, self.convention)
        self._own_keys[name] = keys
        spelling = keys[_SPELLING]
        if not spelling:
            return
        for table, value in zip(self._by, keys, strict=False):
            append(table, value, idx)
        content = keys[_CONTENT]
        if _MIN_SHARED_WORDS <= len(content) <= _MAX_CONTENT_WORDS:
            append(self._content, content, idx)
            if len(content) > _MIN_SHARED_WORDS:
                for k in range(len(content)):
                    append(self._content_less_one, content[:k] + content[k + 1 :], idx)
        if len(spelling) >= _FUZZY_MIN_LENGTH:
            prefix = _block(spelling)
            block = self._blocks.setdefault(prefix, {})
            if spelling not in block:
                # A new spelling changes the block's length order; it is sorted again when asked.
                self._by_length.pop(prefix, None)
            append(block, spelling, idx)

    def _sort_block(self, prefix: str) -> tuple[tuple[int, ...], tuple[str, ...]]:
        ordered = tuple(sorted(self._blocks[prefix], key=lambda s: (len(s), s)))
        sorted_block = self._by_length[prefix] = (tuple(len(s) for s in ordered), ordered)
        return sorted_block

    def find(self, name: str, *, limit: int = 5, exclude_key: object = None) -> list[Candidate]:
        return self.find_many([name], limit=limit, exclude_key=exclude_key)[0]

    def find_many(
        self, names: list[str], *, limit: int = 5, exclude_key: object = None
    ) -> list[list[Candidate]]:
        """`find` for each name, in order. The close-spelling search runs once per block for
        all the names that need it: rapidfuzz's cdist compares many names with a block at once
        about five times faster than `process.extract` does one name at a time, which was
        half the look-ups of a 10,000-name lint request."""
        if limit <= 0:
            return [[] for _ in names]
        exacts = [
            self._exact(name, limit, exclude_key) if isinstance(name, str) else None
            for name in names
        ]
        wanted: dict[str, list[int]] = {}
        for k, exact in enumerate(exacts):
            if exact is not None and self._wants_close(exact[0], exact[1], limit):
                prefix = _block(exact[0])
                if prefix in self._blocks:
                    wanted.setdefault(prefix, []).append(k)
        close: dict[int, list[tuple[str, float]]] = {}
        for prefix, positions in wanted.items():
            queries = [(exacts[k][0], limit + len(exacts[k][1]) + 1) for k in positions]
            for k, found in zip(
                positions, self._close_spellings_many(prefix, queries), strict=True
            ):
                close[k] = found
        return [
            []
            if exact is None
            else self._ranked(exact[0], exact[1], close.get(k, ()), limit, exclude_key)
            for k, exact in enumerate(exacts)
        ]

    def _exact(self, name: str, limit: int, exclude_key: object):
        """(the name's spelling, entry -> (score, reason) for every key it shares), or None
        for a name without words."""
        keys = self._own_keys.get(name) or _keys(name, self.convention)
        spelling = keys[_SPELLING]
        if not spelling:
            return None
        found: dict[int, tuple[float, str]] = {}
        payloads = self._payloads
        excluding = exclude_key is not None
        # Reasons come in falling score order, so the first reason to reach an entry is its best.
        for table, (reason, score), value in zip(self._by, _SCORE_ITEMS, keys, strict=False):
            entries = table.get(value)
            if entries:
                for idx in entries[:_PER_KEY_CAP]:
                    if idx not in found and not (excluding and payloads[idx] == exclude_key):
                        found[idx] = (score, reason)
        content = keys[_CONTENT]
        if _MIN_SHARED_WORDS <= len(content) <= _MAX_CONTENT_WORDS:
            # Entries with one more meaningful word, then entries with one fewer.
            groups = [self._content_less_one.get(content, ())]
            if len(content) > _MIN_SHARED_WORDS:
                groups += [
                    self._content.get(content[:k] + content[k + 1 :], ())
                    for k in range(len(content))
                ]
            apart = (_ONE_WORD_APART, "reordered")
            for entries in groups:
                for idx in entries[:_PER_KEY_CAP]:
                    if idx not in found and not (excluding and payloads[idx] == exclude_key):
                        found[idx] = apart
        return spelling, found

    @staticmethod
    def _wants_close(spelling: str, found: dict, limit: int) -> bool:
        return len(found) < limit and len(spelling) >= _FUZZY_MIN_LENGTH

    def _ranked(
        self, spelling: str, found: dict, close, limit: int, exclude_key: object
    ) -> list[Candidate]:
        payloads = self._payloads
        excluding = exclude_key is not None
        if close:
            block = self._blocks.get(_block(spelling), {})
            for choice, ratio in close:
                score = round(0.8 * ratio / 100, 4)
                for idx in block[choice][:_PER_KEY_CAP]:
                    if excluding and payloads[idx] == exclude_key:
                        continue
                    if idx not in found or found[idx][0] < score:
                        found[idx] = (score, "spelling")
        names = self._names
        if len(found) > 1:
            ranked = sorted(found.items(), key=lambda item: (-item[1][0], names[item[0]], item[0]))
        else:
            ranked = list(found.items())
        return [
            Candidate(names[idx], reason, score, payloads[idx])
            for idx, (score, reason) in ranked[:limit]
        ]

    def _close_spellings_many(
        self, prefix: str, queries: list[tuple[str, int]]
    ) -> list[list[tuple[str, float]]]:
        """The block's spellings within `_FUZZY_CUTOFF` of each (spelling, limit), the higher
        ratio first, then the block's length order."""
        sorted_block = self._by_length.get(prefix) or self._sort_block(prefix)
        lengths, ordered = sorted_block
        windows = []
        for spelling, _ in queries:
            size = len(spelling)
            windows.append(
                (
                    bisect_left(lengths, int(size * _LENGTH_RATIO)),
                    bisect_right(lengths, int(size / _LENGTH_RATIO) + 1),
                )
            )
        out: list[list[tuple[str, float]]] = []
        # Bounded chunks keep the score matrix small (at most 256 x the block's spellings).
        for start in range(0, len(queries), 256):
            chunk = range(start, min(start + 256, len(queries)))
            lo = min(windows[k][0] for k in chunk)
            hi = max(windows[k][1] for k in chunk)
            if lo >= hi:
                out += [[] for _ in chunk]
                continue
            scores = process.cdist(
                [queries[k][0] for k in chunk],
                ordered[lo:hi],
                scorer=fuzz.ratio,
                score_cutoff=_FUZZY_CUTOFF,
                dtype=numpy.float64,
                workers=1,
            )
            for row, k in zip(scores, chunk, strict=True):
                first, last = windows[k]
                if first >= last:
                    out.append([])
                    continue
                window = row[first - lo : last - lo]
                hits = numpy.flatnonzero(window)
                # process.extract's order: the higher ratio first, then the earlier choice.
                order = numpy.lexsort((hits, -window[hits]))[: queries[k][1]]
                out.append([(ordered[first + int(j)], float(window[j])) for j in hits[order]])
        return out


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
