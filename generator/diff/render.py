"""The diff's output formats: renderers of one `DiffResult`.

Every format reports each change once, where it was made (`DiffResult.groups`), with the
operations it affects: `json` lists them all, `text` and `markdown` name the first
`NAMED_OPERATIONS` and count the rest. `markdown` is a changelog section grouped by level, then
by resource (the schema component, or the path of the operation, the change was made in).
`github` prints workflow annotations (`::error file=...,line=...::`) at the change in the new
version (the old one for a removal), `junit` one failing test case per breaking change and per
change to review, `sarif` SARIF 2.1.0 for code-scanning viewers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from specfirst.generator.diff.catalogue import CATALOGUE
from specfirst.generator.diff.change import ChangeGroup, DiffResult, Level
from specfirst.generator.errors import Location
from specfirst.generator.sarif import artifact, sarif_log

__all__ = ["FORMATS", "NAMED_OPERATIONS", "render"]

NAMED_OPERATIONS = 10  # operations named per change in text and Markdown; the rest are counted
_HEADINGS = {Level.BREAKING: "Breaking changes", Level.WARNING: "Changes to review",
             Level.INFO: "Other changes"}
_OPERATIONS = re.compile(r'"\\u0000(\d+)\\u0000"')


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def render_json(result: DiffResult) -> str:
    """Indented JSON, with each list of operations on one line."""
    data = result.to_dict()
    lists = []
    for index, operations in enumerate(data["operation_sets"]):
        lists.append(json.dumps(operations, ensure_ascii=False))
        data["operation_sets"][index] = f"\0{index}\0"
    text = json.dumps(data, indent=2, ensure_ascii=False)
    return _OPERATIONS.sub(lambda match: lists[int(match.group(1))], text) + "\n"


def _summary(result: DiffResult) -> str:
    groups = result.groups
    if not groups:
        return "no changes"
    counts = result.counts()
    text = ", ".join(f"{n} {level}" for level, n in counts.items()) + \
        f" ({_plural(len(groups), 'change')})"
    operations = result.operation_counts()
    affected = sum(operations.values())
    if affected > 1 or len(result.changes) > len(groups):
        text += f"; {_plural(affected, 'operation')} affected, " \
                f"{operations[str(Level.BREAKING)]} with a breaking change"
    return text


def _named(operations: tuple[str, ...], quote_with: str = "") -> str:
    shown = [f"{quote_with}{name}{quote_with}" for name in operations[:NAMED_OPERATIONS]]
    more = len(operations) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _head(group: ChangeGroup) -> str:
    head = f"{str(group.level):8} {group.id}"
    if len(group.operations) == 1:
        if group.operations[0]:
            head += f"  {group.operations[0]}"
    elif group.operations:
        head += f"  ({_plural(len(group.operations), 'operation')})"
    return head


def render_text(result: DiffResult) -> str:
    lines = []
    for group in result.groups:
        lines.append(_head(group))
        lines.append(f"  {group.message}")
        location = group.location
        where = f"{location} " if location is not None and location.line else ""
        lines.append(f"  at {where}#{group.pointer}")
        if len(group.operations) > 1:
            lines.append(f"  affects {_named(group.operations)}")
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


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def resource(group: ChangeGroup) -> str:
    """The resource a change belongs to in the changelog: the schema component it was made in,
    another component, the path of its operation without trailing `{parameters}`, a webhook, or
    "" for the whole API."""
    tokens = [_unescape(t) for t in group.pointer.split("/")[1:]]
    if len(tokens) >= 3 and tokens[0] == "components":
        if tokens[1] == "schemas":
            return f"schema `{tokens[2]}`"
        return f"`components/{tokens[1]}/{tokens[2]}`"
    if len(tokens) >= 2 and tokens[0] == "paths":
        segments = tokens[1].split("/")
        while len(segments) > 2 and segments[-1].startswith("{"):
            segments.pop()
        return f"`{'/'.join(segments)}`"
    if len(tokens) >= 2 and tokens[0] == "webhooks":
        return f"webhook `{tokens[1]}`"
    if group.operations and group.operations[0]:
        name = group.operations[0]
        return f"`{name.split(' ', 1)[1] if ' /' in name else name}`"
    return ""


def render_markdown(result: DiffResult) -> str:
    """A changelog section for release notes: by level, then by resource, each change once with
    the operations it affects."""
    lines = ["## API changes", ""]
    if not result.groups:
        return "\n".join([*lines, "No changes to the API.", ""])
    lines += [_summary(result) + ".", ""]
    for level in sorted(Level, reverse=True):
        groups = [g for g in result.groups if g.level is level]
        if not groups:
            continue
        lines += [f"### {_HEADINGS[level]}", ""]
        by_resource: dict[str, list[ChangeGroup]] = {}
        for group in groups:
            by_resource.setdefault(resource(group), []).append(group)
        for name in sorted(by_resource, key=lambda n: (n != "", n.lower())):
            lines += [f"#### {name or 'The whole API'}", ""]
            for group in by_resource[name]:
                line = f"- {_markdown_text(group.message)} (`{group.id}`)"
                operations = [op for op in group.operations if op]
                if operations:
                    line += f"; {_plural(len(operations), 'operation')}: " \
                            f"{_named(tuple(operations), '`')}"
                lines.append(line)
            lines.append("")
    return "\n".join(lines)


# -- CI formats -----------------------------------------------------------------------------
def _file(location: Location) -> str:
    """A file as CI tools want it: a version read from git (`REF:path`) as its path."""
    if ":" in location.file and not Path(location.file).exists():
        return location.file.split(":", 1)[1]
    return location.file


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def _affects(group: ChangeGroup) -> str:
    operations = [op for op in group.operations if op]
    if not operations:
        return ""
    return f" Affects {_plural(len(operations), 'operation')}: {_named(tuple(operations))}."


def render_github(result: DiffResult) -> str:
    """GitHub workflow commands: an annotation per change at its line in the new version (the
    old one for a removal); breaking changes are errors, changes to review warnings."""
    command = {Level.BREAKING: "error", Level.WARNING: "warning", Level.INFO: "notice"}
    out = []
    for group in result.groups:
        title = _gh_escape(f"{group.level} {group.id}", prop=True)
        message = _gh_escape(group.message + "." + _affects(group))
        location = group.location
        if location is not None and location.line:
            out.append(f"::{command[group.level]} file={_gh_escape(_file(location), True)},"
                       f"line={location.line},col={max(location.column, 1)},title={title}"
                       f"::{message}")
        else:
            out.append(f"::{command[group.level]} title={title}::{message}")
    return "\n".join(out) + ("\n" if out else "")


def render_junit(result: DiffResult) -> str:
    """JUnit XML: a suite per level; a failing case per breaking change and change to review,
    a passing one per other change (one passing case when there is no change)."""
    suites = ET.Element("testsuites", name="specfirst diff")
    total = failures = 0
    for level in sorted(Level, reverse=True):
        groups = [g for g in result.groups if g.level is level]
        failing = level >= Level.WARNING
        suite = ET.SubElement(suites, "testsuite", name=f"diff {level}",
                              tests=str(len(groups)), failures=str(len(groups) if failing else 0),
                              errors="0", skipped="0", time="0")
        for group in groups:
            name = f"{group.id} at #{group.pointer}"
            case = ET.SubElement(suite, "testcase", classname=f"diff.{level}", name=name,
                                 time="0")
            total += 1
            if failing:
                location = group.location
                where = f"{location}: " if location is not None and location.line else ""
                failure = ET.SubElement(case, "failure", type=str(level),
                                        message=f"{where}{group.message}")
                failure.text = group.message + "." + _affects(group)
                failures += 1
    if not total:
        suite = ET.SubElement(suites, "testsuite", name="diff", tests="1", failures="0",
                              errors="0", skipped="0", time="0")
        ET.SubElement(suite, "testcase", classname="diff", name="no changes", time="0")
        total = 1
    suites.set("tests", str(total))
    suites.set("failures", str(failures))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") \
        + "\n"


_SARIF_LEVEL = {Level.BREAKING: "error", Level.WARNING: "warning", Level.INFO: "note"}




def render_sarif(result: DiffResult) -> str:
    """SARIF 2.1.0: a result per change, its rule the change id (described by the catalogue)."""
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for group in result.groups:
        if group.id not in rules:
            meaning = CATALOGUE[group.id].meaning if group.id in CATALOGUE else group.id
            rules[group.id] = {
                "id": group.id,
                "shortDescription": {"text": meaning},
                "help": {"text": f"{meaning}. Every change id is listed in docs/diff.md."},
                "defaultConfiguration": {"level": _SARIF_LEVEL[group.level]},
            }
        entry: dict[str, Any] = {
            "ruleId": group.id,
            "ruleIndex": list(rules).index(group.id),
            "level": _SARIF_LEVEL[group.level],
            "message": {"text": group.message + "." + _affects(group)},
            "partialFingerprints": {"specfirstDiff/v1": f"{group.id}:{group.pointer}"},
            "properties": {"operations": list(group.operations)},
        }
        location = group.location
        logical = [{"fullyQualifiedName": "#" + group.pointer, "kind": "member"}]
        if location is not None and location.line:
            entry["locations"] = [{
                "physicalLocation": {
                    "artifactLocation": artifact(_file(location)),
                    "region": {"startLine": location.line,
                               "startColumn": max(location.column, 1)},
                },
                "logicalLocations": logical,
            }]
        else:
            entry["locations"] = [{"logicalLocations": logical}]
        results.append(entry)
    return sarif_log("specfirst diff", list(rules.values()), results)


FORMATS: dict[str, Callable[[DiffResult], str]] = {
    "github": render_github,
    "json": render_json,
    "junit": render_junit,
    "markdown": render_markdown,
    "sarif": render_sarif,
    "text": render_text,
}


def render(result: DiffResult, fmt: str) -> str:
    return FORMATS[fmt](result)
