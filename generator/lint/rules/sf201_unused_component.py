"""SF201 unused-component: a component that nothing in the API uses.

References are read by OpenAPI's semantics (`loader.iter_refs`): a `$ref` under a schema
property, a response or a component *named* `default` or `examples` is a reference, while
example, default, enum and const *values* are data. A component counts as used when it is
reachable from `paths`, `webhooks`, the root `security` or any other part of the document
outside `components`, directly or through other used components.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from specfirst.generator.lint.finding import Finding
from specfirst.generator.lint.rule import RECOMMENDED, LintContext, Rule
from specfirst.generator.loader import escape_pointer, iter_refs

__all__ = ["UnusedComponent"]

def _refs(node: Any) -> Iterator[str]:
    """Every `$ref` (and discriminator mapping target) in `node`, skipping data values."""
    for _, ref in iter_refs(node):
        if isinstance(ref, str):
            yield ref
    for _, mapping in iter_keyword(node, "mapping"):
        if isinstance(mapping, dict):
            yield from (v for v in mapping.values() if isinstance(v, str))


def _mentioned(node: Any) -> set[tuple[str, str]]:
    """Components named by a `$ref` written inside data (an example or default value): not a
    reference by OpenAPI's semantics, but its author meant to reuse the component, so the rule
    is not sure it is unused and says nothing."""
    found: set[tuple[str, str]] = set()
    stack: list[tuple[Any, bool]] = [(node, False)]
    while stack:
        current, in_data = stack.pop()
        if isinstance(current, dict):
            ref = current.get("$ref")
            if in_data and isinstance(ref, str):
                key = _component_of(ref)
                if key is not None:
                    found.add(key)
            for k, v in current.items():
                if isinstance(v, (dict, list)):
                    data = in_data or k in ("example", "default", "value", "enum", "const") \
                        or (k == "examples" and isinstance(v, list))
                    stack.append((v, data))
        elif isinstance(current, list):
            stack.extend((v, in_data) for v in current if isinstance(v, (dict, list)))
    return found


def iter_keyword(node: Any, keyword: str) -> Iterator[tuple[str, Any]]:
    """(pointer, value) of every `discriminator`'s `keyword` under `node`."""
    for pointer, discriminator in _discriminators(node):
        if isinstance(discriminator, dict) and keyword in discriminator:
            yield pointer, discriminator[keyword]


def _discriminators(node: Any) -> Iterator[tuple[str, Any]]:
    stack: list[tuple[Any, str]] = [(node, "")]
    while stack:
        current, where = stack.pop()
        if isinstance(current, dict):
            if isinstance(current.get("discriminator"), dict):
                yield f"{where}/discriminator", current["discriminator"]
            stack.extend((v, f"{where}/{k}") for k, v in current.items()
                         if isinstance(v, (dict, list)))
        elif isinstance(current, list):
            stack.extend((v, f"{where}/{i}") for i, v in enumerate(current)
                         if isinstance(v, (dict, list)))


def _component_of(ref: str) -> tuple[str, str] | None:
    parts = ref.lstrip("#").split("/")
    if len(parts) >= 4 and parts[1] == "components":
        return parts[2], parts[3]
    if not ref.startswith("#") and "/" not in ref:
        return "schemas", escape_pointer(ref)  # a discriminator mapping by name
    return None


class UnusedComponent(Rule):
    id = "SF201"
    name = "unused-component"
    summary = "Every component is used by the API; unused ones are dead weight or a missing $ref."
    category = "simplicity"
    rulesets = RECOMMENDED

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        components = ctx.document.get("components")
        if not isinstance(components, dict):
            return
        used: set[tuple[str, str]] = set()
        todo: list[Any] = [v for k, v in ctx.document.items() if k != "components"]
        while todo:
            for ref in _refs(todo.pop()):
                key = _component_of(ref)
                if key is None or key in used:
                    continue
                used.add(key)
                group = components.get(key[0])
                name = key[1].replace("~1", "/").replace("~0", "~")
                if isinstance(group, dict) and name in group:
                    todo.append(group[name])
        used |= self._used_schemes(ctx)
        mentioned = _mentioned(ctx.document)
        for kind, group in components.items():
            if not isinstance(group, dict) or kind.startswith("x-"):
                continue
            for name in group:
                key = (kind, escape_pointer(name))
                if key not in used and key not in mentioned:
                    yield self.finding(
                        ctx, f"/components/{escape_pointer(kind)}/{escape_pointer(name)}",
                        f"components/{kind}/{name} is never used",
                        "reference it where it was meant to be used; delete it only if no "
                        "other document or tool refers to it", key=True)

    def _used_schemes(self, ctx: LintContext) -> set[tuple[str, str]]:
        used: set[tuple[str, str]] = set()
        requirements: list[Any] = [ctx.document.get("security")]
        requirements += [op.node.get("security") for op in self.operations(ctx)]
        for requirement_list in requirements:
            if isinstance(requirement_list, list):
                for requirement in requirement_list:
                    if isinstance(requirement, dict):
                        used |= {("securitySchemes", escape_pointer(n)) for n in requirement}
        return used
