"""Keys that must be new on every request (an `Idempotency-Key`) get a fresh UUID per call.

A server that honours idempotency answers a key it has already seen with the first response it
gave for it. Generated values collide often (Hypothesis favours short strings such as "0"), so a
later create would replay an earlier, possibly deleted, record, and the run would report the
replay as a missing resource although the server kept its promise. A header parameter is
fresh when it is named `Idempotency-Key` (the conventions' name) and does not say
`x-specfirst-unique: false`, or when it says `x-specfirst-unique: true`.

Only a value the parameter's schema accepts is replaced, and only by a UUID the schema accepts
too, so a negative case keeps its invalid key and is still judged as one. Idempotency itself
(same key and body → the first answer replayed; same key, other body → 422) is asserted by the
server's own tests, not by random collisions.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from schemathesis.hooks import GLOBAL_HOOK_DISPATCHER, HookContext
from specfirst.generator.loader import deref
from specfirst.server.fast_validation import validator_factory

__all__ = ["UNIQUE_EXTENSION", "fresh_headers", "unique_keys"]

UNIQUE_EXTENSION = "x-specfirst-unique"
CONVENTIONAL_NAMES = frozenset({"idempotency-key"})
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# (METHOD, path) → {header name: validator of its schema}
FreshHeaders = dict[tuple[str, str], dict[str, Any]]

_lock = threading.Lock()
_active: FreshHeaders | None = None


def _deref(document: Mapping[str, Any], node: Any) -> Any:
    return deref(document, node)[0]


def _is_fresh(parameter: Mapping[str, Any]) -> bool:
    flag = parameter.get(UNIQUE_EXTENSION)
    if flag is not None:
        return bool(flag)
    return str(parameter.get("name", "")).lower() in CONVENTIONAL_NAMES


def fresh_headers(document: Mapping[str, Any]) -> FreshHeaders:
    """Each operation's header parameters that must carry a new value on every request."""
    found: FreshHeaders = {}
    dialect = validator_factory(dict(document))
    for path, item in (document.get("paths") or {}).items():
        item = _deref(document, item)
        if not isinstance(item, Mapping):
            continue
        for method in _METHODS:
            operation = item.get(method)
            if not isinstance(operation, Mapping):
                continue
            for parameter in [*(item.get("parameters") or []),
                              *(operation.get("parameters") or [])]:
                parameter = _deref(document, parameter)
                if (not isinstance(parameter, Mapping) or parameter.get("in") != "header"
                        or not _is_fresh(parameter)):
                    continue
                schema = _deref(document, parameter.get("schema")) or {}
                validator = dialect.json_schema_class(
                    {key: value for key, value in schema.items() if key != "nullable"})
                found.setdefault((method.upper(), str(path)), {})[
                    str(parameter["name"])] = validator
    return found


def _before_call(context: HookContext, case: Any, **kwargs: Any) -> None:
    active = _active
    if not active or case.headers is None:
        return
    wanted = active.get((case.operation.method.upper(), case.operation.path))
    if not wanted:
        return
    replaced = False
    for name, validator in wanted.items():
        value = case.headers.get(name)
        if not isinstance(value, str) or not validator.is_valid(value):
            continue
        fresh = str(uuid.uuid4())
        if validator.is_valid(fresh):
            case.headers[name] = fresh
            replaced = True
    if replaced:
        # A valid value for a valid value: the case's verdict (positive, or negative for some
        # other reason such as a missing `Authorization`) stands. Re-judging it after an edit
        # would relabel such a negative case as positive.
        sync = getattr(case, "_sync_validated_hashes", None)
        if callable(sync):
            sync()


@contextmanager
def unique_keys(document: Mapping[str, Any]) -> Iterator[None]:
    """Give fresh header values for one run; Schemathesis' hook is removed afterwards."""
    global _active
    headers = fresh_headers(document)
    with _lock:
        _active = headers
    GLOBAL_HOOK_DISPATCHER.register_hook_with_name(_before_call, "before_call")
    try:
        yield
    finally:
        GLOBAL_HOOK_DISPATCHER.unregister(_before_call)
        with _lock:
            _active = None
