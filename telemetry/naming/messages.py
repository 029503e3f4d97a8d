"""The linter's messages: each violation says what is wrong and how to fix it, and a name
without a suggestion gets a note saying why.

Pure Python with no Django import.
"""

from __future__ import annotations

from functools import lru_cache, partial
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
    "title": "Title Case words separated by single spaces",
    "snake": "snake_case",
    "camel": "camelCase",
    "dotted": "category.name in snake_case",
}
TENSE_HELP = {"past": "past tense", "present": "present tense (base form)"}
# The example verbs in each tense a convention may ask for ("any" shows the past).
_EXAMPLE_VERBS = {"view": "viewed", "complete": "completed", "create": "created", "type": "typed"}


def example(conv: Convention, objects: tuple[str, ...] = ("order",), verb: str = "complete") -> str:
    """A name written as `conv` wants it, for messages: under the Segment preset "Order
    Completed", under snake_case action first in the present tense "complete_order"."""
    action = verb if conv.tense == "present" else _EXAMPLE_VERBS.get(verb, verb + "ed")
    words = [*objects, action] if conv.word_order == "object_action" else [action, *objects]
    style = conv.event_case
    if style == "title":
        return " ".join(w.title() for w in words)
    if style == "camel":
        return words[0] + "".join(w.title() for w in words[1:])
    body = "_".join(words)
    return f"checkout.{body}" if style == "dotted" else body


@lru_cache(maxsize=64)
def case_message(conv: Convention) -> str:
    return f"Use {CASE_HELP[conv.event_case]}, e.g. '{example(conv)}'."


@lru_cache(maxsize=64)
def property_case_message(style: str) -> str:
    sample = {"title": "Plan Type", "snake": "plan_type", "camel": "planType"}[style]
    return f"Use {CASE_HELP[style]} for property names, e.g. '{sample}'."


def show(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def empty_violation(kind: str, conv: Convention) -> Violation:
    if kind == "event":
        sample = example(conv)
    else:
        style = "snake" if conv.property_case == "dotted" else conv.property_case
        sample = {"title": "Plan Type", "snake": "plan_type", "camel": "planType"}[style]
    return Violation("empty", f"The {kind} name is empty; e.g. '{sample}'.")


def shared_violation(cache: dict, make, *args) -> Violation:
    """`make(*args)`, built the first time: these violations depend only on a word or two."""
    key = (make, *args)
    found = cache.get(key)
    if found is None:
        if len(cache) > 50_000:  # bound memory against endless random words
            cache.clear()
        found = cache[key] = make(*args)
    return found


@lru_cache(maxsize=64)
def missing_action_violation(conv: Convention) -> Violation:
    tense = "a past-tense verb" if conv.tense != "present" else "a verb in the present tense"
    return Violation(
        "missing-action",
        f"No action recognised; say what happened with {tense}, e.g. "
        f"'{example(conv, ('product',), 'view')}'.",
    )


MISSING_CATEGORY = Violation(
    "missing-category", "Start with a category, e.g. 'checkout.order_completed'."
)


@lru_cache(maxsize=64)
def word_order_message(conv: Convention) -> str:
    order = "object then action" if conv.word_order == "object_action" else "action first"
    return f"Put the words in the order {order}, e.g. '{example(conv)}'."


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


def missing_object_violation(done: str, conv: Convention) -> Violation:
    words = done.split(" ")
    sample = [*words, "product"] if conv.word_order == "action_object" else ["product", *words]
    style = conv.event_case
    if style == "title":
        shown = " ".join(w.title() for w in sample)
    elif style == "camel":
        shown = sample[0] + "".join(w.title() for w in sample[1:])
    else:
        shown = ("checkout." if style == "dotted" else "") + "_".join(sample)
    return Violation("missing-object", f"Say what the action happened to, e.g. '{shown}'.")


# Notes say why a name has no suggestion; whoever shows one says "no suggestion" first (the
# register form: "No confident suggestion: <note>"; the command line: "no suggestion: <note>").
NO_ACTION_NOTE = "no action verb was recognised, so the linter will not guess one."
AMBIGUOUS_NOTE = "every rewrite the linter tried would read ambiguously."


def no_suggestion_note(
    rules: set[str] | frozenset[str],
    conv: Convention,
    *,
    action_form: str | None,
    doubt: str,
    objects: tuple[str, ...] | list[str],
    confident: bool,
    category: tuple[str, ...] = (),
) -> str:
    """Why a name gets no suggestion; `rules` are the ids of its violations."""
    if "empty" in rules or "no-words" in rules:
        return "the name has no words to work with."
    if "missing-action" in rules:
        return NO_ACTION_NOTE
    if "unknown-action" in rules:
        return f"'{action_form}' is not a known action; if it is one, add it to your team's words."
    clear = "past tense" if conv.tense != "present" else "present tense"
    if doubt == "unknown-object":
        words = " ".join(objects)
        return (
            f"'{show(words)}' does not read as the thing '{action_form}' acted on, so the linter "
            "will not reorder the words; add it to your team's objects if it is one."
        )
    if doubt == "control":
        return (
            f"'{action_form}' may name a button or menu item rather than what happened; name "
            f"what happened, e.g. '{example(conv, ('button',), 'click')}'."
        )
    if doubt == "event-noun":
        return (
            "the name ends in a noun that names the event (an impression, a failure...); "
            f"say it with a verb, e.g. '{example(conv, ('card',), 'view')}'."
        )
    if doubt == "intransitive":
        return (
            f"'{action_form}' takes no object, so '{show(' '.join(objects))}' is not what it "
            "happened to; the name may be a page or a button. Name what happened, e.g. "
            f"'{example(conv, ('button',), 'click')}'."
        )
    if doubt == "purpose":
        return (
            f"'{action_form}' and the 'to' after it say what a button or prompt is for, not what "
            f"happened; name what happened, e.g. '{example(conv, ('button',), 'click')}'."
        )
    if doubt == "modifier" and objects:
        return (
            f"'{show(objects[-1] + ' ' + action_form)}' may name a kind of {action_form} rather "
            f"than say what happened; name what happened, e.g. "
            f"'{example(conv, ('button',), 'click')}'."
        )
    if doubt == "category-action" and category:
        return (
            f"the category '{show(' '.join(category))}' already says what happened, so "
            f"'{action_form}' may say which kind of it rather than be the action; the name is "
            "ambiguous, so rename it by hand."
        )
    if doubt == "category-phrase" and category:
        return (
            f"'{show(' '.join(category))}' reads on into the name, which may name an item of it "
            f"rather than say that '{action_form}' happened; the name is ambiguous, so rename it "
            "by hand."
        )
    if doubt == "negation":
        return (
            "moving the words around would change what the negation applies to; rename it by hand."
        )
    if not confident:
        return (
            f"'{action_form}' could be a noun or the action here; write the action in the "
            f"{clear} to make it clear."
        )
    if "missing-object" in rules:
        return "the name does not say which object the action happened to."
    if "reserved-name" in rules:
        return "reserved names cannot be repaired automatically."
    if "missing-category" in rules:
        return "the linter cannot choose the category for you."
    if "max-length" in rules:
        return f"it would still be longer than {conv.max_length} characters."
    return "no rewrite passes every rule; rename it by hand."


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
        return "reserved names cannot be repaired automatically."
    if not has_words:
        return "the name has no words to work with."
    return "no rewrite passes every rule; rename it by hand."
