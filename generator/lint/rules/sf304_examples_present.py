"""SF304 examples-present: request and success response bodies come with an example."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from specfirst.generator.lint.finding import Finding, Severity
from specfirst.generator.lint.rule import STRICT, LintContext, Rule, is_json

__all__ = ["ExamplesPresent"]


def _has_example(ctx: LintContext, media: dict[str, Any]) -> bool:
    if "example" in media or media.get("examples"):
        return True
    schema, _ = ctx.deref(media.get("schema"), "")
    return isinstance(schema, dict) and ("example" in schema or bool(schema.get("examples")))


class ExamplesPresent(Rule):
    id = "SF304"
    name = "examples-present"
    summary = "JSON request bodies and success responses have an example (docs, mocks, tests)."
    severity = Severity.INFO
    category = "readability"
    rulesets = STRICT

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        seen: set[str] = set()
        for op in self.operations(ctx):
            places = [("request body", media, obj, where)
                      for media, obj, where in ctx.request_media(op)]
            places += [(f"{status} response", media, obj, where)
                       for status, media, obj, where in ctx.response_media(op)
                       if status.startswith("2")]
            for what, media, obj, where in places:
                if where in seen or not is_json(media) or _has_example(ctx, obj):
                    continue
                seen.add(where)
                yield self.finding(ctx, where,
                                   f"the {what} of {op.label()} ({media}) has no example",
                                   "add an `example` (it is checked against the schema)",
                                   key=True)
