"""SF508 auth-error-responses: secured operations document 401, and 403 where scopes exist.

401 answers a missing or bad credential, which every secured operation can meet. 403 answers a
valid credential without the right to act; the spec says which rights an operation needs by
the scopes (3.1: or roles) of its security requirements, so 403 is asked for only where a
requirement lists some. A `default` response documents every status not listed (Stripe
documents its errors so), so it counts for both. An API that checks rights it does not declare
(ownership of a record) answers 403 as well; the rule cannot see that, so it does not ask.
"""

from __future__ import annotations

from collections.abc import Iterator

from specfirst.generator.lint.finding import Finding
from specfirst.generator.lint.rule import PATH_OPERATIONS, RECOMMENDED, LintContext, Operation, Rule

__all__ = ["AuthErrorResponses", "declares", "is_secured", "needs_scopes", "responses_pointer"]


def is_secured(ctx: LintContext, op: Operation) -> bool:
    security = op.node.get("security", ctx.document.get("security"))
    return isinstance(security, list) and any(bool(r) for r in security if isinstance(r, dict))


def needs_scopes(ctx: LintContext, op: Operation) -> bool:
    """Whether a security requirement of the operation lists scopes (or 3.1 roles)."""
    security = op.node.get("security", ctx.document.get("security"))
    if not isinstance(security, list):
        return False
    return any(isinstance(scopes, list) and scopes
               for requirement in security if isinstance(requirement, dict)
               for scopes in requirement.values())


def responses_pointer(op: Operation) -> str:
    """The operation's `responses` (or the operation itself when it has none)."""
    return f"{op.pointer}/responses" if "responses" in op.node else op.pointer


def declares(op: Operation, status: str, *, default: bool = False) -> bool:
    """Whether the operation documents `status`: the code, its range, or (with `default`) a
    `default` response."""
    responses = op.node.get("responses")
    if not isinstance(responses, dict):
        return False
    keys = {str(k).upper() for k in responses}
    return status in keys or f"{status[0]}XX" in keys or (default and "DEFAULT" in keys)


class AuthErrorResponses(Rule):
    id = "SF508"
    name = "auth-error-responses"
    summary = ("Operations that need credentials document 401 (no or bad token), and 403 (no "
               "right) where their requirements list scopes.")
    category = "security"
    rulesets = RECOMMENDED
    operation_kinds = PATH_OPERATIONS

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for op in self.operations(ctx):
            if not is_secured(ctx, op):
                continue
            wanted = ("401", "403") if needs_scopes(ctx, op) else ("401",)
            missing = [s for s in wanted if not declares(op, s, default=True)]
            if missing:
                need = "credentials with scopes" if "403" in wanted else "credentials"
                yield self.finding(
                    ctx, responses_pointer(op),
                    f"{op.label()} requires {need} but does not document "
                    f"{' and '.join(missing)}",
                    "add the responses (shared ones under components/responses keep it short)",
                    key=True)
