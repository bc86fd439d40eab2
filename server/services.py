"""The extension point of the serving runtime: services an application plugs in.

A handler package may declare, in its `__init__.py`, the services its application needs next to
its handlers:

    # handlers/__init__.py
    from specfirst.server import Service

    from myapp import worker

    SERVICES = [
        Service("myapp", lifespan=worker.lifespan, migrations="myapp.migrations",
                problem_types="https://example.com/problems/"),
    ]

`create_app` (and so `specfirst serve`) imports the handler package, reads `SERVICES`, then:

- applies the runtime's own migration chain and, after it, each service's chain (`migrations`
  names a package of `mNNNN_<name>.py` modules, see `specfirst.server.migrations`), so the
  application's tables exist only when it is served;
- enters each `lifespan(runtime)` async context manager, in order, when the server starts, and
  exits them in reverse order when it stops (background workers, connections, caches); the
  `Runtime` gives the database and the settings;
- makes problem `type` URIs `<problem_types><slug>` (the first service that sets it; the
  setting `SPECFIRST_SERVER_PROBLEM_BASE_URI` wins over it; without either: `about:blank`).

`create_app(..., services=[...])` passes them explicitly instead (they replace `SERVICES`).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from specfirst.generator.errors import ConfigError
from specfirst.server.context import Runtime

__all__ = ["Lifespan", "Service", "declared_services", "problem_types_of", "services_lifespan"]

Lifespan = Callable[[Runtime], AbstractAsyncContextManager[Any]]


@dataclass(frozen=True)
class Service:
    """Something an application runs with the server: a lifespan, its own migrations, the base
    URI of its problem types. `name` names its migration chain (letters, digits, `_`, `-`)."""

    name: str
    lifespan: Lifespan | None = None
    migrations: str | None = None
    problem_types: str | None = None

    def __post_init__(self) -> None:
        if not self.name or not all(c.isalnum() or c in "_-" for c in self.name) or (
                self.name == "specfirst"):
            raise ConfigError(f"Service name {self.name!r} must be letters, digits, _ or - "
                              "(and not 'specfirst', the runtime's own chain)")


def declared_services(package: ModuleType) -> list[Service]:
    """The `SERVICES` a handler package declares (none when it has no such attribute)."""
    declared = getattr(package, "SERVICES", None)
    if declared is None:
        return []
    items = list(declared) if isinstance(declared, (list, tuple)) else None
    if items is None or not all(isinstance(item, Service) for item in items):
        raise ConfigError(f"{package.__name__}.SERVICES must be a list of "
                          "specfirst.server.Service")
    return items


def problem_types_of(services: Iterable[Service]) -> str | None:
    return next((s.problem_types for s in services if s.problem_types), None)


def services_lifespan(runtime: Runtime, services: Sequence[Service]) -> Any:
    """The app's lifespan: every service's, entered in order and exited in reverse."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            for service in services:
                if service.lifespan is not None:
                    await stack.enter_async_context(service.lifespan(runtime))
            yield

    return lifespan
