"""`oneOf`/`anyOf` alternatives paired across versions, and how an alternative is named.

Alternatives are paired identical ones first, then the same named schema, then the alternative
sharing the most unchanged properties, then by position if the counts agree; whatever is left
is an added or removed alternative.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from specfirst.generator.diff.context import DiffContext
from specfirst.generator.diff.schema_view import NodeRef, schema_view

__all__ = ["Pairing", "describe", "pair_alternatives"]


@dataclass
class Pairing:
    pairs: list[tuple[NodeRef, NodeRef]]  # the same alternative, changed
    removed: list[NodeRef]
    added: list[NodeRef]


def _properties(spec: Any, fingerprint: Any, ref: NodeRef) -> set[tuple[str, str]]:
    view = schema_view(spec, ref)
    return {(name, fingerprint(refs[0].node)) for name, refs in view.properties.items()}


def _alike(ctx: DiffContext, old: NodeRef, new: NodeRef) -> int:
    """How many properties two alternatives share unchanged (name and meaning)."""
    return len(_properties(ctx.old, ctx.prints.old, old)
               & _properties(ctx.new, ctx.prints.new, new))


def pair_alternatives(ctx: DiffContext, old: list[NodeRef], new: list[NodeRef]) -> Pairing:
    old_left = list(old)
    new_left = list(new)
    for alt in list(old_left):  # identical alternatives first
        match = next((n for n in new_left if ctx.same(alt.node, n.node)), None)
        if match is not None:
            old_left.remove(alt)
            new_left.remove(match)
    pairs: list[tuple[NodeRef, NodeRef]] = []
    for alt in list(old_left):  # then the same named schema, changed
        name = _ref_name(alt.node)
        match = next((n for n in new_left if name and _ref_name(n.node) == name), None)
        if match is not None:
            pairs.append((alt, match))
            old_left.remove(alt)
            new_left.remove(match)
    for alt in list(old_left):  # then the most alike: the most identical properties
        scored = [(_alike(ctx, alt, n), i) for i, n in enumerate(new_left)]
        best = max(scored, default=(0, -1))
        if best[0] > 0:
            pairs.append((alt, new_left.pop(best[1])))
            old_left.remove(alt)
    if len(old_left) == len(new_left):
        pairs.extend(zip(old_left, new_left, strict=True))
        old_left, new_left = [], []
    return Pairing(pairs, old_left, new_left)


def _ref_name(node: Any) -> str | None:
    if isinstance(node, dict) and isinstance(node.get("$ref"), str):
        return str(node["$ref"]).rsplit("/", 1)[-1]
    return None


def describe(node: Any) -> str:
    """A short name for an alternative: its component name, title, members or discriminator."""
    name = _ref_name(node)
    if name:
        return name
    if not isinstance(node, dict):
        return "inline schema"
    if isinstance(node.get("title"), str):
        return str(node["title"])
    members = [_ref_name(m) for m in node.get("allOf", [])] \
        if isinstance(node.get("allOf"), list) else []
    if members and all(members):
        return " + ".join(str(m) for m in members)
    properties = node.get("properties")
    for key, value in (properties.items() if isinstance(properties, dict) else ()):
        values = value.get("enum") if isinstance(value, dict) else None
        if isinstance(values, list) and len(values) == 1:  # a discriminating property
            return f"{key} = {values[0]!r}"
    if "type" in node:
        return f"type {node['type']}"
    return "inline schema"
