"""Request bodies and responses: presence, media types, status codes, headers and schemas.

In a webhook or callback the API sends the request and reads the receiver's response, so the
levels turn around: a media type the API starts sending may break receivers, a header receivers
must start sending breaks them, and the schemas of what the API sends are compared on the
response side.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from specfirst.generator.diff.context import DiffContext, Scope
from specfirst.generator.diff.encoding import compare_encoding
from specfirst.generator.diff.links import compare_links
from specfirst.generator.diff.media_types import Media, match_media, parameters
from specfirst.generator.diff.operations import Operation
from specfirst.generator.diff.schema_diff import SchemaDiff
from specfirst.generator.diff.schema_view import NodeRef, child
from specfirst.generator.loader import Spec

__all__ = ["compare_request_body", "compare_responses"]


@dataclass(frozen=True)
class _Content:
    """How the media types of one body are classified."""

    side: str  # the side its schemas are compared on
    removed: str
    added: str
    parameters: str
    removals_matter: bool  # the reader chooses among the types (else the API does)
    outgoing: bool = False


_REQUEST = _Content("request", "request-body-media-type-removed", "request-body-media-type-added",
                    "request-body-media-type-parameters-changed", True)
_RESPONSE = _Content("response", "response-media-type-removed", "response-media-type-added",
                     "response-media-type-parameters-changed", True)
_CALLBACK_REQUEST = _Content("response", "callback-request-media-type-removed",
                             "callback-request-media-type-added",
                             "request-body-media-type-parameters-changed", False, True)
_CALLBACK_RESPONSE = _Content("request", "response-media-type-removed",
                              "response-media-type-added",
                              "response-media-type-parameters-changed", True, True)


def _content(spec: Spec, holder: NodeRef) -> dict[str, NodeRef]:
    content = child(spec, holder, "content")
    if content is None:
        return {}
    found = {}
    for media_type in content.node:
        media = child(spec, content, media_type)
        if media is not None:
            found[str(media_type)] = media
    return found


def _verbs(kind: _Content, where: str) -> tuple[str, str]:
    """How a removed and an added media type are told."""
    if kind is _REQUEST:
        return f"{where} no longer accepts", f"{where} now accepts"
    if kind is _CALLBACK_REQUEST:
        return "the API no longer sends", "the API may now send"
    if kind is _CALLBACK_RESPONSE:
        return (f"{where}: the API no longer accepts receivers answering with",
                f"{where}: the API now accepts receivers answering with")
    return f"{where} no longer returns", f"{where} may now return"


def _compare_content(ctx: DiffContext, differ: SchemaDiff, kind: _Content, operation: str,
                     old: dict[str, NodeRef], new: dict[str, NodeRef], what: str,
                     where: str) -> None:
    matched = match_media(old, new, removals_matter=kind.removals_matter)
    gone, came = _verbs(kind, where)
    for media in matched.removed:
        ctx.emit(kind.removed, operation, f"{gone} {media.written}", media.value.pointer, None)
    for media in matched.added:
        text = f"{came} {media.written}"
        if kind is _CALLBACK_REQUEST:
            text += "; receivers may not understand it"
        ctx.emit(kind.added, operation, text, None, media.value.pointer)
    for before, after in matched.same:
        if parameters(before.written) != parameters(after.written):
            ctx.emit(kind.parameters, operation,
                     f"{what}: the media type {before.written} is now written {after.written}",
                     before.value.pointer, after.value.pointer)
        if kind is _REQUEST or kind is _CALLBACK_REQUEST:
            compare_encoding(ctx, differ, operation, before, after, what, kind.outgoing)
    for before, after in [*matched.same, *matched.covered]:
        _compare_schemas(ctx, differ, kind, operation, before, after, what)


def _compare_schemas(ctx: DiffContext, differ: SchemaDiff, kind: _Content, operation: str,
                     before: Media[NodeRef], after: Media[NodeRef], what: str) -> None:
    old, new = before.value, after.value
    if child(ctx.old, old, "schema") is None or child(ctx.new, new, "schema") is None:
        return
    media_type = after.written if before.written == after.written \
        else f"{before.written}, now {after.written}"
    scope = Scope(kind.side, operation, f"{what} ({media_type})", kind.outgoing)
    differ.compare(NodeRef(old.node["schema"], f"{old.pointer}/schema"),
                   NodeRef(new.node["schema"], f"{new.pointer}/schema"), scope, "body")


_BODY_IDS = {  # (outgoing, event) -> id
    (False, "added-required"): "request-body-added-required",
    (False, "added-optional"): "request-body-added-optional",
    (False, "removed"): "request-body-removed",
    (False, "became-required"): "request-body-became-required",
    (False, "became-optional"): "request-body-became-optional",
    (True, "added-required"): "callback-request-body-added",
    (True, "added-optional"): "callback-request-body-added",
    (True, "removed"): "callback-request-body-removed",
    (True, "became-required"): "callback-request-body-became-required",
    (True, "became-optional"): "callback-request-body-became-optional",
}
_BODY_TEXT = {
    (False, "added-required"): "a request body is now required; requests without one will be "
                               "rejected",
    (False, "added-optional"): "an optional request body was added",
    (False, "removed"): "the request body was removed; the server may ignore or reject it",
    (False, "became-required"): "the request body became required; requests without one will "
                                "be rejected",
    (False, "became-optional"): "the request body became optional",
    (True, "added-required"): "the API now sends a request body",
    (True, "added-optional"): "the API may now send a request body",
    (True, "removed"): "the API no longer sends the request body; receivers reading it fail",
    (True, "became-required"): "the API now always sends the request body",
    (True, "became-optional"): "the request body the API sent may now be missing",
}


def compare_request_body(ctx: DiffContext, old_op: Operation, new_op: Operation) -> None:
    name, outgoing = new_op.name, new_op.outgoing
    old = child(ctx.old, NodeRef(old_op.node, old_op.pointer), "requestBody")
    new = child(ctx.new, NodeRef(new_op.node, new_op.pointer), "requestBody")

    def say(event: str, old_pointer: str | None, new_pointer: str | None) -> None:
        ctx.emit(_BODY_IDS[outgoing, event], name, _BODY_TEXT[outgoing, event], old_pointer,
                 new_pointer)

    if old is None and new is None:
        return
    if old is None:
        assert new is not None
        say("added-required" if new.node.get("required") is True else "added-optional", None,
            new.pointer)
        return
    if new is None:
        say("removed", old.pointer, None)
        return
    old_required, new_required = old.node.get("required") is True, new.node.get("required") is True
    if new_required and not old_required:
        say("became-required", old.pointer, new.pointer)
    elif old_required and not new_required:
        say("became-optional", old.pointer, new.pointer)
    _compare_content(ctx, SchemaDiff(ctx), _CALLBACK_REQUEST if outgoing else _REQUEST, name,
                     _content(ctx.old, old), _content(ctx.new, new), "the request body",
                     "the request body")


def _responses(spec: Spec, operation: Operation) -> dict[str, NodeRef]:
    holder = child(spec, NodeRef(operation.node, operation.pointer), "responses")
    if holder is None:
        return {}
    found = {}
    for status in holder.node:
        response = child(spec, holder, status)
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
    kind = _CALLBACK_RESPONSE if new_op.outgoing else _RESPONSE
    for status in sorted(set(old) & set(new)):
        if ctx.same(old[status].node, new[status].node):
            continue
        _compare_content(ctx, differ, kind, name, _content(ctx.old, old[status]),
                         _content(ctx.new, new[status]), f"the {status} response body",
                         f"the {status} response")
        _compare_headers(ctx, differ, new_op, status, old[status], new[status])
        compare_links(ctx, name, status, old[status], new[status])


def _headers(spec: Spec, response: NodeRef) -> dict[str, NodeRef]:
    holder = child(spec, response, "headers")
    if holder is None:
        return {}
    found = {}
    for header in holder.node:
        if str(header).lower() == "content-type":
            continue
        node = child(spec, holder, header)
        if node is not None:
            found[str(header).lower()] = node
    return found


def _required(node: Any) -> bool:
    return isinstance(node, dict) and node.get("required") is True


_HEADER_IDS = {  # (outgoing, event) -> id
    (False, "removed-required"): "required-response-header-removed",
    (False, "removed-optional"): "optional-response-header-removed",
    (False, "added-required"): "response-header-added",
    (False, "added-optional"): "response-header-added",
    (False, "became-optional"): "response-header-became-optional",
    (False, "became-required"): "response-header-became-required",
    (True, "removed-required"): "callback-response-header-removed",
    (True, "removed-optional"): "callback-response-header-removed",
    (True, "added-required"): "callback-response-header-added-required",
    (True, "added-optional"): "callback-response-header-added-optional",
    (True, "became-optional"): "callback-response-header-became-optional",
    (True, "became-required"): "callback-response-header-became-required",
}
_HEADER_TEXT = {
    (False, "removed-required"): "the {status} response no longer sends the header '{key}'",
    (False, "removed-optional"): "the {status} response no longer sends the header '{key}'",
    (False, "added-required"): "the {status} response now sends the header '{key}'",
    (False, "added-optional"): "the {status} response now sends the header '{key}'",
    (False, "became-optional"): "the header '{key}' of the {status} response may now be missing",
    (False, "became-required"): "the header '{key}' of the {status} response is now always sent",
    (True, "removed-required"): "the API no longer reads the header '{key}' of the {status} "
                                "response",
    (True, "removed-optional"): "the API no longer reads the header '{key}' of the {status} "
                                "response",
    (True, "added-required"): "receivers must now send the header '{key}' in the {status} "
                              "response",
    (True, "added-optional"): "receivers may send the header '{key}' in the {status} response",
    (True, "became-optional"): "receivers may now omit the header '{key}' of the {status} "
                               "response",
    (True, "became-required"): "receivers must now send the header '{key}' in the {status} "
                               "response",
}


def _compare_headers(ctx: DiffContext, differ: SchemaDiff, op: Operation, status: str,
                     old_response: NodeRef, new_response: NodeRef) -> None:
    operation, outgoing = op.name, op.outgoing
    old, new = _headers(ctx.old, old_response), _headers(ctx.new, new_response)

    def say(event: str, key: str, old_pointer: str | None, new_pointer: str | None) -> None:
        ctx.emit(_HEADER_IDS[outgoing, event], operation,
                 _HEADER_TEXT[outgoing, event].format(status=status, key=key), old_pointer,
                 new_pointer)

    for key in sorted(set(old) - set(new)):
        say("removed-required" if _required(old[key].node) else "removed-optional", key,
            old[key].pointer, None)
    for key in sorted(set(new) - set(old)):
        say("added-required" if _required(new[key].node) else "added-optional", key, None,
            new[key].pointer)
    for key in sorted(set(old) & set(new)):
        pointers = (old[key].pointer, new[key].pointer)
        if _required(old[key].node) and not _required(new[key].node):
            say("became-optional", key, *pointers)
        elif _required(new[key].node) and not _required(old[key].node):
            say("became-required", key, *pointers)
        old_schema = child(ctx.old, old[key], "schema")
        new_schema = child(ctx.new, new[key], "schema")
        if old_schema is not None and new_schema is not None:
            scope = Scope("request" if outgoing else "response", operation,
                          f"the header '{key}' of the {status} response", outgoing)
            differ.compare(NodeRef(old[key].node["schema"], f"{old[key].pointer}/schema"),
                           NodeRef(new[key].node["schema"], f"{new[key].pointer}/schema"),
                           scope, "header")
