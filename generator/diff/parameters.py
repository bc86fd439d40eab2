"""Parameters of an operation: added, removed, moved, required, serialised differently, retyped.

In a webhook or callback the API sends the parameters: one it stops sending, or may now leave
out, breaks receivers; one it starts sending breaks nobody. Their schemas are compared on the
response side.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from specfirst.generator.diff.context import DiffContext, Scope
from specfirst.generator.diff.media_types import essence
from specfirst.generator.diff.operations import Operation
from specfirst.generator.diff.schema_diff import SchemaDiff
from specfirst.generator.diff.schema_view import NodeRef, deref
from specfirst.generator.loader import Spec, escape_pointer

__all__ = ["compare_parameters"]

# OpenAPI: header parameters with these names are ignored (they are set by other fields).
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
_DEFAULT_STYLE = {"query": "form", "cookie": "form", "path": "simple", "header": "simple"}


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str
    node: dict[str, Any]
    pointer: str

    @property
    def required(self) -> bool:
        return self.location == "path" or self.node.get("required") is True

    @property
    def style(self) -> str:
        style = self.node.get("style")
        return style if isinstance(style, str) else _DEFAULT_STYLE.get(self.location, "form")

    @property
    def explode(self) -> bool:
        explode = self.node.get("explode")
        return explode if isinstance(explode, bool) else self.style == "form"

    @property
    def title(self) -> str:
        return f"{self.location} parameter '{self.name}'"

    @property
    def media_type(self) -> str | None:
        """The media type of a parameter described by `content` (None with a `schema`)."""
        content = self.node.get("content")
        if isinstance(content, dict) and not isinstance(self.node.get("schema"), dict):
            for media_type in content:
                return str(media_type)
        return None

    def schema(self) -> NodeRef | None:
        if isinstance(self.node.get("schema"), dict):
            return NodeRef(self.node["schema"], f"{self.pointer}/schema")
        content = self.node.get("content")
        if isinstance(content, dict):
            for media_type, media in content.items():
                if isinstance(media, dict) and isinstance(media.get("schema"), dict):
                    return NodeRef(media["schema"],
                                   f"{self.pointer}/content/{escape_pointer(media_type)}/schema")
        return None


def _parameters(spec: Spec, operation: Operation) -> dict[tuple[str, str], Parameter]:
    """Path-item parameters overridden by the operation's, keyed by (location, name).

    Path parameters are keyed by their position in the path template, so renaming one is seen.
    """
    found: dict[tuple[str, str], Parameter] = {}
    sources = ((operation.path_item.node.get("parameters"), f"{operation.path_item.pointer}"),
               (operation.node.get("parameters"), operation.pointer))
    for params, base in sources:
        if not isinstance(params, list):
            continue
        for index, raw in enumerate(params):
            ref = deref(spec, NodeRef(raw, f"{base}/parameters/{index}"))
            node = ref.node
            if not isinstance(node, dict) or not isinstance(node.get("name"), str):
                continue
            location = str(node.get("in", ""))
            name = node["name"]
            if location == "header" and name.lower() in _IGNORED_HEADERS:
                continue
            key_name = name.lower() if location == "header" else name
            found[(location, key_name)] = Parameter(name, location, node, ref.pointer)
    positions = [segment[1:-1] for segment in operation.path.split("/")
                 if segment.startswith("{") and segment.endswith("}")]
    keyed: dict[tuple[str, str], Parameter] = {}
    for (location, key_name), parameter in found.items():
        if location == "path" and parameter.name in positions:
            keyed[("path", f"#{positions.index(parameter.name)}")] = parameter
        else:
            keyed[(location, key_name)] = parameter
    return keyed


def compare_parameters(ctx: DiffContext, old_op: Operation, new_op: Operation) -> None:
    old = _parameters(ctx.old, old_op)
    new = _parameters(ctx.new, new_op)
    name, outgoing = new_op.name, new_op.outgoing
    removed = {k: p for k, p in old.items() if k not in new}
    added = {k: p for k, p in new.items() if k not in old}
    moved: set[tuple[str, str]] = set()
    for _key, parameter in sorted(removed.items()):
        target = next((k for k, p in added.items()
                       if k not in moved and p.name.lower() == parameter.name.lower()), None)
        if target is not None:
            moved.add(target)
            ctx.emit("request-parameter-location-changed", name,
                     f"{parameter.title} moved to the {added[target].location}; "
                     + (f"receivers reading it from the {parameter.location} will miss it"
                        if outgoing else f"requests sending it in the {parameter.location} "
                        "will not be understood"), parameter.pointer, added[target].pointer)
            continue
        if not outgoing:
            ctx.emit("request-parameter-removed", name,
                     f"{parameter.title} was removed; the server may ignore or reject it",
                     parameter.pointer, None)
        elif parameter.required:
            ctx.emit("callback-required-request-parameter-removed", name,
                     f"the API no longer sends the {parameter.title}; receivers reading it fail",
                     parameter.pointer, None)
        else:
            ctx.emit("callback-optional-request-parameter-removed", name,
                     f"the API no longer sends the optional {parameter.title}",
                     parameter.pointer, None)
    for key, parameter in sorted(added.items()):
        if key in moved:
            continue
        if outgoing:
            ctx.emit("callback-request-parameter-added", name,
                     f"the API now sends the {parameter.title}", None, parameter.pointer)
        elif parameter.required:
            ctx.emit("new-required-request-parameter", name,
                     f"new required {parameter.title}; requests without it will be rejected",
                     None, parameter.pointer)
        else:
            ctx.emit("new-optional-request-parameter", name, f"new optional {parameter.title}",
                     None, parameter.pointer)
    differ = SchemaDiff(ctx)
    for key in sorted(set(old) & set(new)):
        _compare_one(ctx, differ, new_op, old[key], new[key])


def _compare_required(ctx: DiffContext, operation: Operation, old: Parameter,
                      new: Parameter) -> None:
    pointers = (old.pointer, new.pointer)
    name = operation.name
    if new.required and not old.required:
        if operation.outgoing:
            ctx.emit("callback-request-parameter-became-required", name,
                     f"the API now always sends the {new.title}", *pointers)
        else:
            ctx.emit("request-parameter-became-required", name,
                     f"{new.title} became required; requests without it will be rejected",
                     *pointers)
    elif old.required and not new.required:
        if operation.outgoing:
            ctx.emit("callback-request-parameter-became-optional", name,
                     f"the {new.title} the API always sent may now be missing", *pointers)
        else:
            ctx.emit("request-parameter-became-optional", name, f"{new.title} became optional",
                     *pointers)


def _compare_one(ctx: DiffContext, differ: SchemaDiff, op: Operation, old: Parameter,
                 new: Parameter) -> None:
    operation = op.name
    pointers = (old.pointer, new.pointer)
    if old.location == "path" and old.name != new.name:
        ctx.emit("request-path-parameter-renamed", operation,
                 f"path parameter '{old.name}' is now called '{new.name}'", *pointers)
    _compare_required(ctx, op, old, new)
    if old.style != new.style:
        ctx.emit("request-parameter-style-changed", operation,
                 f"{new.title} is now serialised with style '{new.style}' instead of "
                 f"'{old.style}'", *pointers)
    elif old.explode != new.explode:
        ctx.emit("request-parameter-explode-changed", operation,
                 f"{new.title} now has explode={str(new.explode).lower()}", *pointers)
    old_media, new_media = old.media_type, new.media_type
    if (old_media and essence(old_media)) != (new_media and essence(new_media)):
        ctx.emit("request-parameter-media-type-changed", operation,
                 f"{new.title} is now serialised as {new_media or 'a schema value'} instead of "
                 f"{old_media or 'a schema value'}", *pointers)
    scope = Scope("response" if op.outgoing else "request", operation, new.title, op.outgoing)
    if new.node.get("deprecated") is True and old.node.get("deprecated") is not True:
        differ.emit_id(f"{scope.side}-parameter-deprecated", *pointers, scope, (),
                       "is now deprecated")
    if ctx.include_descriptions and old.node.get("description") != new.node.get("description"):
        differ.emit_id(f"{scope.side}-parameter-description-changed", *pointers, scope, (),
                       "the description changed")
    old_schema, new_schema = old.schema(), new.schema()
    if old_schema is not None and new_schema is not None:
        differ.compare(old_schema, new_schema, scope, "parameter")
