"""Spec descriptions as CommonMark: safe HTML for index.html, defused Markdown for the rest.

Descriptions are untrusted text. For HTML they go through markdown-it-py (CommonMark with GFM
tables) with raw HTML allowed, and the result through nh3 (the Ammonia sanitizer): an allowlist
of tags and attributes is kept (`<p>`, `<a href>`, `<code>`, `<table>`, ...), `<script>` and
`<style>` are removed with their content, every event handler and `style` attribute is dropped,
and links keep only http, https, mailto and relative URLs (markdown-it's link policy refuses the
rest first, so a rejected Markdown link stays as plain text). For Markdown outputs
(reference.md, api.apib) they are copied as Markdown with raw HTML escaped and unsafe link
targets replaced, so a code host renders them inert.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

__all__ = [
    "SAFE_SCHEMES",
    "inline_markdown",
    "is_safe_url",
    "markdown_source",
    "markdown_table_cell",
    "render_markdown",
    "sanitize_html",
    "text_node",
]

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})

_CONTROL = re.compile(r"[\x00-\x20\x7f]+")


def is_safe_url(url: str) -> bool:
    """True for http(s), mailto and relative URLs; false for `javascript:`, `data:` and the rest."""
    cleaned = _CONTROL.sub("", url)
    if cleaned.startswith("//"):
        return True
    try:
        scheme = urlsplit(cleaned).scheme
    except ValueError:
        return False
    if not scheme:
        return ":" not in cleaned.split("/", 1)[0]
    return scheme.lower() in SAFE_SCHEMES


# What descriptions may keep of their HTML: text structure, links, code, lists, tables. No
# images: a page of docs loads nothing a spec names (no tracking pixel, no mixed content).
ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "div", "dl",
    "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "ins", "kbd", "li", "ol",
    "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub", "summary", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "var",
})
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "td": {"align", "colspan", "rowspan"}, "th": {"align", "colspan", "rowspan"},
    "abbr": {"title"}, "ol": {"start"},
}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    md.enable("table")
    md.validateLink = is_safe_url  # type: ignore[method-assign]
    return md


def sanitize_html(html: str) -> str:
    """HTML reduced to the allowlist: no script, style, event handler or unsafe URL."""
    return nh3.clean(html, tags=set(ALLOWED_TAGS), attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=set(SAFE_SCHEMES), link_rel="noopener noreferrer nofollow",
                     strip_comments=True)


@lru_cache(maxsize=4096)
def render_markdown(text: str) -> Markup:
    """A description as HTML: CommonMark (tables too), its raw HTML sanitized."""
    if not text:
        return Markup("")
    return Markup(sanitize_html(_parser().render(text)))


@lru_cache(maxsize=4096)
def inline_markdown(text: str) -> Markup:
    """A one-line description (table cells, summaries) as inline HTML, sanitized."""
    if not text:
        return Markup("")
    return Markup(sanitize_html(_parser().renderInline(text)))


_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_LINK_TARGET = re.compile(r"(\]\(\s*<?)([^)\s>]*)")
_LINK_DEFINITION = re.compile(r"^(\s{0,3}\[[^\]]+\]:\s*<?)(\S*)")


def _defuse_links(line: str) -> str:
    def replace(match: re.Match[str]) -> str:
        target = match.group(2)
        return match.group(1) + (target if is_safe_url(target) else "#")

    line = _LINK_DEFINITION.sub(replace, line)
    return _LINK_TARGET.sub(replace, line)


def _escape_outside_code(line: str) -> str:
    parts = re.split(r"(`+[^`]*`+)", line)
    out = []
    for index, part in enumerate(parts):
        if index % 2 == 1:
            out.append(part)
        else:
            out.append(_defuse_links(part.replace("&", "&amp;").replace("<", "&lt;")
                                     .replace(">", "&gt;")))
    return "".join(out)


def markdown_source(text: str) -> str:
    """A description kept as Markdown, with raw HTML escaped and unsafe link targets dropped.

    Fenced code blocks are left alone (a code host shows them literally).
    """
    if not text:
        return ""
    lines = []
    fence: str | None = None
    for line in text.strip("\n").splitlines():
        marker = _FENCE.match(line)
        if fence is not None:
            lines.append(line)
            if marker and marker.group(1)[0] == fence[0] and len(marker.group(1)) >= len(fence):
                fence = None
            continue
        if marker:
            fence = marker.group(1)
            lines.append(line)
            continue
        lines.append(_escape_outside_code(line))
    return "\n".join(lines)


_CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)")


def _escape_cell_text(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([\\\[\]|])", r"\\\1", text)


def markdown_table_cell(text: str) -> str:
    """Text for one Markdown table cell or heading: one line, with code spans kept as they are
    and everything else escaped (no raw HTML, no links, no table breaks)."""
    flat = " ".join(str(text).split())
    out: list[str] = []
    last = 0
    for match in _CODE_SPAN.finditer(flat):
        out.append(_escape_cell_text(flat[last:match.start()]))
        out.append(match.group(0).replace("|", "\\|"))
        last = match.end()
    out.append(_escape_cell_text(flat[last:]))
    return "".join(out)


def text_node(text: str) -> Markup:
    """Text for an HTML text node (inside <pre>, never an attribute): `&`, `<`, `>` escaped.

    Quotes need no escaping in text content, which keeps large JSON examples small.
    """
    return Markup(str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
