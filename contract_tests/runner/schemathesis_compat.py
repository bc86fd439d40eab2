"""Every use of Schemathesis' private internals, in one place.

Schemathesis 4 has no public API for some of what the runner needs: the configuration classes
behind a few options, the failure class our own checks raise, and letting go of the response
schemas it prepares while checking answers. They are reached here only, so an upgrade that
moves them breaks this module (and `test_runner_memory.py::
test_schemathesis_internals_are_where_the_compat_module_expects`), not the runner.

The link walk (`runner.links`) sends its requests outside the engine: it records them in a
`ScenarioRecorder`, judges them with `run_checks` under a `CheckContext` built from the
schema's configuration, and names a link the way the stateful phase names its transitions
(`stateful_transition_id`), so links the phase followed and links the walk followed are counted
alike.

Memory: Schemathesis prepares, for every response schema it checks an answer against, a bundled
copy of the schema with everything it references and a compiled validator, and keeps both for the
whole run, once in the schema's shared `ResponseSchemaCache` and again in each response object of
every operation it built. On a spec whose schemas reference most of the others (Stripe's
expandable objects) each is several megabytes, so the process grows with the number of operations
tested. `ResponseCacheBound` keeps them for the few operations in use and lets go of the rest.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from schemathesis.checks import CheckContext, run_checks
from schemathesis.config._auth import AuthConfig
from schemathesis.config._checks import (
    MissingRequiredHeaderConfig,
    NegativeDataRejectionConfig,
    PositiveDataAcceptanceConfig,
)
from schemathesis.config._phases import InferenceConfig
from schemathesis.core.errors import format_transition
from schemathesis.core.failures import Failure
from schemathesis.engine.recorder import ScenarioRecorder
from schemathesis.generation.meta import TestPhase
from schemathesis.hooks import GLOBAL_HOOK_DISPATCHER, HookContext
from schemathesis.specs.openapi.adapter.responses import OpenApiResponse, ResponseSchemaCache

__all__ = [
    "AuthConfig",
    "CheckContext",
    "Failure",
    "InferenceConfig",
    "MissingRequiredHeaderConfig",
    "NegativeDataRejectionConfig",
    "PositiveDataAcceptanceConfig",
    "ResponseCacheBound",
    "ScenarioRecorder",
    "TestPhase",
    "bound_shared",
    "bounded_response_caches",
    "held_response_schemas",
    "release_operation",
    "release_shared",
    "run_checks",
    "stateful_transition_id",
]

# Operations whose prepared response schemas are kept: a stateful chain goes back and forth
# between a few operations (create, read, delete), which then need not prepare them again.
KEPT_OPERATIONS = 4
# Prepared schemas kept in the shared cache, most recently used first: responses of many
# operations document the same schema (an error object), which then is prepared once.
KEPT_SHARED = 8


class _Recent(OrderedDict[Any, Any]):
    """A mapping that keeps its `limit` most recently read or written entries."""

    def __init__(self, limit: int, entries: Any = ()) -> None:
        super().__init__(entries)
        self.limit = limit

    def get(self, key: Any, default: Any = None) -> Any:
        try:
            value = self[key]
        except KeyError:
            return default
        try:
            self.move_to_end(key)
        except KeyError:
            pass  # dropped meanwhile by another worker
        return value

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, value)
        while len(self) > self.limit:
            try:
                self.popitem(last=False)
            except KeyError:
                break


def stateful_transition_id(source: str, status: str, name: str, target: str) -> str:
    """The id the stateful phase gives a transition along one link (`Transition.id`)."""
    return format_transition(source, status, name, target)


def bound_shared(schema: Any, limit: int = KEPT_SHARED) -> None:
    """Make the schema's shared cache of prepared response schemas keep `limit` of them."""
    cache = _shared_cache(schema)
    if cache is not None and not isinstance(cache._bundles, _Recent):
        with cache._lock:
            cache._bundles = _Recent(limit, cache._bundles)
            cache._validators = _Recent(limit, cache._validators)


def _shared_cache(schema: Any) -> ResponseSchemaCache | None:
    cache = getattr(schema, "response_schema_cache", None)
    return cache if isinstance(cache, ResponseSchemaCache) else None


def _responses(operation: Any) -> Iterator[OpenApiResponse]:
    responses = getattr(operation, "responses", None)
    items = getattr(responses, "items", None)
    if items is None:
        return
    for _, response in items():
        if isinstance(response, OpenApiResponse):
            yield response


def release_operation(operation: Any) -> None:
    """Forget the prepared response schemas and validators of one operation (rebuilt if it is
    tested again). Only for an operation no worker is checking an answer of at the time."""
    for response in _responses(operation):
        response._validation_cache.clear()
        response._stream_schemas.clear()


def release_shared(schema: Any) -> None:
    """Empty the schema's shared cache of prepared response schemas; an operation still in use
    keeps its own references. Safe while workers run: the cache is read with `.get`."""
    cache = _shared_cache(schema)
    if cache is not None:
        with cache._lock:
            cache._bundles.clear()
            cache._validators.clear()


def built_operations(schema: Any) -> list[Any]:
    """The operations Schemathesis built for `schema` and keeps for the run."""
    loader = getattr(schema, "_operations", None)
    built = getattr(loader, "_built", None)
    return list(built.values()) if isinstance(built, dict) else []


def held_response_schemas(schema: Any) -> int:
    """How many prepared response schemas and validators the schema and its operations hold."""
    held = 0
    cache = _shared_cache(schema)
    if cache is not None:
        held += len(cache._bundles) + len(cache._validators)
    for operation in built_operations(schema):
        for response in _responses(operation):
            held += len(response._validation_cache) + len(response._stream_schemas)
    return held


class ResponseCacheBound:
    """Keeps the prepared response schemas of the last `kept` operations a request was sent for.

    `touch(operation)` is called from the worker that is about to send a request for it; with one
    worker nothing else checks answers then, so the operations dropped from the window can be
    released. With several workers nothing is released while they run, only at `release_all`
    (a phase boundary, when no worker runs)."""

    def __init__(self, schema: Any, *, single_worker: bool, kept: int = KEPT_OPERATIONS):
        self.schema = schema
        self.single_worker = single_worker
        self.kept = kept
        self._recent: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def touch(self, operation: Any) -> None:
        label = getattr(operation, "label", None)
        if not isinstance(label, str) or not self.single_worker:
            return
        with self._lock:
            if label in self._recent:
                self._recent.move_to_end(label)
                return
            self._recent[label] = operation
            dropped = []
            while len(self._recent) > self.kept:
                dropped.append(self._recent.popitem(last=False)[1])
        for old in dropped:
            release_operation(old)
            bound_shared(getattr(old, "schema", self.schema))

    def release_all(self) -> None:
        """Between phases: let go of every operation's prepared schemas."""
        with self._lock:
            self._recent.clear()
        for operation in built_operations(self.schema):
            release_operation(operation)
        release_shared(self.schema)


@contextmanager
def bounded_response_caches(schema: Any, *, workers: int) -> Iterator[ResponseCacheBound]:
    """While active, requests sent for `schema`'s operations keep the prepared response schemas of
    a few operations only; yields the bound, whose `release_all` the caller runs between phases."""
    bound = ResponseCacheBound(schema, single_worker=workers <= 1)
    bound_shared(schema)

    def _before_call(context: HookContext, case: Any, **kwargs: Any) -> None:
        operation = getattr(case, "operation", None)
        if operation is not None:
            bound.touch(operation)

    GLOBAL_HOOK_DISPATCHER.register_hook_with_name(_before_call, "before_call")
    try:
        yield bound
    finally:
        GLOBAL_HOOK_DISPATCHER.unregister(_before_call)
        bound.release_all()
