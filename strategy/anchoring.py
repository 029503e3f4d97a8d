"""Where an anchored point belongs in a new version. Pure Python (rapidfuzz), no Django.

A point quotes a passage of a section. When a new version no longer contains that passage, the
anchor moves to the most similar sentence of the new version (rapidfuzz's weighted ratio), and the
author is asked whether the point still applies. Below MIN_SCORE nothing is similar enough: the
point goes back to the strategy as a whole rather than sit on an unrelated sentence.
"""

import re

from rapidfuzz import fuzz, process

MIN_SCORE = 60
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_MARKUP = re.compile(r"[#*_>`\[\]]+")


def _clean(text: str) -> str:
    return " ".join(_MARKUP.sub(" ", text).split())


def still_there(quote: str, markdown: str) -> bool:
    return _clean(quote).lower() in _clean(markdown).lower()


def passages(sections: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(section key, sentence) for every sentence of every section."""
    out = []
    for key, markdown in sections:
        for sentence in _SENTENCE.split(markdown):
            text = _clean(sentence)
            if len(text) >= 12:
                out.append((key, text))
    return out


def relocate(quote: str, candidates: list[tuple[str, str]]) -> tuple[str, str, float] | None:
    """(section key, passage, score 0–100) of the most similar passage, or None."""
    if not candidates or not _clean(quote):
        return None
    found = process.extractOne(_clean(quote), [text for _, text in candidates], scorer=fuzz.WRatio)
    if found is None or found[1] < MIN_SCORE:
        return None
    _, score, index = found
    key, text = candidates[index]
    return key, text, round(score, 1)
