"""Handler dispatch with the decorated handler built once per operation, not once per request.

Connexion's `AsyncApp` wraps every handler, on every request, in a new `StarletteDecorator`
and then decorates it again inside that wrapper: three decorator objects, `inspect.signature`
of the handler and `functools.wraps` per request. None of that depends on the request — the
request itself (scope, receive, the routed operation) is read from Connexion's context when the
decorated handler is called — so `CachedAsyncOperation` decorates once and reuses the result.
The handler receives exactly the same arguments.

A handler answers the natural way: a dict or a list, `(body, status)` or `(body, status,
headers)`. Without a `Content-Type` of its own, the answer gets the media type the spec
documents for that status (the status's own response, else `2XX`-style ranges, else `default`;
among several, JSON for a dict or list, text for a string, octet-stream for bytes), so an
operation documenting `application/json` for a 200 and `application/problem+json` for a 404
needs no more from its handler than `return book` or `return problem, 404`. Connexion alone
would answer 500 ("Multiple response content types are defined in the operation spec...").

A sync handler marked `@point_read` (`server.point_reads`) runs on the event loop when the
database is SQLite, in a worker thread otherwise; every other sync handler in a worker thread.

Content negotiation: a request whose `Accept` header allows none of the media types the
operation documents for its 2xx answers gets 406 (problem+json) before its handler runs, so a
client asking for `application/xml` from a JSON-only operation is told so rather than sent JSON
— when the operation documents a 406 (or `4XX`, or `default`). Otherwise the header is
disregarded, as RFC 9110 allows, rather than answered with a status the spec does not list.

    install(app)        # before app.add_api(...)
"""

from __future__ import annotations

import functools
import inspect
import typing as t
from collections.abc import Mapping
from typing import Any

from connexion import AsyncApp
from connexion.context import receive, scope
from specfirst.server.connexion_compat import (
    AbstractOperation,
    AsyncApi,
    AsyncOperation,
    AsyncResponseDecorator,
    StarletteDecorator,
)
from specfirst.server.context import get_runtime
from specfirst.server.point_reads import is_point_read
from specfirst.server.problems import Problem

__all__ = ["CachedAsyncApi", "CachedAsyncOperation", "accepts_any", "documented_media_type",
           "handler_decorator", "install", "success_media_types"]

_JSON_TYPES = (dict, list)


def _is_json(media_type: str) -> bool:
    base = media_type.split(";", 1)[0].strip().lower()
    return base == "application/json" or base.endswith("+json")


def documented_media_type(responses: Mapping[str, Any], status: int, body: Any) -> str | None:
    """The media type the spec documents for an answer with this status and body, or None
    (nothing documented, or nothing that fits the body: Connexion's own rules then apply)."""
    response = None
    for key in (str(status), f"{str(status)[0]}XX", f"{str(status)[0]}xx", "default"):
        if isinstance(responses.get(key), Mapping):
            response = responses[key]
            break
    content = response.get("content") if response is not None else None
    if not isinstance(content, Mapping) or not content:
        return None
    types = [str(name) for name in content]
    if len(types) == 1:
        return types[0]
    if isinstance(body, _JSON_TYPES) or body is None:
        fit = [name for name in types if _is_json(name)]
    elif isinstance(body, str):
        fit = [name for name in types if name.startswith("text/")] or [
            name for name in types if _is_json(name)]
    elif isinstance(body, bytes | bytearray):
        fit = [name for name in types if "octet-stream" in name]
    else:
        fit = []
    if not fit:
        return None
    plain = [name for name in fit if name.split(";", 1)[0].strip().lower() == "application/json"]
    return (plain or fit)[0]


def success_media_types(responses: Mapping[str, Any]) -> tuple[str, ...]:
    """Every media type the operation documents for a 2xx answer (`200`…`299`, `2XX`)."""
    found: list[str] = []
    for key, response in responses.items():
        code = str(key).upper()
        if not (code.startswith("2") and len(code) == 3) or not isinstance(response, Mapping):
            continue
        content = response.get("content")
        if isinstance(content, Mapping):
            found.extend(str(name) for name in content if str(name) not in found)
    return tuple(found)


def accepts_any(accept: str, media_types: tuple[str, ...]) -> bool:
    """Whether an `Accept` header (RFC 9110 section 12.5.1) allows one of `media_types`: a
    range with q > 0 that is `*/*`, `type/*` or the type itself (parameters aside)."""
    for part in accept.split(","):
        fields = [field.strip() for field in part.split(";")]
        wanted = fields[0].lower()
        if not wanted:
            continue
        quality = next((field.split("=", 1)[1].strip() for field in fields[1:]
                        if field.lower().startswith("q=")), "1")
        try:
            if float(quality) <= 0:
                continue
        except ValueError:
            continue
        if wanted == "*/*":
            return True
        for media_type in media_types:
            base = media_type.split(";", 1)[0].strip().lower()
            if wanted == base or (wanted.endswith("/*") and base.startswith(wanted[:-1])):
                return True
    return False


class _DocumentedResponseDecorator(AsyncResponseDecorator):  # type: ignore[misc]
    """Connexion's response decorator, told the media type the spec documents for the status."""

    def __init__(self, *, responses: Mapping[str, Any], **kwargs: Any):
        super().__init__(**kwargs)
        self.responses = responses

    def build_framework_response(self, handler_response: Any) -> Any:
        if not self.framework.is_framework_response(handler_response):
            data, status, headers = self._unpack_handler_response(handler_response)
            headers = dict(headers or {})
            if not self.framework.is_framework_response(data) and not any(
                    str(name).lower() == "content-type" for name in headers):
                effective = status if status is not None else (204 if data is None else 200)
                chosen = documented_media_type(self.responses, int(effective), data)
                if chosen is not None:
                    headers["Content-Type"] = chosen
                    handler_response = (data, status, headers) if status is not None else (
                        data, headers)
        return super().build_framework_response(handler_response)


def _on_the_loop_when_local(function: t.Callable[..., Any],
                            threaded: t.Callable[..., Any]) -> t.Callable[..., Any]:
    """A `@point_read` handler: called on the event loop when the database is a local SQLite
    file, else `threaded` (Connexion's hand-off to a worker thread)."""

    @functools.wraps(function)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        if get_runtime().db.is_sqlite:
            return function(*args, **kwargs)
        return await threaded(*args, **kwargs)

    return wrapper


class _OnceStarletteDecorator(StarletteDecorator):  # type: ignore[misc]
    """`StarletteDecorator` whose parameter, response and sync/async wrappers are built once, and
    whose answers get the media type their operation documents for their status."""

    def __init__(self, *, responses: Mapping[str, Any] | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self._responses = responses or {}
        refuses = any(key in self._responses for key in ("406", "4XX", "4xx", "default"))
        self._produces = success_media_types(self._responses) if refuses else ()

    @property
    def _sync_async_decorator(self) -> t.Callable[[t.Callable[..., Any]], t.Callable[..., Any]]:
        threaded = super()._sync_async_decorator

        def decorator(function: t.Callable[..., Any]) -> t.Callable[..., Any]:
            if is_point_read(function) and not inspect.iscoroutinefunction(function):
                return _on_the_loop_when_local(function, threaded(function))
            return threaded(function)  # type: ignore[no-any-return]

        return decorator

    @property
    def _response_decorator_cls(self) -> Any:
        return functools.partial(_DocumentedResponseDecorator, responses=self._responses)

    def check_accept(self, accept: str | None) -> None:
        """406 (a Problem) when the operation can refuse and `accept` allows none of its 2xx
        media types."""
        if self._produces and accept and not accepts_any(accept, self._produces):
            raise Problem(406, f"This operation answers with {', '.join(self._produces)}; "
                               "the Accept header allows none of them.")

    def without_parameters(self, function: t.Callable[..., Any]) -> t.Callable[..., Any]:
        """`function` with Connexion's thread hand-off (for a sync handler) and response
        building, called with keyword arguments prepared by the caller (`server.fast_route`)."""
        function = self._sync_async_decorator(function)
        return self._response_decorator_cls(framework=self.framework,  # type: ignore[no-any-return]
                                            jsonifier=self.jsonifier)(function)

    def __call__(self, function: t.Callable[..., Any]) -> t.Callable[..., Any]:
        decorated = self.decorate(function)

        @functools.wraps(function)
        async def wrapper(*_args: Any, **_kwargs: Any) -> Any:
            request = self.framework.get_request(uri_parser=self.uri_parser, scope=scope,
                                                 receive=receive)
            self.check_accept(request.headers.get("accept"))
            return await decorated(request)

        return wrapper


def handler_decorator(*, pythonic_params: bool, jsonifier: Any,
                      responses: Mapping[str, Any] | None) -> _OnceStarletteDecorator:
    """The decorator an operation's handler is dispatched through (`CachedAsyncOperation`):
    its `check_accept` and `without_parameters` serve the fast route the same way."""
    return _OnceStarletteDecorator(pythonic_params=pythonic_params, jsonifier=jsonifier,
                                   responses=responses)


class CachedAsyncOperation(AsyncOperation):  # type: ignore[misc]
    documented_responses: Mapping[str, Any] = {}

    @classmethod
    def from_operation(cls, operation: AbstractOperation, *, pythonic_params: bool,
                       jsonifier: Any) -> CachedAsyncOperation:
        made = cls(operation.function, jsonifier=jsonifier, operation_id=operation.operation_id,
                   pythonic_params=pythonic_params)
        responses = getattr(operation, "responses", None)
        made.documented_responses = responses if isinstance(responses, Mapping) else {}
        return made

    @functools.cached_property
    def fn(self) -> t.Callable[..., Any]:
        decorator = handler_decorator(pythonic_params=self.pythonic_params,
                                      jsonifier=self.jsonifier,
                                      responses=self.documented_responses)
        return decorator(self._fn)


class CachedAsyncApi(AsyncApi):  # type: ignore[misc]
    def make_operation(self, operation: AbstractOperation) -> AsyncOperation:
        return CachedAsyncOperation.from_operation(
            operation, pythonic_params=self.pythonic_params, jsonifier=self.jsonifier)


def install(app: AsyncApp) -> None:
    """Make the APIs added to `app` from now on dispatch through `CachedAsyncOperation`."""
    app._middleware_app.api_cls = CachedAsyncApi  # noqa: SLF001 - Connexion offers no option
