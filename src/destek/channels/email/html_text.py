"""Readable plain text from a mail's HTML, for mails that send no text/plain part.

Good enough for search, previews and quote detection, and free of dependencies (the stdlib's
html.parser): scripts, styles and the head are dropped, block elements become line breaks, links keep
their text, entities are decoded, and blockquotes are prefixed with "> " so that split_reply can fold
the quoted history of an HTML-only reply the way it folds a plain-text one.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_SKIP = frozenset({"script", "style", "head", "title", "template", "noscript", "xml"})
_BLOCK = frozenset(
    {
        "address", "article", "aside", "blockquote", "center", "dd", "div", "dl", "dt", "fieldset",
        "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
        "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "thead", "tfoot", "tr", "ul",
    }
)  # fmt: skip
_PARAGRAPH = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "pre", "blockquote"})
_CELL = frozenset({"td", "th"})
_VOID = frozenset({"br", "img", "hr", "meta", "link", "input", "area", "base", "col", "wbr", "source"})


class _TextMaker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.line: list[str] = []
        self.depth_at_line = 0
        self.skip = 0
        self.pre = 0
        self.quote = 0
        self.blank_wanted = False

    def _break(self, *, blank: bool = False) -> None:
        text = "".join(self.line)
        text = text.rstrip() if self.pre else re.sub(r"[ \t]+", " ", text).strip()
        if text:
            if self.blank_wanted and self.lines and self.lines[-1] != "":
                self.lines.append("")
            self.lines.append("> " * self.depth_at_line + text)
            self.blank_wanted = False
        self.line = []
        self.depth_at_line = self.quote
        if blank:
            self.blank_wanted = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":  # an unclosed <head> must not hide the body
            self.skip = 0
            return
        if tag in _SKIP:
            self.skip += 1
            return
        if self.skip:
            return
        if tag == "br":
            if not "".join(self.line).strip() and self.lines and self.lines[-1] != "":
                self.lines.append("")  # <br> on an empty line: a blank line
            self._break()
        elif tag in _BLOCK:
            self._break(blank=tag in _PARAGRAPH)
            if tag == "blockquote":
                self.quote += 1
                self.depth_at_line = self.quote
            elif tag == "pre":
                self.pre += 1
            elif tag == "li":
                self.line.append("- ")
            elif tag == "hr":
                self.line.append("----")
                self._break()
        elif tag in _CELL:
            if self.line and "".join(self.line).strip():
                self.line.append(" ")
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt and alt.strip():
                self.line.append(f"[{alt.strip()}]")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if tag in _BLOCK:
            self._break(blank=tag in _PARAGRAPH)
            if tag == "blockquote":
                self.quote = max(0, self.quote - 1)
                self.depth_at_line = self.quote
            elif tag == "pre":
                self.pre = max(0, self.pre - 1)

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        data = data.replace("\u00a0", " ")
        if self.pre:
            parts = data.split("\n")
            for i, part in enumerate(parts):
                if i:
                    self._break()
                self.line.append(part)
            return
        if not self.line and not data.strip():
            return
        self.line.append(re.sub(r"\s+", " ", data))

    def text(self) -> str:
        self._break()
        return "\n".join(self.lines).strip("\n")


def html_to_text(html: str) -> str:
    """The readable text of an HTML document or fragment."""
    maker = _TextMaker()
    maker.feed(html.replace("\x00", ""))
    maker.close()
    text = maker.text()
    return re.sub(r"\n{3,}", "\n\n", text)
