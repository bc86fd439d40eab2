"""`specfirst lint --fix`: rewrite what is safe to rewrite, keeping every other byte.

Fixes are small edits made in the file where each value is written (through `$ref`s):

- operationIds that break the spec's naming style are renamed, together with the `links` that
  name them (handler functions are named after operationIds);
- operations without a summary get one made from their operationId.

Each edit is spliced into the text at the position the source map gives, so comments, folded
lines, quoting and key order stay exactly as they were. (A YAML round-trip through ruamel.yaml
was measured on the reference spec and refolds long descriptions and rewrites `null`, so it is
not used to write.) The edited text is read again with the spec loader and must hold exactly
the intended data; otherwise the file is left untouched and reported.
"""

from __future__ import annotations

import copy
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.document import ParsedDocument, parse_document
from generator.errors import SpecLoadError
from generator.lint.casing import convert, matches
from generator.lint.finding import Finding
from generator.lint.rule import LintContext
from generator.lint.rules.sf301_operation_summary import summary_from_operation_id
from generator.loader import Spec, escape_pointer, resolve_pointer, unescape_pointer

__all__ = ["Edit", "FixReport", "apply_fixes", "plan_fixes"]

log = logging.getLogger(__name__)
_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-/ ]*$")
_RESERVED = frozenset({"null", "true", "false", "yes", "no", "on", "off", "~"})


@dataclass(frozen=True)
class Edit:
    """Set `key` of the mapping at `pointer` (in `file`) to `value`; `before` places a new key."""

    file: Path
    pointer: str
    key: str
    value: str
    rule: str
    before: str | None = None


@dataclass
class FixReport:
    fixed: list[Edit] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # file -> why it was not rewritten


def plan_fixes(spec: Spec, findings: Sequence[Finding]) -> list[Edit]:
    """The edits that would fix the fixable findings."""
    ctx = LintContext(spec)
    edits: list[Edit] = []
    renames: dict[str, str] = {}
    by_pointer = {op.pointer: op for op in ctx.operation_list()}
    for finding in findings:
        if finding.rule == "SF104" and finding.pointer.endswith("/operationId"):
            op = by_pointer.get(finding.pointer.rsplit("/", 1)[0])
            style = _style_in(finding.message)
            if op is None or not op.operation_id or style is None:
                continue
            new = convert(op.operation_id, style)
            if new == op.operation_id or not matches(new, style):
                continue
            renames[op.operation_id] = new
            edits.append(_edit(spec, finding.pointer, new, "SF104"))
        elif finding.rule == "SF301":
            op = by_pointer.get(finding.pointer)
            if op is None or not op.operation_id:
                continue
            file, pointer = spec.origin(op.pointer)
            edits.append(Edit(file, pointer, "summary",
                              summary_from_operation_id(op.operation_id), "SF301",
                              before="operationId"))
    if renames:
        edits.extend(_link_edits(spec, ctx, renames))
    return edits


def _style_in(message: str) -> str | None:
    for style in ("snake", "camel", "pascal", "kebab", "macro", "cobol", "flat"):
        if f"not {style} case" in message:
            return style
    return None


def _edit(spec: Spec, pointer: str, value: str, rule: str) -> Edit:
    parent, key = pointer.rsplit("/", 1)
    file, file_pointer = spec.origin(parent)
    return Edit(file, file_pointer, unescape_pointer(key), value, rule)


def _link_edits(spec: Spec, ctx: LintContext, renames: dict[str, str]) -> list[Edit]:
    edits = []
    seen: set[str] = set()
    for op in ctx.operation_list():
        for _, response, pointer in ctx.responses(op):
            links = response.get("links")
            if not isinstance(links, dict):
                continue
            for name, link in links.items():
                link, link_pointer = ctx.deref(link, f"{pointer}/links/{escape_pointer(name)}")
                target = link.get("operationId") if isinstance(link, dict) else None
                if target in renames and link_pointer not in seen:
                    seen.add(link_pointer)
                    edits.append(_edit(spec, f"{link_pointer}/operationId", renames[target],
                                       "SF104"))
    return edits


def _render(value: str, is_json: bool, quote: str = "") -> str:
    if is_json or quote == '"':
        return json.dumps(value)
    if quote == "'":
        return "'" + value.replace("'", "''") + "'"
    if _PLAIN.match(value) and value.lower() not in _RESERVED and not value.endswith(" "):
        return value
    return json.dumps(value)


def _scalar_end(line: str, start: int) -> int:
    """Where the scalar token starting at `start` ends on its line."""
    if start >= len(line):
        return start
    quote = line[start]
    if quote in "'\"":
        i = start + 1
        while i < len(line):
            if quote == "'" and line[i] == "'" and line[i + 1:i + 2] == "'":
                i += 2
                continue
            if quote == '"' and line[i] == "\\":
                i += 2
                continue
            if line[i] == quote:
                return i + 1
            i += 1
        return len(line)
    end = len(line)
    for marker in (" #", ",", "}", "]") if line.lstrip().startswith(("{", "[")) else (" #",):
        found = line.find(marker, start)
        if found != -1:
            end = min(end, found)
    return len(line[:end].rstrip())


def _splice(parsed: ParsedDocument, lines: list[str], edit: Edit) -> tuple[int, int] | None:
    """Apply one edit to `lines` in place; the (line, column) it touched, or None."""
    child = f"{edit.pointer}/{escape_pointer(edit.key)}"
    if child in parsed.positions and edit.before is None:
        line_no, column = parsed.positions[child]
        line = lines[line_no - 1]
        start = column - 1
        end = _scalar_end(line, start)
        quote = line[start] if line[start:start + 1] in ("'", '"') else ""
        lines[line_no - 1] = line[:start] + _render(edit.value, parsed.is_json, quote) \
            + line[end:]
        return line_no, column
    anchor = f"{edit.pointer}/{escape_pointer(edit.before or '')}"
    if edit.before is None or anchor not in parsed.keys or child in parsed.positions:
        return None
    line_no, column = parsed.keys[anchor]
    line = lines[line_no - 1]
    if line[: column - 1].strip() not in ("", "-"):
        return None  # the key shares its line with something else (flow style)
    indent = " " * (column - 1)
    key = json.dumps(edit.key) if parsed.is_json else edit.key
    text = f"{indent}{key}: {_render(edit.value, parsed.is_json)}"
    if parsed.is_json:
        text += ","
    if line[: column - 1].strip() == "-":
        # `- operationId: x` opens a list item: the new key goes after, at the same indent.
        lines.insert(line_no, text + "\n")
    else:
        lines.insert(line_no - 1, text + "\n")
    return line_no, column


def _expected(data: Any, edits: Sequence[Edit]) -> Any:
    data = copy.deepcopy(data)
    for edit in edits:
        try:
            mapping = resolve_pointer(data, edit.pointer)
        except KeyError:
            continue
        if isinstance(mapping, dict):
            mapping[edit.key] = edit.value
    return data


def apply_fixes(spec: Spec, edits: Sequence[Edit]) -> FixReport:
    """Apply edits file by file; a file whose edited text does not check out is left alone."""
    report = FixReport()
    by_file: dict[Path, list[Edit]] = {}
    for edit in edits:
        by_file.setdefault(edit.file, []).append(edit)
    for file, file_edits in by_file.items():
        parsed = spec.files[file]
        lines = parsed.text.splitlines(keepends=True)
        # Bottom-up, so earlier positions stay valid while later ones change.
        ordered = sorted(file_edits, key=lambda e: _order(parsed, e), reverse=True)
        applied = [e for e in ordered if _splice(parsed, lines, e) is not None]
        if not applied:
            continue
        text = "".join(lines)
        try:
            reread = parse_document(parsed.path, text.encode("utf-8"))
        except SpecLoadError as exc:
            report.skipped[parsed.path] = f"the edited file would not parse ({exc.message})"
            continue
        if reread.data != _expected(parsed.data, applied):
            report.skipped[parsed.path] = "the edited file would not say what was intended"
            continue
        raw = file.read_bytes()
        newline = "\r\n" if b"\r\n" in raw else "\n"
        if newline != "\n":
            text = text.replace("\r\n", "\n").replace("\n", newline)
        prefix = "\ufeff" if raw.startswith(b"\xef\xbb\xbf") else ""
        file.write_text(prefix + text, encoding="utf-8", newline="")
        report.fixed.extend(applied)
        log.debug("fixed %d finding(s) in %s", len(applied), file)
    return report


def _order(parsed: ParsedDocument, edit: Edit) -> tuple[int, int]:
    pointer = f"{edit.pointer}/{escape_pointer(edit.before or edit.key)}"
    table = parsed.keys if edit.before else parsed.positions
    return table.get(pointer, (0, 0))
