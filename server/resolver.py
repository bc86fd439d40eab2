"""The handler convention as a Connexion resolver.

An operation is served by `PACKAGE.<module_name(first tag)>.<function_name(operationId, method,
path)>` (names from `generator.naming`, the same the stubs generator writes). An operation whose
module or function does not exist yet answers `501 application/problem+json` instead of keeping
the server from starting; the missing handlers are logged once at start-up.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import logging
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

from connexion.resolver import Resolution, Resolver
from specfirst.generator.naming import function_name, module_name
from specfirst.server.problems import problem_response

__all__ = ["ConventionResolver", "handler_location"]

log = logging.getLogger(__name__)


def handler_location(package: str, operation: dict[str, Any], method: str,
                     path: str) -> tuple[str, str]:
    """(module path, function name) of the handler of one operation."""
    tags = operation.get("tags") or [None]
    module = f"{package}.{module_name(tags[0])}"
    return module, function_name(operation.get("operationId"), method, path)


def not_implemented_handler(module: str, function: str) -> Callable[..., Any]:
    async def not_implemented(*_args: Any, **_kwargs: Any) -> Any:
        return problem_response(501, f"This operation has no handler yet "
                                     f"({module}:{function}).")

    not_implemented.__name__ = f"not_implemented_{function}"
    return not_implemented


def _number(kind: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return int(value) if kind == "integer" else float(value)
    except ValueError:
        return value


def coercing(function: Callable[..., Any], kinds: Mapping[str, str]) -> Callable[..., Any]:
    """`function` receiving the parameters named in `kinds` ("integer" or "number") as numbers
    when they arrive as strings (the spec's own type, where the served copy had to relax it)."""

    def convert(kwargs: dict[str, Any]) -> dict[str, Any]:
        return {name: _number(kinds[name], value) if name in kinds else value
                for name, value in kwargs.items()}

    if inspect.iscoroutinefunction(function):
        @functools.wraps(function)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            return await function(*args, **convert(kwargs))

        return async_wrapper

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return function(*args, **convert(kwargs))

    return wrapper


class ConventionResolver(Resolver):  # type: ignore[misc]
    """Resolve operations by the handler convention; missing handlers answer 501 (all of them
    when `package` is None: no handler package)."""

    def __init__(self, package: str | None,
                 names: dict[tuple[str, str], tuple[str, str]] | None = None,
                 numbers: Mapping[tuple[str, str], Mapping[str, str]] | None = None):
        super().__init__()
        # (method, path) -> {python parameter name: "integer" | "number"}: path parameters the
        # served copy of the spec checks as strings, handed to the handler as numbers again.
        self.numbers = numbers or {}
        self.package = package
        # (method, path) -> (module, function) as the stubs generator assigned them, so that two
        # operations whose names collide resolve to `name` and `name_2` like the generated code.
        self.names = names or {}
        self.missing: list[str] = []
        self._modules: dict[str, ModuleType | None] = {}

    def _module(self, name: str) -> ModuleType | None:
        if name not in self._modules:
            try:
                self._modules[name] = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name and (name == exc.name or name.startswith(exc.name + ".")):
                    self._modules[name] = None
                else:
                    raise
        return self._modules[name]

    def resolve(self, operation: Any) -> Resolution:
        raw = getattr(operation, "_operation", {})
        planned = self.names.get((operation.method.lower(), operation.path))
        package = self.package or "handlers"
        if planned is not None:
            module_path, func_name = f"{package}.{planned[0]}", planned[1]
        else:
            module_path, func_name = handler_location(package, raw, operation.method,
                                                      operation.path)
        module = self._module(module_path) if self.package else None
        function = getattr(module, func_name, None) if module is not None else None
        if function is None or not callable(function):
            location = f"{module_path}:{func_name}"
            if location not in self.missing:
                self.missing.append(location)
                log.warning("no handler %s:%s for %s %s: it answers 501", module_path,
                            func_name,
                            operation.method.upper(), operation.path)
            function = not_implemented_handler(module_path, func_name)
        else:
            kinds = self.numbers.get((operation.method.lower(), operation.path))
            if kinds:
                function = coercing(function, kinds)
        return Resolution(function, f"{module_path}.{func_name}")
