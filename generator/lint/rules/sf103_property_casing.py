"""SF103 property-casing: schema property names share one naming style."""

from __future__ import annotations

from collections.abc import Iterator

from specfirst.generator.lint.naming_rule import NamingRule
from specfirst.generator.lint.rule import RECOMMENDED, LintContext
from specfirst.generator.loader import escape_pointer

__all__ = ["PropertyCasing"]


class PropertyCasing(NamingRule):
    id = "SF103"
    name = "property-casing"
    summary = "Schema property names use one naming style."
    rulesets = RECOMMENDED
    what = "property"

    def names(self, ctx: LintContext) -> Iterator[tuple[str, str, bool]]:
        for schema, pointer in ctx.schemas():
            properties = schema.get("properties")
            if isinstance(properties, dict):
                for name in properties:
                    yield str(name), f"{pointer}/properties/{escape_pointer(str(name))}", True

    def normalise(self, name: str) -> str:
        # Leading markers such as `_links`, `@type` or `$schema` are conventions of their own.
        return name.lstrip("_@$")
