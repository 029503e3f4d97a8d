"""A name as structure — category, object words, one action, qualifiers — and back to text.

Pure Python with no Django import. `parse` reads any case style and word order; `render` writes the
structure in the convention's style, order and tense.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache, partial
from typing import NamedTuple

from telemetry.naming import lexicon
from telemetry.naming import words as W
from telemetry.naming.convention import Convention
from telemetry.naming.text import (
    CONTROL_CHARS,
    guess_base,
    normalise,
    plural,
    present_participle,
    segment_words,
    segments,
    strip_dynamic,
    third_person,
)

_KIND_WEIGHT = {"past": 4.0, "preterite": 3.5, "third": 2.0, "ing": 2.0, "base": 1.5}
_KIND_RANK = {"past": 5, "preterite": 4, "third": 3, "ing": 2, "base": 1}
_SMALL = W.SMALL_WORDS
_UNSEEN = object()
_QUALIFIER_STARTS = W.SMALL_WORDS - {"and", "or"}
_PRESENT = ("base", "third", "ing")

# Why the action a name seems to have is only a guess (`ParsedName.doubt`):
DOUBTS = (
    "noun-or-verb",  # a present-tense verb between other words, or after a word that is no noun
    "unknown-object",  # a verb first, but what follows does not read as the thing acted on
    "control",  # the verb names a button or a menu item ("rename_button", "menu_close")
    "event-noun",  # a noun names the event ("sync_card_impression", "save_to_pdf_failure")
    "negation",  # "request_no_matching_logins": moving words around would change the meaning
    "purpose",  # "sign_in_to_send_tab": "to" and a verb say what a button or prompt is for
    "modifier",  # "long_press", "first_visit": the word before describes a noun, no action
    "intransitive",  # "sign_in_page", "opt_out_dialog": the verb takes no object
    "category-action",  # "app_opened.share_intent": the category already names the action
    "category-phrase",  # "open_with.install_firefox": the name completes the category's phrase
)

# What the action search reads about a word besides its verb forms (`lexical_flags`).
NOUNISH = 1  # can name a thing: a convention object, an English noun, or a word no dictionary knows
CONTROL_BEFORE = 2  # a verb just before it names it: "save_button"
CONTROL_AFTER = 4  # a verb just after it names one of its items: "menu_close"
NEGATION = 8
EVENT_NOUN = 16
NAMEABLE = 32  # a noun, or a verb that names what was done: "seek_end" is the end of a seek
PLURAL = 64  # a plural noun: after a verb that is also an object, a compound ("Search Results")
# An adverb reading ("now", "long", "first") and no convention object: first before a last
# word it describes that word as a noun ("long_press"), and after a verb it is no thing acted on.
MODIFIER = 128
TO = 256  # "to", which before a verb makes an infinitive ("sign_in_to_send_tab")
BARE_PAST = 512  # a past form that is also the base form ("read", "set"): a present verb too


class ParsedName(NamedTuple):
    """Words are lowercase; the action is kept in base form and as written."""

    category: tuple[str, ...] = ()
    objects: tuple[str, ...] = ()
    action: str | None = None
    action_form: str | None = None
    action_kind: str | None = None  # base, third, ing, past, preterite
    qualifiers: tuple[str, ...] = ()
    order: str | None = None  # the word order as written, when it can be told
    known_action: bool = True
    confident: bool = True  # False when the action word may as well be a noun ("Order History")
    dynamic: tuple[tuple[str, str], ...] = ()  # (kind, value) removed from the name
    abbreviations: tuple[tuple[str, str], ...] = ()
    prefix: str = ""  # a reserved prefix that was dropped
    doubt: str = ""  # why a suggestion would be a guess; see `DOUBTS`
    redundant: tuple[str, ...] = ()  # a trailing "event" that adds nothing ("Ad Click Event")

    @property
    def words(self) -> tuple[str, ...]:
        middle = (self.action,) if self.action else ()
        return self.category + self.objects + middle + self.qualifiers


# Builds a ParsedName from a tuple of all its fields without the keyword-handling constructor,
# which costs more than the rest of parsing a short name.
_parsed = partial(tuple.__new__, ParsedName)


class Engine:
    """Lookup tables derived once from a Convention."""

    def __init__(self, conv: Convention):
        self.conv = conv
        forms: dict[str, tuple[str, str]] = {}

        def add(form: str, base: str, kind: str) -> None:
            old = forms.get(form)
            if old is None or _KIND_RANK[kind] > _KIND_RANK[old[1]]:
                forms[form] = (base, kind)

        for base, past in conv.actions.items():
            head, _, particle = base.partition(" ")
            tail = f" {particle}" if particle else ""
            add(base, base, "base")
            add(third_person(head) + tail, base, "third")
            add(present_participle(head, past.partition(" ")[0]) + tail, base, "ing")
            add(past, base, "past")
        for form, head in {**W.PRETERITES, **W.PAST_VARIANTS}.items():
            for base in (b for b in conv.actions if b.partition(" ")[0] == head):
                particle = base.partition(" ")[2]
                kind = "past" if form in W.PAST_VARIANTS else "preterite"
                add(f"{form} {particle}" if particle else form, base, kind)
        self.forms = forms
        self.past = dict(conv.actions)
        self.title_words: dict[str, str] = {}
        # Multi-word forms by their first word, longest first: "signed" -> [("signed", "up")].
        phrases: dict[str, list[tuple[str, ...]]] = {}
        for form in forms:
            if " " in form:
                parts = tuple(form.split(" "))
                phrases.setdefault(parts[0], []).append(parts)
        self.phrases = {k: sorted(v, key=len, reverse=True) for k, v in phrases.items()}
        self.phrase_words = frozenset(w for parts in phrases.values() for p in parts for w in p)
        # Multi-word objects ("seat map") count word by word, and plurals count too.
        words = {w for o in conv.objects for w in o.split(" ")}
        self.objects = frozenset(words) | frozenset(plural(w) for w in words)
        self.abbreviations = dict(conv.abbreviations)
        self.prefixes = tuple(p.lower() for p in conv.reserved_prefixes)
        self.longest_prefix = max((len(p) for p in self.prefixes), default=0)
        self.reserved_names = frozenset(normalise(n) for n in conv.reserved_names)
        self.reserved_property_names = frozenset(normalise(n) for n in conv.reserved_property_names)
        # A normalised name can only be reserved if its first word starts a reserved name.
        self.reserved_first_words = frozenset(n.split("_")[0] for n in self.reserved_names)
        self.reserved_first_property_words = frozenset(
            n.split("_")[0] for n in self.reserved_property_names
        )
        # Reserved names are short; longer names skip the lookup.
        self.reserved_length = 8 + max(
            (len(n) for n in (*conv.reserved_names, *conv.reserved_property_names)), default=0
        )
        bad = CONTROL_CHARS + re.escape(conv.forbidden_chars)
        if conv.ascii_only:
            bad += "\x80-\U0010ffff"
        self.bad_chars_re = re.compile(f"[{bad}]")
        separators = re.escape("".join(c for c in " _.-" if c not in conv.forbidden_chars))
        if any(c.isalnum() for c in conv.forbidden_chars):
            # Forbidden letters: no name is "plain", every one gets the full character check.
            self.plain_re = re.compile(r"(?!)")
        elif separators:
            self.plain_re = re.compile(f"[A-Za-z]+(?:[{separators}][A-Za-z]+)*\\Z")
        else:
            self.plain_re = re.compile("[A-Za-z]+\\Z")
        self.lemmas: dict[str, str] = {}
        self.word_info: dict[str, tuple | None] = {}
        self.word_classes = _WordClasses(self)
        self.word_flags = _WordFlags(self)
        # Where the action sits in a list of word classes; see `parse_words`.
        self.shapes: dict[tuple, tuple | None] = {}
        # Plans for plain names, made by `naming.plans` (which imports this module).
        self.plain = None
        # Words of a rendered suggestion ("URLs" -> ("urls",)), so checking a suggestion does not
        # split the whole name again.
        self.rendered_words: dict[str, tuple[str, ...]] = {}
        # Word -> its word class if `render` writes it so that it reads back as itself, else
        # None; see `_RenderedClasses`.
        self.rendered_classes = _RenderedClasses(self)
        # Violations that depend only on a word or two ("'clicks' is not past tense"): shared,
        # since they are frozen, instead of built again for every name.
        self.violations: dict[tuple, object] = {}
        # naming.lint_event's results for this convention, keyed by the name alone (made there),
        # and lint_property's, one cache per property type.
        self.event_results: dict = {}
        self.property_results: dict = {}

    def clear_caches(self) -> None:
        """Forget every word learnt from names (the vocabulary tables stay)."""
        for cache in (
            self.lemmas,
            self.word_info,
            self.shapes,
            self.word_classes,
            self.word_classes.ids,
            self.word_flags,
            self.title_words,
            self.rendered_words,
            self.rendered_classes,
            self.violations,
            self.property_results,
            self.event_results,
        ):
            cache.clear()
        self.plain = None


class _WordClasses(dict):
    """Word -> everything the action search reads about it, as a small number shared by all
    words alike ("widget" and "button" are both plain objects).

    Words of multi-word actions ("sign up") stand for themselves, since phrases are matched
    word by word."""

    def __init__(self, eng: Engine):
        super().__init__()
        self.eng = eng
        self.ids: dict[tuple, int] = {}
        self.numbers = itertools.count()

    def __missing__(self, w: str):
        eng = self.eng
        if w in eng.phrase_words:
            found = w
        else:
            info = word_info(w, eng)
            key = (
                info and info[1:],
                w in _SMALL,
                w in eng.objects,
                w in _QUALIFIER_STARTS,
                eng.word_flags[w],
            )
            found = self.ids.get(key)
            if found is None:
                # setdefault with a number no other thread can draw: two threads meeting new
                # classes at once must not give them the same number.
                found = self.ids.setdefault(key, next(self.numbers))
        if len(self) > 200_000:  # bound memory against endless random words
            self.clear()
        self[w] = found
        return found


class _WordFlags(dict):
    """Word -> `lexical_flags`."""

    def __init__(self, eng: Engine):
        super().__init__()
        self.eng = eng

    def __missing__(self, w: str) -> int:
        found = lexical_flags(w, self.eng)
        if len(self) > 200_000:  # bound memory against endless random words
            self.clear()
        self[w] = found
        return found


def plain_lowercase(w: str, eng: Engine) -> bool:
    """Lowercase ASCII letters that no rule rewrites: not an abbreviation the convention spells
    out, not an acronym (or its plural) that is written in capitals."""
    return (
        w.isalpha()
        and w.islower()
        and w.isascii()
        and w not in eng.abbreviations
        and w not in W.ACRONYMS
        and not (w[-1:] == "s" and w[:-1] in W.ACRONYMS)
    )


class _RenderedClasses(dict):
    """Word -> its class in `Engine.word_classes` if it reads back as just itself wherever
    `render` puts it in an event name (no separator in it, not an abbreviation, and the same
    word again when split into words, in lowercase and, for Title Case, as `render` capitalises
    it), else None."""

    def __init__(self, eng: Engine):
        super().__init__()
        self.eng = eng
        self.title = eng.conv.event_case == "title"

    def __missing__(self, w: str):
        # A lowercase word of letters, no acronym, reads back as itself in every case style
        # (`title_word` only capitalises it): most words skip splitting it twice.
        if plain_lowercase(w, self.eng):
            return self._store(w, self.eng.word_classes[w])
        ok = (
            w not in self.eng.abbreviations
            and not any(c in w for c in " ._-")
            and segment_words(w) == [w]
        )
        if ok and self.title:
            piece = title_word(w)
            ok = " " not in piece and "." not in piece and segment_words(piece) == [w]
        return self._store(w, self.eng.word_classes[w] if ok else None)

    def _store(self, w: str, found):
        if len(self) > 200_000:  # bound memory against endless random words
            self.clear()
        self[w] = found
        return found


@lru_cache(maxsize=64)
def _build_engine(conv: Convention) -> Engine:
    return Engine(conv)


def engine(conv: Convention) -> Engine:
    try:
        return conv._engine  # a plain attribute read: this runs several times per name
    except AttributeError:
        eng = _build_engine(conv)
        object.__setattr__(conv, "_engine", eng)
        return eng


def expand(words, eng: Engine, found: list) -> list[str]:
    """Expand abbreviations ("btn" -> "button"), recording each one found."""
    abbreviations = eng.abbreviations
    if abbreviations.keys().isdisjoint(words):
        return list(words)
    out = []
    for w in words:
        full = abbreviations.get(w)
        if full:
            found.append((w, full))
            out.extend(full.split(" "))
        else:
            out.append(w)
    return out


def _word_info(w: str, eng: Engine):
    """(base, kind, known, also a noun, score) when the word alone can be an action, else None.

    The convention's actions come first. Any other English verb counts too (lexicon), except
    a present form that is also a noun or an adjective ("button", "notice", "warning"): in a
    name those are nearly always the thing, and a person would list them if they were not."""
    hit = eng.forms.get(w)
    known = True
    if hit is None:
        hit = lexicon.verb_form(w)
        if hit is not None:
            base, kind = hit
            if kind in _PRESENT and lexicon.classes(w) & (lexicon.NOUN | lexicon.ADJ):
                return None
            if base not in eng.past:
                eng.past[base] = lexicon.past(base)
        elif (
            len(w) >= 5
            and w.endswith("ed")
            and w not in eng.objects
            and w not in W.NOT_VERBS_ED
            and w[0].isalpha()
            and lexicon.classes(w) == lexicon.UNKNOWN
        ):
            hit, known = (guess_base(w), "past"), False
        else:
            return None
    base, kind = hit
    if kind == "ing" and lexicon.classes(w) & lexicon.NOUN:
        return None  # "booking", "setting", "warning": a thing, in a name
    noun = kind in _PRESENT and w in eng.objects
    score = _KIND_WEIGHT[kind] - noun - (not known)
    return base, kind, known, noun, score


def lexical_flags(w: str, eng: Engine) -> int:
    """`NOUNISH` | `CONTROL_BEFORE` | ... for a word: what the action search reads about it."""
    classes = lexicon.classes(w)
    nounish = w not in _SMALL and (
        w in eng.objects
        or bool(classes & lexicon.NOUN)
        or classes == lexicon.UNKNOWN
        or (w.endswith("ing") and bool(classes & lexicon.VERB))  # "shredding_complete"
    )
    verbish = w in eng.forms or bool(classes & lexicon.VERB)
    modifier = bool(classes & lexicon.ADV) and w not in eng.objects and w not in _SMALL
    info = word_info(w, eng)
    return (
        nounish
        | (w in W.CONTROLS_NAMED_BEFORE) << 1
        | (w in W.CONTROLS_NAMED_AFTER) << 2
        | (w in W.NEGATIONS) << 3
        | (w in W.EVENT_NOUNS) << 4
        | (nounish or verbish) << 5
        | (nounish and (lexicon.plural_noun(w) or (w[-1:] == "s" and w[:-1] in eng.objects))) << 6
        | modifier << 7
        | (w == "to") << 8
        | bool(info and info[1] == "past" and info[0] == w) << 9
    )


def word_info(w: str, eng: Engine):
    info = eng.word_info
    found = info.get(w, _UNSEEN)
    if found is _UNSEEN:
        if len(info) > 200_000:  # bound memory against endless random words
            info.clear()
        found = info[w] = _word_info(w, eng)
    return found


def _find_action(words: list[str], eng: Engine):
    """(where the action starts, its length in words, base, kind, form as written, known,
    doubt) for the words of a name, or None when none of them reads as an action.

    Every word that can be an action is scored: the more clearly a verb form, the higher (a
    past participle most), with a bonus at the end of the name or just before a qualifier
    ("Product Added to Wishlist") and at the start ("view_item"). A present-tense verb that is
    also a convention object loses a point ("Order", "Update")."""
    phrases, objects = eng.phrases, eng.objects
    n = len(words)
    last = n - 1
    candidates = []
    for i, w in enumerate(words):
        if w in phrases:
            for parts in phrases[w]:
                k = len(parts)
                if tuple(words[i : i + k]) == parts:
                    form = " ".join(parts)
                    base, kind = eng.forms[form]
                    score = _KIND_WEIGHT[kind] + k - 1
                    end = i + k
                    if end == n or words[end] in _SMALL:
                        score += 0.6
                    elif i == 0:
                        score += 0.4
                    candidates.append((score, i, k, base, kind, form, True))
                    break
            else:
                parts = None
            if parts:
                continue
        found = word_info(w, eng)
        if found is None:
            continue
        base, kind, known, noun, score = found
        if i == last or words[i + 1] in _SMALL:
            score += 0.6
        elif i == 0:
            score += 0.4
        elif kind == "past" and words[i + 1] in objects:
            # A participle between words describes the next noun: "Close Selected Tabs".
            score -= 3.2
        candidates.append((score, i, 1, base, kind, w, known))
    if not candidates:
        return None
    best = max(reversed(candidates), key=lambda c: c[0])  # the later one of equals
    if best[0] < 0.5:
        return None
    if best[4] in _PRESENT:
        best = _first_or_last(best, candidates, words, eng)
    _, i, span, base, kind, form, known = best
    noun = span == 1 and words[i] in objects
    return i, span, base, kind, form, known, _doubt(i, span, base, kind, noun, words, eng)


def _ends(i: int, span: int, words: list[str]) -> bool:
    after = i + span
    return after == len(words) or words[after] in _QUALIFIER_STARTS


def _first_or_last(best, candidates, words: list[str], eng: Engine):
    """Between a present-tense verb first and one last, both of which could be the action
    ("update_order", "link_click", "seek_end"): the first, when the last word is a convention
    object (a verb then its object); else the last (an object, then what happened to it)."""
    first = next((c for c in candidates if c[1] == 0 and c[4] in _PRESENT), None)
    last = next(
        (c for c in reversed(candidates) if c[4] in _PRESENT and _ends(c[1], c[2], words)), None
    )
    if first is None or last is None or first is last or best not in (first, last):
        return best
    return first if words[last[1] + last[2] - 1] in eng.objects else last


def _present_verb(w: str, eng: Engine) -> bool:
    info = word_info(w, eng)
    return info is not None and info[1] in _PRESENT


def _verb_only(w: str, eng: Engine) -> bool:
    """A verb form that cannot name a thing ("send", "create"), read from what the action search
    already knows of the word, so that words do not fall into more classes for it."""
    return word_info(w, eng) is not None and not eng.word_flags[w] & NOUNISH


def _doubt(
    i: int, span: int, base: str, kind: str, noun: bool, words: list[str], eng: Engine
) -> str:
    """Why reading the present-tense verb at `i` as the action would be a guess, or ""."""
    flags = eng.word_flags
    # "read" and "set" are present forms as much as past ones: "RICH_READ" is a kind of read.
    if kind not in _PRESENT and not (span == 1 and flags[words[i]] & BARE_PAST):
        return ""
    after = i + span
    if (
        (after < len(words) and flags[words[after]] & CONTROL_BEFORE)
        # The name of a button: "add_to_home_screen_button".
        or (after < len(words) and flags[words[-1]] & CONTROL_BEFORE)
        # An item of a menu or prompt, wherever it is: "menu_close", "save_prompt_update".
        or any(
            flags[words[k]] & CONTROL_AFTER and _present_verb(words[k + 1], eng)
            for k in range(len(words) - 1)
        )
    ):
        return "control"
    # "to" and a verb after the action say what it is for, as on a button ("Sign in to send
    # tab"): nothing has happened yet, so no tense makes it an event.
    for k in range(after, len(words) - 1):
        if flags[words[k]] & TO and _verb_only(words[k + 1], eng):
            return "purpose"
    if i == 0:
        post = words[after:]
        cut = next((k for k, w in enumerate(post) if w in _QUALIFIER_STARTS), len(post))
        objects = post[:cut]
        if objects:
            # A phrasal verb that takes no object ("opt out", "sign in") names what follows
            # ("sign_in_page") or a choice in it ("opt_out_dialog"); it did not happen to it.
            if span > 1 and base in W.OBJECTLESS_ACTIONS:
                return "intransitive"
            if any(flags[w] & NEGATION for w in objects):
                return "negation"
            if flags[objects[-1]] & CONTROL_BEFORE:
                return "control"
            last = flags[objects[-1]]
            # A word that can be an adverb, and is no convention object or plural, is no thing
            # acted on: "sync_now" and "scroll_down" are buttons or gestures.
            if not last & NOUNISH or (last & MODIFIER and not last & PLURAL):
                return "unknown-object"
            # A word that can name a thing, before one plural noun, reads as well as a compound
            # ("Search Results", "Order Details", "foreground_metrics") as a verb and its object.
            if (
                span == 1
                and (noun or flags[words[i]] & NOUNISH)
                and len(objects) == 1
                and flags[objects[0]] & PLURAL
            ):
                return "noun-or-verb"
        if post and flags[post[-1]] & EVENT_NOUN:
            return "event-noun"
        return ""
    if _ends(i, span, words):
        # What comes before must be able to name the thing ("never_save" is no save), and not
        # describe it from the start: "long_press" and "first_visit" are a press and a visit.
        before = flags[words[i - 1]]
        if not before & NAMEABLE:
            return "noun-or-verb"
        return "modifier" if i == 1 and before & MODIFIER else ""
    return "noun-or-verb"


def _category_doubt(category: tuple[str, ...], eng: Engine) -> str:
    """Why a category makes a present-tense verb at the start of the name a guess, or "".

    The action search reads the name's last segment alone (its shapes are shared by every
    category), so what the category says is weighed here."""
    last = category[-1]
    # "open_with.install_firefox": the category is a phrase the name completes, an item of
    # the "Open with" list, not something that happened to Firefox.
    if last in _SMALL:
        return "category-phrase"
    # "app_opened.share_intent": the category already says what happened, so the name says
    # which kind of it; its first word is no more the action than a noun ("a share intent").
    info = word_info(last, eng)
    if (
        info is not None
        and info[1] in ("past", "preterite")
        and len(category) > 1
        and eng.word_flags[category[-2]] & NOUNISH
    ):
        return "category-action"
    return ""


def strip_prefix(name: str, eng: Engine) -> tuple[str, str]:
    """(name without a reserved prefix, the prefix) — ("", "") parts when there is none."""
    if not eng.prefixes:
        return name, ""
    head = name.lstrip()
    lowered = head[: eng.longest_prefix].lower()
    if lowered.startswith(eng.prefixes):
        for prefix in eng.prefixes:
            if lowered.startswith(prefix):
                return head[len(prefix) :], head[: len(prefix)]
    return name, ""


def _drop_redundant(words: list[str], eng: Engine) -> tuple[list[str], tuple[str, ...]]:
    # Right after a verb that can be nothing else, "event" is what it acted on
    # ("create_event"); after more words it names the rest ("seek_end_event").
    if len(words) == 2 and _verb_only(words[0], eng) and words[0] not in eng.phrases:
        return words, ()
    dropped = []
    while len(words) > 1 and words[-1] in W.REDUNDANT_WORDS:
        dropped.append(words[-1])
        words = words[:-1]
    return words, tuple(dropped)


def _drop_auxiliaries(words: list[str], eng: Engine) -> tuple[list[str], tuple[str, ...]]:
    """Leave out "was" and the like before a past participle: "widget_was_added"."""
    kept, dropped = [], []
    for k, w in enumerate(words):
        if w in W.AUXILIARIES and k + 1 < len(words):
            info = word_info(words[k + 1], eng)
            if info and info[1] == "past":
                dropped.append(w)
                continue
        kept.append(w)
    return kept, tuple(dropped)


def parse_body(body: str, dynamic: tuple, prefix: str, eng: Engine) -> ParsedName:
    """Parse a name whose reserved prefix and dynamic values are already removed."""
    return parse_words(segments(body), dynamic, prefix, eng)


def parse_words(
    parts: tuple[tuple[str, ...], ...], dynamic: tuple, prefix: str, eng: Engine
) -> ParsedName:
    """Parse a name given as the words of its dot-separated segments (see `segments`)."""
    if not parts:
        return ParsedName(dynamic=dynamic, prefix=prefix)
    abbreviations: list = []
    if len(parts) > 1:
        category = tuple(expand([w for s in parts[:-1] for w in s], eng, abbreviations))
    else:
        category = ()
    words = parts[-1]
    if not eng.abbreviations.keys().isdisjoint(words):
        words = expand(words, eng, abbreviations)
    redundant = ()
    if len(words) > 1 and words[-1] in W.REDUNDANT_WORDS:
        words, redundant = _drop_redundant(words, eng)
    if not W.AUXILIARIES.isdisjoint(words):
        words, dropped = _drop_auxiliaries(words, eng)
        redundant = dropped + redundant
    # The action search reads each word only through its class, so names whose words fall in
    # the same classes in the same order share one search.
    shape = shape_of(tuple(map(eng.word_classes.__getitem__, words)), words, eng)
    if shape is None:
        return _parsed(
            (
                category,
                tuple(words),
                None,
                None,
                None,
                (),
                None,
                True,
                True,
                dynamic,
                tuple(abbreviations),
                prefix,
                "",
                redundant,
            )
        )
    i, span, cut, doubt = shape
    if span == 1:
        form = words[i]
        base, kind, known = (eng.word_info.get(form) or word_info(form, eng))[:3]
    else:
        form = " ".join(words[i : i + span])
        base, kind = eng.forms[form]
        known = True
    if category and not i and not doubt and kind in _PRESENT:
        doubt = _category_doubt(category, eng)
    confident = not doubt
    if i:
        objects, qualifiers = words[:i], words[i + span :]
        order = "object_action"
    else:
        post = words[span:]
        objects, qualifiers = post[:cut], post[cut:]
        order = "action_object" if objects else None
    return _parsed(
        (
            category,
            tuple(objects),
            base,
            form,
            kind,
            tuple(qualifiers),
            order,
            known,
            confident,
            dynamic,
            tuple(abbreviations) if abbreviations else (),
            prefix,
            doubt,
            redundant,
        )
    )


def shape_of(key: tuple, words: list[str], eng: Engine) -> tuple | None:
    """`_shape` of words whose classes are `key`, searched once per key."""
    shapes = eng.shapes
    shape = shapes.get(key, _UNSEEN)
    if shape is _UNSEEN:
        if len(shapes) > 100_000:  # bound memory against endless random words
            shapes.clear()
        shape = shapes[key] = _shape(words, eng)
    return shape


def _shape(words: list[str], eng: Engine) -> tuple | None:
    """(where the action starts, its length in words, where qualifiers start after an action
    that comes first, why it is a guess or "") — or None without an action."""
    found = _find_action(words, eng)
    if found is None:
        return None
    i, span, _, _, _, _, doubt = found
    if i:
        return i, span, None, doubt
    post = words[span:]
    cut = next((k for k, w in enumerate(post) if w in _QUALIFIER_STARTS), len(post))
    return i, span, cut, doubt


def rendered_segments(candidate: str, style: str, eng: Engine) -> tuple[tuple[str, ...], ...]:
    """`segments(candidate)` for a name `render` wrote, read piece by piece from a cache.

    Rendered words hold no separators, and splitting a segment into words gives the same as
    splitting each of its separated pieces, so a piece reads the same in every suggestion.
    camelCase glues words together ("2faEnabled"), so it is read whole."""
    if style == "camel":
        return segments(candidate)
    separator = " " if style == "title" else "_"
    cache = eng.rendered_words
    if len(cache) > 100_000:
        cache.clear()
    out = []
    for segment in candidate.split("."):
        words: list[str] = []
        for piece in segment.split(separator):
            found = cache.get(piece)
            if found is None:
                found = cache[piece] = tuple(segment_words(piece))
            words += found
        if words:
            out.append(tuple(words))
    return tuple(out)


@lru_cache(maxsize=16384)
def _parse(name: str, conv: Convention) -> ParsedName:
    eng = engine(conv)
    body, prefix = strip_prefix(name, eng)
    dynamic = ()
    if conv.forbid_dynamic_values:
        body, dynamic = strip_dynamic(body)
    return parse_body(body, dynamic, prefix, eng)


def parse(name: str, convention: Convention) -> ParsedName:
    if not isinstance(name, str):
        name = ""
    return _parse(name, convention)


def action_text(parsed: ParsedName, conv: Convention) -> str:
    """The action in the convention's tense, lowercase: "clicked", "sign up", ..."""
    if conv.tense == "past":
        return engine(conv).past.get(parsed.action) or parsed.action_form or parsed.action
    if conv.tense == "present":
        return parsed.action
    return parsed.action_form or parsed.action


def title_word(word: str) -> str:
    acronym = W.ACRONYMS.get(word)
    if acronym is None and word[-1:] == "s" and word[:-1] in W.ACRONYMS:
        acronym = W.ACRONYMS[word[:-1]] + "s"
    if acronym is None and len(word) <= 4 and not word.isalpha() and not word.isdigit():
        acronym = word.upper()  # letters and digits in one short word: "3DS", "S3", "MP4"
    return acronym or word[:1].upper() + word[1:]


def _title(words: list[str], qualifier_from: int, cache: dict[str, str]) -> str:
    if len(cache) > 100_000:
        cache.clear()
    get = cache.get
    out = [get(w) or cache.setdefault(w, title_word(w)) for w in words]
    for k in range(max(qualifier_from, 1), len(words)):
        if words[k] in _SMALL:
            out[k] = words[k]
    return " ".join(out)


def joined(category: tuple[str, ...], objects: tuple[str, ...]) -> tuple[str, ...]:
    """The category then the objects, in one run of words, without saying twice the words where
    they meet: "start_on_home.enter_home_screen" -> start on home screen, not "Home Home"."""
    for k in range(min(len(category), len(objects)), 0, -1):
        if category[-k:] == objects[:k]:
            return category[:-k] + tuple(objects)
    return tuple(category) + tuple(objects)


def render(parsed: ParsedName, convention: Convention) -> str:
    style = convention.event_case
    head = parsed.category if style != "dotted" else ()
    if parsed.action:
        action = action_text(parsed, convention).split(" ")
        if convention.word_order == "object_action":
            words = [*joined(head, parsed.objects), *action]
        else:
            words = [*head, *action, *parsed.objects]
    else:
        words = [*head, *parsed.objects]
    qualifier_from = len(words)
    words += parsed.qualifiers
    return render_words(words, qualifier_from, parsed.category, convention)


def render_words(
    words: list[str], qualifier_from: int, category: tuple[str, ...], convention: Convention
) -> str:
    """`render` once the words are in order; qualifiers start at `qualifier_from`."""
    style = convention.event_case
    if style == "title":
        return _title(words, qualifier_from, engine(convention).title_words)
    if style == "camel":
        return words[0] + "".join(w[:1].upper() + w[1:] for w in words[1:]) if words else ""
    body = "_".join(words)
    if style == "dotted" and category and body:
        return "_".join(category) + "." + body
    return body
