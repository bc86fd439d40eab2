"""Operations matched across versions, and what an operation's removal means (deprecation, Sunset).

Every operation is taken from `Spec.operations`: paths, 3.1 `webhooks` and callbacks. Path
operations are matched by method and path template with parameter names erased, so
`/users/{id}` and `/users/{user_id}` are the same operation; a webhook by its name and method; a
callback operation by its owner, the callback's name, its URL expression and method.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from dataclasses import dataclass
from typing import Any

from specfirst.generator.diff.schema_view import NodeRef
from specfirst.generator.loader import OperationRef, Spec

__all__ = ["Operation", "OperationKey", "list_operations", "sunset_of"]

_TEMPLATE = re.compile(r"\{[^}/]*\}")

OperationKey = tuple[str, ...]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    node: dict[str, Any]
    pointer: str
    path_item: NodeRef
    kind: str = "path"  # "path", "webhook" or "callback"
    key: OperationKey = ()
    parent: OperationKey | None = None  # the key of the operation declaring a callback
    callback: str | None = None  # the callback's name
    label: str = ""

    @property
    def name(self) -> str:
        """How a reader names it: `GET /items`, `webhook orderShipped: POST`, or the owner
        operation, the callback's name, method and URL expression."""
        return self.label or f"{self.method.upper()} {self.path}"

    @property
    def deprecated(self) -> bool:
        return self.node.get("deprecated") is True

    @property
    def outgoing(self) -> bool:
        """A request the API sends (webhook or callback): the API is the client."""
        return self.kind != "path"


def normalise_path(path: str) -> str:
    return _TEMPLATE.sub("{}", path.rstrip("/") or "/")


def _key(op: OperationRef) -> OperationKey:
    if op.kind == "webhook":
        return ("webhook", op.path, op.method)
    if op.kind == "callback" and op.parent is not None:
        return (*_key(op.parent), "callback", str(op.callback), op.path, op.method)
    return (op.method, normalise_path(op.path))


def list_operations(spec: Spec) -> dict[OperationKey, Operation]:
    """Every operation (paths, webhooks, callbacks) keyed so that versions can be matched."""
    operations: dict[OperationKey, Operation] = {}
    for op in spec.operations(webhooks=True, callbacks=True):
        key = _key(op)
        parent = _key(op.parent) if op.kind == "callback" and op.parent is not None else None
        operations.setdefault(key, Operation(op.method, op.path, op.node, op.pointer,
                                             NodeRef(op.item, op.item_pointer), op.kind, key,
                                             parent, op.callback, op.label()))
    return operations


def sunset_of(spec: Spec, operation: Operation) -> dt.date | None:
    """The operation's Sunset date: `x-sunset`, or the example of a documented `Sunset` header.

    For a path operation the header is one of its responses'; for a webhook or callback, which
    the API sends, it is a header parameter of the request (the API tells receivers).
    """
    value = operation.node.get("x-sunset")
    if value is None and operation.outgoing:
        for holder in (operation.node, operation.path_item.node):
            parameters = holder.get("parameters") if isinstance(holder, dict) else None
            for parameter in (parameters if isinstance(parameters, list) else ()):
                parameter = spec.resolve(parameter)
                if isinstance(parameter, dict) and parameter.get("in") == "header" \
                        and str(parameter.get("name", "")).lower() == "sunset":
                    value = _header_example(spec, parameter)
                    break
            if value is not None:
                break
    elif value is None:
        responses = operation.node.get("responses")
        for response in (responses.values() if isinstance(responses, dict) else ()):
            response = spec.resolve(response)
            headers = response.get("headers") if isinstance(response, dict) else None
            for name, header in (headers.items() if isinstance(headers, dict) else ()):
                if name.lower() == "sunset":
                    value = _header_example(spec, header)
                    if value is not None:
                        break
            if value is not None:
                break
    return _parse_date(value)


def _header_example(spec: Spec, header: Any) -> Any:
    header = spec.resolve(header)
    if not isinstance(header, dict):
        return None
    schema = spec.resolve(header.get("schema"))
    for holder in (header, schema if isinstance(schema, dict) else {}):
        for key in ("example", "default"):
            if holder.get(key) is not None:
                return holder[key]
        if isinstance(holder.get("enum"), list) and holder["enum"]:
            return holder["enum"][0]
    return None


def _parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(text).date()  # HTTP-date (RFC 9110)
    except (TypeError, ValueError):
        return None
