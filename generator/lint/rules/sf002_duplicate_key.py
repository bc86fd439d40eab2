"""SF002 duplicate-key: a mapping key written twice; YAML keeps only the last silently."""

from __future__ import annotations

from collections.abc import Iterator

from specfirst.generator.lint.finding import Finding, Severity
from specfirst.generator.lint.rule import LintContext, Rule

__all__ = ["DuplicateKey"]


class DuplicateKey(Rule):
    id = "SF002"
    name = "duplicate-key"
    severity = Severity.ERROR
    summary = "A key appears twice in the same mapping; every value but the last is lost."

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for parsed in ctx.spec.files.values():
            for pointer, line, column in parsed.duplicate_keys:
                key = pointer.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
                yield Finding(
                    rule=self.id, name=self.name, severity=self.effective_severity,
                    message=f"key {key!r} is defined more than once in this mapping; "
                    "only the last definition is used",
                    pointer=pointer, file=parsed.path, line=line, column=column,
                    hint="remove or merge the duplicate definitions",
                )
