"""Output formats for lint findings: each is a function from a `LintResult` to text."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as ET

from specfirst.generator.lint.finding import Finding, Severity
from specfirst.generator.lint.rules import ALL_RULES
from specfirst.generator.sarif import artifact, sarif_log

if TYPE_CHECKING:
    from specfirst.generator.lint.runner import LintResult

__all__ = ["FORMATS", "render"]

_SARIF_LEVEL = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "note",
    Severity.HINT: "note",
}



@lru_cache(maxsize=64)
def _lines(file: str) -> tuple[str, ...]:
    try:
        text = Path(file).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return ()
    return tuple(line.rstrip("\r") for line in text.split("\n"))


_WINDOW = 120  # characters of a long source line shown around the column


def _clip(text: str, start: int) -> tuple[str, int]:
    """A long line cut to a window around `start`, and where `start` is in the window."""
    if len(text) <= _WINDOW:
        return text, start
    begin = max(0, min(start - _WINDOW // 3, len(text) - _WINDOW))
    clipped = text[begin:begin + _WINDOW]
    prefix = "..." if begin else ""
    suffix = "..." if begin + _WINDOW < len(text) else ""
    return prefix + clipped + suffix, start - begin + len(prefix)


def _frame(finding: Finding) -> list[str]:
    lines = _lines(finding.file)
    if not finding.line or finding.line > len(lines):
        return []
    out = []
    width = len(str(finding.line))
    start = max(finding.column - 1, 0)
    if finding.line > 1:
        before, _ = _clip(lines[finding.line - 2], start)
        out.append(f"  {finding.line - 1:>{width}} | {before}")
    text, start = _clip(lines[finding.line - 1], start)
    out.append(f"  {finding.line:>{width}} | {text}")
    token = text[start:].split(" #", 1)[0].rstrip()
    length = max(1, min(len(token), 60))
    out.append(f"  {'':>{width}} | {' ' * start}{'^' * length}")
    return out


def render_text(result: LintResult) -> str:
    out: list[str] = []
    for f in result.findings:
        out.append(f"{f.file}:{f.line}:{f.column} {f.severity} {f.rule} {f.name} at #{f.pointer}")
        out.append(f"  {f.message}")
        out.extend(_frame(f))
        if f.hint:
            out.append(f"  hint: {f.hint}")
        out.append("")
    s = result.summary()
    if result.findings or result.omitted:
        out.append(f"{s['errors']} error(s), {s['warnings']} warning(s), "
                   f"{s['infos'] + s['hints']} other finding(s) in {s['files']} spec(s)")
        if result.omitted:
            out.append(f"{len(result.omitted)} more finding(s) not shown (--max-problems)")
    else:
        out.append(f"no problems found in {s['files']} spec(s)")
    return "\n".join(out) + "\n"


def render_json(result: LintResult) -> str:
    payload = {"findings": [f.to_dict() for f in result.findings], "summary": result.summary()}
    return json.dumps(payload, indent=2) + "\n"





def _rule_descriptor(f: Finding) -> dict[str, Any]:
    known = {rule.id: rule for rule in ALL_RULES}
    summary = known[f.rule].summary if f.rule in known else f.name
    descriptor: dict[str, Any] = {
        "id": f.rule,
        "name": f.name,
        "shortDescription": {"text": f.name},
        "fullDescription": {"text": summary or f.name},
        "defaultConfiguration": {"level": _SARIF_LEVEL.get(f.severity, "note")},
    }
    if f.rule in known:
        descriptor["help"] = {"text": f"{summary} See docs/rules/{f.rule}.md.",
                              "markdown": f"{summary} See [{f.rule}](docs/rules/{f.rule}.md)."}
    return descriptor


def render_sarif(result: LintResult) -> str:
    """SARIF 2.1.0, as GitHub code scanning and other SARIF viewers read it."""
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for f in result.findings:
        if f.rule not in rules:
            rules[f.rule] = _rule_descriptor(f)
        entry: dict[str, Any] = {
            "ruleId": f.rule,
            "ruleIndex": list(rules).index(f.rule),
            "level": _SARIF_LEVEL.get(f.severity, "note"),
            "message": {"text": f.message + (f" Hint: {f.hint}" if f.hint else "")},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": artifact(f.file),
                    "region": {"startLine": max(f.line, 1), "startColumn": max(f.column, 1)},
                },
                "logicalLocations": [{"fullyQualifiedName": "#" + f.pointer,
                                      "kind": "member"}],
            }],
            "partialFingerprints": {"specfirstPointer/v1": f"{f.rule}:{f.pointer}"},
        }
        results.append(entry)
    return sarif_log("specfirst", list(rules.values()), results)


def render_junit(result: LintResult) -> str:
    suites = ET.Element("testsuites", name="specfirst lint")
    by_file: dict[str, list[Finding]] = {file: [] for file in result.files}
    for f in result.findings:
        by_file.setdefault(f.file, []).append(f)
    total = failures = 0
    for file, findings in by_file.items():
        blocking = [f for f in findings if f.severity >= Severity.WARNING]
        suite = ET.SubElement(suites, "testsuite", name=file, tests=str(max(len(blocking), 1)),
                              failures=str(len(blocking)), errors="0", skipped="0", time="0")
        if not blocking:
            ET.SubElement(suite, "testcase", classname=file, name="lint", time="0")
            total += 1
        for f in blocking:
            case = ET.SubElement(suite, "testcase", classname=file,
                                 name=f"{f.rule} {f.name} at #{f.pointer}", time="0")
            failure = ET.SubElement(case, "failure", type=str(f.severity),
                                    message=f"{f.file}:{f.line}:{f.column} {f.message}")
            failure.text = f.message + (f"\nhint: {f.hint}" if f.hint else "")
            total += 1
            failures += 1
    suites.set("tests", str(total))
    suites.set("failures", str(failures))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") \
        + "\n"


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render_github(result: LintResult) -> str:
    level = {Severity.ERROR: "error", Severity.WARNING: "warning"}
    out = []
    for f in result.findings:
        command = level.get(f.severity, "notice")
        title = _gh_escape(f"{f.rule} {f.name}", prop=True)
        message = f.message + (f" (hint: {f.hint})" if f.hint else "")
        out.append(f"::{command} file={_gh_escape(f.file, True)},line={f.line},col={f.column},"
                   f"title={title}::{_gh_escape(message)}")
    return "\n".join(out) + ("\n" if out else "")


FORMATS: dict[str, Callable[[LintResult], str]] = {
    "text": render_text,
    "json": render_json,
    "sarif": render_sarif,
    "junit": render_junit,
    "github": render_github,
}


def render(result: LintResult, fmt: str) -> str:
    return FORMATS[fmt](result)
