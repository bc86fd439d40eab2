"""`compare(old, new)`: every change between two versions of a spec, classified."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from specfirst.generator.diff.bodies import compare_request_body, compare_responses
from specfirst.generator.diff.change import Change, DiffResult
from specfirst.generator.diff.context import DiffContext
from specfirst.generator.diff.lifecycle import report_added, report_removed
from specfirst.generator.diff.moves import follow_moves
from specfirst.generator.diff.operations import Operation, list_operations
from specfirst.generator.diff.parameters import compare_parameters
from specfirst.generator.diff.security import compare_operation_security, compare_security_schemes
from specfirst.generator.diff.servers import compare_document_servers, compare_operation_servers
from specfirst.generator.loader import Spec

__all__ = ["compare"]

log = logging.getLogger(__name__)


def compare(old: Spec, new: Spec, *, include_descriptions: bool = False,
            today: dt.date | None = None, memoize: bool = True) -> DiffResult:
    """Classify every change from `old` to `new` as breaking, warning or info.

    `include_descriptions` also reports changed summaries and descriptions (info); `today` is
    the date Sunset dates are compared with (default: today, UTC). `memoize=False` compares a
    shared schema again at every use instead of once (the same result, slower: a reference).
    """
    ctx = DiffContext(old, new, include_descriptions=include_descriptions, memoize=memoize)
    today = today or dt.datetime.now(dt.UTC).date()
    _compare_document(ctx)
    compare_security_schemes(ctx)
    new_ops = list_operations(new)
    old_ops = follow_moves(ctx, list_operations(old), new_ops)
    report_removed(ctx, old_ops, new_ops, today)
    report_added(ctx, old_ops, new_ops)
    for key in sorted(set(old_ops) & set(new_ops)):
        _compare_operation(ctx, old_ops[key], new_ops[key])
    located = _deduplicate(ctx.changes)
    ctx.changes.clear()
    ctx.schema_steps.clear()
    ctx.schema_roots.clear()
    ctx.texts.clear()
    log.info("%d changes between %s and %s", len(located), old.path, new.path)
    return DiffResult(sorted(located, key=Change.sort_key))


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
    compare_operation_servers(ctx, old, new)
    compare_operation_security(ctx, old, new)


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


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
    compare_document_servers(ctx)


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
