"""SF501 operation-security: every operation states how it is authenticated."""

from __future__ import annotations

from collections.abc import Iterator

from specfirst.generator.lint.finding import Finding, Severity
from specfirst.generator.lint.rule import PATH_OPERATIONS, RECOMMENDED, LintContext, Rule

__all__ = ["OperationSecurity"]


class OperationSecurity(Rule):
    id = "SF501"
    name = "operation-security"
    summary = "Operations have a security requirement; public ones say so with `security: []`."
    severity = Severity.ERROR
    category = "security"
    rulesets = RECOMMENDED
    operation_kinds = PATH_OPERATIONS

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        top = ctx.document.get("security")
        if isinstance(top, list) and top:
            return
        ops = self.operations(ctx)
        missing = [op for op in ops if not isinstance(op.node.get("security"), list)]
        hint = ("declare a security scheme in components/securitySchemes and require it with "
                "`security`; mark deliberately public operations with `security: []`")
        if ops and len(missing) == len(ops):
            yield self.finding(ctx, "/paths" if "paths" in ctx.document else "",
                               "no operation of this API requires authentication", hint,
                               key=True)
            return
        for op in missing:
            yield self.finding(ctx, op.pointer, f"{op.label()} has no security requirement",
                               hint, key=True)
