"""Markdown to safe HTML: markdown-it for the syntax, nh3 for the allow-list. No Django import."""

import nh3
from markdown_it import MarkdownIt

# About 60 pages of text: plenty for a strategy, small enough to render fast.
MAX_BODY_CHARS = 200_000

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    "table"
)

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}


def render(markdown: str) -> str:
    """Sanitised HTML: raw HTML in the source is shown as text, scripts and handlers never survive."""
    html = _md.render(markdown or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def too_long(text: str, limit: int = MAX_BODY_CHARS) -> str:
    """A message naming the limit when `text` exceeds it, else an empty string."""
    if len(text or "") > limit:
        return (
            f"This is {len(text):,} characters; the limit is {limit:,}. "
            "Move detail into linked documents and keep the strategy itself readable."
        )
    return ""
