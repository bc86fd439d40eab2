"""`compare(old, new)`: every change between two versions of a spec, classified."""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any
from urllib.parse import urlsplit

from generator.diff.bodies import compare_request_body, compare_responses
from generator.diff.change import Change, DiffResult
from generator.diff.context import DiffContext
from generator.diff.operations import Operation, list_operations, sunset_of
from generator.diff.parameters import compare_parameters
from generator.diff.security import compare_operation_security, compare_security_schemes
from generator.errors import Location
from generator.loader import Spec

__all__ = ["compare"]

log = logging.getLogger(__name__)


def compare(old: Spec, new: Spec, *, include_descriptions: bool = False,
            today: dt.date | None = None) -> DiffResult:
    """Classify every change from `old` to `new` as breaking, warning or info.

    `include_descriptions` also reports changed summaries and descriptions (info); `today` is
    the date Sunset dates are compared with (default: today, UTC).
    """
    ctx = DiffContext(old, new, include_descriptions=include_descriptions)
    today = today or dt.datetime.now(dt.UTC).date()
    _compare_document(ctx)
    compare_security_schemes(ctx)
    old_ops, new_ops = list_operations(old), list_operations(new)
    for key in sorted(set(old_ops) - set(new_ops), key=_order):
        _removed(ctx, old_ops[key], today)
    for key in sorted(set(new_ops) - set(old_ops), key=_order):
        op = new_ops[key]
        ctx.emit("endpoint-added", op.name, f"new operation {op.name}", None, op.pointer)
    for key in sorted(set(old_ops) & set(new_ops), key=_order):
        _compare_operation(ctx, old_ops[key], new_ops[key])
    changes = _deduplicate(ctx.changes)
    located = [_locate(change, old, new) for change in changes]
    log.info("%d changes between %s and %s", len(located), old.path, new.path)
    return DiffResult(sorted(located, key=Change.sort_key))


def _order(key: tuple[str, str]) -> tuple[str, str]:
    return key[1], key[0]


def _removed(ctx: DiffContext, op: Operation, today: dt.date) -> None:
    sunset = sunset_of(ctx.old, op)
    if sunset is not None and sunset <= today:
        ctx.emit("api-removed-after-sunset", op.name,
                 f"{op.name} was removed after its Sunset date {sunset.isoformat()}",
                 op.pointer, None)
    elif op.deprecated and sunset is not None:
        ctx.emit("api-removed-before-sunset", op.name,
                 f"{op.name} was removed before its Sunset date {sunset.isoformat()}; "
                 "clients still calling it will fail", op.pointer, None)
    elif op.deprecated:
        ctx.emit("api-removed-after-deprecation", op.name,
                 f"the deprecated operation {op.name} was removed (it had no Sunset date)",
                 op.pointer, None)
    else:
        ctx.emit("api-removed-without-deprecation", op.name,
                 f"{op.name} was removed without being deprecated first; clients calling it "
                 "will fail", op.pointer, None)


def _compare_operation(ctx: DiffContext, old: Operation, new: Operation) -> None:
    name = new.name
    pointers = (old.pointer, new.pointer)
    if new.deprecated and not old.deprecated:
        ctx.emit("endpoint-deprecated", name, f"{name} is now deprecated", *pointers)
    elif old.deprecated and not new.deprecated:
        ctx.emit("endpoint-reactivated", name, f"{name} is no longer deprecated", *pointers)
    old_id, new_id = old.node.get("operationId"), new.node.get("operationId")
    if old_id != new_id:
        if old_id is None:
            ctx.emit("api-operation-id-added", name, f"operationId '{new_id}' was added",
                     *pointers)
        elif new_id is None:
            ctx.emit("api-operation-id-removed", name,
                     f"operationId '{old_id}' was removed; generated client methods change",
                     *pointers)
        else:
            ctx.emit("api-operation-id-changed", name,
                     f"operationId changed from '{old_id}' to '{new_id}'; generated client "
                     "methods are renamed", *pointers)
    old_tags, new_tags = _strings(old.node.get("tags")), _strings(new.node.get("tags"))
    for tag in sorted(set(new_tags) - set(old_tags)):
        ctx.emit("api-tag-added", name, f"tag '{tag}' was added", *pointers)
    for tag in sorted(set(old_tags) - set(new_tags)):
        ctx.emit("api-tag-removed", name, f"tag '{tag}' was removed", *pointers)
    if ctx.include_descriptions:
        for key, change_id in (("summary", "api-summary-changed"),
                               ("description", "api-description-changed")):
            if old.node.get(key) != new.node.get(key):
                ctx.emit(change_id, name, f"the {key} changed", *pointers)
    compare_parameters(ctx, old, new)
    compare_request_body(ctx, old, new)
    compare_responses(ctx, old, new)
    compare_operation_security(ctx, old, new)


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _server_urls(document: dict[str, Any]) -> dict[str, int]:
    servers = document.get("servers")
    if not isinstance(servers, list) or not servers:
        return {"/": -1}
    urls: dict[str, int] = {}
    for index, server in enumerate(servers):
        if not isinstance(server, dict) or not isinstance(server.get("url"), str):
            continue
        url = server["url"]
        variables = server.get("variables")
        for var, spec in (variables.items() if isinstance(variables, dict) else ()):
            if isinstance(spec, dict) and "default" in spec:
                url = url.replace("{" + var + "}", str(spec["default"]))
        urls.setdefault(url.rstrip("/") or "/", index)
    return urls


def _base_path(url: str) -> str:
    path = urlsplit(url).path if re.match(r"^[a-z][a-z0-9+.-]*://", url, re.I) else url
    return path.rstrip("/") or "/"


def _compare_document(ctx: DiffContext) -> None:
    old_doc, new_doc = ctx.old.document, ctx.new.document
    if ctx.old.version != ctx.new.version:
        ctx.emit("api-openapi-version-changed", "",
                 f"the document moved from OpenAPI {ctx.old.version} to {ctx.new.version}",
                 "/openapi", "/openapi")
    old_info, new_info = old_doc.get("info"), new_doc.get("info")
    old_info = old_info if isinstance(old_info, dict) else {}
    new_info = new_info if isinstance(new_info, dict) else {}
    if old_info.get("version") != new_info.get("version"):
        ctx.emit("api-version-changed", "",
                 f"the API version changed from {old_info.get('version')} to "
                 f"{new_info.get('version')}", "/info/version", "/info/version")
    old_urls, new_urls = _server_urls(old_doc), _server_urls(new_doc)

    def where(index: int) -> str:
        return f"/servers/{index}" if index >= 0 else "/servers"

    for url in sorted(set(old_urls) - set(new_urls)):
        ctx.emit("api-server-removed", "", f"the server {url} is no longer listed",
                 where(old_urls[url]), None)
    for url in sorted(set(new_urls) - set(old_urls)):
        ctx.emit("api-server-added", "", f"the server {url} was added", None,
                 where(new_urls[url]))
    old_bases = {_base_path(u) for u in old_urls}
    new_bases = {_base_path(u) for u in new_urls}
    if not old_bases & new_bases:
        ctx.emit("api-base-path-changed", "",
                 f"the base path changed from {', '.join(sorted(old_bases))} to "
                 f"{', '.join(sorted(new_bases))}: every operation's URL changed",
                 "/servers", "/servers")


def _deduplicate(changes: list[Change]) -> list[Change]:
    seen: set[tuple[str, str, str, str | None, str | None]] = set()
    unique = []
    for change in changes:
        key = (change.id, change.operation, change.message, change.old_pointer,
               change.new_pointer)
        if key not in seen:
            seen.add(key)
            unique.append(change)
    return unique


def _locate(change: Change, old: Spec, new: Spec) -> Change:
    def find(spec: Spec, pointer: str | None) -> Location | None:
        if pointer is None:
            return None
        try:
            return spec.locate(pointer)
        except (KeyError, ValueError):
            return None

    return Change(change.id, change.level, change.operation, change.message,
                  change.old_pointer, change.new_pointer,
                  find(old, change.old_pointer), find(new, change.new_pointer))
