"""SF509 rate-limit-response: operations document 429 Too Many Requests."""

from __future__ import annotations

from collections.abc import Iterator

from specfirst.generator.lint.finding import Finding
from specfirst.generator.lint.rule import PATH_OPERATIONS, STRICT, LintContext, Rule
from specfirst.generator.lint.rules.sf508_auth_error_responses import declares, responses_pointer

__all__ = ["RateLimitResponse"]


class RateLimitResponse(Rule):
    id = "SF509"
    name = "rate-limit-response"
    summary = "Operations document 429, so clients know to back off (with Retry-After)."
    category = "security"
    rulesets = STRICT
    operation_kinds = PATH_OPERATIONS

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for op in self.operations(ctx):
            if not declares(op, "429"):
                yield self.finding(ctx, responses_pointer(op),
                                   f"{op.label()} does not document 429 Too Many Requests",
                                   "add a 429 response with a Retry-After header", key=True)
