"""Servers: the document's, and an operation's own (operation- or path-level `servers`).

A server is known by its URL with each variable replaced by its default. Servers whose URLs differ
only by a variable's default (the same template) are one server whose variable changed. A
removed URL is a warning while some base path survives; when none of the old base paths can
still be reached, every operation's URL changed (breaking).

A webhook or callback operation's servers are where the API sends its requests, and only its
own count (the document's are where the API is served): a URL removed means receivers there stop
getting the requests with nothing to tell them (breaking), a URL added is news.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from specfirst.generator.diff.context import DiffContext
from specfirst.generator.diff.operations import Operation
from specfirst.generator.loader import escape_pointer

__all__ = ["compare_document_servers", "compare_operation_servers"]


@dataclass(frozen=True)
class Server:
    url: str  # variables replaced by their defaults, no trailing slash
    template: str  # as written
    variables: dict[str, dict[str, Any]]
    pointer: str


@dataclass(frozen=True)
class _Ids:
    added: str
    removed: str
    base_path: str | None  # None: every removal is already reported as breaking
    where: str  # "" for the document, " for this operation"
    outgoing: bool = False


_DOCUMENT = _Ids("api-server-added", "api-server-removed", "api-base-path-changed", "")
_OPERATION = _Ids("api-operation-server-added", "api-operation-server-removed",
                  "api-operation-base-path-changed", " for this operation")
_OUTGOING = _Ids("callback-server-added", "callback-server-removed", None, "", outgoing=True)


@dataclass(frozen=True)
class _Listed:
    servers: list[Server]
    pointer: str  # of the `servers` list


def _declared(holder: Any, pointer: str) -> _Listed | None:
    """The servers a node declares, or None when it declares none (it inherits them)."""
    servers = holder.get("servers") if isinstance(holder, dict) else None
    if not isinstance(servers, list) or not servers:
        return None
    found = []
    for index, server in enumerate(servers):
        if not isinstance(server, dict) or not isinstance(server.get("url"), str):
            continue
        raw = server.get("variables")
        variables = {str(k): v for k, v in raw.items() if isinstance(v, dict)} \
            if isinstance(raw, dict) else {}
        found.append(Server(_substitute(server["url"], variables), server["url"], variables,
                            f"{pointer}/servers/{index}"))
    return _Listed(found, f"{pointer}/servers") if found else None


def _substitute(url: str, variables: dict[str, dict[str, Any]]) -> str:
    for name, spec in variables.items():
        value = spec.get("default")
        if isinstance(value, str | int | float):
            url = url.replace("{" + name + "}", str(value))
    return url.rstrip("/") or "/"


def _document_servers(document: dict[str, Any]) -> _Listed:
    return _declared(document, "") or _Listed([Server("/", "/", {}, "/servers")], "/servers")


def _base_path(url: str) -> str:
    path = url
    if re.match(r"^[a-z][a-z0-9+.-]*://", url, re.I):
        try:
            path = urlsplit(url).path
        except ValueError:  # e.g. a bracketed host that is no IP address
            path = re.sub(r"^[a-z][a-z0-9+.-]*://[^/]*", "", url, flags=re.I)
    return path.rstrip("/") or "/"


def _enum(spec: dict[str, Any]) -> list[str] | None:
    values = spec.get("enum")
    return [str(v) for v in values] if isinstance(values, list) else None


def _allows(spec: dict[str, Any] | None, value: Any) -> bool:
    if spec is None:
        return False
    values = _enum(spec)
    return values is None or str(value) in values


def _compare(ctx: DiffContext, old_list: _Listed, new_list: _Listed, operation: str,
             ids: _Ids) -> None:
    old, new = old_list.servers, new_list.servers
    pairs: list[tuple[Server, Server]] = []
    old_left, new_left = list(old), list(new)
    for field in ("url", "template"):  # the same URL, else the same template (a default changed)
        for server in list(old_left):
            match = next((n for n in new_left
                          if getattr(n, field) == getattr(server, field)), None)
            if match is not None:
                pairs.append((server, match))
                old_left.remove(server)
                new_left.remove(match)
    for server in sorted(old_left, key=lambda s: s.url):
        ctx.emit(ids.removed, operation,
                 f"the API no longer sends these requests to {server.url}; receivers there stop "
                 "getting them" if ids.outgoing
                 else f"the server {server.url} is no longer listed{ids.where}",
                 server.pointer, None)
    for server in sorted(new_left, key=lambda s: s.url):
        ctx.emit(ids.added, operation,
                 f"the API may now send these requests to {server.url}" if ids.outgoing
                 else f"the server {server.url} was added{ids.where}", None, server.pointer)
    reachable = {s.url for s in new}
    for before, after in pairs:
        _compare_variables(ctx, before, after, operation, ids.outgoing)
        if all(_allows(after.variables.get(name), spec.get("default"))
               for name, spec in before.variables.items() if f"{{{name}}}" in before.template):
            reachable.add(before.url)  # the old defaults can still be chosen
    if ids.base_path is None:
        return
    old_bases = {_base_path(s.url) for s in old}
    new_bases = {_base_path(url) for url in reachable}
    if not old_bases & new_bases:
        ctx.emit(ids.base_path, operation,
                 f"the base path changed from {', '.join(sorted(old_bases))} to "
                 f"{', '.join(sorted({_base_path(s.url) for s in new}))}: "
                 + ("every operation's URL changed" if not ids.where
                    else "the operation's URL changed"), old_list.pointer, new_list.pointer)


def _compare_variables(ctx: DiffContext, old: Server, new: Server, operation: str,
                       outgoing: bool) -> None:
    stop = "the API no longer sends requests to URLs built with {}" if outgoing \
        else "URLs built with {} stop working"
    reach = "the API, using the default, sends to another URL" if outgoing \
        else "clients using the default reach another URL"
    for name in sorted(set(old.variables) & set(new.variables)):
        before, after = old.variables[name], new.variables[name]
        pointers = (f"{old.pointer}/variables/{escape_pointer(name)}",
                    f"{new.pointer}/variables/{escape_pointer(name)}")
        what = f"server variable '{name}' of {new.template}"
        old_values, new_values = _enum(before), _enum(after)
        if old_values is not None and new_values is not None:
            for value in sorted(set(old_values) - set(new_values)):
                ctx.emit("api-server-variable-enum-value-removed", operation,
                         f"{what} no longer accepts '{value}'; {stop.format('it')}", *pointers)
            for value in sorted(set(new_values) - set(old_values)):
                ctx.emit("api-server-variable-enum-value-added", operation,
                         f"{what} now accepts '{value}'", *pointers)
        elif new_values is not None:
            ctx.emit("api-server-variable-enum-value-removed", operation,
                     f"{what} is now limited to {', '.join(repr(v) for v in new_values)}; "
                     f"{stop.format('other values')}", *pointers)
        elif old_values is not None:
            ctx.emit("api-server-variable-enum-value-added", operation,
                     f"{what} now accepts any value", *pointers)
        if before.get("default") != after.get("default"):
            ctx.emit("api-server-variable-default-changed", operation,
                     f"the default of {what} changed from '{before.get('default')}' to "
                     f"'{after.get('default')}'; {reach}", *pointers)


def compare_document_servers(ctx: DiffContext) -> None:
    _compare(ctx, _document_servers(ctx.old.document), _document_servers(ctx.new.document), "",
             _DOCUMENT)


def _own(operation: Operation) -> _Listed | None:
    return _declared(operation.node, operation.pointer) \
        or _declared(operation.path_item.node, operation.path_item.pointer)


def compare_operation_servers(ctx: DiffContext, old_op: Operation, new_op: Operation) -> None:
    """An operation's own servers, when either version declares some (else the document's; a
    webhook's or callback's declare none then)."""
    old_own, new_own = _own(old_op), _own(new_op)
    if old_own is None and new_own is None:
        return
    if new_op.outgoing:
        _compare(ctx, old_own or _Listed([], old_op.pointer),
                 new_own or _Listed([], new_op.pointer), new_op.name, _OUTGOING)
        return
    _compare(ctx, old_own or _document_servers(ctx.old.document),
             new_own or _document_servers(ctx.new.document), new_op.name, _OPERATION)
