"""SF103 property-casing: schema property names share one naming style."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from specfirst.generator.lint.naming_rule import NamingRule
from specfirst.generator.lint.rule import RECOMMENDED, LintContext
from specfirst.generator.loader import escape_pointer

__all__ = ["PropertyCasing", "keys_are_data"]


def keys_are_data(schema: dict[str, Any]) -> bool:
    """Whether an object's property names are data values rather than field names chosen by
    the API's authors: a map whose keys `propertyNames` constrains (an `enum` of currency codes,
    a `pattern` of dates), or an object whose several keys are all constants written in capitals
    (`SHA256_RSA`, `SHA256_ECDSA`: algorithm names; `USD`, `EUR`: currency codes)."""
    if isinstance(schema.get("propertyNames"), dict) and schema["propertyNames"]:
        return True
    properties = schema.get("properties")
    if not isinstance(properties, dict) or len(properties) < 2:
        return False
    names = [str(name) for name in properties]
    return all(any(c.isalpha() for c in n) and n == n.upper() for n in names)


class PropertyCasing(NamingRule):
    id = "SF103"
    name = "property-casing"
    summary = "Schema property names use one naming style."
    rulesets = RECOMMENDED
    what = "property"

    def names(self, ctx: LintContext) -> Iterator[tuple[str, str, bool]]:
        for schema, pointer in ctx.schemas():
            properties = schema.get("properties")
            if isinstance(properties, dict) and not keys_are_data(schema):
                for name in properties:
                    yield str(name), f"{pointer}/properties/{escape_pointer(str(name))}", True

    def normalise(self, name: str) -> str:
        # Leading markers such as `_links`, `@type` or `$schema` are conventions of their own.
        return name.lstrip("_@$")
