"""Which methods the spec allows on a request path, for 405 answers with an exact `Allow`.

Concrete paths take precedence over templated ones (OpenAPI's matching rule): a PATCH to
`/customers/search` is a 405 on the search path, not a PATCH of a customer whose id is "search".
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["RouteTable"]

_METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")
_TEMPLATE = re.compile(r"\\\{[^}]*\\\}")


class RouteTable:
    def __init__(self, document: dict[str, Any], base_path: str = ""):
        routes: list[tuple[bool, re.Pattern[str], tuple[str, ...]]] = []
        for path, item in (document.get("paths") or {}).items():
            if not isinstance(item, dict):
                continue
            methods = tuple(m.upper() for m in _METHODS if m in item)
            pattern = re.compile("^" + re.escape(base_path) + _TEMPLATE.sub(
                "[^/]+", re.escape(path)) + "$")
            routes.append(("{" in path, pattern, methods))
        routes.sort(key=lambda route: route[0])  # concrete paths first
        self._routes = routes

    def allowed(self, path: str) -> tuple[str, ...] | None:
        """The methods of the spec path matching `path`, or None when no spec path does."""
        for _templated, pattern, methods in self._routes:
            if pattern.match(path):
                return methods
        return None
