"""A compact copy of the part of lemminflect's dictionary the linter reads, shipped with the
package so that a linter process does not pay for lemminflect's start.

Importing lemminflect costs about 0.13 s (numpy) and reading its dictionaries about 0.45 s more,
which alone would break the command line's 0.2 s budget for a CI step. This file holds, for every
lowercase word, `getAllLemmas(word)` and, for every lowercase lemma, `getAllInflections(lemma,
"VERB")`, as sorted lines read in about 30 ms on first use. It is built from the installed
lemminflect (`python -m telemetry.naming.lexicon_index`), and a test checks that it still equals
a fresh build, so it cannot drift from the library.
"""

from __future__ import annotations

import gzip
import json
from bisect import bisect_left
from pathlib import Path

INDEX = Path(__file__).with_name("lexicon_index.txt.gz")
VERB_TAGS = ("VB", "VBD", "VBG", "VBN", "VBP", "VBZ")

_lines: list[bytes] | None = None


def build() -> bytes:
    import lemminflect
    from lemminflect.core.Inflections import Inflections
    from lemminflect.core.Lemmatizer import Lemmatizer

    lemmatizer, inflections = Lemmatizer(), Inflections()
    lines = []
    words = set(lemmatizer._getLemmaDict()) | set(lemmatizer._getOverridesDict())
    for word in words:
        # Lookups lowercase the word first, so only lowercase keys can ever be reached.
        if word != word.lower() or "\t" in word or "\n" in word:
            continue
        lemmas = lemminflect.getAllLemmas(word)
        if lemmas:
            lines.append(b"L" + word.encode() + b"\t" + _dump(lemmas))
    lemmas = set(inflections._getInflDict()) | set(inflections._getOverridesDict())
    for lemma in lemmas:
        if lemma != lemma.lower() or "\t" in lemma or "\n" in lemma:
            continue
        forms = lemminflect.getAllInflections(lemma, "VERB")
        if forms:
            lines.append(b"I" + lemma.encode() + b"\t" + _dump(forms))
    lines.sort()
    return gzip.compress(b"\n".join(lines) + b"\n", mtime=0)


def _dump(value: dict) -> bytes:
    return json.dumps(
        {k: list(v) for k, v in sorted(value.items())}, separators=(",", ":")
    ).encode()


def _load() -> list[bytes]:
    global _lines
    if _lines is None:
        _lines = gzip.decompress(INDEX.read_bytes()).split(b"\n")
    return _lines


def available() -> bool:
    return INDEX.exists()


def _get(kind: bytes, key: str) -> dict[str, tuple[str, ...]]:
    lines = _load()
    prefix = kind + key.encode() + b"\t"
    i = bisect_left(lines, prefix)
    if i < len(lines) and lines[i].startswith(prefix):
        return {k: tuple(v) for k, v in json.loads(lines[i][len(prefix) :]).items()}
    return {}


def lemmas(word: str) -> dict[str, tuple[str, ...]]:
    """lemminflect.getAllLemmas(word) for a lowercase word."""
    return _get(b"L", word)


def verb_inflections(lemma: str) -> dict[str, tuple[str, ...]]:
    """lemminflect.getAllInflections(lemma, "VERB") for a lowercase lemma."""
    return _get(b"I", lemma)


if __name__ == "__main__":
    INDEX.write_bytes(build())
    print(f"wrote {INDEX} ({INDEX.stat().st_size:,} bytes)")
