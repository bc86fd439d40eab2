"""SF106 pagination-parameters: every list operation pages with the same parameters."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from specfirst.generator.lint.casing import split_words
from specfirst.generator.lint.finding import Finding
from specfirst.generator.lint.rule import (
    PATH_OPERATIONS,
    RECOMMENDED,
    LintContext,
    Operation,
    Rule,
    is_json,
)
from specfirst.generator.lint.rules.sf108_plural_collections import is_plural

__all__ = ["PaginationParameters", "is_list_operation", "paging_names", "returned_array"]

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
# Names that page when they hold a position and filter when they hold a time: `since=<id>`
# ("only repositories with an ID greater than this") is a keyset cursor, `since=<timestamp>` or
# `before=<date-time>` ("updated before the given time") a filter that pages nothing.
_POSITION_NAMES = frozenset({"since"})
_TIME_FORMATS = frozenset({"date", "date-time"})
# A number that bounds a list in the operation's own words: "the top 10 referrers", "up to 100".
_BOUND_IN_PROSE = re.compile(
    r"\b(?:top|up to|at most|maximum of|no more than)\s+\d+\b", re.IGNORECASE)
_WRITES = frozenset({"post", "put", "patch", "delete"})


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
    return returned_array(ctx, op)


def returned_array(ctx: LintContext, op: Operation) -> dict[str, Any] | None:
    """The array schema an operation's 2xx JSON body is (bare, or in a `data`-like envelope),
    whatever its path."""
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


_SCALARS = ("string", "integer", "number", "boolean")


def _names_a_collection(path: str) -> bool:
    """Whether the path's last segment is a plural noun, as a collection's name is: `/apply`
    or `/stats/punch_card` return a list, but not a collection that grows."""
    words = [word.lower() for word in split_words(path.rstrip("/").rsplit("/", 1)[-1])]
    if "of" in words[1:]:  # `codes_of_conduct`: the noun before `of` is the head
        words = words[:words.index("of", 1)]
    return bool(words) and is_plural(words[-1])


def _bounded_by_enum(ctx: LintContext, array: dict[str, Any]) -> bool:
    """Whether the items can only be as many as an enum has values: their `id` is an enum, or
    every scalar property of theirs is (what tells one item from another is one of a fixed
    set of values, as in a list of defaults keyed by a visibility)."""
    items, _ = ctx.deref(array.get("items"), "")
    properties = items.get("properties") if isinstance(items, dict) else None
    if not isinstance(properties, dict):
        return False
    scalars: dict[str, dict[str, Any]] = {}
    for name, value in properties.items():
        value, _ = ctx.deref(value, "")
        if isinstance(value, dict) and (value.get("type") in _SCALARS or "enum" in value):
            scalars[str(name)] = value
    if "enum" in scalars.get("id", {}):
        return True
    return bool(scalars) and all("enum" in value for value in scalars.values())


def _declared_by_parent(ctx: LintContext, op: Operation) -> bool:
    """Whether a nested list (`/accounts/{account}/capabilities`) is a fixed set its parent
    already declares: the parent item's schema has a property of that name whose members are
    named properties (`capabilities: {card_payments, transfers}`) or an array with maxItems."""
    parent, _, last = op.path.rstrip("/").rpartition("/")
    if not parent.endswith("}"):
        return False
    found = [o for o in ctx.operation_list(PATH_OPERATIONS)
             if o.path == parent and o.method == "get"]
    if not found:
        return False
    wanted = re.sub(r"[^a-z0-9]", "", last.lower())
    for status, media, obj, pointer in ctx.response_media(found[0]):
        if not status.startswith("2") or not is_json(media):
            continue
        schema, _ = ctx.deref(obj.get("schema"), pointer + "/schema")
        properties = schema.get("properties") if isinstance(schema, dict) else None
        if not isinstance(properties, dict):
            continue
        for name, value in properties.items():
            if re.sub(r"[^a-z0-9]", "", str(name).lower()) != wanted:
                continue
            value, _ = ctx.deref(value, "")
            if not isinstance(value, dict):
                continue
            if isinstance(value.get("properties"), dict) and value["properties"] and \
                    value.get("additionalProperties") in (None, False):
                return True
            if value.get("type") == "array" and "maxItems" in value:
                return True
    return False


def _bounded_in_prose(ctx: LintContext, op: Operation) -> bool:
    """Whether the operation's summary, description or success response says how many items
    the list holds at most ("Get the top 10 referrers", "returns up to 100"), which is
    `maxItems` in words."""
    texts = [op.node.get("summary"), op.node.get("description")]
    texts += [obj.get("description") for status, obj, _ in ctx.responses(op)
              if status.startswith("2")]
    return any(isinstance(text, str) and _BOUND_IN_PROSE.search(text) for text in texts)


def _read_only(ctx: LintContext, op: Operation) -> bool:
    """Whether no operation of the API adds, changes or removes anything at or below the
    list's path. What clients never write there is filled by the provider: reference data
    (`/codes_of_conduct`), a report (`/traffic/popular/paths`), the parts of an immutable
    record (a blockchain transaction's `/txs/{hash}/withdrawals`), whose size the spec does not
    show. A list that clients write grows with their use."""
    path = op.path.rstrip("/")
    return not any(other.method in _WRITES and (other.path.rstrip("/") == path
                                                 or other.path.startswith(path + "/"))
                   for other in ctx.operation_list(PATH_OPERATIONS))


def _fixed_set(ctx: LintContext, op: Operation, array: dict[str, Any]) -> bool:
    """Whether an unpaged list is a set that cannot grow without bound, and needs no pages."""
    return ("maxItems" in array or not _names_a_collection(op.path)
            or _bounded_by_enum(ctx, array) or _declared_by_parent(ctx, op)
            or _bounded_in_prose(ctx, op) or _read_only(ctx, op))


def paging_names(ctx: LintContext, op: Operation) -> frozenset[str]:
    """The query parameters an operation pages with: those named as paging parameters, except
    a time (`before` with `format: date-time` filters by date); `since` only when it holds a
    position, an integer (a keyset cursor: "only repositories with an ID greater than this"),
    not a time ("updated since")."""
    names = set()
    for param, _ in ctx.parameters(op):
        name = str(param.get("name"))
        if param.get("in") != "query":
            continue
        schema, _ = ctx.deref(param.get("schema"), "")
        schema = schema if isinstance(schema, dict) else {}
        if name.lower() in _POSITION_NAMES:
            if schema.get("type") == "integer":
                names.add(name)
        elif name.lower() in PAGING_NAMES and schema.get("format") not in _TIME_FORMATS:
            names.add(name)
    return frozenset(names)


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
            names = paging_names(ctx, op)
            if names or not _fixed_set(ctx, op, array):
                lists.append((op, names))
        counts = Counter(names for _, names in lists if names)
        if not counts:
            return
        common, uses = counts.most_common(1)[0]
        wanted = ", ".join(sorted(common))
        for op, names in lists:
            if names >= common:  # the common parameters page it too, whatever else it takes
                continue
            if not names:
                message = f"{op.label()} lists without pagination parameters"
            else:
                message = (f"{op.label()} pages with {', '.join(sorted(names))}; "
                           f"{uses} other list operations use {wanted}")
            yield self.finding(ctx, op.pointer, message,
                               f"page with the same query parameters everywhere: {wanted}")
