"""Running the rules over a spec and collecting every finding at once."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from specfirst.generator.lint.config import LintConfig, apply_ignores
from specfirst.generator.lint.finding import Finding, Severity
from specfirst.generator.lint.rule import LintContext, Rule
from specfirst.generator.lint.rules import ALL_RULES
from specfirst.generator.loader import Spec

__all__ = ["INTERNAL_ERROR", "LintResult", "default_rules", "lint_spec", "merge_results"]

log = logging.getLogger(__name__)
INTERNAL_ERROR = "SF000"


@dataclass
class LintResult:
    """Every finding of one run, sorted by file and position, with a summary.

    `omitted` holds the findings `--max-problems` leaves out of the report: they still count in
    the summary and in `fails`.
    """

    findings: list[Finding] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    omitted: list[Finding] = field(default_factory=list)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in (*self.findings, *self.omitted) if f.severity == severity)

    @property
    def failed(self) -> bool:
        return self.fails(Severity.ERROR)

    def fails(self, threshold: Severity) -> bool:
        """Whether any finding is at least as severe as `threshold` (`off`: never)."""
        if threshold == Severity.OFF:
            return False
        return any(f.severity >= threshold for f in (*self.findings, *self.omitted))

    def limited(self, max_problems: int | None) -> LintResult:
        """The result showing at most `max_problems` findings: the most severe ones, in file
        order; the rest move to `omitted`."""
        every = [*self.findings, *self.omitted]
        if max_problems is None or len(every) <= max_problems:
            return LintResult(every, list(self.files))
        ranked = sorted(range(len(every)), key=lambda i: (-every[i].severity, i))
        keep = set(ranked[:max_problems])
        shown = [f for i, f in enumerate(every) if i in keep]
        rest = [f for i, f in enumerate(every) if i not in keep]
        return LintResult(shown, list(self.files), rest)

    def summary(self) -> dict[str, int]:
        summary = {
            "errors": self.count(Severity.ERROR),
            "warnings": self.count(Severity.WARNING),
            "infos": self.count(Severity.INFO),
            "hints": self.count(Severity.HINT),
            "files": len(self.files),
        }
        if self.omitted:
            summary["omitted"] = len(self.omitted)
        return summary


def default_rules() -> list[Rule]:
    return [rule_class() for rule_class in ALL_RULES]


def lint_spec(spec: Spec, rules: Sequence[Rule] | None = None,
              config: LintConfig | None = None) -> list[Finding]:
    """Apply rules to one spec: `rules` as given, else those `config` selects (default:
    the recommended ruleset). Overrides and `x-specfirst-ignore` marks are applied."""
    if rules is None:
        config = config or LintConfig()
        rules = config.build()
    ctx = LintContext(spec)
    findings: list[Finding] = []
    for rule in rules:
        if rule.effective_severity == Severity.OFF:
            continue
        started = time.perf_counter()
        try:
            findings.extend(rule.check(ctx))
        except Exception as exc:  # one broken rule must not hide the others' findings
            log.debug("rule %s failed", rule.id, exc_info=True)
            findings.append(Finding(
                rule=INTERNAL_ERROR, name="internal-error", severity=Severity.WARNING,
                message=f"rule {rule.id} {rule.name} failed on this document: "
                f"{type(exc).__name__}: {exc}",
                pointer="", file=spec.display_path(spec.path), line=1, column=1,
                hint="please report this with the spec that triggers it"))
        log.debug("rule %s %s: %.3fs", rule.id, rule.name, time.perf_counter() - started)
    findings.extend(_load_problems(spec))
    if config is not None:
        findings = config.adjust(findings)
    findings = apply_ignores(findings, spec.document)
    return sorted(findings, key=Finding.sort_key)


def _load_problems(spec: Spec) -> Iterator[Finding]:
    """What the loader found and set aside (`strict_refs=False`): unresolved `$ref`s, reported
    as SF001 errors under every ruleset, since every other command refuses such a spec."""
    for problem in spec.problems:
        where = problem.location
        yield Finding(
            rule="SF001", name="valid-openapi", severity=Severity.ERROR, message=problem.message,
            pointer=(where.pointer if where is not None else None) or "",
            file=where.file if where is not None else spec.display_path(spec.path),
            line=where.line if where is not None else 1,
            column=where.column if where is not None else 1, hint=problem.hint)


def merge_results(results: Iterable[tuple[str, list[Finding]]]) -> LintResult:
    result = LintResult()
    for file, findings in results:
        result.files.append(file)
        result.findings.extend(findings)
    return result
