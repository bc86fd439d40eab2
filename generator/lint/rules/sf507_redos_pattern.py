"""SF507 redos-pattern: a `pattern` that can backtrack catastrophically (ReDoS).

Every `pattern` and `patternProperties` key is parsed and its syntax tree analysed (see
`generator/lint/regex_safety.py` and `regex_polynomial.py`) for nested quantifiers and
overlapping alternations under a repeat, which cost exponential time, and for repeats in
sequence that can share one run of characters, which cost polynomial time (n², n³, ...).
A server validating requests with such a pattern can be stalled by one crafted string: a short
one when the time is exponential, a longer one when it is polynomial. Polynomial findings are
reported at the `polynomial` option's severity (default warning), never above the rule's own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from specfirst.generator.errors import ConfigError
from specfirst.generator.lint.finding import Finding, Severity
from specfirst.generator.lint.regex_safety import RegexIssue, analyse_pattern
from specfirst.generator.lint.rule import MINIMAL, LintContext, Rule
from specfirst.generator.loader import escape_pointer

__all__ = ["RedosPattern"]

_DEGREES = {2: "quadratic", 3: "cubic"}


def describe(issue: RegexIssue) -> str:
    """How long a failing input can take: `exponential time`, `quadratic time (O(n^2))`, ..."""
    if issue.degree is None:
        return "exponential time"
    name = _DEGREES.get(issue.degree, f"polynomial time of degree {issue.degree}")
    if issue.degree in _DEGREES:
        name += " time"
    return f"{name} (O(n^{issue.degree}))"


class RedosPattern(Rule):
    id = "SF507"
    name = "redos-pattern"
    summary = "Patterns cannot backtrack for exponential or polynomial time on a crafted input."
    severity = Severity.ERROR
    category = "security"
    rulesets = MINIMAL
    defaults = {"polynomial": "warning"}

    def __init__(self, severity: Severity | None = None, options: dict[str, Any] | None = None):
        super().__init__(severity, options)
        try:
            wanted = Severity.parse(str(self.options["polynomial"]))
        except ValueError as exc:
            raise ConfigError(f"rule SF507 redos-pattern, option polynomial: {exc}") from None
        self.polynomial_severity = min(wanted, self.effective_severity)

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for schema, pointer in ctx.schemas():
            pattern = schema.get("pattern")
            if isinstance(pattern, str):
                yield from self._check(ctx, pattern, f"{pointer}/pattern", key=False)
            properties = schema.get("patternProperties")
            if isinstance(properties, dict):
                for key in properties:
                    yield from self._check(
                        ctx, str(key),
                        f"{pointer}/patternProperties/{escape_pointer(str(key))}", key=True)

    def _check(self, ctx: LintContext, pattern: str, pointer: str, *, key: bool
               ) -> Iterator[Finding]:
        try:
            issues = analyse_pattern(pattern)
        except (re.error, RecursionError, OverflowError):
            return  # an ECMA-262 feature Python does not parse; valid-openapi owns syntax
        for issue in issues[:1]:
            if issue.exponential:
                yield self.finding(
                    ctx, pointer,
                    f"pattern {pattern!r} can take exponential time on a failing input: "
                    f"{issue.detail} ({issue.kind})",
                    "make the repetition unambiguous: separate repeated parts with a character "
                    "the inner part cannot match, or bound the input with maxLength", key=key)
            elif self.polynomial_severity != Severity.OFF:
                finding = self.finding(
                    ctx, pointer,
                    f"pattern {pattern!r} can take {describe(issue)} on a long failing input: "
                    f"{issue.detail} ({issue.kind})",
                    "let neighbouring repeats take different characters (or put a character "
                    "neither can match between them), anchor the pattern with ^, and bound the "
                    "input with maxLength", key=key)
                yield replace(finding, severity=self.polynomial_severity)
