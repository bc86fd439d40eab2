"""SF202 duplicated-inline-schema: the same object schema written out more than once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from specfirst.generator.lint.finding import Finding
from specfirst.generator.lint.rule import RECOMMENDED, LintContext, Rule

__all__ = ["DuplicatedInlineSchema"]

_IGNORED = frozenset({"description", "title", "example", "examples", "externalDocs"})


def _canonical(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _canonical(v) for k, v in schema.items()
                if k not in _IGNORED and not k.startswith("x-")}
    if isinstance(schema, list):
        return [_canonical(v) for v in schema]
    return schema


class DuplicatedInlineSchema(Rule):
    id = "SF202"
    name = "duplicated-inline-schema"
    summary = "An inline object schema repeated elsewhere should be one component and a $ref."
    category = "simplicity"
    rulesets = RECOMMENDED
    defaults = {"min-properties": 3}

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        minimum = int(self.options["min-properties"])
        first: dict[str, str] = {}
        named: dict[str, str] = {}
        inline: list[tuple[str, str]] = []
        for schema, pointer in ctx.schemas():
            properties = schema.get("properties")
            if not isinstance(properties, dict) or len(properties) < minimum:
                continue
            key = json.dumps(_canonical(schema), sort_keys=True, default=str)
            parts = pointer.split("/")
            if len(parts) == 4 and parts[1] == "components" and parts[2] == "schemas":
                named.setdefault(key, pointer)
            else:
                inline.append((key, pointer))
        for key, pointer in inline:
            if key in named:
                yield self.finding(ctx, pointer,
                                   f"this schema repeats #{named[key]} inline",
                                   f"replace it with $ref: '#{named[key]}'")
            elif key in first:
                yield self.finding(ctx, pointer,
                                   f"this inline schema is the same as the one at #{first[key]}",
                                   "define it once under components/schemas and $ref it from "
                                   "both places")
            else:
                first[key] = pointer
