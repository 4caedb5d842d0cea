"""Markdown to safe HTML, plain text and search chunks.

Authors write Markdown (CommonMark with tables and strikethrough; inline HTML allowed). Whatever they
write, the HTML we serve passes nh3 (ammonia): an allow-list of tags and attributes, no scripts,
styles, iframes or event handlers, only http/https/mailto/tel URLs, and rel="noopener nofollow" on
every link. Headings get ids so a section can be linked to.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

import nh3
from markdown_it import MarkdownIt

from destek.nlp.text import fold

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt", "em",
    "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "mark",
    "ol", "p", "pre", "s", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
    "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
    "code": {"class"},
    **{f"h{n}": {"id"} for n in range(1, 7)},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

_md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)
_HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.S)
_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(p|h[1-6]|li|tr|pre|blockquote|div|dt|dd|summary|figcaption)>|<br\s*/?>", re.I)
_SPACES = re.compile(r"[ \t\r\f\v]+")
_LINES = re.compile(r"\n\s*\n+")


def slugify(text: str, *, fallback: str = "article", max_length: int = 80) -> str:
    """URL slug from a title in any language: "Şifremi unuttum!" -> "sifremi-unuttum"."""
    folded = fold(unicodedata.normalize("NFKC", text))
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    slug = slug[:max_length].rstrip("-")
    return slug or fallback


def _heading_ids(body: str) -> str:
    seen: dict[str, int] = {}

    def add_id(match: re.Match[str]) -> str:
        level, inner = match.group(1), match.group(2)
        base = slugify(html.unescape(_TAG.sub("", inner)), fallback="section")
        count = seen.get(base, 0)
        seen[base] = count + 1
        anchor = base if count == 0 else f"{base}-{count + 1}"
        return f'<h{level} id="{anchor}">{inner}</h{level}>'

    return _HEADING.sub(add_id, body)


def sanitize(raw_html: str) -> str:
    return nh3.clean(
        raw_html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener nofollow",
        clean_content_tags={"script", "style", "iframe", "object", "embed", "template", "noscript"},
        strip_comments=True,
    )


def to_html(markdown: str) -> str:
    """The safe HTML of an article body."""
    return sanitize(_heading_ids(_md.render(markdown)))


def to_text(safe_html: str) -> str:
    """Readable plain text of rendered HTML (paragraphs kept as blank-line breaks)."""
    text = _BLOCK_END.sub("\n\n", safe_html)
    text = html.unescape(_TAG.sub("", text))
    text = _SPACES.sub(" ", text)
    return _LINES.sub("\n\n", text).strip()


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    text: str


def sections(markdown: str) -> list[Section]:
    """The body split at its headings: (heading, plain text) per part; the opening has no heading."""
    tokens = _md.parse(markdown)
    parts: list[Section] = []
    heading = ""
    lines: list[str] = []
    in_heading = False
    for token in tokens:
        if token.type == "heading_open":
            if heading or lines:
                parts.append(Section(heading, " ".join(lines).strip()))
            heading, lines, in_heading = "", [], True
        elif token.type == "heading_close":
            in_heading = False
        elif token.type == "inline":
            content = to_text(sanitize(_md.renderInline(token.content)))
            if in_heading:
                heading = content
            else:
                lines.append(content)
        elif token.type in ("fence", "code_block"):
            lines.append(token.content.strip())
    if heading or lines:
        parts.append(Section(heading, " ".join(lines).strip()))
    return [part for part in parts if part.heading or part.text]


def excerpt(text: str, limit: int = 160) -> str:
    """The first `limit` characters of a text, cut at a word, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:.-–—")
    return f"{cut}…"
