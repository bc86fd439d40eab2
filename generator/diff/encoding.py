"""Encoding objects of form and multipart request bodies: each part's content type, style,
explode and headers.

A part's content type is the `contentType` written in its encoding, else OpenAPI's default for
the property's type (`application/json` for objects, by item type for arrays, binary strings
`application/octet-stream`, other values `text/plain`, or `application/octet-stream` in 3.1);
when neither version writes one nothing is compared. `contentType` may list several types and
wildcards: a part that no longer accepts a type it accepted (no new type covers it) breaks
requests.

A webhook or callback sends its body, so there the reading turns around: a part that may now
come with a type no old type covered breaks receivers, fewer types are news, and a header the
API stops sending (or may now leave out) breaks receivers that read it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from specfirst.generator.diff.context import DiffContext, Scope
from specfirst.generator.diff.media_types import Media, covers, essence
from specfirst.generator.diff.schema_view import NodeRef, SchemaView, child, schema_view
from specfirst.generator.loader import Spec

if TYPE_CHECKING:
    from specfirst.generator.diff.schema_diff import SchemaDiff

__all__ = ["compare_encoding"]

_FORM = "application/x-www-form-urlencoded"
_DEFAULT_STYLE = ("form", True)


def _applies(media_type: str) -> bool:
    kind = essence(media_type)
    return kind == _FORM or kind.startswith("multipart/")


def _encodings(spec: Spec, media: NodeRef) -> dict[str, NodeRef]:
    holder = child(spec, media, "encoding")
    if holder is None:
        return {}
    found = {}
    for name in holder.node:
        encoding = child(spec, holder, name)
        if encoding is not None:
            found[str(name)] = encoding
    return found


def _property(spec: Spec, media: NodeRef, name: str) -> SchemaView | None:
    if child(spec, media, "schema") is None:
        return None
    view = schema_view(spec, NodeRef(media.node["schema"], f"{media.pointer}/schema"))
    refs = view.properties.get(name)
    if not refs:
        return None
    return schema_view(spec, refs[0])


def _default_type(spec: Spec, view: SchemaView | None, depth: int = 0) -> str:
    if view is None or view.types is None or len(view.types) != 1 or depth > 8:
        return "application/octet-stream"
    (kind,) = view.types
    if kind == "object":
        return "application/json"
    if kind == "array" and view.items:
        return _default_type(spec, schema_view(spec, view.items[0]), depth + 1)
    if view.format in ("binary", "base64") or spec.is_v31:
        return "application/octet-stream"
    return "text/plain"


def _types(encoding: NodeRef | None) -> list[str] | None:
    written = encoding.node.get("contentType") if encoding is not None else None
    if isinstance(written, str):
        return [part.strip() for part in written.split(",") if part.strip()]
    return None


def _style(encoding: NodeRef | None) -> tuple[str, bool] | None:
    if encoding is None or not ({"style", "explode"} & set(encoding.node)):
        return None
    style = encoding.node.get("style")
    style = style if isinstance(style, str) else "form"
    explode = encoding.node.get("explode")
    return style, explode if isinstance(explode, bool) else style == "form"


def compare_encoding(ctx: DiffContext, differ: SchemaDiff, operation: str,
                     before: Media[NodeRef], after: Media[NodeRef], what: str,
                     outgoing: bool = False) -> None:
    """The parts of one request media type present in both versions (`outgoing`: a body the
    API sends)."""
    if not _applies(after.written):
        return
    old_media, new_media = before.value, after.value
    old, new = _encodings(ctx.old, old_media), _encodings(ctx.new, new_media)
    for name in sorted(set(old) | set(new)):
        old_enc, new_enc = old.get(name), new.get(name)
        part = f"part '{name}' of {what} ({after.written})"
        pointers = (old_enc.pointer if old_enc else old_media.pointer,
                    new_enc.pointer if new_enc else new_media.pointer)
        old_types, new_types = _types(old_enc), _types(new_enc)
        if old_types is not None or new_types is not None:
            if old_types is None:
                old_types = [_default_type(ctx.old, _property(ctx.old, old_media, name))]
            if new_types is None:
                new_types = [_default_type(ctx.new, _property(ctx.new, new_media, name))]
            if outgoing:
                _compare_sent_types(ctx, operation, part, old_types, new_types, pointers)
            else:
                _compare_types(ctx, operation, part, old_types, new_types, pointers)
        old_style, new_style = _style(old_enc), _style(new_enc)
        if old_style is not None or new_style is not None:
            (old_kind, old_explode) = old_style or _DEFAULT_STYLE
            (new_kind, new_explode) = new_style or _DEFAULT_STYLE
            if old_kind != new_kind:
                ctx.emit("request-body-part-style-changed", operation,
                         f"{part} is now serialised with style '{new_kind}' instead of "
                         f"'{old_kind}'", *pointers)
            elif old_explode != new_explode:
                ctx.emit("request-body-part-explode-changed", operation,
                         f"{part} now has explode={str(new_explode).lower()}", *pointers)
        if outgoing:
            _compare_sent_part_headers(ctx, differ, operation, part, old_enc, new_enc)
        else:
            _compare_part_headers(ctx, differ, operation, part, old_enc, new_enc)


def _compare_types(ctx: DiffContext, operation: str, part: str, old: list[str], new: list[str],
                   pointers: tuple[str, str]) -> None:
    lost = [t for t in old if not any(covers(n, t) for n in new)]
    if lost:
        ctx.emit("request-body-part-content-type-changed", operation,
                 f"{part} no longer accepts {', '.join(lost)} (now {', '.join(new)}); requests "
                 "sending it will be rejected", *pointers)
    elif {essence(t) for t in old} != {essence(t) for t in new}:
        ctx.emit("request-body-part-content-type-widened", operation,
                 f"{part} now accepts {', '.join(new)} (was {', '.join(old)})", *pointers)


def _compare_sent_types(ctx: DiffContext, operation: str, part: str, old: list[str],
                        new: list[str], pointers: tuple[str, str]) -> None:
    gained = [t for t in new if not any(covers(o, t) for o in old)]
    if gained:
        ctx.emit("callback-request-body-part-content-type-changed", operation,
                 f"the API may now send {part} as {', '.join(gained)} (was {', '.join(old)}); "
                 "receivers may not understand it", *pointers)
    elif {essence(t) for t in old} != {essence(t) for t in new}:
        ctx.emit("callback-request-body-part-content-type-narrowed", operation,
                 f"the API now sends {part} as {', '.join(new)} (was {', '.join(old)})",
                 *pointers)


def _part_headers(spec: Spec, encoding: NodeRef | None) -> dict[str, NodeRef]:
    holder = child(spec, encoding, "headers") if encoding is not None else None
    if holder is None:
        return {}
    found = {}
    for name in holder.node:
        if str(name).lower() == "content-type":  # set by contentType
            continue
        header = child(spec, holder, name)
        if header is not None:
            found[str(name).lower()] = header
    return found


def _compare_part_headers(ctx: DiffContext, differ: SchemaDiff, operation: str, part: str,
                          old_enc: NodeRef | None, new_enc: NodeRef | None) -> None:
    old, new = _part_headers(ctx.old, old_enc), _part_headers(ctx.new, new_enc)
    for key in sorted(set(old) - set(new)):
        ctx.emit("request-body-part-header-removed", operation,
                 f"the header '{key}' of {part} was removed; the server may ignore it",
                 old[key].pointer, None)
    for key in sorted(set(new) - set(old)):
        if new[key].node.get("required") is True:
            ctx.emit("request-body-part-header-added-required", operation,
                     f"{part} must now carry the header '{key}'; requests without it will be "
                     "rejected", None, new[key].pointer)
        else:
            ctx.emit("request-body-part-header-added-optional", operation,
                     f"{part} may carry the new header '{key}'", None, new[key].pointer)
    for key in sorted(set(old) & set(new)):
        was, now = old[key].node.get("required") is True, new[key].node.get("required") is True
        if now and not was:
            ctx.emit("request-body-part-header-became-required", operation,
                     f"the header '{key}' of {part} must now be sent; requests without it will "
                     "be rejected", old[key].pointer, new[key].pointer)
        elif was and not now:
            ctx.emit("request-body-part-header-became-optional", operation,
                     f"the header '{key}' of {part} may now be omitted", old[key].pointer,
                     new[key].pointer)
        if child(ctx.old, old[key], "schema") is None or child(ctx.new, new[key], "schema") is None:
            continue
        scope = Scope("request", operation, f"the header '{key}' of {part}")
        differ.compare(NodeRef(old[key].node["schema"], f"{old[key].pointer}/schema"),
                       NodeRef(new[key].node["schema"], f"{new[key].pointer}/schema"), scope,
                       "header")


def _compare_sent_part_headers(ctx: DiffContext, differ: SchemaDiff, operation: str, part: str,
                               old_enc: NodeRef | None, new_enc: NodeRef | None) -> None:
    """Part headers the API sends: compared as a receiver reads them."""
    old, new = _part_headers(ctx.old, old_enc), _part_headers(ctx.new, new_enc)
    for key in sorted(set(old) - set(new)):
        if old[key].node.get("required") is True:
            ctx.emit("callback-required-request-body-part-header-removed", operation,
                     f"the API no longer sends the header '{key}' of {part}; receivers reading "
                     "it fail", old[key].pointer, None)
        else:
            ctx.emit("callback-optional-request-body-part-header-removed", operation,
                     f"the API no longer sends the optional header '{key}' of {part}",
                     old[key].pointer, None)
    for key in sorted(set(new) - set(old)):
        ctx.emit("callback-request-body-part-header-added", operation,
                 f"the API now sends the header '{key}' with {part}", None, new[key].pointer)
    for key in sorted(set(old) & set(new)):
        was, now = old[key].node.get("required") is True, new[key].node.get("required") is True
        if was and not now:
            ctx.emit("callback-request-body-part-header-became-optional", operation,
                     f"the header '{key}' the API always sent with {part} may now be missing",
                     old[key].pointer, new[key].pointer)
        elif now and not was:
            ctx.emit("callback-request-body-part-header-became-required", operation,
                     f"the API now always sends the header '{key}' with {part}",
                     old[key].pointer, new[key].pointer)
        if child(ctx.old, old[key], "schema") is None or child(ctx.new, new[key], "schema") is None:
            continue
        scope = Scope("response", operation, f"the header '{key}' of {part}", True)
        differ.compare(NodeRef(old[key].node["schema"], f"{old[key].pointer}/schema"),
                       NodeRef(new[key].node["schema"], f"{new[key].pointer}/schema"), scope,
                       "header")
