"""`specfirst lint --fix`: rewrite what is safe to rewrite, keeping every other byte.

Fixes are small edits made in the file where each value is written (through `$ref`s):

- operationIds that break the spec's naming style are renamed, together with the `links` that
  name them (handler functions are named after operationIds);
- operations without a summary get one made from their operationId;
- responses are sorted by status code (whole entries move, with the comments above them).

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

from specfirst.generator.document import ParsedDocument, parse_document
from specfirst.generator.errors import SpecLoadError
from specfirst.generator.lint.casing import convert, matches
from specfirst.generator.lint.finding import Finding
from specfirst.generator.lint.rule import LintContext
from specfirst.generator.lint.rules.sf301_operation_summary import summary_from_operation_id
from specfirst.generator.lint.rules.sf310_response_order import status_order
from specfirst.generator.loader import Spec, escape_pointer, resolve_pointer, unescape_pointer

__all__ = ["Edit", "FixReport", "Reorder", "apply_fixes", "plan_fixes"]

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


@dataclass(frozen=True)
class Reorder:
    """Put the entries of the block mapping at `pointer` (in `file`) in the order `keys`."""

    file: Path
    pointer: str
    keys: tuple[str, ...]
    rule: str


@dataclass
class FixReport:
    fixed: list[Edit | Reorder] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # file -> why it was not rewritten


def plan_fixes(spec: Spec, findings: Sequence[Finding]) -> list[Edit | Reorder]:
    """The edits that would fix the fixable findings."""
    ctx = LintContext(spec)
    edits: list[Edit | Reorder] = []
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
        elif finding.rule == "SF310" and finding.pointer.endswith("/responses"):
            op = by_pointer.get(finding.pointer.rsplit("/", 1)[0])
            responses = op.node.get("responses") if op is not None else None
            if isinstance(responses, dict):
                file, pointer = spec.origin(finding.pointer)
                wanted = tuple(sorted((str(k) for k in responses), key=status_order))
                edits.append(Reorder(file, pointer, wanted, "SF310"))
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


def apply_fixes(spec: Spec, edits: Sequence[Edit | Reorder]) -> FixReport:
    """Apply edits file by file; a file whose edited text does not check out is left alone."""
    report = FixReport()
    by_file: dict[Path, list[Edit | Reorder]] = {}
    for edit in edits:
        by_file.setdefault(edit.file, []).append(edit)
    for file, file_edits in by_file.items():
        parsed = spec.files[file]
        values = [e for e in file_edits if isinstance(e, Edit)]
        reorders = [e for e in file_edits if isinstance(e, Reorder)]
        lines = parsed.text.splitlines(keepends=True)
        # Bottom-up, so earlier positions stay valid while later ones change.
        ordered = sorted(values, key=lambda e: _order(parsed, e), reverse=True)
        applied: list[Edit | Reorder] = [e for e in ordered
                                         if _splice(parsed, lines, e) is not None]
        text = "".join(lines)
        try:
            current = parse_document(parsed.path, text.encode("utf-8")) if applied else parsed
            if reorders and not parsed.is_json:
                lines = text.splitlines(keepends=True)
                moved = [r for r in reorders if _reorder(current, lines, r)]
                if moved:
                    text = "".join(lines)
                    applied += moved
            if not applied:
                continue
            reread = parse_document(parsed.path, text.encode("utf-8"))
        except SpecLoadError as exc:
            report.skipped[parsed.path] = f"the edited file would not parse ({exc.message})"
            continue
        if not _says_what_was_intended(reread.data, parsed.data, applied):
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


def _says_what_was_intended(reread: Any, original: Any, applied: Sequence[Edit | Reorder]
                            ) -> bool:
    values = [e for e in applied if isinstance(e, Edit)]
    if reread != _expected(original, values):
        return False
    for reorder in applied:
        if isinstance(reorder, Reorder):
            try:
                mapping = resolve_pointer(reread, reorder.pointer)
            except KeyError:
                return False
            if not isinstance(mapping, dict) or tuple(mapping) != reorder.keys:
                return False
    return True


def _reorder(parsed: ParsedDocument, lines: list[str], reorder: Reorder) -> bool:
    """Move the line blocks of a block mapping's entries into the wanted order, in place."""
    starts = []
    for key in reorder.keys:
        position = parsed.keys.get(f"{reorder.pointer}/{escape_pointer(key)}")
        if position is None:
            return False
        line_no, column = position
        if lines[line_no - 1][: column - 1].strip():
            return False  # flow style, or a key sharing its line
        starts.append((line_no - 1, column - 1, key))
    if len({column for _, column, _ in starts}) != 1:
        return False
    starts.sort()
    indent = starts[0][1]
    begins = []
    floor = starts[0][0]
    for index, (line, _, _) in enumerate(starts):
        begin = line
        limit = starts[index - 1][0] + 1 if index else _mapping_floor(lines, floor, indent)
        while begin - 1 >= limit and _is_comment_at(lines[begin - 1], indent):
            begin -= 1
        begins.append(begin)
    end = _block_end(lines, starts[-1][0], indent)
    blocks = {}
    for index, (_, _, key) in enumerate(starts):
        stop = begins[index + 1] if index + 1 < len(starts) else end
        block = lines[begins[index]:stop]
        if block and not block[-1].endswith("\n"):
            block[-1] += "\n"
        blocks[key] = block
    region_end_newline = lines[end - 1].endswith("\n") if end else True
    replacement = [line for key in reorder.keys for line in blocks[key]]
    if not region_end_newline and replacement:
        replacement[-1] = replacement[-1].rstrip("\n")
    lines[begins[0]:end] = replacement
    return True


def _is_comment_at(line: str, indent: int) -> bool:
    stripped = line.lstrip(" ")
    return stripped.startswith("#") and len(line) - len(stripped) == indent


def _mapping_floor(lines: list[str], first: int, indent: int) -> int:
    """The first line that may belong to the first entry (after the mapping's own key)."""
    line = first
    while line - 1 >= 0 and _is_comment_at(lines[line - 1], indent):
        line -= 1
    return line


def _block_end(lines: list[str], start: int, indent: int) -> int:
    """The line after the last entry: the next line indented less than the entries."""
    line = start + 1
    while line < len(lines):
        text = lines[line]
        stripped = text.strip()
        depth = len(text) - len(text.lstrip(" "))
        # A key or a comment at the entries' indentation or less belongs to what follows.
        if stripped and depth <= indent:
            break
        line += 1
    while line - 1 > start and not lines[line - 1].strip():
        line -= 1  # trailing blank lines stay where they are
    return line


def _order(parsed: ParsedDocument, edit: Edit) -> tuple[int, int]:
    pointer = f"{edit.pointer}/{escape_pointer(edit.before or edit.key)}"
    table = parsed.keys if edit.before else parsed.positions
    return table.get(pointer, (0, 0))
