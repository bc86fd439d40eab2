"""The ReDoS analysis of `pattern`s: exponential and polynomial shapes found with their cost,
safe ones left alone, and how SF507 reports them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from specfirst.generator.errors import ConfigError
from specfirst.generator.lint import lint_spec
from specfirst.generator.lint.config import LintConfig
from specfirst.generator.lint.regex_safety import analyse_pattern
from specfirst.generator.loader import Spec

CATASTROPHIC = [
    (r"^(a+)+$", "nested-quantifier"),
    (r"^(a*)*$", "nested-quantifier"),
    (r"(\w+\s?)*$", "nested-quantifier"),
    (r"(\d+(\.\d+)?)+x", "nested-quantifier"),
    (r"^(\w+\.?)+@example\.com$", "nested-quantifier"),
    (r"(x+x+)+y", "nested-quantifier"),
    (r"^(([a-z])+.)+[A-Z]([a-z])+$", "nested-quantifier"),
    (r"(.*a){12}", "nested-quantifier"),
    (r"^((ab){1,3})+$", "nested-quantifier"),
    (r"(a|a)*b", "overlapping-alternation"),
    (r"^(\w|\d)+$", "overlapping-alternation"),
    (r"^(a|aa)*$", "overlapping-alternation"),
    (r"^(a|[a-z])+$", "overlapping-alternation"),
    (r"^(a|b|ab)*$", "overlapping-alternation"),
    (r"^(a|a+)*$", "nested-quantifier"),
    (r"^(a|a)*$", "overlapping-alternation"),
    (r"^(?:[a-z]+|-)*$", "nested-quantifier"),
]
# Repeats in sequence that can share one run of characters: (pattern, degree of the polynomial).
POLYNOMIAL = [
    (r"^\d+\d+$", 2),
    (r"\d+$", 2),  # searched from every position: the unanchored start is one more repeat
    (r"^\s+|\s+$", 2),  # the trim pattern behind a well-known outage
    (r"[a-z]+@", 2),
    (r"(a|ab)*c", 2),
    (r"a\w+b", 2),
    (r"^\d*\.?\d*$", 2),
    (r"^.*,.*$", 2),
    (r"^\w+\s*\w+$", 2),
    (r"^(?:\.[a-z]+)*[a-z]*$", 2),  # the inner repeat meets the one after the group
    (r"^\d+(?=\d)\d+$", 2),
    (r"^(?<lead>\d+)\d+$", 2),
    (r".*.*=.*", 3),
    (r"\s*\w*\s*$", 3),
    (r"^.+@.+\..+$", 3),
    (r"^\S+@\S+\.\S+$", 3),
    (r"x*y*x*z", 3),
    (r"^[0-9]+[0-9]+[0-9]+$", 3),
    (r"^a*a*a*a*b", 4),
]
SAFE = [
    r"^[a-z]+$",
    r"^[a-z0-9-]+$",
    r"^([a-z0-9]+-)*[a-z0-9]+$",
    r"^\d{4}-\d{2}-\d{2}$",
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$",
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
    # semver.org's own pattern
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)"
    r"(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$",
    r"^(a|ab)*c",
    r"^(a|bc|cb)*$",
    r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$",
    r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$",
    r"^\+?[0-9]{7,15}$",
    r"^(?:[a-z]{2,3})(?:-[A-Z]{2})?$",
    r"^(GET|POST|PUT)$",
    r"[|]x(a|b)+",
    r"^(?:[a-z]|-)+$",
    r"^([0-9a-f]{2}:)+[0-9a-f]{2}$",
    r"^(?<year>\d{4})-(?<month>\d{2})$",
    r"^\p{L}+$",
    r"^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$",
    r"^[^,]*,[^,]*$",
    r"^(\w+)-(\w+)$",
    r"^\d+(?:\.\d+)?$",
    r"^[A-Z][a-z]*(?: [A-Z][a-z]*)*$",
    r"^\w+=\w+(&\w+=\w+)*$",
    r"^https?://[^\s/$.?#].[^\s]*$",
    r"^\s*\S+\s*$",
    r"^[a-z]{1,64}[a-z]{1,64}$",  # bounded repeats multiply the work by their bounds only
    r"^\d++\d+$",  # a possessive repeat gives nothing back
    r"^(?>\d+)\d+$",
    r"^\d+\d+",  # nothing after the repeats can fail: the first split tried matches
    r"rdme_\w+",
]


@pytest.mark.parametrize(("pattern", "kind"), CATASTROPHIC)
def test_catastrophic_patterns_are_found(pattern: str, kind: str) -> None:
    assert [issue.kind for issue in analyse_pattern(pattern)] == [kind]


@pytest.mark.parametrize(("pattern", "kind"), CATASTROPHIC)
def test_exponential_findings_name_no_degree(pattern: str, kind: str) -> None:
    assert all(issue.exponential for issue in analyse_pattern(pattern))


@pytest.mark.parametrize(("pattern", "degree"), POLYNOMIAL)
def test_polynomial_patterns_are_found_with_their_degree(pattern: str, degree: int) -> None:
    issues = analyse_pattern(pattern)
    assert [(issue.kind, issue.degree) for issue in issues] == [
        ("overlapping-quantifiers", degree)]
    assert not issues[0].exponential


@pytest.mark.parametrize("pattern", SAFE)
def test_safe_patterns_are_left_alone(pattern: str) -> None:
    assert analyse_pattern(pattern) == []


def test_a_hostile_pattern_is_compared_repeat_by_repeat_up_to_a_bound() -> None:
    # 5000 repeats that could all share a run of a's: the first 200 are compared (plus the
    # search from every position), so the analysis stays small whatever the spec holds.
    issues = analyse_pattern("a*" * 5000 + "b")
    assert [(issue.kind, issue.degree) for issue in issues] == [("overlapping-quantifiers", 201)]


def test_the_tables_are_big_enough_to_mean_something() -> None:
    assert len(POLYNOMIAL) >= 15 and len(SAFE) >= 15
    assert not {p for p, _ in POLYNOMIAL} & set(SAFE)


def test_invalid_patterns_raise_re_error() -> None:
    with pytest.raises(re.error):
        analyse_pattern("(unclosed")


RULE_SPEC = """\
openapi: 3.0.3
info: {title: T, version: '1'}
paths: {}
components:
  schemas:
    Codes:
      type: object
      properties:
        nested: {type: string, pattern: '^(a+)+$'}
        digits: {type: string, pattern: '^\\d+\\d+$'}
        pairs: {type: string, pattern: '.*.*=.*'}
"""


def redos_findings(tmp_path: Path, rules: dict[str, object] | None = None
                   ) -> dict[str, tuple[str, str]]:
    path = tmp_path / "api.yaml"
    path.write_text(RULE_SPEC, encoding="utf-8")
    config = LintConfig.from_table({"rules": rules or {}}, ruleset="minimal", plugins=False)
    return {f.pointer.split("/")[-2]: (str(f.severity), f.message)
            for f in lint_spec(Spec.from_path(path), config=config) if f.rule == "SF507"}


def test_the_rule_names_the_cost_and_reports_polynomial_ones_as_warnings(tmp_path: Path) -> None:
    found = redos_findings(tmp_path)
    assert found["nested"][0] == "error" and "exponential time" in found["nested"][1]
    assert found["digits"][0] == "warning"
    assert "can take quadratic time (O(n^2)) on a long failing input" in found["digits"][1]
    assert found["pairs"][0] == "warning" and "cubic time (O(n^3))" in found["pairs"][1]
    assert "leading ^" in found["pairs"][1] and "leading ^" not in found["digits"][1]


@pytest.mark.parametrize(("rules", "expected"), [
    ({"SF507": {"polynomial": "error"}}, {"nested": "error", "digits": "error", "pairs": "error"}),
    ({"redos-pattern": {"polynomial": "off"}}, {"nested": "error"}),
    # never above the rule's own severity
    ({"SF507": {"severity": "info", "polynomial": "error"}},
     {"nested": "info", "digits": "info", "pairs": "info"}),
])
def test_the_polynomial_option_sets_their_severity(tmp_path: Path, rules: dict[str, object],
                                                   expected: dict[str, str]) -> None:
    found = redos_findings(tmp_path, rules)
    assert {name: severity for name, (severity, _) in found.items()} == expected


def test_an_unknown_polynomial_severity_is_a_configuration_error() -> None:
    config = LintConfig.from_table({"rules": {"SF507": {"polynomial": "loud"}}}, plugins=False)
    with pytest.raises(ConfigError, match="polynomial"):
        config.build()
