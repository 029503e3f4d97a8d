"""The linter's short way for the names registries are mostly made of: one segment of letters
and single separators (numbers and dates among the words allowed), nothing reserved.

Pure Python with no Django import. `lint_plain_event` and `lint_plain_property` answer exactly
what `lint.lint_event_in_full` and `lint.lint_property_in_full` would (tests hold them to
that over real and synthetic names in many conventions), but read a name's structure from the
plans of `naming.plans`. A name then pays only for splitting, its case check, and putting its
own words into the messages and the suggestion. Anything unusual returns None, and the caller
goes the long way.
"""

from __future__ import annotations

from telemetry.naming.convention import PROPERTY_TYPES, Convention
from telemetry.naming.messages import (
    NO_ACTION_NOTE,
    LintResult,
    abbreviation_violation,
    no_suggestion_note,
    property_note,
    property_type_violation,
    result,
    shared_violation,
    violation,
)
from telemetry.naming.plans import (
    LONG_WAY,
    PENDING,
    SUGGEST,
    action_for,
    action_violations,
    caches_for,
    outcome_for,
    plan_for,
    settle_note,
)
from telemetry.naming.rules import case_ok, dynamic_violations
from telemetry.naming.structure import Engine, expand
from telemetry.naming.text import SEPARATOR_RUN_RE, TOKEN_RE, strip_dynamic


def lint_plain_event(name: str, conv: Convention, eng: Engine) -> LintResult | None:
    caches = eng.plain or caches_for(eng)
    if len(name) > conv.max_length or "." in name:
        return None
    body = text = name
    out: tuple = ()
    if not caches.plain_match(name):
        # Plain but for a number or a date among the words: "Signed Up 2019-11-01".
        if not caches.numbered_match(name) or name[: eng.longest_prefix].lower().startswith(
            eng.prefixes
        ):
            return None
        body, dynamic = strip_dynamic(name)
        text = SEPARATOR_RUN_RE.sub("", body).strip(" _-.")
        if not dynamic or not caches.plain_match(text):
            return None
        out = tuple(dynamic_violations(dynamic))
    # `segment_words` for a plain name: lowercase, Title Case and CAPS split at separators.
    flat = text.replace("_", " ").replace("-", " ")
    if flat.islower() or flat.istitle() or flat.isupper():
        words = flat.lower().split()
    else:
        words = list(map(str.lower, TOKEN_RE.findall(text)))
    key = tuple(map(caches.classes.__getitem__, words))
    plan = caches.plans.get(key) or plan_for(key, words, caches, conv, eng)
    if plan.careful and (
        plan.fallback
        or (plan.prefixed and name[: eng.longest_prefix].lower().startswith(eng.prefixes))
        or (
            plan.reserved
            and len(body) <= eng.reserved_length
            and "_".join(words) in eng.reserved_names
        )
    ):
        return None
    case_bad = not caches.case_match(text) or (
        caches.title and not text.istitle() and not case_ok(text, "title")
    )
    if plan.expansion:
        out += _abbreviations(words, plan.expansion, eng)
    if case_bad:
        shown = text if len(text) <= 40 else text[:39] + "…"  # see messages.show
        out = (*out, violation(("case", caches.case_message, shown)))
    if not plan.action:
        return result((name, False, out + caches.no_action, None, NO_ACTION_NOTE))
    if plan.expansion:
        expanded: list[str] = []
        spelt = caches.expansions
        for w, full in zip(words, plan.expansion, strict=True):
            if full:
                expanded += spelt.get(w) or spelt.setdefault(w, eng.abbreviations[w].split(" "))
            else:
                expanded.append(w)
        words = expanded
    at = plan.at
    form = words[at] if plan.span == 1 else " ".join(words[at : at + plan.span])
    action = caches.actions.get(form) or action_for(form, caches, conv, eng)
    outcome = plan.outcomes.get(action.signature) or outcome_for(plan, action, words, conv, eng)
    kind = outcome.kind
    if kind == LONG_WAY:
        return None
    if outcome.ok and not case_bad and text is name:
        return result((name, True, (), None, ""))
    before_order, after_order = action.violations.get(outcome.mask) or action_violations(
        action, outcome.mask
    )
    out += before_order
    if plan.order_bad:
        shown = text if len(text) <= 40 else text[:39] + "…"
        out = (*out, violation(("word-order", caches.order_message, shown)))
    out += after_order
    objects = words[plan.objects[0] : plan.objects[1]]
    if kind == SUGGEST:
        ordered = action.spoken + objects if outcome.action_first else objects + action.spoken
        ordered += words[plan.qualifiers_from :]
        if outcome.capitalise:
            # Only plain words, none of them an acronym or a small word to keep lowercase.
            candidate = " ".join(ordered).title()
        elif caches.title:
            pieces = list(map(caches.titles.__getitem__, ordered))
            for k in outcome.lowercase:
                pieces[k] = ordered[k]
            candidate = " ".join(pieces)
        elif caches.camel:
            candidate = ordered[0] + "".join(map(str.capitalize, ordered[1:]))
        else:
            candidate = "_".join(ordered)
        if not (
            candidate == name
            or len(candidate) > conv.max_length
            or (
                outcome.careful
                and (
                    (
                        outcome.prefixed
                        and candidate[: eng.longest_prefix].lower().startswith(eng.prefixes)
                    )
                    or (
                        outcome.reserved
                        and len(candidate) <= eng.reserved_length
                        and "_".join(ordered) in eng.reserved_names
                    )
                    or (
                        outcome.full_check
                        and (
                            eng.bad_chars_re.search(candidate)
                            or (conv.forbid_dynamic_values and strip_dynamic(candidate)[1])
                        )
                    )
                )
            )
        ):
            return result((name, False, out, candidate, ""))
    note = outcome.note
    if note is PENDING:
        note = settle_note(outcome, plan, conv)
    if note is None:
        note = no_suggestion_note(
            {v.rule for v in outcome.rules},
            conv,
            action_form=form,
            doubt=plan.doubt,
            objects=objects,
            confident=plan.confident,
        )
    return result((name, False, out, None, note))


def _abbreviations(words: list[str], expansion: tuple, eng: Engine) -> tuple:
    """The violations of a name's abbreviations, once each, in the order written: a plan is
    shared by names with different abbreviations of the same classes."""
    found: dict[str, object] = {}
    for w, full in zip(words, expansion, strict=True):
        if full and w not in found:
            found[w] = shared_violation(
                eng.violations, abbreviation_violation, w, eng.abbreviations[w]
            )
    return tuple(found.values())


# --- properties -------------------------------------------------------------------------------


def lint_plain_property(
    name: str, conv: Convention, eng: Engine, type: str | None
) -> LintResult | None:
    """`lint.lint_property_in_full` for a plain name: its words are expanded and rendered in the
    property case one by one, so a suggestion made only of words that read back as themselves
    (`_PropertyWords`) passes every rule but length, prefix and reserved names."""
    caches = eng.plain or caches_for(eng)
    if (
        len(name) > conv.max_length
        or "." in name
        or not caches.plain_match(name)
        or name[: eng.longest_prefix].lower().startswith(eng.prefixes)
    ):
        return None
    flat = name.replace("_", " ").replace("-", " ")
    if flat.islower() or flat.istitle() or flat.isupper():
        words = flat.lower().split()
    else:
        words = list(map(str.lower, TOKEN_RE.findall(name)))
    first_words = eng.reserved_first_property_words
    if (
        words[0] in first_words
        and len(name) <= eng.reserved_length
        and "_".join(words) in eng.reserved_property_names
    ):
        return None
    out: tuple = ()
    if not eng.abbreviations.keys().isdisjoint(words):
        found: list = []
        words = expand(words, eng, found)
        out = tuple(
            shared_violation(eng.violations, abbreviation_violation, short, full)
            for short, full in dict(found).items()
        )
    if not caches.property_case_match(name) or (
        caches.property_title and not name.istitle() and not case_ok(name, "title")
    ):
        shown = name if len(name) <= 40 else name[:39] + "…"  # see messages.show
        out = (*out, violation(("case", caches.property_case_message, shown)))
    if type is not None and type not in PROPERTY_TYPES:
        out = (*out, shared_violation(eng.violations, property_type_violation, type))
    if not out:
        return result((name, True, (), None, ""))
    if not (caches.property_separator_ok and all(map(caches.property_words.__getitem__, words))):
        return None
    style = caches.property_style
    if style == "snake":
        candidate = "_".join(words)
    elif style == "camel":
        candidate = words[0] + "".join(map(str.capitalize, words[1:]))
    else:
        candidate = " ".join(words).title()
    if (
        candidate == name
        or len(candidate) > conv.max_length
        or candidate[: eng.longest_prefix].lower().startswith(eng.prefixes)
        or (
            words[0] in first_words
            and len(candidate) <= eng.reserved_length
            and "_".join(words) in eng.reserved_property_names
        )
    ):
        return result((name, False, out, None, property_note({v.rule for v in out}, True)))
    return result((name, False, out, candidate, ""))
