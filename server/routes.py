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


class _Route:
    __slots__ = ("caps", "methods", "names", "pattern", "template")

    def __init__(self, template: str, pattern: re.Pattern[str], names: list[str],
                 methods: tuple[str, ...], caps: dict[str, int]):
        self.template = template
        self.pattern = pattern
        self.names = names
        self.methods = methods
        self.caps = caps


class RouteTable:
    """The spec's paths under `base_path`: a concrete path is one dictionary lookup, a templated
    one is tried among those with as many segments, in the spec's order."""

    def __init__(self, document: dict[str, Any], base_path: str = ""):
        self._concrete: dict[str, _Route] = {}
        self._templated: dict[int, list[_Route]] = {}
        for path, item in (document.get("paths") or {}).items():
            if not isinstance(item, dict):
                continue
            methods = tuple(m.upper() for m in HTTP_METHODS if m in item)
            full = base_path + path
            names: list[str] = []

            def group(match: re.Match[str], names: list[str] = names) -> str:
                names.append(match.group()[2:-2].replace("\\", ""))
                return f"(?P<p{len(names) - 1}>[^/]+)"

            pattern = re.compile("^" + _TEMPLATE.sub(group, re.escape(full)) + "$")
            route = _Route(path, pattern, names, methods, _body_caps(item))
            if "{" in path:
                self._templated.setdefault(full.count("/"), []).append(route)
            else:
                self._concrete.setdefault(full, route)

    def _find(self, path: str) -> tuple[_Route, re.Match[str] | None] | None:
        route = self._concrete.get(path)
        if route is not None:
            return route, None
        for route in self._templated.get(path.count("/"), ()):
            matched = route.pattern.match(path)
            if matched is not None:
                return route, matched
        return None

    def match(self, path: str) -> tuple[str, dict[str, str]] | None:
        """The spec path (`/pets/{petId}`) matching `path` and the values of its parameters
        (`{"petId": "7"}`), or None when no spec path does."""
        found = self._find(path)
        if found is None:
            return None
        route, matched = found
        if matched is None:
            return route.template, {}
        return route.template, {name: matched.group(f"p{i}")
                                for i, name in enumerate(route.names)}

    def allowed(self, path: str) -> tuple[str, ...] | None:
        """The methods of the spec path matching `path`, or None when no spec path does."""
        found = self._find(path)
        return None if found is None else found[0].methods

    def template(self, path: str) -> str | None:
        """The spec path (`/pets/{petId}`) matching `path`, or None when no spec path does."""
        found = self._find(path)
        return None if found is None else found[0].template

    def max_body(self, path: str, method: str) -> int | None:
        """The operation's own body size cap, or None when it has none (the server's applies)."""
        found = self._find(path)
        return None if found is None else found[0].caps.get(method.upper())
