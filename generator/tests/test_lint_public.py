"""Lint on real specs nobody here wrote: it never crashes, and what it says is true."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path

from specfirst.generator.lint import lint_spec
from specfirst.generator.lint.config import LintConfig
from specfirst.generator.lint.finding import Finding
from specfirst.generator.lint.runner import INTERNAL_ERROR
from specfirst.generator.loader import Spec, unescape_pointer

STRICT = LintConfig.from_table({}, ruleset="strict", plugins=False)


def check_locations(findings: Sequence[Finding]) -> list[str]:
    """Every finding's line exists, and names the node its pointer ends in."""
    problems = []
    lines_of: dict[str, list[str]] = {}
    for f in findings:
        if f.file not in lines_of:
            lines_of[f.file] = Path(f.file).read_text(encoding="utf-8-sig").splitlines()
        lines = lines_of[f.file]
        if not 1 <= f.line <= len(lines):
            problems.append(f"{f.file}:{f.line} is not a line ({f.rule} #{f.pointer})")
            continue
        token = unescape_pointer(f.pointer.rsplit("/", 1)[-1]) if f.pointer else ""
        if not token or token.isdigit() or f.rule == "SF002":
            continue
        text = lines[f.line - 1]
        # A scalar written on the line after its key (a folded string) is found on either.
        nearby = text + (lines[f.line - 2] if f.line > 1 else "")
        if json.dumps(token) not in nearby and token not in nearby:
            problems.append(f"{f.file}:{f.line}: {text.strip()[:80]!r} does not name {token!r} "
                            f"({f.rule} #{f.pointer})")
    return problems


def test_every_public_example_spec_lints_without_crashing(public_specs: list[Path]) -> None:
    problems = []
    rules_seen: set[str] = set()
    for path in public_specs:
        findings = lint_spec(Spec.from_path(path), config=STRICT)
        assert not [f for f in findings if f.rule == INTERNAL_ERROR], path
        problems += check_locations(findings)
        rules_seen |= {f.rule for f in findings}
    assert problems == []
    assert len(rules_seen) >= 25  # the corpus exercises most rules


def _find(folder: Path, name: str, rule: str) -> list[str]:
    spec = Spec.from_path(folder / name)
    return [f.pointer for f in lint_spec(spec, config=STRICT) if f.rule == rule]


def test_hand_checked_findings_on_public_examples(oas_examples_dir: Path) -> None:
    v30 = oas_examples_dir / "3.0" / "json"
    # The login operation takes the password in the query string.
    assert "/paths/~1user~1login/get/parameters/1/name" in _find(v30, "petstore.json", "SF502")
    # An apiKey scheme read from the query.
    assert "/components/securitySchemes/apiKey_query/in" in _find(v30, "security.json", "SF502")
    # Two allOf branches, each closed, each refusing the other's property.
    closed = _find(v30, "schema-additional-properties.json", "SF205")
    assert len(closed) == 2 and all("/allOf/" in p for p in closed)
    # `[^\\x00-\\x7F]` overlaps `[a-z0-9-_ ]` under `+`: the alternatives spell the same text.
    redos = _find(oas_examples_dir / "3.1" / "json", "readme.json", "SF507")
    assert "/paths/~1branches~1{branch}~1apis~1{filename}/get/parameters/0/schema/pattern" in redos
    # `a\w+b` is searched for, not anchored: from each start, `\w+` runs to the end of a word
    # of a's and gives it back one by one looking for the b. Quadratic: a warning, not an error.
    spec = Spec.from_path(v30 / "schema-validation.json")
    quadratic = [f for f in lint_spec(spec, config=STRICT) if f.rule == "SF507"
                 and f.pointer == "/paths/~1anything~1strings/parameters/2/schema/pattern"]
    assert [(str(f.severity), "quadratic time" in f.message) for f in quadratic] == [
        ("warning", True)]
    # A request example that is a JSON string where the schema wants an object.
    examples = _find(v30, "request-examples.json", "SF305")
    assert "/paths/~1requestBody-primitive-example/patch/requestBody/content/application~1json" \
        "/examples/cat/value" in examples


def test_github_spec_lints_fast_and_truthfully(large_public_spec: Path) -> None:
    started = time.process_time()
    spec = Spec.from_path(large_public_spec)
    findings = lint_spec(spec, config=STRICT)
    cpu = time.process_time() - started
    assert cpu < 60, f"lint took {cpu:.1f}s of CPU"
    assert not [f for f in findings if f.rule == INTERNAL_ERROR]
    assert check_locations(findings) == []
    by_rule: dict[str, set[str]] = {}
    for f in findings:
        by_rule.setdefault(f.rule, set()).add(f.pointer)
    # `make_latest` is a string enum ("true", "false", "legacy") with the boolean default true.
    assert any(p.endswith("/properties/make_latest/default") for p in by_rule["SF001"])
    # Referenced only from a component that nothing references.
    assert "/components/schemas/repository-rule-params-reviewer" in by_rule["SF201"]
    document = spec.document
    # Independent check of every unused-component finding: no $ref text names it anywhere
    # except inside other unused components.
    unused = {p for p in by_rule["SF201"] if p.startswith("/components/schemas/")}
    raw = large_public_spec.read_text(encoding="utf-8")
    for pointer in sorted(unused)[:50]:
        name = pointer.rsplit("/", 1)[1]
        referrers = raw.count(f'"#/components/schemas/{name}"')
        if referrers:
            holders = [k for k, v in document["components"]["schemas"].items()
                       if f'"#/components/schemas/{name}"' in json.dumps(v)]
            assert holders and all(f"/components/schemas/{h}" in unused for h in holders), name
