"""SF510 problem-json-errors: error bodies are RFC 9457 `application/problem+json`."""

from __future__ import annotations

from collections.abc import Iterator

from specfirst.generator.lint.finding import Finding
from specfirst.generator.lint.rule import PATH_OPERATIONS, RECOMMENDED, LintContext, Rule
from specfirst.generator.lint.walk import media_types

__all__ = ["ProblemJsonErrors"]

_PROBLEM = ("application/problem+json", "application/problem+xml")


class ProblemJsonErrors(Rule):
    id = "SF510"
    name = "problem-json-errors"
    summary = "4xx and 5xx bodies are application/problem+json (RFC 9457)."
    category = "security"
    rulesets = RECOMMENDED
    operation_kinds = PATH_OPERATIONS

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        seen: set[str] = set()
        for op in self.operations(ctx):
            for status, response, pointer in ctx.responses(op):
                if status[:1] not in ("4", "5") or pointer in seen:
                    continue
                seen.add(pointer)
                media = [m for m, _, _ in media_types(ctx.spec, response, pointer)]
                if media and not any(m.split(";")[0].strip().lower() in _PROBLEM
                                     for m in media):
                    where = "this shared response" if pointer.startswith("/components/") \
                        else f"the {status} response of {op.label()}"
                    yield self.finding(
                        ctx, f"{pointer}/content",
                        f"{where} is {', '.join(media)}, not application/problem+json",
                        "describe errors as application/problem+json with type, title, status "
                        "and detail", key=True)
