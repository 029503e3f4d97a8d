"""The shipped word index is lemminflect's dictionary, answered without loading lemminflect."""

import subprocess
import sys

import pytest

from telemetry.naming import lexicon, lexicon_index


def test_the_shipped_index_equals_a_fresh_build_from_the_installed_lemminflect():
    assert lexicon_index.INDEX.read_bytes() == lexicon_index.build(), (
        "lemminflect changed: rebuild with `python -m telemetry.naming.lexicon_index`"
    )


WORDS = [
    "placed",
    "occurred",
    "viewed",
    "results",
    "login",
    "logged",
    "search",
    "unpinned",
    "resubscribed",
    "shredding",
    "went",
    "read",
    "set",
    "frecency",
    "data",
    "tabs",
]


@pytest.mark.parametrize("word", WORDS)
def test_the_index_answers_as_lemminflect_does(word, monkeypatch):
    from_index = (lexicon.classes(word), lexicon.verb_form(word), lexicon.plural_noun(word))
    for cached in (lexicon.classes, lexicon.verb_form, lexicon.plural_noun, lexicon.past):
        cached.cache_clear()
    monkeypatch.setattr(lexicon, "_INDEXED", False)
    try:
        from_library = (lexicon.classes(word), lexicon.verb_form(word), lexicon.plural_noun(word))
    finally:
        for cached in (lexicon.classes, lexicon.verb_form, lexicon.plural_noun, lexicon.past):
            cached.cache_clear()
    assert from_index == from_library


def test_linting_does_not_import_lemminflect():
    code = (
        "import sys\n"
        "from telemetry.naming import PRESETS, lint_events\n"
        "lint_events(['Order Placed', 'clickedSignupBtn'], PRESETS['segment'])\n"
        "print('lemminflect' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
