"""Names derived from a spec: Python identifiers for handler modules and functions."""

from __future__ import annotations

import keyword
import re

__all__ = ["function_name", "module_name", "snake_case", "unique_name"]

_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_WORD = re.compile(r"[^0-9a-zA-Z]+")
_RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | {"self", "cls"}


def snake_case(text: str) -> str:
    """`getCustomerByID` → `get_customer_by_id`; `../../x` → `x`; never empty."""
    words = _NON_WORD.sub(" ", _BOUNDARY.sub(" ", text)).split()
    name = "_".join(word.lower() for word in words)
    return name


def _identifier(text: str, fallback: str) -> str:
    name = snake_case(text) or fallback
    if name[0].isdigit():
        name = f"{fallback}_{name}"
    if name in _RESERVED or (name.startswith("__") and name.endswith("__")):
        name = f"{name.strip('_')}_"
    return name


def module_name(tag: str | None) -> str:
    """The handler module for a tag; operations without a tag go to `default`."""
    if not tag:
        return "default"
    return _identifier(tag, "tag")


def function_name(operation_id: str | None, method: str, path: str) -> str:
    """The handler function for an operation: its operationId, else method and path."""
    if operation_id:
        return _identifier(operation_id, "op")
    parts = [method.lower()]
    for segment in path.strip("/").split("/"):
        if segment.startswith("{") and segment.endswith("}"):
            parts.append("by_" + segment[1:-1])
        elif segment:
            parts.append(segment)
    return _identifier("_".join(parts), "op")


def unique_name(name: str, taken: set[str]) -> str:
    """`name`, or `name_2`, `name_3`, ... whichever is not in `taken`; records the result."""
    candidate, counter = name, 2
    while candidate in taken:
        candidate = f"{name}_{counter}"
        counter += 1
    taken.add(candidate)
    return candidate
