"""Finding tracking calls in source files: which SDK call, which event name, which property keys.

A small scanner rather than one parser per language: it finds the call by its name, then reads
the argument list with a tokenizer that knows strings, comments and brackets well enough for the
five language families we support. A name that is not a plain string literal is reported as
dynamic and never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

LANGUAGES = {
    ".js": "js",
    ".jsx": "js",
    ".mjs": "js",
    ".cjs": "js",
    ".ts": "js",
    ".tsx": "js",
    ".vue": "js",
    ".svelte": "js",
    ".py": "python",
    ".swift": "swift",
    ".kt": "kotlin",
    ".kts": "kotlin",
    ".java": "kotlin",
    ".rb": "ruby",
}
# The receivers the SDKs are usually called through; `client.capture()` alone is too common a
# shape in other libraries to count without one of these words in the receiver.
SDK_HINTS = ("analytics", "rudder", "segment", "amplitude", "mixpanel", "posthog", "tracker")
SDK_RECEIVERS = ("mp", "ph")  # the short names the Mixpanel and PostHog docs use
EVENT_KEYWORDS = ("event", "eventType", "event_type", "event_name", "eventName", "name")
PROPERTY_KEYWORDS = (
    "properties",
    "eventProperties",
    "event_properties",
    "props",
    "params",
    "data",
)
IGNORE_MARK = "productops-events: ignore"
MAX_CALL_LENGTH = 5_000

# The method is found first and the receiver read backwards from it: a pattern that starts with
# the receiver would be tried at every identifier in the file, which is 20 times slower.
_SDK_METHOD = re.compile(r"\.\s*(?P<method>track|logEvent|capture)\s*\(")
_ACCESSORS = {"shared", "sharedInstance", "getInstance", "mainInstance", "instance", "default"}


def _receiver(text: str, end: int) -> tuple[str, int] | None:
    """The receiver before `.track(` at `end`, read backwards through `Foo.shared()`-style
    accessors: ("Foo", where it starts), or None when there is no plain name there."""
    i = end
    while True:
        while i > 0 and text[i - 1] in " \t\r\n":
            i -= 1
        if i > 0 and text[i - 1] == ")":
            j = i - 1
            while j > 0 and text[j - 1] in " \t\r\n":
                j -= 1
            if j == 0 or text[j - 1] != "(":
                return None
            i = j - 1
            while i > 0 and text[i - 1] in " \t\r\n":
                i -= 1
        j = i
        while j > 0 and (text[j - 1].isalnum() or text[j - 1] in "_$"):
            j -= 1
        name = text[j:i]
        if not name or name[0].isdigit():
            return None
        if name in _ACCESSORS:
            k = j
            while k > 0 and text[k - 1] in " \t\r\n":
                k -= 1
            if k > 0 and text[k - 1] == ".":
                i = k - 1
                continue
        return name, j


_GTAG = re.compile(r"\bgtag\s*\(\s*(['\"])event\1\s*,")
_SNOWPLOW = re.compile(
    r"\bsnowplow\s*\(\s*['\"]trackSelfDescribingEvent['\"]\s*,|"
    r"\b(?:trackSelfDescribingEvent|SelfDescribing(?:Json)?|SelfDescribingJson|self_describing)\s*[(\[]"
)
_IGLU = re.compile(r"iglu:[^/'\"\s]+/(?P<name>[^/'\"\s]+)/jsonschema/")
_LITERAL = re.compile(
    r"""(?:[rbuRBU]{0,2})(?P<q>'|"|`)(?P<body>(?:\\.|(?!(?P=q)).)*)(?P=q)""", re.S
)
_KEYWORD = re.compile(r"^(?P<key>[A-Za-z_$][\w$]*)\s*(?::(?!:)|=(?![=>]))\s*", re.S)
# `def track_event(` and friends declare the wrapper; they are not calls of it.
_DEFINITION = re.compile(r"\b(?:def|function|fun|func|void|fn)\s+(?:[\w$]+\.)?$")
_SYMBOL_ROCKET = re.compile(r"^:(?P<key>[A-Za-z_]\w*)\s*=>\s*", re.S)


@dataclass
class Wrapper:
    call: str
    event_arg: int = 0
    properties_arg: int | None = None


@dataclass
class Call:
    file: str
    line: int
    column: int
    sdk: str
    name: str | None
    dynamic: bool = False
    # Offsets of the name's text inside the file (the part between the quotes), for `fix`.
    span: tuple[int, int] | None = None
    properties: list[tuple[str, int]] = field(default_factory=list)
    # For each property: (start, end, "quoted" | "identifier") when `fix` may rename it.
    property_spans: list[tuple[int, int, str] | None] = field(default_factory=list)
    ignored: str | None = None
    ignore_without_reason: bool = False
    fixable: bool = True
    expression: str = ""
    # Where the whole call is in the file, to tell nested calls apart.
    extent: tuple[int, int] = (0, 0)
    path_on_disk: str = ""


def language_of(path: str) -> str | None:
    dot = path.rfind(".")
    return LANGUAGES.get(path[dot:].lower()) if dot >= 0 else None


def _skip_string(text: str, i: int) -> int:
    """Index just past the string starting at text[i] (a quote)."""
    quote = text[i]
    if text.startswith(quote * 3, i) and quote in "\"'":
        end = text.find(quote * 3, i + 3)
        return len(text) if end < 0 else end + 3
    j = i + 1
    n = len(text)
    while j < n:
        c = text[j]
        if c == "\\":
            j += 2
            continue
        if c == quote:
            return j + 1
        if c == "\n" and quote != "`":
            return j
        j += 1
    return n


def split_args(
    text: str, start: int, lang: str, stop: int | None = None
) -> tuple[list[tuple[int, int]], int]:
    """The top-level arguments of the call whose `(` (or `[`) is at text[start - 1], as
    (start, end) offsets, and the offset just past the closing bracket (or `stop`)."""
    args = []
    depth = 0
    i = begin = start
    # An unclosed template string in a minified bundle must not make every call read to the end.
    n = min(len(text), start + MAX_CALL_LENGTH) if stop is None else stop
    hash_comments = lang in ("python", "ruby")
    while i < n:
        c = text[i]
        if c in "\"'`":
            i = _skip_string(text, i)
            continue
        if (
            c == "#"
            and hash_comments
            or c == "/"
            and text.startswith("//", i)
            and not hash_comments
        ):
            nl = text.find("\n", i)
            i = n if nl < 0 else nl
            continue
        if c == "/" and text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                if text[begin:i].strip():
                    args.append((begin, i))
                return args, i + 1
            depth -= 1
        elif c == "," and depth == 0:
            args.append((begin, i))
            begin = i + 1
        i += 1
    if text[begin:].strip():
        args.append((begin, n))
    return args, n


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def literal(text: str, a: int, b: int, lang: str) -> tuple[str | None, tuple[int, int] | None]:
    """The value of a plain string literal at text[a:b] and the offsets of its body; (None, None)
    when the argument is built at run time (a variable, an interpolation, a concatenation)."""
    a, b = _strip(text, a, b)
    m = _LITERAL.fullmatch(text, a, b)
    if not m:
        return None, None
    prefix = text[a : m.start("q")].lower()
    body = m.group("body")
    if "f" in prefix:
        return None, None
    quote = m.group("q")
    interpolated = (
        (quote == "`" and "${" in body)
        or (lang == "swift" and "\\(" in body)
        or (lang == "ruby" and quote == '"' and "#{" in body)
        or (lang == "kotlin" and re.search(r"\$[{A-Za-z_]", body) is not None)
    )
    if interpolated:
        return None, None
    value = re.sub(r"\\(.)", r"\1", body) if "\\" in body else body
    return value, (m.start("body"), m.end("body"))


def _keyword(text: str, a: int, b: int) -> tuple[str | None, int]:
    """`event: "x"`, `event="x"`, `event = "x"`, `:event => "x"`: the key and where the value starts."""
    a, b = _strip(text, a, b)
    segment = text[a:b]
    m = _KEYWORD.match(segment) or _SYMBOL_ROCKET.match(segment)
    if m:
        return m.group("key"), a + m.end()
    m = re.match(r"""^(['"])(?P<key>[\w$.\- ]+)\1\s*(?::|=>)\s*""", segment)
    if m:
        return m.group("key"), a + m.end()
    return None, a


def _container(text: str, a: int, b: int) -> tuple[int, int] | None:
    """The inside of an object/dict/hash/map literal at text[a:b], if that is what it is."""
    a, b = _strip(text, a, b)
    if b - a >= 2 and text[a] in "{[" and text[b - 1] in "}]":
        return a + 1, b - 1
    m = re.match(r"(?:mapOf|hashMapOf|mutableMapOf|dict|Map\.of)\s*\(", text[a:b])
    if m and text[b - 1] == ")":
        return a + m.end(), b - 1
    return None


def property_keys(text: str, a: int, b: int, lang: str) -> list[tuple[str, int, str]]:
    """The keys written in an inline object/dict/map literal, with their offsets and how `fix`
    may rename them: "quoted" (a string), "identifier" (`plan:`, `plan=`) or "" (not at all:
    `{ plan }` names a variable too)."""
    keys = []
    # Java's `new Properties().putValue("plan", x)` chains.
    for m in re.finditer(r"""\.(?:putValue|put)\(\s*(['"])(?P<key>[^'"]+)\1""", text[a:b]):
        keys.append((m.group("key"), a + m.start("key"), "quoted"))
    inner = _container(text, a, b)
    if inner is None:
        return keys
    ia, ib = inner
    is_dict_call = text[a:b].lstrip().startswith("dict(")
    entries, _ = split_args(text, ia, lang, stop=ib)
    for ea, eb in entries:
        ea, eb = _strip(text, ea, eb)
        entry = text[ea:eb]
        if not entry or entry.startswith("..."):
            continue
        m = re.match(r"""^(['"])(?P<key>(?:\\.|(?!\1).)*)\1\s*(?::|=>|\bto\b|,)""", entry)
        if m:
            key = m.group("key")
            keys.append((key, ea + m.start("key"), "" if "\\" in key else "quoted"))
            continue
        m = _SYMBOL_ROCKET.match(entry) or re.match(r"^(?P<key>[A-Za-z_$][\w$]*)\s*:(?!:)", entry)
        if m and lang != "python":
            keys.append((m.group("key"), ea + m.start("key"), "identifier"))
            continue
        if is_dict_call:
            m = re.match(r"^(?P<key>[A-Za-z_]\w*)\s*=(?!=)", entry)
            if m:
                keys.append((m.group("key"), ea, "identifier"))
                continue
        if lang == "js" and re.fullmatch(r"[A-Za-z_$][\w$]*", entry):
            keys.append((entry, ea, ""))  # shorthand `{ plan }`
    return keys


def _line_of(text: str, offset: int, newlines: list[int]) -> int:
    import bisect

    return bisect.bisect_right(newlines, offset - 1) + 1


def _in_comment(text: str, offset: int, lang: str) -> bool:
    line_start = text.rfind("\n", 0, offset) + 1
    head = text[line_start:offset].lstrip()
    if lang in ("python", "ruby"):
        return head.startswith("#")
    return head.startswith(("//", "*", "/*"))


def _ignore(lines: list[str], line: int) -> tuple[str | None, bool]:
    """The reason given by an ignore comment on the call's line or on a comment line above it."""
    for number in (line, line - 1):
        if 1 <= number <= len(lines):
            text = lines[number - 1]
            if number != line and not text.lstrip().startswith(("//", "#", "/*", "*", "<!--")):
                continue
            at = text.find(IGNORE_MARK)
            if at >= 0:
                reason = text[at + len(IGNORE_MARK) :].strip(" \t:-*/#>")
                return (reason or None), not reason
    return None, False


def _event_position(lang: str, method: str, positional: int) -> int:
    # Server-side Python and Ruby SDKs take the user first: track(user_id, event, properties).
    if lang in ("python", "ruby") and method in ("track", "capture") and positional >= 2:
        return 1
    return 0


def scan_text(text: str, path: str, lang: str, wrappers: list[Wrapper] | tuple = ()) -> list[Call]:
    calls: list[Call] = []
    if not any(
        word in text
        for word in (
            "track",
            "logEvent",
            "capture",
            "gtag",
            "SelfDescribing",
            *(w.call for w in wrappers),
        )
    ):
        return calls
    newlines = [m.start() for m in re.finditer("\n", text)]
    lines = text.split("\n")

    def make(offset: int, sdk: str) -> Call:
        line = _line_of(text, offset, newlines)
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        reason, missing = _ignore(lines, line)
        return Call(path, line, column, sdk, None, ignored=reason, ignore_without_reason=missing)

    def finish(call, args, event_index, props_index, call_start, end, method=""):
        call.expression = text[call_start:end].split("\n", 1)[0][:200]
        call.extent = (call_start, end)
        event_arg = None
        props_arg = None
        positional = []
        for a, b in args:
            # JavaScript has no keyword arguments; `a ? b : c` must not look like one.
            key, value_start = (None, a) if lang == "js" else _keyword(text, a, b)
            if key in EVENT_KEYWORDS and (key != "name" or lang == "swift"):
                if event_arg is None:
                    event_arg = (value_start, b)
            elif key in PROPERTY_KEYWORDS:
                if props_arg is None:
                    props_arg = (value_start, b)
            elif key is None:
                positional.append((a, b))
        # JS and Ruby server SDKs take one object/hash: track({ userId, event: "x", properties }).
        if event_arg is None and positional:
            inner = _container(text, *positional[0])
            if inner is not None and lang in ("js", "ruby") and event_index in (0, -1):
                sub, _ = split_args(text, inner[0], lang, stop=inner[1])
                for a, b in sub:
                    key, value_start = _keyword(text, a, b)
                    if key == "event":
                        event_arg = (value_start, b)
                    elif key in PROPERTY_KEYWORDS:
                        props_arg = (value_start, b)
        if event_arg is None and event_index is not None:
            if event_index < 0:
                event_index = _event_position(lang, method, len(positional))
            if event_index < len(positional):
                event_arg = positional[event_index]
                if props_arg is None:
                    pi = event_index + 1 if props_index is None else props_index
                    if pi < len(positional):
                        props_arg = positional[pi]
        if event_arg is None:
            return
        # Amplitude's `track(BaseEvent(event_type="x", event_properties={...}))`.
        ea, eb = _strip(text, *event_arg)
        ctor = re.match(r"(?:new\s+)?[A-Z]\w*\s*\(", text[ea:eb])
        if ctor and text[eb - 1] == ")":
            for a, b in split_args(text, ea + ctor.end(), lang, stop=eb - 1)[0]:
                key, value_start = _keyword(text, a, b)
                if key in EVENT_KEYWORDS:
                    event_arg = (value_start, b)
                elif key in PROPERTY_KEYWORDS and props_arg is None:
                    props_arg = (value_start, b)
        call.name, call.span = literal(text, *event_arg, lang)
        if call.name is None:
            call.dynamic = True
            call.name = None
            call.expression = text[slice(*_strip(text, *event_arg))][:200]
        if props_arg is not None:
            for key, offset, how in property_keys(text, *props_arg, lang):
                call.properties.append((key, _line_of(text, offset, newlines)))
                call.property_spans.append((offset, offset + len(key), how) if how else None)
        calls.append(call)

    for m in _SDK_METHOD.finditer(text):
        found = _receiver(text, m.start())
        if found is None:
            continue
        recv, recv_start = found[0].lower(), found[1]
        if recv in SDK_RECEIVERS:
            sdk = "mixpanel" if recv == "mp" else "posthog"
        else:
            sdk = next((h for h in SDK_HINTS if h in recv), None)
        if sdk is None or _in_comment(text, recv_start, lang):
            continue
        args, end = split_args(text, m.end(), lang)
        call = make(recv_start, m.group("method"))
        call.sdk = sdk
        finish(call, args, -1, None, recv_start, end, method=m.group("method"))
    for m in _GTAG.finditer(text) if "gtag" in text else ():
        if _in_comment(text, m.start(), lang):
            continue
        args, end = split_args(text, text.index("(", m.start()) + 1, lang)
        finish(make(m.start(), "gtag"), args, 1, 2, m.start(), end)
    snowplow_end = -1
    snowplow_ranges = []
    snowplow = "SelfDescribing" in text or "self_describing" in text
    for m in _SNOWPLOW.finditer(text) if snowplow else ():
        if _in_comment(text, m.start(), lang) or m.start() < snowplow_end:
            continue
        args, end = split_args(text, m.end(), lang)
        snowplow_end = end
        snowplow_ranges.append((m.start(), end))
        body = text[m.end() : end]
        iglu = _IGLU.search(body)
        call = make(m.start(), "snowplow")
        call.expression = text[m.start() : end].split("\n", 1)[0][:200]
        call.fixable = False  # the name lives in a schema URI; renaming it needs a new schema
        if iglu:
            call.name = iglu.group("name")
            call.span = (m.end() + iglu.start("name"), m.end() + iglu.end("name"))
            data = re.search(r"\bdata\b\s*[:=]\s*", body)
            if data:
                start = m.end() + data.end()
                sub, _ = split_args(text, start, lang)
                if sub:
                    found = property_keys(text, *sub[0], lang)
                    call.properties = [(k, _line_of(text, o, newlines)) for k, o, _ in found]
                    call.property_spans = [None] * len(found)  # bound to the schema
        else:
            call.dynamic = True
        calls.append(call)
    for wrapper in wrappers:
        pattern = re.compile(r"(?<![\w$])" + re.escape(wrapper.call) + r"\s*\(")
        for m in pattern.finditer(text):
            if _in_comment(text, m.start(), lang) or _DEFINITION.search(
                text, max(0, m.start() - 40), m.start()
            ):
                continue
            args, end = split_args(text, m.end(), lang)
            finish(
                make(m.start(), "wrapper"),
                args,
                wrapper.event_arg,
                wrapper.properties_arg,
                m.start(),
                end,
            )
    if snowplow_ranges:
        # `tracker.track(SelfDescribing(...))`: the Snowplow event is the call, not the wrapper.
        calls = [
            c
            for c in calls
            if c.sdk == "snowplow"
            or not any(c.extent[0] < a < c.extent[1] for a, _ in snowplow_ranges)
        ]
    calls.sort(key=lambda c: (c.line, c.column))
    return calls
