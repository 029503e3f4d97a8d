"""Groups points that make the same argument in other words, so the owner answers them once and
their weight shows. Pure Python (rapidfuzz), no Django.

Two points are alike when, after dropping common words, their words overlap strongly
(rapidfuzz's token-set ratio, which ignores order and extra words). Groups grow by single link
within the same family of kinds (objections with objections, questions with questions), across
sections and teams. It catches rewordings that share the key words ("wallet fees eat the
margin" / "the margin is eaten by wallet fees"), not true paraphrases with no word in common;
the owner splits out any point that does not belong.
"""

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

THRESHOLD = 72  # 0–100; below this, rewordings of different concerns started to merge in trials
FAMILIES = {
    "concern": "objection",
    "pushback": "objection",
    "risk": "objection",
    "question": "question",
    "idea": "idea",
    "alternative": "alternative",
}
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "we",
        "our",
        "us",
        "you",
        "your",
        "they",
        "their",
        "them",
        "i",
        "me",
        "my",
        "will",
        "would",
        "should",
        "can",
        "could",
        "may",
        "might",
        "must",
        "do",
        "does",
        "did",
        "not",
        "no",
        "so",
        "than",
        "then",
        "too",
        "very",
        "just",
        "more",
        "most",
        "less",
        "also",
        "into",
        "about",
        "over",
        "under",
        "up",
        "down",
        "out",
        "what",
        "which",
        "who",
        "whom",
        "how",
        "why",
        "when",
        "where",
        "all",
        "any",
        "each",
    ]
)
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Item:
    key: str
    kind: str
    text: str


def normalise(text: str) -> str:
    words = [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS and len(w) > 2]
    # A crude plural fold, so "fees"/"fee" and "margins"/"margin" meet.
    return " ".join(w[:-1] if w.endswith("s") and len(w) > 4 else w for w in words)


def similarity(a: str, b: str) -> float:
    na, nb = normalise(a), normalise(b)
    if not na or not nb:
        return 0.0
    return fuzz.token_set_ratio(na, nb)


def cluster(items: list[Item], *, threshold: float = THRESHOLD) -> list[list[str]]:
    """Groups of two or more keys, largest first; every other item stays on its own."""
    parent = {item.key: item.key for item in items}

    def root(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    texts = {item.key: item.text for item in items}
    for i, a in enumerate(items):
        for b in items[i + 1 :]:
            if FAMILIES.get(a.kind) is None or FAMILIES.get(a.kind) != FAMILIES.get(b.kind):
                continue
            if similarity(texts[a.key], texts[b.key]) >= threshold:
                parent[root(a.key)] = root(b.key)
    groups: dict[str, list[str]] = {}
    for item in items:
        groups.setdefault(root(item.key), []).append(item.key)
    return sorted((g for g in groups.values() if len(g) > 1), key=lambda g: (-len(g), g[0]))
