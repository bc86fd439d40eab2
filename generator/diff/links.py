"""Response links: the operations a client may call next with values taken from a response."""

from __future__ import annotations

from typing import Any

from specfirst.generator.diff.context import DiffContext
from specfirst.generator.diff.schema_view import NodeRef, canonical, child
from specfirst.generator.loader import Spec

__all__ = ["compare_links"]


def _links(spec: Spec, response: NodeRef) -> dict[str, NodeRef]:
    holder = child(spec, response, "links")
    if holder is None:
        return {}
    found = {}
    for name in holder.node:
        link = child(spec, holder, name)
        if link is not None:
            found[str(name)] = link
    return found


def _target(link: dict[str, Any]) -> str:
    if isinstance(link.get("operationId"), str):
        return f"operationId '{link['operationId']}'"
    if isinstance(link.get("operationRef"), str):
        return f"operationRef '{link['operationRef']}'"
    return "no operation"


def compare_links(ctx: DiffContext, operation: str, status: str, old_response: NodeRef,
                  new_response: NodeRef) -> None:
    old, new = _links(ctx.old, old_response), _links(ctx.new, new_response)
    for name in sorted(set(old) - set(new)):
        ctx.emit("response-link-removed", operation,
                 f"the link '{name}' of the {status} response was removed; clients following it "
                 "break", old[name].pointer, None)
    for name in sorted(set(new) - set(old)):
        ctx.emit("response-link-added", operation,
                 f"the {status} response has a new link '{name}' to {_target(new[name].node)}",
                 None, new[name].pointer)
    for name in sorted(set(old) & set(new)):
        before, after = old[name].node, new[name].node
        pointers = (old[name].pointer, new[name].pointer)
        if _target(before) != _target(after):
            ctx.emit("response-link-target-changed", operation,
                     f"the link '{name}' of the {status} response now leads to {_target(after)} "
                     f"instead of {_target(before)}", *pointers)
        changed = [text for key, text in (("parameters", "parameters"),
                                          ("requestBody", "request body"))
                   if canonical(before.get(key)) != canonical(after.get(key))]
        if changed:
            ctx.emit("response-link-parameters-changed", operation,
                     f"the link '{name}' of the {status} response passes different "
                     f"{' and '.join(changed)}", *pointers)
