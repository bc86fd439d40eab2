"""SF301 operation-summary: every operation has a short summary."""

from __future__ import annotations

from collections.abc import Iterator

from specfirst.generator.lint.casing import split_words
from specfirst.generator.lint.finding import Finding
from specfirst.generator.lint.rule import RECOMMENDED, LintContext, Rule

__all__ = ["OperationSummary", "summary_from_operation_id"]


def summary_from_operation_id(operation_id: str) -> str:
    """`list_customers` / `listCustomers` -> "List customers"."""
    words = split_words(operation_id.rsplit("/", 1)[-1])
    text = " ".join(words) or operation_id
    return text[:1].upper() + text[1:]


class OperationSummary(Rule):
    id = "SF301"
    name = "operation-summary"
    summary = "Every operation has a summary: the one line that menus and reference docs show."
    category = "readability"
    rulesets = RECOMMENDED
    fixable = True

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for op in self.operations(ctx):
            text = op.node.get("summary")
            if isinstance(text, str) and text.strip():
                continue
            hint = (f"add `summary: {summary_from_operation_id(op.operation_id)}`"
                    if op.operation_id else "add a summary of a few words")
            yield self.finding(ctx, op.pointer, f"{op.label()} has no summary", hint, key=True)
