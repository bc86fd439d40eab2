"""What the spec says about a request path before any handler runs: the spec path it matches,
the methods it allows (for 405 answers with an exact `Allow`) and per-operation body size caps.

Concrete paths take precedence over templated ones (OpenAPI's matching rule): a PATCH to
`/customers/search` is a 405 on the search path, not a PATCH of a customer whose id is "search".

An operation may raise or lower the server's body size cap with `x-specfirst-max-body` (bytes,
a positive integer): `create_import` takes up to 16 MiB so that its documented 10,000 rows fit,
while every other operation keeps the server-wide cap.
"""

from __future__ import annotations

import re
from typing import Any

from specfirst.generator.loader import HTTP_METHODS

__all__ = ["MAX_BODY_EXTENSION", "RouteTable"]

MAX_BODY_EXTENSION = "x-specfirst-max-body"
_TEMPLATE = re.compile(r"\\\{[^}]*\\\}")


def _body_caps(item: dict[str, Any]) -> dict[str, int]:
    caps: dict[str, int] = {}
    for method in HTTP_METHODS:
        operation = item.get(method)
        if not isinstance(operation, dict):
            continue
        cap = operation.get(MAX_BODY_EXTENSION)
        if isinstance(cap, int) and not isinstance(cap, bool) and cap > 0:
            caps[method.upper()] = cap
    return caps


class RouteTable:
    def __init__(self, document: dict[str, Any], base_path: str = ""):
        routes: list[tuple[bool, re.Pattern[str], tuple[str, ...], dict[str, int], str]] = []
        for path, item in (document.get("paths") or {}).items():
            if not isinstance(item, dict):
                continue
            methods = tuple(m.upper() for m in HTTP_METHODS if m in item)
            pattern = re.compile("^" + re.escape(base_path) + _TEMPLATE.sub(
                "[^/]+", re.escape(path)) + "$")
            routes.append(("{" in path, pattern, methods, _body_caps(item), path))
        routes.sort(key=lambda route: route[0])  # concrete paths first
        self._routes = routes

    def allowed(self, path: str) -> tuple[str, ...] | None:
        """The methods of the spec path matching `path`, or None when no spec path does."""
        for _templated, pattern, methods, _caps, _template in self._routes:
            if pattern.match(path):
                return methods
        return None

    def template(self, path: str) -> str | None:
        """The spec path (`/pets/{petId}`) matching `path`, or None when no spec path does."""
        for _templated, pattern, _methods, _caps, template in self._routes:
            if pattern.match(path):
                return template
        return None

    def max_body(self, path: str, method: str) -> int | None:
        """The operation's own body size cap, or None when it has none (the server's applies)."""
        for _templated, pattern, _methods, caps, _template in self._routes:
            if pattern.match(path):
                return caps.get(method.upper())
        return None
