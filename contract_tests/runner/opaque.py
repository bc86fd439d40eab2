"""Opaque, server-issued inputs (a page `cursor`) are left out of what Schemathesis generates.

A cursor is valid only when the server issued it, so every generated value is rightly refused
and Schemathesis would report the refusal as "valid data rejected". An optional query parameter
or top-level request-body property is opaque when it carries `x-specfirst-opaque: true`, or when
it is named `cursor` (the conventions' name for it) and does not say `x-specfirst-opaque: false`.
The document handed to Schemathesis is a copy without them; our spec is never changed.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, MutableMapping
from typing import Any

from specfirst.generator.loader import deref

__all__ = ["OPAQUE_EXTENSION", "is_opaque", "without_opaque_inputs"]

OPAQUE_EXTENSION = "x-specfirst-opaque"
CONVENTIONAL_NAMES = frozenset({"cursor"})
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def is_opaque(name: str, node: MutableMapping[str, Any]) -> bool:
    flag = node.get(OPAQUE_EXTENSION)
    if flag is not None:
        return bool(flag)
    return name in CONVENTIONAL_NAMES


def _deref(document: dict[str, Any], node: Any) -> Any:
    return deref(document, node)[0]


def _operations(document: dict[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for item in (document.get("paths") or {}).values():
        item = _deref(document, item)
        if not isinstance(item, dict):
            continue
        for method in _METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                yield item, operation


def _strip_parameters(document: dict[str, Any], holder: dict[str, Any]) -> set[str]:
    removed: set[str] = set()
    kept = []
    for parameter in holder.get("parameters") or []:
        resolved = _deref(document, parameter)
        if (isinstance(resolved, dict) and resolved.get("in") == "query"
                and not resolved.get("required") and is_opaque(str(resolved.get("name")),
                                                               resolved)):
            removed.add(str(resolved.get("name")))
            continue
        kept.append(parameter)
    if removed:
        holder["parameters"] = kept
    return removed


def _strip_body(document: dict[str, Any], operation: dict[str, Any]) -> set[str]:
    removed: set[str] = set()
    body = _deref(document, operation.get("requestBody"))
    if not isinstance(body, dict):
        return removed
    for media in (body.get("content") or {}).values():
        if not isinstance(media, dict):
            continue
        schema = _deref(document, media.get("schema"))
        if not isinstance(schema, dict) or not isinstance(schema.get("properties"), dict):
            continue
        required = set(schema.get("required") or [])
        for name, prop in list(schema["properties"].items()):
            resolved = _deref(document, prop)
            if name not in required and isinstance(resolved, dict) and is_opaque(name, resolved):
                del schema["properties"][name]
                removed.add(name)
        examples = [schema.get("example"), media.get("example"),
                    *[(e or {}).get("value") for e in (schema.get("examples") or [])
                      if isinstance(schema.get("examples"), list) and isinstance(e, dict)],
                    *[_deref(document, e).get("value")
                      for e in (media.get("examples") or {}).values()
                      if isinstance(_deref(document, e), dict)]]
        for example in examples:
            if isinstance(example, dict):
                for name in removed:
                    example.pop(name, None)
    return removed


def _strip_links(document: dict[str, Any], names: set[str]) -> None:
    for _item, operation in _operations(document):
        for response in (operation.get("responses") or {}).values():
            response = _deref(document, response)
            for link in ((response or {}).get("links") or {}).values():
                link = _deref(document, link)
                parameters = (link or {}).get("parameters")
                if isinstance(parameters, dict):
                    for key in list(parameters):
                        if key.split(".")[-1] in names:
                            del parameters[key]


def without_opaque_inputs(document: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """A copy of `document` without opaque inputs, and the names that were left out."""
    copied = copy.deepcopy(document)
    removed: set[str] = set()
    for item, operation in _operations(copied):
        removed |= _strip_parameters(copied, item)
        removed |= _strip_parameters(copied, operation)
        removed |= _strip_body(copied, operation)
    if removed:
        _strip_links(copied, removed)
    return copied, removed
