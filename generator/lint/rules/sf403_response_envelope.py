"""SF403 response-envelope: success bodies are objects, not bare arrays."""

from __future__ import annotations

from collections.abc import Iterator

from specfirst.generator.lint.finding import Finding
from specfirst.generator.lint.rule import PATH_OPERATIONS, RECOMMENDED, LintContext, Rule, is_json
from specfirst.generator.lint.rules.sf401_request_body_extensible import schema_kind

__all__ = ["ResponseEnvelope"]


class ResponseEnvelope(Rule):
    id = "SF403"
    name = "response-envelope"
    summary = "Success responses are objects: a bare array has no room for a cursor or totals."
    category = "extensibility"
    rulesets = RECOMMENDED
    operation_kinds = PATH_OPERATIONS

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        seen: set[str] = set()
        for op in self.operations(ctx):
            for status, media, obj, pointer in ctx.response_media(op):
                if not status.startswith("2") or not is_json(media) or "schema" not in obj:
                    continue
                schema, where = ctx.deref(obj["schema"], f"{pointer}/schema")
                if where in seen or schema_kind(ctx, schema) != "array":
                    continue
                seen.add(where)
                subject = "this schema, returned as a success body," \
                    if where.startswith("/components/") else \
                    f"the {status} response of {op.label()}"
                yield self.finding(
                    ctx, where,
                    f"{subject} is a bare array: adding pagination or metadata later will "
                    "break clients",
                    'return an object such as {"data": [...], "next_cursor": null}')
