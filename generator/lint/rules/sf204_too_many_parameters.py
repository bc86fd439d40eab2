"""SF204 too-many-parameters: operations with more parameters than a client can keep in mind."""

from __future__ import annotations

from collections.abc import Iterator

from specfirst.generator.lint.finding import Finding
from specfirst.generator.lint.rule import RECOMMENDED, LintContext, Rule

__all__ = ["TooManyParameters"]


class TooManyParameters(Rule):
    id = "SF204"
    name = "too-many-parameters"
    summary = "An operation has at most `max` path, query and cookie parameters (default 12)."
    category = "simplicity"
    rulesets = RECOMMENDED
    defaults = {"max": 12}

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        limit = int(self.options["max"])
        for op in self.operations(ctx):
            count = sum(1 for p, _ in ctx.parameters(op) if p.get("in") != "header")
            if count > limit:
                yield self.finding(
                    ctx, op.pointer,
                    f"{op.label()} takes {count} parameters (limit {limit})",
                    "group filters into a search request body, or split the operation")
