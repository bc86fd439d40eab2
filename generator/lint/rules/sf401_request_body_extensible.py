"""SF401 request-body-extensible: a request body that can gain fields later without breaking.

A top-level array or scalar body has nowhere to put a new option: adding one means a new
operation or a breaking change. An object can grow with optional properties. Closing an object
(`additionalProperties: false`) does not stop it growing: adding an optional property to a
closed request schema is backward compatible, because every body old clients send stays valid.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from specfirst.generator.lint.finding import Finding
from specfirst.generator.lint.rule import RECOMMENDED, LintContext, Rule

__all__ = ["RequestBodyExtensible", "schema_kind"]


def schema_kind(ctx: LintContext, schema: Any, depth: int = 0) -> str | None:
    """'object', 'array', a scalar type, or None when unknown, through $ref and compositions."""
    schema, _ = ctx.deref(schema, "")
    if not isinstance(schema, dict) or depth > 20:
        return None
    declared = schema.get("type")
    if isinstance(declared, list):
        named = [k for k in declared if k != "null"]
        declared = named[0] if len(named) == 1 else None
    if isinstance(declared, str):
        return declared
    if "properties" in schema or "additionalProperties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    for key in ("allOf", "oneOf", "anyOf"):
        branches = schema.get(key)
        if isinstance(branches, list):
            kinds = {schema_kind(ctx, b, depth + 1) for b in branches}
            if len(kinds) == 1:
                return kinds.pop()
    return None


class RequestBodyExtensible(Rule):
    id = "SF401"
    name = "request-body-extensible"
    summary = "JSON request bodies are objects, so they can grow without a breaking change."
    category = "extensibility"
    rulesets = RECOMMENDED

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        seen: set[str] = set()
        for op in self.operations(ctx):
            for schema, pointer in ctx.request_body_schemas(op):
                kind = schema_kind(ctx, schema)
                if kind in (None, "object") or pointer in seen:
                    continue
                seen.add(pointer)
                hint = ("wrap the list: {\"items\": [...]} leaves room for options later"
                        if kind == "array" else "send an object with a named field instead")
                yield self.finding(ctx, pointer,
                                   f"the request body of {op.label()} is a bare {kind}: it "
                                   "cannot gain a field without a breaking change", hint)
