"""SF302 operation-description: every operation explains itself in a description."""

from __future__ import annotations

from collections.abc import Iterator

from specfirst.generator.lint.finding import Finding, Severity
from specfirst.generator.lint.rule import RECOMMENDED, LintContext, Rule

__all__ = ["OperationDescription"]


class OperationDescription(Rule):
    id = "SF302"
    name = "operation-description"
    summary = "Every operation has a description: what it does, its effects and its limits."
    severity = Severity.INFO
    category = "readability"
    rulesets = RECOMMENDED

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for op in self.operations(ctx):
            text = op.node.get("description")
            if not (isinstance(text, str) and text.strip()):
                yield self.finding(ctx, op.pointer, f"{op.label()} has no description",
                                   "describe what the operation does, its side effects and "
                                   "its errors", key=True)
