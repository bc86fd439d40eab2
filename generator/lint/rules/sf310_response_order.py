"""SF310 response-order: an operation lists its responses by status code."""

from __future__ import annotations

from collections.abc import Iterator

from specfirst.generator.lint.finding import Finding, Severity
from specfirst.generator.lint.rule import RECOMMENDED, LintContext, Rule

__all__ = ["ResponseOrder", "status_order"]


def status_order(code: str) -> tuple[bool, str]:
    """Sort key of a response key: codes ascending, `4XX` after the 4xx codes, `default` last."""
    code = str(code).upper()
    return code == "DEFAULT", code


class ResponseOrder(Rule):
    id = "SF310"
    name = "response-order"
    summary = "Responses are listed by status code, so readers find the one they look for."
    severity = Severity.INFO
    category = "readability"
    rulesets = RECOMMENDED
    fixable = True

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for op in self.operations(ctx):
            responses = op.node.get("responses")
            if not isinstance(responses, dict):
                continue
            codes = [str(code) for code in responses]
            wanted = sorted(codes, key=status_order)
            if codes != wanted:
                first = next(i for i, pair in enumerate(zip(codes, wanted, strict=True))
                             if pair[0] != pair[1])
                yield self.finding(
                    ctx, f"{op.pointer}/responses",
                    f"the responses of {op.label()} are not in status-code order "
                    f"({codes[first]} comes before {wanted[first]})",
                    f"list them as {', '.join(wanted)}", key=True)
