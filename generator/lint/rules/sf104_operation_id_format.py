"""SF104 operation-id-format: operationIds share one naming style (handlers take their names)."""

from __future__ import annotations

from collections.abc import Iterator

from specfirst.generator.lint.naming_rule import NamingRule
from specfirst.generator.lint.rule import RECOMMENDED, LintContext

__all__ = ["OperationIdFormat"]


class OperationIdFormat(NamingRule):
    id = "SF104"
    name = "operation-id-format"
    summary = "operationIds use one naming style, so generated handler names are predictable."
    rulesets = RECOMMENDED
    fixable = True
    what = "operationId"
    candidates = ("snake", "camel", "pascal", "kebab")

    def names(self, ctx: LintContext) -> Iterator[tuple[str, str, bool]]:
        for op in self.operations(ctx):
            if op.operation_id:
                yield op.operation_id, f"{op.pointer}/operationId", False

    def normalise(self, name: str) -> str:
        # Namespaced ids (`repos/get-content`) are checked by their last part.
        return name.rsplit("/", 1)[-1]
