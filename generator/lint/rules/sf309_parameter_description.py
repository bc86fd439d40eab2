"""SF309 parameter-description: every parameter says what it does."""

from __future__ import annotations

from collections.abc import Iterator

from specfirst.generator.lint.finding import Finding, Severity
from specfirst.generator.lint.rule import RECOMMENDED, LintContext, Rule

__all__ = ["ParameterDescription"]


class ParameterDescription(Rule):
    id = "SF309"
    name = "parameter-description"
    summary = "Parameters have a description: their meaning, format and effect on the result."
    severity = Severity.INFO
    category = "readability"
    rulesets = RECOMMENDED

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        seen: set[str] = set()
        for op in self.operations(ctx):
            for param, pointer in ctx.parameters(op):
                if pointer in seen:
                    continue
                seen.add(pointer)
                text = param.get("description")
                if not (isinstance(text, str) and text.strip()):
                    yield self.finding(
                        ctx, pointer,
                        f"{param.get('in')} parameter {param.get('name')!r} has no description",
                        "say what it does, its format and its default")
