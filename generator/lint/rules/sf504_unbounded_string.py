"""SF504 unbounded-string: strings a client sends have a maximum length."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from specfirst.generator.lint.finding import Finding
from specfirst.generator.lint.rule import PATH_OPERATIONS, RECOMMENDED, LintContext, Rule

__all__ = ["UnboundedString", "has_type"]

_BOUNDED_FORMATS = frozenset({"date", "date-time", "time", "uuid", "ipv4", "ipv6", "byte-size",
                              "int32", "int64", "duration"})


def has_type(schema: dict[str, Any], name: str) -> bool:
    kind = schema.get("type")
    return kind == name or (isinstance(kind, list) and name in kind)


class UnboundedString(Rule):
    id = "SF504"
    name = "unbounded-string"
    summary = "Strings in requests have maxLength (or an enum, const or bounded format)."
    category = "security"
    rulesets = RECOMMENDED
    operation_kinds = PATH_OPERATIONS

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for schema, pointer in ctx.request_schemas():
            if not has_type(schema, "string") or "maxLength" in schema:
                continue
            if "enum" in schema or "const" in schema or schema.get("readOnly") is True:
                continue
            if str(schema.get("format")) in _BOUNDED_FORMATS:
                continue
            yield self.finding(ctx, pointer,
                               "this string is sent by clients and has no maxLength",
                               "add maxLength, so the server can refuse oversized input early")
