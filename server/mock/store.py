"""`--stateful`: resources POSTed to a collection can be read, updated and deleted.

A collection is a path template that has a POST and an item path below it
(`/pets` and `/pets/{petId}`). Resources live in memory, keyed by the concrete collection path
(`/owners/7/pets`) and their id. The id is the response field named like the item's path
parameter, else `id`, else the only field ending in `id`. Reads of an unknown id in a collection
that has received a POST answer 404; collections nobody has written to stay fully generated.
"""

from __future__ import annotations

import copy
import re
import threading
from dataclasses import dataclass
from typing import Any

__all__ = ["CollectionRoute", "ResourceStore", "collection_routes"]

_ITEM = re.compile(r"^(?P<collection>.*)/\{(?P<param>[^{}/]+)\}$")


@dataclass(frozen=True)
class CollectionRoute:
    """How one operation takes part in the store."""

    role: str  # "create", "list", "read", "update", "replace", "delete"
    collection: str  # the collection path template
    param: str | None  # the item's path parameter


def collection_routes(operations: list[tuple[str, str]]) -> dict[tuple[str, str], CollectionRoute]:
    """(method, path) -> role, for every operation that reads or writes a collection."""
    posts = {path for method, path in operations if method == "post"}
    items: dict[str, str] = {}
    for _, path in operations:
        match = _ITEM.match(path)
        if match and match["collection"] in posts:
            items[match["collection"]] = match["param"]
    routes: dict[tuple[str, str], CollectionRoute] = {}
    for method, path in operations:
        if path in items:
            role = {"post": "create", "get": "list"}.get(method)
            if role:
                routes[(method, path)] = CollectionRoute(role, path, items[path])
            continue
        match = _ITEM.match(path)
        if match and items.get(match["collection"]) == match["param"]:
            role = {"get": "read", "patch": "update", "put": "replace",
                    "delete": "delete"}.get(method)
            if role:
                routes[(method, path)] = CollectionRoute(role, match["collection"],
                                                         match["param"])
    return routes


def id_field(resource: dict[str, Any], param: str | None) -> str | None:
    if param and param in resource:
        return param
    if "id" in resource:
        return "id"
    candidates = [k for k in resource if k.lower().endswith("id")]
    return candidates[0] if len(candidates) == 1 else None


class ResourceStore:
    """Thread-safe in-memory resources: collection path -> id -> resource."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: dict[str, dict[str, dict[str, Any]]] = {}

    def knows(self, collection: str) -> bool:
        with self._lock:
            return collection in self._data

    def add(self, collection: str, key: str, resource: dict[str, Any]) -> None:
        with self._lock:
            self._data.setdefault(collection, {})[key] = copy.deepcopy(resource)

    def get(self, collection: str, key: str) -> dict[str, Any] | None:
        with self._lock:
            found = self._data.get(collection, {}).get(key)
            return copy.deepcopy(found) if found is not None else None

    def all(self, collection: str) -> list[dict[str, Any]]:
        with self._lock:
            return [copy.deepcopy(r) for r in self._data.get(collection, {}).values()]

    def update(self, collection: str, key: str, changes: dict[str, Any], *,
               replace: bool) -> dict[str, Any] | None:
        with self._lock:
            current = self._data.get(collection, {}).get(key)
            if current is None:
                return None
            merged = {**({} if replace else current), **copy.deepcopy(changes)}
            for name in current:
                if name not in merged:
                    merged[name] = current[name]
            self._data[collection][key] = merged
            return copy.deepcopy(merged)

    def delete(self, collection: str, key: str) -> bool:
        with self._lock:
            return self._data.get(collection, {}).pop(key, None) is not None
