"""Plans for the linter's short way (`naming.plain`): what the rules make of a plain name,
worked out once for all names alike and cached on the convention's engine.

Pure Python with no Django import. Plans are cached three times over:

- per word-class pattern (`Plan`): where the action sits, which structural rules fire, where
  the objects and qualifiers are. Words fall in the same class when every rule and the
  suggestion treat them alike (`_Classes`); a word the rules look at as itself (an
  abbreviation, "event", a word that does not read back as itself once rendered) is its own;
- per plan and kind of action word (`Outcome`, keyed by `Action.signature`): the violations
  that name the action, whether the name passes, and whether a suggestion can be made;
- per suggestion pattern (`_suggestion_pattern`), shared by plans of names written differently
  ("click_button", "buttonClicked"): whether the suggestion reads back as itself and passes
  every rule but the few that depend on its own words.
"""

from __future__ import annotations

import itertools
import re

from telemetry.naming import words as W
from telemetry.naming.convention import Convention
from telemetry.naming.messages import (
    AMBIGUOUS_NOTE,
    MISSING_CATEGORY,
    abbreviation_violation,
    case_message,
    missing_action_violation,
    missing_object_violation,
    no_suggestion_note,
    property_case_message,
    shared_violation,
    tense_violation,
    unknown_action_violation,
    word_order_message,
)
from telemetry.naming.rules import CASE_RES, case_ok
from telemetry.naming.structure import Engine, plain_lowercase, shape_of, title_word, word_info
from telemetry.naming.text import segment_words

PENDING = object()  # an outcome's note, not worked out yet
_SMALL = W.SMALL_WORDS
_REDUNDANT = W.REDUNDANT_WORDS
_OBJECTLESS = W.OBJECTLESS_ACTIONS

# What a plan comes to for an action (`Outcome.kind`).
LONG_WAY = 0  # the caller lints the name in full
NOTE = 1  # no suggestion; `Outcome.note` says why (None: the note names the name's words)
SUGGEST = 2  # a suggestion, unless it is the name itself, too long, prefixed or reserved


class PlainCaches:
    """The plans of one convention's engine, and the tables they read."""

    def __init__(self, eng: Engine):
        self.classes = _Classes(eng)
        self.titles = _Titles()
        self.plans: dict[tuple, Plan] = {}
        self.actions: dict[str, Action] = {}
        self.signatures: dict[tuple, int] = {}
        self.numbers = itertools.count()
        self.renderings: dict[tuple, tuple] = {}
        self.expansions: dict[str, list[str]] = {}  # abbreviation -> the words it stands for
        self.prefix_heads = frozenset(p[:k] for p in eng.prefixes for k in range(1, len(p) + 1))
        conv = eng.conv
        style = conv.event_case
        self.title = style == "title"
        self.camel = style == "camel"
        self.plain_match = eng.plain_re.match
        # A plain name with free-standing digits among its words.
        numbered = re.compile(eng.plain_re.pattern.replace("A-Za-z", "A-Za-z0-9"))
        self.numbered_match = numbered.match if conv.forbid_dynamic_values else _never
        self.case_match = CASE_RES[style].match
        self.case_message = case_message(conv)
        self.order_message = word_order_message(conv)
        missing = missing_action_violation(conv)
        self.no_action = (missing, MISSING_CATEGORY) if style == "dotted" else (missing,)
        property_style = "snake" if conv.property_case == "dotted" else conv.property_case
        self.property_style = property_style
        self.property_title = property_style == "title"
        self.property_case_match = CASE_RES[property_style].match
        self.property_case_message = property_case_message(property_style)
        self.property_words = _PropertyWords(eng)
        separator = {"snake": "_", "title": " "}.get(property_style, "")
        self.property_separator_ok = separator not in conv.forbidden_chars or not separator


def _never(text: str) -> None:
    return None


def _prefixed(eng: Engine, word: str) -> bool:
    """Whether a name starting with `word` (lowercase) could start with a reserved prefix:
    the word starts with one, or one starts with the word."""
    return word in eng.plain.prefix_heads or word.startswith(eng.prefixes)


class _Classes(dict):
    """Word -> its class in a plan's key.

    That is its class for the action search (`Engine.word_classes`), times 8, plus a bit for
    each check a name or its suggestion makes when the word comes first or is rendered in
    Title Case: the first word of a reserved name (1), the start of a reserved prefix (2), an
    acronym (4). An abbreviation is ("abbreviation", the classes of the words it stands for,
    its bits). A word the plan must know itself is ("word", word): "event", a word that does
    not read back as itself once rendered, an abbreviation of anything unusual."""

    def __init__(self, eng: Engine):
        super().__init__()
        self.eng = eng
        self.title = eng.conv.event_case == "title"
        # Glued into camelCase, single letters run together ("addAB" is "add", "ab").
        self.camel = eng.conv.event_case == "camel"

    def __missing__(self, w: str):
        eng = self.eng
        flags = (
            (w in eng.reserved_first_words)
            | _prefixed(eng, w) << 1
            | (w in W.ACRONYMS or (w[-1:] == "s" and w[:-1] in W.ACRONYMS)) << 2
        )
        full = eng.abbreviations.get(w)
        if full is not None:
            found = self._abbreviation(w, full, flags)
        elif (
            w in _REDUNDANT
            or w in W.AUXILIARIES
            or eng.rendered_classes[w] is None
            or (self.camel and len(w) == 1)
            or (self.title and not case_ok(title_word(w), "title"))
        ):
            found = ("word", w)
        else:
            found = eng.word_classes[w]
            if isinstance(found, int):
                found = found * 8 + flags
            elif flags:  # a word of a multi-word action, which is its own class anyway
                found = ("word", found)
        if len(self) > 200_000:  # bound memory against endless random words
            self.clear()
        self[w] = found
        return found

    def _abbreviation(self, w: str, full: str, flags: int):
        """An abbreviation's class: the classes of the words it stands for, so that "btn_clicked"
        and "img_clicked" share a plan (the name's own expansion and violation are read from
        the words at lint time). One that expands to anything unusual is its own class."""
        words = full.split(" ")
        if (self.camel and len(w) == 1) or not all(x.isalpha() for x in words):
            return ("word", w)
        classes = tuple(self[x] for x in words)
        if not all(isinstance(c, int) for c in classes):
            return ("word", w)
        return ("abbreviation", classes, flags)


class _Titles(dict):
    def __missing__(self, w: str) -> str:
        if len(self) > 200_000:
            self.clear()
        found = self[w] = title_word(w)
        return found


class Plan:
    """What the rules make of every name whose words have these classes."""

    __slots__ = (
        "careful",
        "fallback",
        "expansion",
        "expansion_key",
        "prefixed",
        "reserved",
        "before_case",
        "action",
        "at",
        "span",
        "objects",
        "qualifiers_from",
        "known",
        "confident",
        "doubt",
        "tense_bad",
        "order_bad",
        "outcomes",
    )


class Action:
    """An action word as a convention reads it: its base form, the form a suggestion says,
    the violations that name it, and `signature`, the number shared by every action word that
    a plan treats alike."""

    __slots__ = (
        "base",
        "spoken",
        "unknown",
        "tense",
        "missing_object",
        "signature",
        "violations",
    )


class Outcome:
    """What a plan comes to for the action words of one signature."""

    __slots__ = (
        "kind",
        "ok",
        "mask",
        "note",
        "rules",
        "action_first",
        "lowercase",
        "capitalise",
        "prefixed",
        "reserved",
        "full_check",
        "careful",
    )


def caches_for(eng: Engine) -> PlainCaches:
    eng.plain = PlainCaches(eng)
    return eng.plain


def plan_for(
    key: tuple, words: list[str], caches: PlainCaches, conv: Convention, eng: Engine
) -> Plan:
    """The plan for names whose words have the classes `key`, learnt from `words`."""
    plans = caches.plans
    if len(plans) > 100_000:  # bound memory against endless random words
        plans.clear()
    # Stored only once complete: another thread may be linting with the same engine.
    plan = plans[key] = _plan(words, conv, eng)
    return plan


def _plan(words: list[str], conv: Convention, eng: Engine) -> Plan:
    plan = Plan()
    plan.fallback = False
    plan.reserved = words[0] in eng.reserved_first_words
    plan.prefixed = _prefixed(eng, words[0])
    plan.careful = plan.reserved or plan.prefixed
    abbreviations = eng.abbreviations
    found: dict[str, str] = {}
    expansion = []
    expanded: list[str] = []
    for w in words:
        full = abbreviations.get(w)
        if full:
            found.setdefault(w, full)
            expansion.append(full.split(" "))
            expanded += full.split(" ")
        else:
            expansion.append(None)
            expanded.append(w)
    plan.expansion = tuple(expansion) if found else None
    # Expanded words that are not plain letters decide some checks of a suggestion themselves.
    expanded_words = [w for full in expansion if full for w in full]
    plain = all(w.isalpha() for w in expanded_words)
    plan.expansion_key = None if plain else tuple(expanded_words)
    # The plan is shared by names with other abbreviations of the same classes: of these two,
    # other names read only where an abbreviation stands and which rule it breaks (plain.py
    # reads each name's own abbreviations and violations from its words).
    plan.before_case = tuple(
        shared_violation(eng.violations, abbreviation_violation, short, full)
        for short, full in found.items()
    )
    if (len(expanded) > 1 and expanded[-1] in _REDUNDANT) or not W.AUXILIARIES.isdisjoint(expanded):
        plan.fallback = plan.careful = True
        return plan
    shape = shape_of(tuple(map(eng.word_classes.__getitem__, expanded)), expanded, eng)
    plan.action = shape is not None
    if shape is None:
        return plan
    i, span, cut, doubt = shape
    if span == 1:
        _, kind, known = word_info(expanded[i], eng)[:3]
    else:
        _, kind = eng.forms[" ".join(expanded[i : i + span])]
        known = True
    confident = not doubt
    if i:
        plan.objects, plan.qualifiers_from = (0, i), i + span
        order = "object_action"
    else:
        plan.objects = (span, span + cut)
        plan.qualifiers_from = span + cut
        order = "action_object" if cut else None
    tense = conv.tense
    plan.at, plan.span = i, span
    plan.known, plan.confident, plan.doubt = known, confident, doubt
    plan.tense_bad = tense != "any" and (
        kind != "past" if tense == "past" else kind not in ("base", "third")
    )
    plan.order_bad = bool(order) and order != conv.word_order
    plan.outcomes = {}
    return plan


def action_for(form: str, caches: PlainCaches, conv: Convention, eng: Engine) -> Action:
    action = Action()
    base = action.base = word_info(form, eng)[0]
    tense, style = conv.tense, conv.event_case
    # The action in the convention's tense (`naming.structure.action_text`).
    past, present = eng.past.get(base) or form, base
    said = past if tense == "past" else present if tense == "present" else form
    spoken = action.spoken = said.split(" ")
    shared = eng.violations
    action.unknown = (shared_violation(shared, unknown_action_violation, form),)
    if tense != "any":  # no action is in the wrong tense then
        action.tense = (shared_violation(shared, tense_violation, form, said, tense, style),)
    action.missing_object = (shared_violation(shared, missing_object_violation, said, conv),)
    # What the suggestion's check reads about the action: how the words it says read back.
    info = word_info(said, eng) if len(spoken) == 1 else (*eng.forms[said], True)
    read_back = info and (info[1], info[2], info[0] == base)
    signature = (
        base in _OBJECTLESS,
        base in eng.past,
        tuple(map(caches.classes.__getitem__, spoken)),
        read_back,
        said.replace(" ", "").isalpha(),
    )
    signatures = caches.signatures
    action.signature = signatures.get(signature)
    if action.signature is None:  # a number no other thread can draw; see structure._WordClasses
        action.signature = signatures.setdefault(signature, next(caches.numbers))
    action.violations = {}
    if len(caches.actions) > 100_000:
        caches.actions.clear()
    caches.actions[form] = action
    return action


def action_violations(action: Action, mask: int) -> tuple[tuple, tuple]:
    """The violations naming `action` that `mask` asks for (unknown action, tense, missing
    object, missing category: bits 0 to 3): those before the word-order violation, and those
    after it (see `lint._event_violations` for the order)."""
    unknown, tense, missing_object, dotted = (mask >> bit & 1 for bit in range(4))
    found = action.violations[mask] = (
        (*(action.unknown if unknown else ()), *(action.tense if tense else ())),
        (
            *(action.missing_object if missing_object else ()),
            *((MISSING_CATEGORY,) if dotted else ()),
        ),
    )
    return found


def outcome_for(
    plan: Plan, action: Action, words: list[str], conv: Convention, eng: Engine
) -> Outcome:
    """What `plan` comes to for actions like `action`; `words` is a name it was made for."""
    # Stored only once complete, like plans.
    outcome = plan.outcomes[action.signature] = _outcome(plan, action, words, conv, eng)
    return outcome


def _outcome(
    plan: Plan, action: Action, words: list[str], conv: Convention, eng: Engine
) -> Outcome:
    outcome = Outcome()
    outcome.kind = NOTE
    base = action.base
    style = conv.event_case
    objects = words[plan.objects[0] : plan.objects[1]]
    missing_object = not objects and base not in _OBJECTLESS
    outcome.mask = (
        (not plan.known) | plan.tense_bad << 1 | missing_object << 2 | (style == "dotted") << 3
    )
    found = [
        *plan.before_case,
        *(action.unknown if not plan.known else ()),
        *(action.tense if plan.tense_bad else ()),
        *(action.missing_object if missing_object else ()),
        *((MISSING_CATEGORY,) if style == "dotted" else ()),
    ]
    outcome.ok = not (found or plan.order_bad)
    outcome.rules = found  # the violations whose rules decide the note
    outcome.note = PENDING
    hopeless = (not plan.known and base not in eng.past) or style == "dotted" or missing_object
    if not plan.confident or hopeless:
        return outcome
    spoken = action.spoken
    action_first = outcome.action_first = conv.word_order == "action_object"
    ordered = [*spoken, *objects] if action_first else [*objects, *spoken]
    qualifier_from = len(ordered)
    ordered += words[plan.qualifiers_from :]
    at = 0 if action_first else len(objects)
    # Plans of names written differently ("click_button", "buttonClicked") often come to the
    # same suggestion pattern: what is known about it is worked out once per pattern.
    caches = eng.plain
    pattern = (
        tuple(map(caches.classes.__getitem__, ordered)),
        at,
        len(spoken),
        len(objects),
        qualifier_from,
        action.signature,
        plan.expansion_key,
    )
    rendering = caches.renderings.get(pattern)
    if rendering is None:
        rendering = caches.renderings[pattern] = _suggestion_pattern(
            ordered, at, spoken, len(objects), qualifier_from, base, plan, conv, eng
        )
    kind, ambiguous, outcome.lowercase, outcome.capitalise, *checks = rendering
    outcome.full_check, outcome.reserved, outcome.prefixed = checks
    outcome.careful = any(checks)
    if ambiguous:
        outcome.note = AMBIGUOUS_NOTE
    outcome.kind = kind
    return outcome


def _suggestion_pattern(
    ordered: list[str],
    at: int,
    spoken: list[str],
    objects: int,
    qualifier_from: int,
    base: str,
    plan: Plan,
    conv: Convention,
    eng: Engine,
) -> tuple:
    """(kind, whether the suggestion would read ambiguously, the positions Title Case leaves
    in lowercase, whether str.title() writes it, and whether it needs the character check, the
    reserved name check or the prefix check) for a suggestion of words like `ordered`."""
    style = conv.event_case
    key = tuple(map(eng.rendered_classes.__getitem__, ordered))
    shape = None if None in key else shape_of(key, ordered, eng)
    info = word_info(spoken[0], eng) if len(spoken) == 1 else (*eng.forms[" ".join(spoken)], True)
    if (
        (len(ordered) > 1 and ordered[-1] in _REDUNDANT)
        or shape is None
        or shape[0] != at
        or shape[1] != len(spoken)
        or (not at and shape[2] != objects)
        or info is None
    ):
        return (LONG_WAY, False, (), False, False, False, False)
    base2, kind2, known2 = info[0], info[1], info[2]
    if base2 != base:
        return (NOTE, True, (), False, False, False, False)
    order = "object_action" if at else ("action_object" if objects else None)
    tense = conv.tense
    separator = " " if style == "title" else "_"
    lowercase = tuple(
        k for k in range(max(qualifier_from, 1), len(ordered)) if ordered[k] in _SMALL
    )
    pieces = list(map(eng.plain.titles.__getitem__, ordered))
    if style == "title":
        for k in lowercase:
            pieces[k] = ordered[k]
        candidate = " ".join(pieces)
    elif style == "camel":
        candidate = ordered[0] + "".join(map(str.capitalize, ordered[1:]))
        # camelCase glues the words together, so they must come apart as they were. Words with
        # a shared class do (see `_Classes`), so these words tell.
        if segment_words(candidate) != ordered:
            return (LONG_WAY, False, (), False, False, False, False)
        separator = ""
    else:
        candidate = separator.join(ordered)
    if (
        not known2
        or (tense == "past" and kind2 != "past")
        or (tense == "present" and kind2 not in ("base", "third"))
        or (order and order != conv.word_order)
        or (not objects and base2 not in _OBJECTLESS)
        or not case_ok(candidate, style)
    ):
        return (NOTE, False, (), False, False, False, False)
    # The other words come from plain names, so only these can add a digit or odd character.
    fixed = [*spoken, *(w for full in plan.expansion or () if full for w in full)]
    full_check = not (
        all(w.isalpha() for w in fixed)
        and (len(ordered) == 1 or not separator or eng.plain_re.match(f"a{separator}a"))
    )
    # str.title() capitalises lowercase words of letters as `title_word` does, acronyms aside;
    # words with a shared class are all like that (see `_Classes`), so these words tell.
    capitalise = (
        style == "title"
        and not lowercase
        and all(
            w.isalpha() and w.islower() and p == w.title()
            for w, p in zip(ordered, pieces, strict=True)
        )
    )
    return (
        SUGGEST,
        False,
        lowercase,
        capitalise,
        full_check,
        ordered[0] in eng.reserved_first_words,
        _prefixed(eng, ordered[0]),
    )


def settle_note(outcome: Outcome, plan: Plan, conv: Convention) -> str | None:
    """The note of a name without a suggestion, if it is the same for every name of the plan,
    else None. The note names the action or the objects for some rules only: when two made-up
    names get the same note, every name does."""
    notes = {
        no_suggestion_note(
            {v.rule for v in outcome.rules},
            conv,
            action_form=stand_in,
            doubt=plan.doubt,
            objects=[stand_in],
            confident=plan.confident,
        )
        for stand_in in ("\x00", "\x01")
    }
    outcome.note = notes.pop() if len(notes) == 1 else None
    return outcome.note


class _PropertyWords(dict):
    """Word -> whether it reads back as just itself wherever `lint._property_style` puts it
    in a property name: lowercase letters, no abbreviation, no acronym (Title Case writes
    those in capitals), and in camelCase more than one letter (single letters run together)."""

    def __init__(self, eng: Engine):
        super().__init__()
        self.eng = eng
        self.style = "snake" if eng.conv.property_case == "dotted" else eng.conv.property_case

    def __missing__(self, w: str) -> bool:
        found = (
            plain_lowercase(w, self.eng)
            and (self.style != "camel" or len(w) > 1)
            and segment_words(w.capitalize()) == [w]
        )
        if len(self) > 200_000:
            self.clear()
        self[w] = found
        return found
