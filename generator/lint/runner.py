"""Running the rules over a spec and collecting every finding at once."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from generator.lint.finding import Finding, Severity
from generator.lint.rule import LintContext, Rule
from generator.lint.rules import ALL_RULES
from generator.loader import Spec

__all__ = ["LintResult", "lint_spec"]

log = logging.getLogger(__name__)


@dataclass
class LintResult:
    """Every finding of one run, sorted by file and position, with a summary."""

    findings: list[Finding] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def failed(self) -> bool:
        return self.count(Severity.ERROR) > 0

    def summary(self) -> dict[str, int]:
        return {
            "errors": self.count(Severity.ERROR),
            "warnings": self.count(Severity.WARNING),
            "infos": self.count(Severity.INFO),
            "hints": self.count(Severity.HINT),
            "files": len(self.files),
        }


def default_rules() -> list[Rule]:
    return [rule_class() for rule_class in ALL_RULES]


def lint_spec(spec: Spec, rules: Sequence[Rule] | None = None) -> list[Finding]:
    """Apply `rules` (by default every built-in rule at its default severity) to one spec."""
    ctx = LintContext(spec)
    findings: list[Finding] = []
    for rule in rules if rules is not None else default_rules():
        if rule.effective_severity == Severity.OFF:
            continue
        log.debug("rule %s %s", rule.id, rule.name)
        findings.extend(rule.check(ctx))
    return sorted(findings, key=Finding.sort_key)


def merge_results(results: Iterable[tuple[str, list[Finding]]]) -> LintResult:
    result = LintResult()
    for file, findings in results:
        result.files.append(file)
        result.findings.extend(findings)
    return result
