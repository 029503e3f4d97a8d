"""Linting event and property names: the rules, then one suggestion that passes them all —
or a note saying why there is none.

Nothing here raises on user input: empty, huge, control characters, emoji, right-to-left text all
come back as violations with a message. Results are cached per (name, convention).
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from itertools import chain

from telemetry.naming import words as W
from telemetry.naming.convention import (
    PROPERTY_TYPES,
    Convention,
)
from telemetry.naming.messages import (
    AMBIGUOUS_NOTE,
    MISSING_CATEGORY,
    LintResult,
    Violation,
    abbreviation_violation,
    case_message,
    empty_violation,
    missing_action_violation,
    missing_object_violation,
    no_suggestion_note,
    property_case_message,
    property_note,
    property_type_violation,
    redundant_violation,
    shared_violation,
    show,
    tense_violation,
    unknown_action_violation,
    word_order_message,
)
from telemetry.naming.plain import lint_plain_event, lint_plain_property
from telemetry.naming.rules import case_ok, normalised_in, prepare
from telemetry.naming.structure import (
    Engine,
    ParsedName,
    action_text,
    engine,
    expand,
    joined,
    parse_words,
    render,
    render_words,
    rendered_segments,
)
from telemetry.naming.text import (
    segments,
    strip_dynamic,
)

# --- events ---------------------------------------------------------------------------------


def _event_violations(name: str, conv: Convention) -> tuple[tuple[Violation, ...], ParsedName]:
    if not name or name.isspace():
        return (empty_violation("event", conv),), ParsedName()
    eng = engine(conv)
    out: list[Violation] = []
    body, dynamic, prefix, case_text = prepare(name, conv, eng, out)
    parts = segments(body)
    parsed = parse_words(parts, dynamic, prefix, eng)
    if len(body) <= eng.reserved_length and normalised_in(
        parts, eng.reserved_names, eng.reserved_first_words
    ):
        out.append(
            Violation(
                "reserved-name",
                f"'{show(name.strip())}' is reserved by analytics tools; name what happened "
                "instead.",
                name.strip(),
            )
        )
    shared = eng.violations
    for word in parsed.redundant:
        out.append(shared_violation(shared, redundant_violation, word))
    if parsed.abbreviations:
        for short, full in dict(parsed.abbreviations).items():
            out.append(shared_violation(shared, abbreviation_violation, short, full))
    style = conv.event_case
    if case_text and not case_ok(case_text, style):
        out.append(Violation("case", case_message(conv), show(case_text)))
    action = parsed.action
    if not parsed.objects and action is None and not parsed.category:
        out.append(
            Violation(
                "no-words",
                "The name has no words in plain letters (A-Z); write it in English words.",
                show(name),
            )
        )
        return tuple(out), parsed
    if action is None:
        out.append(missing_action_violation(conv))
    else:
        form = parsed.action_form or ""
        if not parsed.known_action:
            out.append(shared_violation(shared, unknown_action_violation, form))
        tense = conv.tense
        if tense != "any" and (
            parsed.action_kind != "past"
            if tense == "past"
            else parsed.action_kind not in ("base", "third")
        ):
            wanted = action_text(parsed, conv)
            out.append(shared_violation(shared, tense_violation, form, wanted, tense, style))
        if parsed.order and parsed.order != conv.word_order:
            out.append(Violation("word-order", word_order_message(conv), show(case_text or name)))
        if not parsed.objects and not parsed.category and action not in W.OBJECTLESS_ACTIONS:
            out.append(
                shared_violation(shared, missing_object_violation, action_text(parsed, conv), conv)
            )
    if style == "dotted" and not parsed.category:
        out.append(MISSING_CATEGORY)
    return tuple(out), parsed


def _candidate_check(candidate: str, parsed: ParsedName, conv: Convention) -> tuple[bool, bool]:
    """(reads back as the same structure, passes every rule) for a suggestion `render` wrote.

    The same rules as `_event_violations`, without building messages: a suggestion is made for
    most bad names, so this runs as often as the linter itself. The tests check that every
    suggestion passes the full linter."""
    eng = engine(conv)
    planned = _planned_suggestion(parsed, conv, eng) if parsed.action else None
    if planned is not None and planned[0] == candidate:
        return planned[1], planned[2]
    parts = rendered_segments(candidate, conv.event_case, eng)
    again = parse_words(parts, (), "", eng)
    if not _same_structure(parsed, again, conv):
        return False, False
    passes = not (
        len(candidate) > conv.max_length
        or candidate.lower().startswith(eng.prefixes)
        or eng.bad_chars_re.search(candidate)
        or (conv.forbid_dynamic_values and strip_dynamic(candidate)[1])
        or not case_ok(candidate, conv.event_case)
        or again.abbreviations
        or again.redundant
        or (
            len(candidate) <= eng.reserved_length
            and normalised_in(parts, eng.reserved_names, eng.reserved_first_words)
        )
        or again.action is None
        or not again.known_action
        or (conv.tense == "past" and again.action_kind != "past")
        or (conv.tense == "present" and again.action_kind not in ("base", "third"))
        or (again.order and again.order != conv.word_order)
        or (not again.objects and not again.category and again.action not in W.OBJECTLESS_ACTIONS)
        or (conv.event_case == "dotted" and not again.category)
    )
    return True, passes


def _planned_suggestion(
    parsed: ParsedName, conv: Convention, eng: Engine
) -> tuple[str, bool, bool] | None:
    """(`render`'s suggestion, then `_candidate_check` of it) without reading the suggestion
    again — or None when that cannot be told this way.

    When every rendered word reads back as itself (`Engine.rendered_classes`), the suggestion's words
    are the ones rendered, so parsing it again only needs the action search for their word-class
    pattern, which `parse_words` has usually cached already. Anything unusual (camel case,
    abbreviations, a trailing redundant word, the action found elsewhere) goes the long way."""
    style = conv.event_case
    if style == "camel":
        return None
    action = parsed.action
    tense = conv.tense
    if tense == "past":
        said = eng.past.get(action) or parsed.action_form or action
    elif tense == "present":
        said = action
    else:
        said = parsed.action_form or action
    spoken = said.split(" ")
    objects = parsed.objects
    if style == "dotted":
        category = parsed.category
        if not category:
            return None
        head: tuple = ()
    else:
        category = ()
        head = parsed.category
    if conv.word_order == "object_action":
        words = [*joined(head, objects), *spoken]
        at = len(words) - len(spoken)
        cut = 0
    elif head:
        return None
    else:
        words = [*spoken, *objects]
        at = 0
        cut = len(objects)
    qualifier_from = len(words)
    words += parsed.qualifiers
    classes = eng.rendered_classes
    key = tuple(map(classes.__getitem__, words))
    if None in key or (category and None in map(classes.__getitem__, category)):
        return None
    if (len(words) > 1 and words[-1] in W.REDUNDANT_WORDS) or not W.AUXILIARIES.isdisjoint(words):
        return None
    shape = eng.shapes.get(key)
    # Not searched yet, no action, or the action found elsewhere: the long way tells.
    if shape is None or shape[0] != at or shape[1] != len(spoken) or (not at and shape[2] != cut):
        return None
    if len(spoken) == 1:
        info = eng.word_info.get(said)
        if info is None:
            return None
        base, kind, known = info[0], info[1], info[2]
    else:
        base, kind = eng.forms[said]
        known = True
    candidate = render_words(words, qualifier_from, parsed.category, conv)
    if base != action:
        return candidate, False, False
    order = "object_action" if at else ("action_object" if objects else None)
    parts = (tuple(category), tuple(words)) if category else (tuple(words),)
    lowered = candidate.lower()
    # Letters and allowed separators only (see `prepare`): no odd characters, nothing dynamic.
    plain = eng.plain_re.match(candidate) and "www." not in lowered
    passes = not (
        len(candidate) > conv.max_length
        or lowered.startswith(eng.prefixes)
        or (
            not plain
            and (
                eng.bad_chars_re.search(candidate)
                or (conv.forbid_dynamic_values and strip_dynamic(candidate)[1])
            )
        )
        or not case_ok(candidate, style)
        or (
            len(candidate) <= eng.reserved_length
            and normalised_in(parts, eng.reserved_names, eng.reserved_first_words)
        )
        or not known
        or (tense == "past" and kind != "past")
        or (tense == "present" and kind not in ("base", "third"))
        or (order and order != conv.word_order)
        or (not objects and not category and not head and base not in W.OBJECTLESS_ACTIONS)
    )
    return candidate, True, passes


def _same_structure(a: ParsedName, b: ParsedName, conv: Convention) -> bool:
    if conv.event_case == "dotted":
        same_head = a.category == b.category and a.objects == b.objects
    else:
        same_head = joined(b.category, b.objects) == joined(a.category, a.objects)
    return same_head and a.action == b.action and a.qualifiers == b.qualifiers


def lint_event_in_full(conv: Convention, name: str) -> LintResult:
    """`lint_event` without the short way of `naming.plain`, which must answer the same."""
    violations, parsed = _event_violations(name, conv)
    if not violations:
        return LintResult(name, True, (), None)
    suggestion = None
    reread = True
    # Names the rules already say cannot be repaired skip rendering (see no_suggestion_note for why).
    eng = engine(conv)
    hopeless = (
        (not parsed.known_action and parsed.action not in eng.past)
        # An analytics tool's own event ("page_view"): a look-alike name would only hide that.
        or any(v.rule == "reserved-name" for v in violations)
        or (conv.event_case == "dotted" and not parsed.category)
        or (
            not parsed.objects and not parsed.category and parsed.action not in W.OBJECTLESS_ACTIONS
        )
    )
    if parsed.confident and parsed.action and not hopeless:
        planned = _planned_suggestion(parsed, conv, eng)
        if planned is None:
            candidate = render(parsed, conv)
            if candidate and candidate != name:
                reread, passes = _candidate_check(candidate, parsed, conv)
                if passes:
                    suggestion = candidate
        elif planned[0] != name:
            candidate, reread, passes = planned
            if passes:
                suggestion = candidate
    if suggestion:
        note = ""
    elif not reread:
        note = AMBIGUOUS_NOTE
    else:
        note = no_suggestion_note(
            {v.rule for v in violations},
            conv,
            action_form=parsed.action_form,
            doubt=parsed.doubt,
            objects=parsed.objects,
            confident=parsed.confident,
            category=parsed.category,
        )
    return LintResult(name, False, violations, suggestion, note)


def lint_event(name: str, convention: Convention) -> LintResult:
    if not isinstance(name, str):
        name = "" if name is None else str(name)
    # Cached on the convention's engine with the name alone as the key: a (name, convention)
    # key would build a tuple and hash the convention for every name, even the repeated ones.
    # Sized for a lint request of 10,000 names; about 1.4 KB per cached result with its words.
    eng = engine(convention)
    results = eng.event_results
    found = results.get(name)
    if found is None:
        found = (name and lint_plain_event(name, convention, eng)) or lint_event_in_full(
            convention, name
        )
        if len(results) >= 16384:
            results.clear()
        results[name] = found
    return found


def lint_events(names: list[str], convention: Convention) -> list[LintResult]:
    """`lint_event` for each name, in order: how a CI job or the lint endpoint sends them.

    The loop asks the short way of `naming.plain` itself, without a call to `lint_event` per
    name: at 50,000 names a second that call is a tenth of the time."""
    eng = engine(convention)
    results = eng.event_results
    cached = results.get
    out: list[LintResult] = []
    append = out.append
    with collector_paused(len(names) >= 1000, promote=True):
        for name in names:
            if not isinstance(name, str):
                append(lint_event(name, convention))
                continue
            found = cached(name)
            if found is None:
                found = name and lint_plain_event(name, convention, eng)
                if found:
                    if len(results) >= 16384:
                        results.clear()
                    results[name] = found
                else:
                    found = lint_event(name, convention)
            append(found)
    return out


def lint_properties(
    names: list[str], convention: Convention, type: str | None = None
) -> list[LintResult]:
    """`lint_property` for each name, in order, like `lint_events`."""
    with collector_paused(len(names) >= 1000, promote=True):
        return [lint_property(name, convention, type) for name in names]


@contextmanager
def collector_paused(pause: bool = True, *, promote: bool = False):
    """A big batch builds a few hundred thousand result objects and no reference cycles, yet
    triggers full garbage collections that walk every object of the process (10-15% of the
    linter's time, 0.3-0.4 s of a 10,000-name lint request). They wait until the batch is
    done; the collector's state is restored after.

    With `promote`, for the linter's own batches: re-enabled, the collector would at once walk
    everything the batch made (a young collection of a few hundred thousand objects, 5-10% of
    a 50,000-name batch) only to keep it, as the results are cached. freeze then unfreeze
    moves them, and everything else young, straight to the oldest generation instead, where
    the next full collection looks at them as before. Not when something froze objects on
    purpose (a web worker's gc.freeze() after loading the app): unfreeze would release them."""
    was_enabled = gc.isenabled()
    if pause and was_enabled:
        gc.disable()
    try:
        yield
    finally:
        if pause and was_enabled:
            if promote and not gc.get_freeze_count():
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def _property_violations(name: str, conv: Convention) -> tuple[tuple[Violation, ...], list[str]]:
    if not name or name.isspace():
        return (empty_violation("property", conv),), []
    eng = engine(conv)
    out: list[Violation] = []
    body, _, _, case_text = prepare(name, conv, eng, out)
    parts = segments(body)
    if len(body) <= eng.reserved_length and normalised_in(
        parts, eng.reserved_property_names, eng.reserved_first_property_words
    ):
        out.append(
            Violation(
                "reserved-name",
                f"'{show(name.strip())}' is reserved by analytics tools; choose a more specific "
                "name.",
                name.strip(),
            )
        )
    found: list = []
    words = expand(list(chain.from_iterable(parts)), eng, found)
    if found:
        for short, full in dict(found).items():
            out.append(shared_violation(eng.violations, abbreviation_violation, short, full))
    style = "snake" if conv.property_case == "dotted" else conv.property_case
    if case_text and not case_ok(case_text, style):
        out.append(Violation("case", property_case_message(style), show(case_text)))
    if not words:
        out.append(
            Violation(
                "no-words",
                "The property name has no words in plain letters (A-Z); write it in English words.",
            )
        )
    return tuple(out), words


def _property_style(words: list[str], conv: Convention) -> str:
    if conv.property_case == "camel":
        return words[0] + "".join(w[:1].upper() + w[1:] for w in words[1:])
    if conv.property_case == "title":
        return " ".join(W.ACRONYMS.get(w) or w[:1].upper() + w[1:] for w in words)
    return "_".join(words)


def _property_candidate_ok(candidate: str, conv: Convention) -> bool:
    """The rules of `_property_violations` for a suggestion `_property_style` wrote, without
    messages."""
    eng = engine(conv)
    style = "snake" if conv.property_case == "dotted" else conv.property_case
    parts = rendered_segments(candidate, style, eng)
    return not (
        not parts
        or len(candidate) > conv.max_length
        or candidate.lower().startswith(eng.prefixes)
        or eng.bad_chars_re.search(candidate)
        or (conv.forbid_dynamic_values and strip_dynamic(candidate)[1])
        or not case_ok(candidate, style)
        or any(not eng.abbreviations.keys().isdisjoint(words) for words in parts)
        or (
            len(candidate) <= eng.reserved_length
            and normalised_in(parts, eng.reserved_property_names, eng.reserved_first_property_words)
        )
    )


def lint_property_in_full(conv: Convention, type: str | None, name: str) -> LintResult:
    """`lint_property` without the short way of `naming.plain`, which must answer the same."""
    violations, words = _property_violations(name, conv)
    if type is not None and type not in PROPERTY_TYPES:
        violations = (*violations, property_type_violation(type))
    if not violations:
        return LintResult(name, True, (), None)
    suggestion = None
    if words:
        candidate = _property_style(words, conv)
        if candidate != name and _property_candidate_ok(candidate, conv):
            suggestion = candidate
    note = "" if suggestion else property_note({v.rule for v in violations}, bool(words))
    return LintResult(name, False, violations, suggestion, note)


def lint_property(name: str, convention: Convention, type: str | None = None) -> LintResult:
    if not isinstance(name, str):
        name = "" if name is None else str(name)
    if type is not None and not isinstance(type, str):
        type = str(type)
    # Cached like lint_event's results, one cache per type.
    eng = engine(convention)
    caches = eng.property_results
    results = caches.get(type)
    if results is None:
        if len(caches) > 16:  # types are free text: bound the number of caches
            caches.clear()
        results = caches[type] = {}
    found = results.get(name)
    if found is None:
        found = (
            name and lint_plain_property(name, convention, eng, type)
        ) or lint_property_in_full(convention, type, name)
        if len(results) >= 16384:
            results.clear()
        results[name] = found
    return found
