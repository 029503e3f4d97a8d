"""The linter's messages: each violation says what is wrong and how to fix it, and a name
without a suggestion gets a note saying why.

Pure Python with no Django import.
"""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

from telemetry.naming.convention import PROPERTY_TYPES, Convention, canonical_type


class Violation(NamedTuple):
    rule: str
    message: str
    part: str = ""


class LintResult(NamedTuple):
    name: str
    ok: bool
    violations: tuple[Violation, ...]
    suggestion: str | None
    note: str = ""

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "ok": self.ok,
            "violations": [v._asdict() for v in self.violations],
            "suggestion": self.suggestion,
            "note": self.note,
        }


# Tuples, not frozen dataclasses: the linter makes one result and a violation or two for every
# name, and building a tuple from its fields skips the keyword handling of the constructor.
violation = partial(tuple.__new__, Violation)
result = partial(tuple.__new__, LintResult)


CASE_HELP = {
    "title": "Title Case words separated by single spaces, e.g. 'Order Completed'",
    "snake": "snake_case, e.g. 'order_completed'",
    "camel": "camelCase, e.g. 'orderCompleted'",
    "dotted": "category.name in snake_case, e.g. 'checkout.order_completed'",
}
CASE_MESSAGE = {style: f"Use {text}." for style, text in CASE_HELP.items()}
PROPERTY_CASE_MESSAGE = {
    style: f"Use {text} for property names." for style, text in CASE_HELP.items()
}
TENSE_HELP = {"past": "past tense", "present": "present tense (base form)"}


def show(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def empty_violation(kind: str) -> Violation:
    example = "'Order Completed'" if kind == "event" else "'plan_type'"
    return Violation("empty", f"The {kind} name is empty; e.g. {example}.")


def shared_violation(cache: dict, make, *args) -> Violation:
    """`make(*args)`, built the first time: these violations depend only on a word or two."""
    key = (make, *args)
    found = cache.get(key)
    if found is None:
        if len(cache) > 50_000:  # bound memory against endless random words
            cache.clear()
        found = cache[key] = make(*args)
    return found


MISSING_ACTION = Violation(
    "missing-action",
    "No action recognised; say what happened with a past-tense verb, e.g. 'Product Viewed'.",
)
MISSING_CATEGORY = Violation(
    "missing-category", "Start with a category, e.g. 'checkout.order_completed'."
)
WORD_ORDER_HELP = {
    "object_action": "Put the words in the order object then action.",
    "action_object": "Put the words in the order action first.",
}


def redundant_violation(word: str) -> Violation:
    return Violation(
        "redundant-word", f"'{word}' adds nothing to an event's name; leave it out.", word
    )


def abbreviation_violation(short: str, full: str) -> Violation:
    return Violation("abbreviation", f"'{short}' is an abbreviation; write '{full}'.", short)


def unknown_action_violation(form: str) -> Violation:
    return Violation(
        "unknown-action",
        f"'{form}' is not in the convention's actions; use a known verb or add it to your team's "
        "words.",
        form,
    )


def tense_violation(form: str, wanted: str, tense: str, style: str) -> Violation:
    if style == "title":
        wanted = wanted.title()
    return Violation(
        "tense",
        f"Write the action in the {TENSE_HELP[tense]}: '{wanted}', not '{form}'.",
        form,
    )


def missing_object_violation(done: str) -> Violation:
    return Violation("missing-object", f"Say what was {done}, e.g. 'Product {done.title()}'.")


NO_ACTION_NOTE = "No suggestion: no action verb was recognised, so the linter will not guess one."
AMBIGUOUS_NOTE = "No suggestion: every rewrite the linter tried would read ambiguously."


def no_suggestion_note(
    rules: set[str] | frozenset[str],
    conv: Convention,
    *,
    action_form: str | None,
    doubt: str,
    objects: tuple[str, ...] | list[str],
    confident: bool,
) -> str:
    """Why a name gets no suggestion; `rules` are the ids of its violations."""
    if "empty" in rules or "no-words" in rules:
        return "No suggestion: the name has no words to work with."
    if "missing-action" in rules:
        return NO_ACTION_NOTE
    if "unknown-action" in rules:
        return (
            f"No suggestion: '{action_form}' is not a known action; if it is one, add it "
            "to your team's words."
        )
    if doubt == "unknown-object":
        words = " ".join(objects)
        return (
            f"No suggestion: none of '{show(words)}' is a known object, so the linter will not "
            "reorder them; add the object to your team's words if it is one."
        )
    if not confident:
        return (
            f"No suggestion: '{action_form}' could be a noun or the action here; write "
            "the action in the past tense to make it clear."
        )
    if "missing-object" in rules:
        return "No suggestion: the name does not say which object the action happened to."
    if "reserved-name" in rules:
        return "No suggestion: reserved names cannot be repaired automatically."
    if "missing-category" in rules:
        return "No suggestion: the linter cannot choose the category for you."
    if "max-length" in rules:
        return f"No suggestion: it would still be longer than {conv.max_length} characters."
    return "No suggestion passes every rule; rename it by hand."


def property_type_violation(type: str) -> Violation:
    meant = canonical_type(type)
    message = (
        f"Write the type as '{meant}', not '{show(type)}'."
        if meant
        else f"Unknown type '{show(type)}'; use one of {', '.join(PROPERTY_TYPES)}."
    )
    return Violation("property-type", message, show(type))


def property_note(rules: set[str], has_words: bool) -> str:
    """Why a property name gets no suggestion; `rules` are the ids of its violations."""
    if rules == {"property-type"}:
        return "The name is fine; only the type needs fixing."
    if "reserved-name" in rules:
        return "No suggestion: reserved names cannot be repaired automatically."
    if not has_words:
        return "No suggestion: the name has no words to work with."
    return "No suggestion passes every rule; rename it by hand."
