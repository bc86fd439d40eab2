"""SF106 pagination-parameters: every list operation pages with the same parameters."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from specfirst.generator.lint.finding import Finding
from specfirst.generator.lint.rule import (
    PATH_OPERATIONS,
    RECOMMENDED,
    LintContext,
    Operation,
    Rule,
    is_json,
)

__all__ = ["PaginationParameters", "is_list_operation"]

PAGING_NAMES = frozenset({
    "limit", "offset", "page", "per_page", "perpage", "page_size", "pagesize", "pagenumber",
    "page_number", "cursor", "after", "before", "page_token", "pagetoken", "next_token",
    "nexttoken", "starting_after", "startingafter", "ending_before", "endingbefore", "skip",
    "top", "$top", "$skip", "max_results", "maxresults", "continuation_token", "page[size]",
    "page[number]", "page[cursor]", "page[after]", "page[before]", "page[limit]", "page[offset]",
})
# A last path segment naming an action, not a collection: `/books/search` returns matches for a
# query, not the `books` collection, and need not page like the collection's list does.
ACTION_WORDS = frozenset({
    "search", "find", "query", "lookup", "autocomplete", "suggest", "suggestions", "typeahead",
    "export", "count", "stats", "statistics", "summary", "match", "filter", "resolve",
    "validate", "preview", "check", "report", "download", "me", "self", "current", "latest",
    "batch", "bulk",
})
_ENVELOPE_KEYS = ("data", "items", "results", "records", "entries", "values", "content")


def is_list_operation(ctx: LintContext, op: Operation) -> bool:
    """A GET on a collection (the path does not end in a parameter) that returns many things."""
    return _list_array(ctx, op) is not None


def is_action_path(ctx: LintContext, path: str) -> bool:
    """Whether a path names an action (`/books/search`, `/books:search`) rather than a
    collection: its last segment is an action word or a custom method, and no item path
    (`/books/search/{id}`) sits under it."""
    last = path.rstrip("/").rsplit("/", 1)[-1]
    word = last.rsplit(":", 1)[-1].lower() if ":" in last else last.lower()
    if ":" not in last and word not in ACTION_WORDS:
        return False
    paths = ctx.document.get("paths")
    prefix = path.rstrip("/") + "/{"
    return not (isinstance(paths, dict) and any(str(p).startswith(prefix) for p in paths))


def _list_array(ctx: LintContext, op: Operation) -> dict[str, Any] | None:
    """The array schema a list operation returns (bare, or in a `data`-like envelope)."""
    if op.method != "get" or op.path.rstrip("/").endswith("}"):
        return None
    if is_action_path(ctx, op.path):
        return None
    for status, media, obj, pointer in ctx.response_media(op):
        if not status.startswith("2") or not is_json(media):
            continue
        schema, _ = ctx.deref(obj.get("schema"), pointer + "/schema")
        found = _array_of(ctx, schema)
        if found is not None:
            return found
    return None


def _array_of(ctx: LintContext, schema: Any) -> dict[str, Any] | None:
    if not isinstance(schema, dict):
        return None
    if schema.get("type") == "array":
        return schema
    properties = schema.get("properties")
    if isinstance(properties, dict):
        for key in _ENVELOPE_KEYS:
            value, _ = ctx.deref(properties.get(key), "")
            if isinstance(value, dict) and value.get("type") == "array":
                return value
    return None


class PaginationParameters(Rule):
    id = "SF106"
    name = "pagination-parameters"
    summary = "List operations use the same pagination parameters everywhere."
    category = "consistency"
    rulesets = RECOMMENDED
    operation_kinds = PATH_OPERATIONS

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        lists: list[tuple[Operation, frozenset[str]]] = []
        for op in self.operations(ctx):
            array = _list_array(ctx, op)
            if array is None:
                continue
            names = frozenset(
                str(p.get("name")) for p, _ in ctx.parameters(op)
                if p.get("in") == "query" and str(p.get("name")).lower() in PAGING_NAMES)
            if names or "maxItems" not in array:
                # A list bounded by maxItems (a report, a small fixed set) needs no pages.
                lists.append((op, names))
        counts = Counter(names for _, names in lists if names)
        if not counts:
            return
        common, uses = counts.most_common(1)[0]
        wanted = ", ".join(sorted(common))
        for op, names in lists:
            if names == common:
                continue
            if not names:
                message = f"{op.label()} lists without pagination parameters"
            else:
                message = (f"{op.label()} pages with {', '.join(sorted(names))}; "
                           f"{uses} other list operations use {wanted}")
            yield self.finding(ctx, op.pointer, message,
                               f"page with the same query parameters everywhere: {wanted}")
