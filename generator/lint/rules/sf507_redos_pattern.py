"""SF507 redos-pattern: a `pattern` that can backtrack catastrophically (ReDoS).

Every `pattern` and `patternProperties` key is parsed and its syntax tree analysed for nested
quantifiers and overlapping alternations under a repeat (see `generator/lint/regex_safety.py`).
A server validating requests with such a pattern can be stalled by one short crafted string.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from generator.lint.finding import Finding, Severity
from generator.lint.regex_safety import analyse_pattern
from generator.lint.rule import MINIMAL, LintContext, Rule
from generator.loader import escape_pointer

__all__ = ["RedosPattern"]


class RedosPattern(Rule):
    id = "SF507"
    name = "redos-pattern"
    summary = "Patterns have no nested quantifiers or overlapping alternations (ReDoS)."
    severity = Severity.ERROR
    category = "security"
    rulesets = MINIMAL

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
            yield self.finding(
                ctx, pointer,
                f"pattern {pattern!r} can take exponential time on a failing input: "
                f"{issue.detail} ({issue.kind})",
                "make the repetition unambiguous: separate repeated parts with a character "
                "the inner part cannot match, or bound the input with maxLength", key=key)
