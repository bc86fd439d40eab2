"""The operations of a spec, wherever they are declared: `paths`, 3.1 `webhooks`, callbacks.

Every command that walks operations (lint, docs, stubs, diff) takes them from `Spec.operations`,
so a path item reached through `$ref`, a webhook or a callback is seen the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from specfirst.generator.document import escape_pointer

__all__ = ["HTTP_METHODS", "OperationKind", "OperationRef", "walk_operations"]

# The operation keys of an OpenAPI path item, in the specification's order.
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

OperationKind = Literal["path", "webhook", "callback"]
Deref = Callable[[Any, str], tuple[Any, str]]
# Callbacks may declare callbacks of their own; deeper nesting than this is not followed.
_MAX_CALLBACK_DEPTH = 8


@dataclass(frozen=True)
class OperationRef:
    """One operation and where it is declared.

    `path` is the path template for `paths`, the webhook's name for `webhooks`, and the runtime
    expression (e.g. `{$request.body#/url}`) for a callback. `parent` and `callback` say which
    operation declared a callback and under which name.
    """

    kind: OperationKind
    path: str
    method: str
    node: dict[str, Any]
    pointer: str
    item: dict[str, Any]
    item_pointer: str
    parent: OperationRef | None = None
    callback: str | None = None

    @property
    def operation_id(self) -> str | None:
        value = self.node.get("operationId")
        return value if isinstance(value, str) else None

    def label(self) -> str:
        """How a reader names the operation: `POST /customers`, `webhook customerCreated: POST`."""
        if self.kind == "webhook":
            return f"webhook {self.path}: {self.method.upper()}"
        if self.kind == "callback" and self.parent is not None:
            return (f"{self.parent.label()} callback {self.callback} "
                    f"{self.method.upper()} {self.path}")
        return f"{self.method.upper()} {self.path}"


def walk_operations(document: Mapping[str, Any], deref: Deref, *, webhooks: bool = False,
                    callbacks: bool = False) -> list[OperationRef]:
    """Every operation in document order: paths, then webhooks; callbacks after their owner."""
    found: list[OperationRef] = []
    sections: list[tuple[str, OperationKind]] = [("paths", "path")]
    if webhooks:
        sections.append(("webhooks", "webhook"))
    for section, kind in sections:
        items = document.get(section)
        if not isinstance(items, dict):
            continue
        for key, raw in items.items():
            for op in _item_operations(deref, kind, str(key), raw,
                                       f"/{section}/{escape_pointer(str(key))}"):
                found.append(op)
                if callbacks:
                    found.extend(_callbacks(deref, op, 1))
    return found


def _item_operations(deref: Deref, kind: OperationKind, key: str, raw: Any, pointer: str,
                     parent: OperationRef | None = None,
                     callback: str | None = None) -> Iterator[OperationRef]:
    item, item_pointer = deref(raw, pointer)
    if not isinstance(item, dict):
        return
    for method in HTTP_METHODS:
        node = item.get(method)
        if isinstance(node, dict):
            yield OperationRef(kind, key, method, node, f"{item_pointer}/{method}", item,
                               item_pointer, parent, callback)


def _callbacks(deref: Deref, owner: OperationRef, depth: int) -> Iterator[OperationRef]:
    declared = owner.node.get("callbacks")
    if not isinstance(declared, dict) or depth > _MAX_CALLBACK_DEPTH:
        return
    for name, raw in declared.items():
        callback, pointer = deref(raw, f"{owner.pointer}/callbacks/{escape_pointer(str(name))}")
        if not isinstance(callback, dict):
            continue
        for expression, item in callback.items():
            if str(expression).startswith("x-"):
                continue
            for op in _item_operations(deref, "callback", str(expression), item,
                                       f"{pointer}/{escape_pointer(str(expression))}", owner,
                                       str(name)):
                yield op
                yield from _callbacks(deref, op, depth + 1)
