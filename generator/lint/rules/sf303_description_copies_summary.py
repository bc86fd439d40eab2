"""SF303 description-copies-summary: a description that only repeats the summary."""

from __future__ import annotations

import re
from collections.abc import Iterator

from specfirst.generator.lint.finding import Finding
from specfirst.generator.lint.rule import RECOMMENDED, LintContext, Rule

__all__ = ["DescriptionCopiesSummary"]

_NOISE = re.compile(r"[\W_]+")


def _normal(text: str) -> str:
    return _NOISE.sub(" ", text).strip().lower()


class DescriptionCopiesSummary(Rule):
    id = "SF303"
    name = "description-copies-summary"
    summary = "A description says more than the summary (or is left out)."
    category = "readability"
    rulesets = RECOMMENDED

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for op in self.operations(ctx):
            summary, description = op.node.get("summary"), op.node.get("description")
            if isinstance(summary, str) and isinstance(description, str) \
                    and summary.strip() and _normal(summary) == _normal(description):
                yield self.finding(ctx, f"{op.pointer}/description",
                                   f"the description of {op.label()} only repeats its summary",
                                   "explain what the summary cannot: effects, rules, errors")
