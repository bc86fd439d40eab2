"""SF506 open-request-body: request objects refuse properties they do not declare.

An open object silently accepts misspelled fields (the client thinks it set `emial`) and
fields it must not set (`id`, `tenant_id`, `is_admin`: mass assignment). In OpenAPI 3.0 close it
with `additionalProperties: false`; in 3.1, a schema composed with `allOf` is closed with
`unevaluatedProperties: false`. A map (`additionalProperties: {schema}`) is deliberate and fine.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from specfirst.generator.lint.finding import Finding
from specfirst.generator.lint.rule import PATH_OPERATIONS, RECOMMENDED, LintContext, Rule
from specfirst.generator.loader import escape_pointer

__all__ = ["OpenRequestBody"]


def _object_like(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    return kind == "object" or (isinstance(kind, list) and "object" in kind) or \
        (kind is None and "properties" in schema)


class OpenRequestBody(Rule):
    id = "SF506"
    name = "open-request-body"
    summary = "Request body objects are closed: additionalProperties: false."
    category = "security"
    rulesets = RECOMMENDED
    operation_kinds = PATH_OPERATIONS

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        seen: set[str] = set()
        for op in self.operations(ctx):
            for _, obj, where in ctx.request_media(op):
                media = where.rsplit("/", 1)[-1].replace("~1", "/")
                if "json" not in media or not isinstance(obj.get("schema"), dict):
                    continue
                yield from self._visit(ctx, obj["schema"], f"{where}/schema", False, seen, 0)

    def _visit(self, ctx: LintContext, schema: Any, pointer: str, partial: bool,
               seen: set[str], depth: int) -> Iterator[Finding]:
        schema, pointer = ctx.deref(schema, pointer)
        key = f"{pointer}|{partial}"
        if not isinstance(schema, dict) or key in seen or depth > 64:
            return
        seen.add(key)
        if schema.get("readOnly") is True:
            return
        composed = isinstance(schema.get("allOf"), list) and self._composes_object(ctx, schema)
        if not partial and (_object_like(schema) or composed) and not self._closed(ctx, schema):
            if composed and not ctx.spec.is_v31:
                hint = ("in OpenAPI 3.0 an allOf cannot be closed: write the properties out in "
                        "one schema with additionalProperties: false")
            elif composed:
                hint = "add unevaluatedProperties: false"
            else:
                hint = "add additionalProperties: false"
            yield self.finding(ctx, pointer,
                               "this request object accepts properties it does not declare",
                               hint)
        properties = schema.get("properties")
        if isinstance(properties, dict):
            for name, child in properties.items():
                yield from self._visit(ctx, child, f"{pointer}/properties/{escape_pointer(name)}",
                                       False, seen, depth + 1)
        for key_name in ("items", "additionalProperties"):
            if isinstance(schema.get(key_name), dict):
                yield from self._visit(ctx, schema[key_name], f"{pointer}/{key_name}", False,
                                       seen, depth + 1)
        for key_name, is_partial in (("allOf", True), ("oneOf", False), ("anyOf", False)):
            branches = schema.get(key_name)
            if isinstance(branches, list):
                for index, branch in enumerate(branches):
                    yield from self._visit(ctx, branch, f"{pointer}/{key_name}/{index}",
                                           is_partial, seen, depth + 1)

    @staticmethod
    def _composes_object(ctx: LintContext, schema: dict[str, Any]) -> bool:
        """Whether an `allOf` builds an object: some part is object-like (an `allOf` of strings,
        `{allOf: [{type: string}, {minLength: 1}]}`, is a string)."""
        for part in schema["allOf"]:
            part, _ = ctx.deref(part, "")
            if isinstance(part, dict) and (_object_like(part) or isinstance(part.get("allOf"),
                                                                             list)):
                return True
        return _object_like(schema)

    @staticmethod
    def _closed(ctx: LintContext, schema: dict[str, Any]) -> bool:
        extra = schema.get("additionalProperties")
        if extra is False or isinstance(extra, dict):
            return True
        if schema.get("unevaluatedProperties") is False:
            return True
        if schema.get("maxProperties") == 0:
            return True
        choices = schema.get("oneOf") or schema.get("anyOf")
        # A choice between alternatives is closed when each alternative is (checked on its own).
        return isinstance(choices, list) and bool(choices) and "properties" not in schema \
            and not schema.get("allOf")
