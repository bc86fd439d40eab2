"""SF308 enum-documented: an enumeration says what its values mean."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from specfirst.generator.lint.finding import Finding, Severity
from specfirst.generator.lint.rule import STRICT, LintContext, Rule
from specfirst.generator.loader import resolve_pointer

__all__ = ["EnumDocumented"]

_VALUE_DOCS = ("x-enum-descriptions", "x-enumDescriptions", "x-enum-varnames", "x-enumNames",
               "oneOf")


def _described(node: Any) -> bool:
    return isinstance(node, dict) and isinstance(node.get("description"), str) \
        and bool(node["description"].strip())


class EnumDocumented(Rule):
    id = "SF308"
    name = "enum-documented"
    summary = "Enums have a description (or x-enum-descriptions) that explains their values."
    severity = Severity.INFO
    category = "readability"
    rulesets = STRICT

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for schema, pointer in ctx.schemas():
            values = schema.get("enum")
            if not isinstance(values, list) or len(values) < 2:
                continue
            if all(isinstance(v, bool) or v is None for v in values):
                continue
            if _described(schema) or any(k in schema for k in _VALUE_DOCS):
                continue
            if self._described_by_holder(ctx, pointer):
                continue
            yield self.finding(ctx, f"{pointer}/enum",
                               f"enum {values[:4]!r}{'...' if len(values) > 4 else ''} "
                               "is not documented",
                               "add a description that says what each value means")

    @staticmethod
    def _described_by_holder(ctx: LintContext, pointer: str) -> bool:
        """A parameter, header or array whose own description covers the enum."""
        for suffix in ("/schema/items", "/schema", "/items"):
            if pointer.endswith(suffix):
                try:
                    holder = resolve_pointer(ctx.document, pointer[: -len(suffix)])
                except KeyError:
                    return False
                return _described(holder)
        return False
