"""The diff's output formats: renderers of one `DiffResult`."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from specfirst.generator.diff.change import Change, DiffResult, Level

__all__ = ["FORMATS", "render"]

_HEADINGS = {Level.BREAKING: "Breaking changes", Level.WARNING: "Changes to review",
             Level.INFO: "Other changes"}


def render_json(result: DiffResult) -> str:
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"


def _summary(result: DiffResult) -> str:
    counts = result.counts()
    if not result.changes:
        return "no changes"
    return ", ".join(f"{n} {level}" for level, n in counts.items()) + \
        f" ({len(result.changes)} change{'s' if len(result.changes) != 1 else ''})"


def render_text(result: DiffResult) -> str:
    lines = []
    for change in result.changes:
        head = f"{str(change.level):8} {change.id}"
        if change.operation:
            head += f"  {change.operation}"
        lines.append(head)
        lines.append(f"  {change.message}")
        location = change.location
        where = f"{location} " if location is not None and location.line else ""
        lines.append(f"  at {where}#{change.pointer}")
    lines.append(_summary(result))
    return "\n".join(lines) + "\n"


_QUOTED = re.compile(r"'([^'`]+)'")
_SPECIAL = re.compile(r"([\\`*_\[\]|])")


def _markdown_text(text: str) -> str:
    """Prose escaped for Markdown, with quoted names ('x_y') as code spans."""
    parts = []
    last = 0
    for match in _QUOTED.finditer(text):
        parts.append(_escape(text[last:match.start()]))
        parts.append(f"`{match.group(1)}`")
        last = match.end()
    parts.append(_escape(text[last:]))
    return "".join(parts)


def _escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text).replace("<", "&lt;").replace(">", "&gt;")


def render_markdown(result: DiffResult) -> str:
    """A changelog section for release notes, grouped by level then by operation."""
    lines = ["## API changes", ""]
    if not result.changes:
        return "\n".join([*lines, "No changes to the API.", ""])
    lines += [_summary(result) + ".", ""]
    for level in sorted(Level, reverse=True):
        changes = [c for c in result.changes if c.level is level]
        if not changes:
            continue
        lines += [f"### {_HEADINGS[level]}", ""]
        groups: dict[str, list[Change]] = {}
        for change in changes:
            groups.setdefault(change.operation, []).append(change)
        for operation, group in groups.items():
            title = f"`{operation}`" if operation else "The whole API"
            if len(group) == 1:
                lines.append(f"- {title}: {_markdown_text(group[0].message)} "
                             f"(`{group[0].id}`)")
                continue
            lines.append(f"- {title}")
            lines += [f"  - {_markdown_text(c.message)} (`{c.id}`)" for c in group]
        lines.append("")
    return "\n".join(lines)


FORMATS: dict[str, Callable[[DiffResult], str]] = {
    "json": render_json,
    "markdown": render_markdown,
    "text": render_text,
}


def render(result: DiffResult, fmt: str) -> str:
    return FORMATS[fmt](result)
