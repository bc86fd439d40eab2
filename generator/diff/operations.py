"""Operations matched across versions, and what an operation's removal means (deprecation, Sunset).

Operations are matched by method and path template with parameter names erased, so
`/users/{id}` and `/users/{user_id}` are the same operation.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from dataclasses import dataclass
from typing import Any

from generator.diff.schema_view import NodeRef
from generator.loader import Spec

__all__ = ["Operation", "list_operations", "sunset_of"]

_TEMPLATE = re.compile(r"\{[^}/]*\}")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    node: dict[str, Any]
    pointer: str
    path_item: NodeRef

    @property
    def name(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def deprecated(self) -> bool:
        return self.node.get("deprecated") is True


def normalise_path(path: str) -> str:
    return _TEMPLATE.sub("{}", path.rstrip("/") or "/")


def list_operations(spec: Spec) -> dict[tuple[str, str], Operation]:
    """Every operation keyed by (method, normalised path)."""
    operations: dict[tuple[str, str], Operation] = {}
    for op in spec.operations():
        operations.setdefault((op.method, normalise_path(op.path)),
                              Operation(op.method, op.path, op.node, op.pointer,
                                        NodeRef(op.item, op.item_pointer)))
    return operations


def sunset_of(spec: Spec, operation: Operation) -> dt.date | None:
    """The operation's Sunset date: `x-sunset`, or the example of a documented `Sunset` header."""
    value = operation.node.get("x-sunset")
    if value is None:
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
