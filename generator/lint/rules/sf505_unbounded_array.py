"""SF505 unbounded-array: arrays a client sends have a maximum number of items."""

from __future__ import annotations

from collections.abc import Iterator

from specfirst.generator.lint.finding import Finding
from specfirst.generator.lint.rule import PATH_OPERATIONS, RECOMMENDED, LintContext, Rule
from specfirst.generator.lint.rules.sf504_unbounded_string import has_type

__all__ = ["UnboundedArray"]


class UnboundedArray(Rule):
    id = "SF505"
    name = "unbounded-array"
    summary = "Arrays in requests have maxItems."
    category = "security"
    rulesets = RECOMMENDED
    operation_kinds = PATH_OPERATIONS

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for schema, pointer in ctx.request_schemas():
            if has_type(schema, "array") and "maxItems" not in schema \
                    and schema.get("readOnly") is not True:
                yield self.finding(ctx, pointer,
                                   "this array is sent by clients and has no maxItems",
                                   "add maxItems, so one request cannot ask for unbounded work")
