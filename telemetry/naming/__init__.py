"""The naming linter: checks event and property names against a convention and suggests one
name that passes every rule — or says why it cannot.

Pure Python with no Django import, so the command line and CI use it offline:
`python -m telemetry.naming lint clickedSignupBtn view_product`.

Nothing here raises on user input: empty, huge, control characters, emoji, right-to-left text all
come back as violations with a message. Results are cached per (name, convention).

The modules: `convention` (the rules as data) and `words` (the shipped team vocabulary);
`text` (words out of any case style), `lexicon` (English word classes and verb forms, from
lemminflect's dictionary, read through `lexicon_index` so that linting never imports lemminflect),
`structure` (a name as category, objects, action, qualifiers, and back); `rules` and `messages`;
`lint` (the full rules); `plain` and `plans` (the cached short way for plain names, which must
answer the same); `cli`.
"""

from telemetry.naming.cli import main
from telemetry.naming.convention import (
    CASE_STYLES,
    DEFAULT_FORBIDDEN_CHARS,
    DEFAULT_PRESET,
    DEFAULT_RESERVED_NAMES,
    DEFAULT_RESERVED_PROPERTY_NAMES,
    PRESETS,
    PROPERTY_TYPES,
    TENSES,
    WORD_ORDERS,
    Convention,
    FrozenMap,
    canonical_type,
)
from telemetry.naming.lint import (
    collector_paused,
    lint_event,
    lint_event_in_full,
    lint_events,
    lint_properties,
    lint_property,
    lint_property_in_full,
)
from telemetry.naming.messages import LintResult, Violation
from telemetry.naming.structure import ParsedName, parse, render
from telemetry.naming.text import normalise, regular_past, singular

__all__ = [
    "CASE_STYLES",
    "DEFAULT_FORBIDDEN_CHARS",
    "DEFAULT_PRESET",
    "DEFAULT_RESERVED_NAMES",
    "DEFAULT_RESERVED_PROPERTY_NAMES",
    "PRESETS",
    "PROPERTY_TYPES",
    "TENSES",
    "WORD_ORDERS",
    "Convention",
    "FrozenMap",
    "LintResult",
    "ParsedName",
    "Violation",
    "canonical_type",
    "collector_paused",
    "lint_event",
    "lint_event_in_full",
    "lint_events",
    "lint_properties",
    "lint_property",
    "lint_property_in_full",
    "main",
    "normalise",
    "parse",
    "regular_past",
    "render",
    "singular",
]
