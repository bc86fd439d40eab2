"""SF602 link-source-required: a link takes its parameters from response fields that are always
there.

A link parameter read from `$response.body#/pointer` is only usable when the response always
has a value at that pointer. An element of an array (`/data/0/id`) is absent when the array is
empty (unless `minItems` guarantees it); a property is absent when the schema does not list it
in `required`, and may be `null` when it is `nullable` (3.0) or its type includes `null` (3.1).
A stateful contract tester (Schemathesis) following such a link sends what it got, `None`, and a
400 for `/tickets/None/comments` is then reported as a rejected valid request. Headers read with
`$response.header.Name` must be `required`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from specfirst.generator.lint.finding import Finding
from specfirst.generator.lint.rule import (
    PATH_OPERATIONS,
    RECOMMENDED,
    LintContext,
    Rule,
    is_json,
)
from specfirst.generator.loader import escape_pointer, unescape_pointer

__all__ = ["LinkSourceRequired", "why_absent"]


def _nullable(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    return schema.get("nullable") is True or kind == "null" or (
        isinstance(kind, list) and "null" in kind)


def _branches(ctx: LintContext, schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The schema with its allOf parts merged, as alternatives when it has oneOf/anyOf."""
    merged: dict[str, Any] = {"properties": {}, "required": set()}
    todo = [schema]
    alternatives: list[list[dict[str, Any]]] = []
    seen = 0
    while todo and seen < 64:
        seen += 1
        part, _ = ctx.deref(todo.pop(), "")
        if not isinstance(part, dict):
            continue
        for key in ("type", "nullable", "items", "minItems"):
            if key in part and key not in merged:
                merged[key] = part[key]
        if isinstance(part.get("properties"), dict):
            for name, value in part["properties"].items():
                merged["properties"].setdefault(name, value)
        if isinstance(part.get("required"), list):
            merged["required"] |= {str(r) for r in part["required"]}
        if isinstance(part.get("allOf"), list):
            todo.extend(part["allOf"])
        for key in ("oneOf", "anyOf"):
            if isinstance(part.get(key), list) and part[key]:
                alternatives.append([b for b in part[key]])
    if not alternatives:
        return [merged]
    out = []
    for choice in alternatives[0]:
        resolved, _ = ctx.deref(choice, "")
        if not isinstance(resolved, dict):
            continue
        for branch in _branches(ctx, {"allOf": [resolved]}):
            combined = {**merged, **{k: v for k, v in branch.items()
                                     if k not in ("properties", "required")}}
            combined["properties"] = {**branch["properties"], **merged["properties"]}
            combined["required"] = merged["required"] | branch["required"]
            out.append(combined)
    return out or [merged]


def why_absent(ctx: LintContext, schema: Any, pointer: str) -> str | None:
    """Why the value at `pointer` in a body described by `schema` may be missing or null; None
    when it is always there (or when the schema does not say enough to tell)."""
    tokens = [unescape_pointer(t) for t in pointer.lstrip("/").split("/")] if pointer else []
    current: list[tuple[dict[str, Any], str]] = []
    resolved, _ = ctx.deref(schema, "")
    if isinstance(resolved, dict):
        current = [(resolved, "")]
    for token in tokens:
        following: list[tuple[dict[str, Any], str]] = []
        for node, where in current:
            for branch in _branches(ctx, node):
                here = f"{where}/{escape_pointer(token)}"
                if token.isdigit() and (branch.get("type") == "array" or "items" in branch):
                    min_items = branch.get("minItems")
                    if not isinstance(min_items, int) or min_items <= int(token):
                        return f"{here}: an element of an array that may be empty"
                    items, _ = ctx.deref(branch.get("items"), "")
                    if isinstance(items, dict):
                        following.append((items, here))
                    continue
                properties = branch["properties"]
                if token not in properties:
                    if properties:
                        return f"{here}: not a property the response declares"
                    continue  # a free-form object: nothing to tell
                if token not in branch["required"]:
                    return f"{here}: an optional property"
                value, _ = ctx.deref(properties[token], "")
                if isinstance(value, dict):
                    if any(_nullable(b) for b in _branches(ctx, value)):
                        return f"{here}: a nullable property"
                    following.append((value, here))
        current = following
        if not current:
            return None
    return None


class LinkSourceRequired(Rule):
    id = "SF602"
    name = "link-source-required"
    summary = ("Link parameters come from response fields that are always present and not "
               "null, so a stateful test can follow the link.")
    category = "testability"
    rulesets = RECOMMENDED
    operation_kinds = PATH_OPERATIONS

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for op in self.operations(ctx):
            for _, response, pointer in ctx.responses(op):
                links, links_at = ctx.deref(response.get("links"), f"{pointer}/links")
                if not isinstance(links, dict):
                    continue
                body = self._body_schema(ctx, response)
                raw_headers = response.get("headers")
                headers: dict[str, Any] = raw_headers if isinstance(raw_headers, dict) else {}
                for name, link in links.items():
                    link, at = ctx.deref(link, f"{links_at}/{escape_pointer(str(name))}")
                    if not isinstance(link, dict):
                        continue
                    values: list[tuple[str, Any]] = []
                    if isinstance(link.get("parameters"), dict):
                        values += [(f"{at}/parameters/{escape_pointer(str(k))}", v)
                                   for k, v in link["parameters"].items()]
                    if "requestBody" in link:
                        values.append((f"{at}/requestBody", link["requestBody"]))
                    for where, value in values:
                        reason = self._reason(ctx, value, body, headers)
                        if reason:
                            yield self.finding(
                                ctx, where,
                                f"link {name} of {op.label()} reads {value}, which may be "
                                f"absent or null ({reason})",
                                "take the value from a field that is always there (a required, "
                                "non-nullable property, `$request.path.*`), or drop the link")

    @staticmethod
    def _body_schema(ctx: LintContext, response: dict[str, Any]) -> Any:
        content = response.get("content")
        if not isinstance(content, dict):
            return None
        for media, obj in content.items():
            if is_json(str(media)) and isinstance(obj, dict):
                return obj.get("schema")
        return None

    @staticmethod
    def _reason(ctx: LintContext, value: Any, body: Any,
                headers: dict[str, Any]) -> str | None:
        if not isinstance(value, str):
            return None
        if value.startswith("$response.body#"):
            if body is None:
                return None
            return why_absent(ctx, body, value[len("$response.body#"):])
        if value.startswith("$response.header."):
            name = value[len("$response.header."):].lower()
            for key, header in headers.items():
                if str(key).lower() == name:
                    header, _ = ctx.deref(header, "")
                    if isinstance(header, dict) and header.get("required") is not True:
                        return f"the {key} header is not required"
                    return None
            return f"the response declares no {value[len('$response.header.'):]} header"
        return None
