"""Request bodies and responses: presence, media types, status codes, headers and schemas."""

from __future__ import annotations

from typing import Any

from generator.diff.context import DiffContext, Scope
from generator.diff.operations import Operation
from generator.diff.schema_diff import SchemaDiff
from generator.diff.schema_view import NodeRef, deref
from generator.loader import Spec, escape_pointer

__all__ = ["compare_request_body", "compare_responses"]


def _child(spec: Spec, parent: NodeRef, key: str) -> NodeRef | None:
    if not isinstance(parent.node, dict) or key not in parent.node:
        return None
    ref = deref(spec, NodeRef(parent.node[key], f"{parent.pointer}/{escape_pointer(key)}"))
    return ref if isinstance(ref.node, dict) else None


def _content(spec: Spec, holder: NodeRef) -> dict[str, NodeRef]:
    content = _child(spec, holder, "content")
    if content is None:
        return {}
    found = {}
    for media_type in content.node:
        media = _child(spec, content, media_type)
        if media is not None:
            found[media_type.lower()] = media
    return found


def _compare_content(ctx: DiffContext, differ: SchemaDiff, side: str, operation: str,
                     old: dict[str, NodeRef], new: dict[str, NodeRef], what: str,
                     status: str = "") -> None:
    prefix = "request-body" if side == "request" else "response"
    where = f"the {status} response" if status else "the request body"
    for media_type in sorted(set(old) - set(new)):
        ctx.emit(f"{prefix}-media-type-removed", operation,
                 f"{where} no longer {'accepts' if side == 'request' else 'returns'} "
                 f"{media_type}", old[media_type].pointer, None)
    for media_type in sorted(set(new) - set(old)):
        ctx.emit(f"{prefix}-media-type-added", operation,
                 f"{where} now {'accepts' if side == 'request' else 'may return'} {media_type}",
                 None, new[media_type].pointer)
    for media_type in sorted(set(old) & set(new)):
        old_schema = _child(ctx.old, old[media_type], "schema")
        new_schema = _child(ctx.new, new[media_type], "schema")
        if old_schema is None or new_schema is None:
            continue
        scope = Scope(side, operation, f"{what} ({media_type})")
        differ.compare(NodeRef(old[media_type].node["schema"], f"{old[media_type].pointer}/schema"),
                       NodeRef(new[media_type].node["schema"], f"{new[media_type].pointer}/schema"),
                       scope, "body")


def compare_request_body(ctx: DiffContext, old_op: Operation, new_op: Operation) -> None:
    name = new_op.name
    old = _child(ctx.old, NodeRef(old_op.node, old_op.pointer), "requestBody")
    new = _child(ctx.new, NodeRef(new_op.node, new_op.pointer), "requestBody")
    if old is None and new is None:
        return
    if old is None:
        assert new is not None
        if new.node.get("required") is True:
            ctx.emit("request-body-added-required", name,
                     "a request body is now required; requests without one will be rejected",
                     None, new.pointer)
        else:
            ctx.emit("request-body-added-optional", name, "an optional request body was added",
                     None, new.pointer)
        return
    if new is None:
        ctx.emit("request-body-removed", name,
                 "the request body was removed; the server may ignore or reject it",
                 old.pointer, None)
        return
    old_required, new_required = old.node.get("required") is True, new.node.get("required") is True
    if new_required and not old_required:
        ctx.emit("request-body-became-required", name,
                 "the request body became required; requests without one will be rejected",
                 old.pointer, new.pointer)
    elif old_required and not new_required:
        ctx.emit("request-body-became-optional", name, "the request body became optional",
                 old.pointer, new.pointer)
    _compare_content(ctx, SchemaDiff(ctx), "request", name, _content(ctx.old, old),
                     _content(ctx.new, new), "the request body")


def _responses(spec: Spec, operation: Operation) -> dict[str, NodeRef]:
    holder = _child(spec, NodeRef(operation.node, operation.pointer), "responses")
    if holder is None:
        return {}
    found = {}
    for status in holder.node:
        response = _child(spec, holder, status)
        if response is not None:
            key = str(status)
            found[key if key.lower() == "default" else key.upper()] = response
    return found


def compare_responses(ctx: DiffContext, old_op: Operation, new_op: Operation) -> None:
    name = new_op.name
    old, new = _responses(ctx.old, old_op), _responses(ctx.new, new_op)
    for status in sorted(set(old) - set(new)):
        success = status.startswith("2")
        ctx.emit("response-success-status-removed" if success
                 else "response-non-success-status-removed", name,
                 f"the {status} response was removed"
                 + ("; clients expecting it will fail" if success else ""),
                 old[status].pointer, None)
    for status in sorted(set(new) - set(old)):
        ctx.emit("response-success-status-added" if status.startswith("2")
                 else "response-non-success-status-added", name,
                 f"the {status} response was added", None, new[status].pointer)
    differ = SchemaDiff(ctx)
    for status in sorted(set(old) & set(new)):
        if ctx.same(old[status].node, new[status].node):
            continue
        _compare_content(ctx, differ, "response", name, _content(ctx.old, old[status]),
                         _content(ctx.new, new[status]), f"the {status} response body",
                         status)
        _compare_headers(ctx, differ, name, status, old[status], new[status])


def _headers(spec: Spec, response: NodeRef) -> dict[str, NodeRef]:
    holder = _child(spec, response, "headers")
    if holder is None:
        return {}
    found = {}
    for header in holder.node:
        if str(header).lower() == "content-type":
            continue
        node = _child(spec, holder, header)
        if node is not None:
            found[str(header).lower()] = node
    return found


def _required(node: Any) -> bool:
    return isinstance(node, dict) and node.get("required") is True


def _compare_headers(ctx: DiffContext, differ: SchemaDiff, operation: str, status: str,
                     old_response: NodeRef, new_response: NodeRef) -> None:
    old, new = _headers(ctx.old, old_response), _headers(ctx.new, new_response)
    for key in sorted(set(old) - set(new)):
        required = _required(old[key].node)
        ctx.emit("required-response-header-removed" if required
                 else "optional-response-header-removed", operation,
                 f"the {status} response no longer sends the header '{key}'",
                 old[key].pointer, None)
    for key in sorted(set(new) - set(old)):
        ctx.emit("response-header-added", operation,
                 f"the {status} response now sends the header '{key}'", None, new[key].pointer)
    for key in sorted(set(old) & set(new)):
        pointers = (old[key].pointer, new[key].pointer)
        if _required(old[key].node) and not _required(new[key].node):
            ctx.emit("response-header-became-optional", operation,
                     f"the header '{key}' of the {status} response may now be missing", *pointers)
        elif _required(new[key].node) and not _required(old[key].node):
            ctx.emit("response-header-became-required", operation,
                     f"the header '{key}' of the {status} response is now always sent", *pointers)
        old_schema = _child(ctx.old, old[key], "schema")
        new_schema = _child(ctx.new, new[key], "schema")
        if old_schema is not None and new_schema is not None:
            scope = Scope("response", operation, f"the header '{key}' of the {status} response")
            differ.compare(NodeRef(old[key].node["schema"], f"{old[key].pointer}/schema"),
                           NodeRef(new[key].node["schema"], f"{new[key].pointer}/schema"),
                           scope, "header")
