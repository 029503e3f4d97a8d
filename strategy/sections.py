"""Split a strategy's Markdown into sections that keep their identity across versions.

Pure Python (markdown-it-py only): a section starts at each heading of level 1-3.
A section of a new version inherits the key of the old section with the same
heading; a renamed section inherits the key of the old one whose text it most
resembles, so reading progress, feedback anchors and diffs survive an edit.
"""

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from markdown_it import MarkdownIt

SPLIT_LEVELS = (1, 2, 3)
# Below this similarity a renamed section counts as new rather than edited.
SIMILARITY_THRESHOLD = 0.6
INTRO_KEY = "intro"

_parser = MarkdownIt("commonmark")


@dataclass
class Section:
    heading: str
    level: int
    body: str
    key: str = ""
    position: int = 0
    slug: str = field(default="", repr=False)

    def _with_markdown(self, markdown: str) -> "Section":
        """Rebuild from stored section text, keeping the heading line out of the body."""
        lines = markdown.split("\n")
        self.body = "\n".join(lines[1:]).strip() + "\n" if self.heading else markdown
        if self.heading and self.body == "\n":
            self.body = ""
        return self

    @property
    def markdown(self) -> str:
        if not self.heading:
            return self.body
        return f"{'#' * self.level} {self.heading}\n\n{self.body}".rstrip() + "\n"


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^\w\s-]", "", text.lower())
    return re.sub(r"[-\s_]+", "-", text).strip("-")[:60] or "section"


def split(markdown: str) -> list[Section]:
    """Sections in document order, each with a slug that is unique within the document."""
    lines = markdown.replace("\r\n", "\n").split("\n")
    tokens = _parser.parse(markdown.replace("\r\n", "\n"))
    starts = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and int(token.tag[1]) in SPLIT_LEVELS and token.map:
            title = tokens[i + 1].content.strip() if i + 1 < len(tokens) else ""
            starts.append((token.map[0], token.map[1], int(token.tag[1]), title))
    sections = []
    first = starts[0][0] if starts else len(lines)
    intro = "\n".join(lines[:first]).strip()
    if intro:
        sections.append(Section(heading="", level=0, body=intro + "\n", slug=INTRO_KEY))
    for n, (_begin, end, level, title) in enumerate(starts):
        stop = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        body = "\n".join(lines[end:stop]).strip()
        sections.append(
            Section(
                heading=title, level=level, body=body + "\n" if body else "", slug=slugify(title)
            )
        )
    seen: dict[str, int] = {}
    for position, section in enumerate(sections):
        section.position = position
        count = seen.get(section.slug, 0) + 1
        seen[section.slug] = count
        if count > 1:
            section.slug = f"{section.slug}-{count}"
    return sections


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def assign_keys(
    new: list[Section], old: list[Section] | None = None, *, taken: set[str] = frozenset()
) -> list[Section]:
    """Give each new section a key: inherited from `old` by heading, then by content, else fresh.

    `taken` holds keys used by any earlier version, so a removed section's key is
    never handed to an unrelated newcomer.
    """
    old = old or []
    used = set(taken) | {s.key for s in old}
    by_slug = {s.slug: s for s in old}
    unmatched_old = {s.key: s for s in old}
    pending = []
    for section in new:
        match = by_slug.get(section.slug)
        if match is not None and match.key in unmatched_old:
            section.key = match.key
            del unmatched_old[match.key]
        else:
            pending.append(section)
    still_new = []
    for section in pending:
        best, best_score = None, SIMILARITY_THRESHOLD
        for candidate in unmatched_old.values():
            score = similarity(section.body, candidate.body)
            if score >= best_score:
                best, best_score = candidate, score
        if best is not None:
            section.key = best.key
            del unmatched_old[best.key]
        else:
            still_new.append(section)
    for section in still_new:
        key, n = section.slug, 1
        while key in used:
            n += 1
            key = f"{section.slug}-{n}"
        section.key = key
        used.add(key)
    return new


@dataclass
class DiffRow:
    tag: str  # equal | replace | delete | insert
    left: str
    right: str


@dataclass
class SectionDiff:
    key: str
    status: str  # added | removed | changed | unchanged
    old_heading: str
    new_heading: str
    rows: list[DiffRow]
    old_position: int | None = None
    new_position: int | None = None

    @property
    def heading(self) -> str:
        return self.new_heading or self.old_heading


def _rows(old_text: str, new_text: str) -> list[DiffRow]:
    a, b = old_text.splitlines(), new_text.splitlines()
    rows = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        left, right = a[i1:i2], b[j1:j2]
        for k in range(max(len(left), len(right))):
            rows.append(
                DiffRow(tag, left[k] if k < len(left) else "", right[k] if k < len(right) else "")
            )
    return rows


def diff(old: list[Section], new: list[Section]) -> list[SectionDiff]:
    """Section-by-section side-by-side diff, in the new version's order, removed ones where they were."""
    old_by_key = {s.key: s for s in old}
    new_keys = {s.key for s in new}
    result = []
    for section in new:
        before = old_by_key.get(section.key)
        if before is None:
            result.append(
                SectionDiff(
                    section.key,
                    "added",
                    "",
                    section.heading,
                    _rows("", section.markdown),
                    None,
                    section.position,
                )
            )
            continue
        status = "unchanged" if before.markdown == section.markdown else "changed"
        result.append(
            SectionDiff(
                section.key,
                status,
                before.heading,
                section.heading,
                _rows(before.markdown, section.markdown),
                before.position,
                section.position,
            )
        )
    for section in old:
        if section.key not in new_keys:
            removed = SectionDiff(
                section.key,
                "removed",
                section.heading,
                "",
                _rows(section.markdown, ""),
                section.position,
                None,
            )
            # Show a removed section after the one that preceded it in the old version.
            after = [
                i
                for i, d in enumerate(result)
                if d.old_position is not None and d.old_position < section.position
            ]
            index = after[-1] + 1 if after else 0
            result.insert(index, removed)
    return result
