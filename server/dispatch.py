"""Handler dispatch with the decorated handler built once per operation, not once per request.

Connexion's `AsyncApp` wraps every handler, on every request, in a new `StarletteDecorator`
and then decorates it again inside that wrapper: three decorator objects, `inspect.signature`
of the handler and `functools.wraps` per request. None of that depends on the request — the
request itself (scope, receive, the routed operation) is read from Connexion's context when the
decorated handler is called — so `CachedAsyncOperation` decorates once and reuses the result.
The handler receives exactly the same arguments and its answer is turned into the same
response as before.

    install(app)        # before app.add_api(...)
"""

from __future__ import annotations

import functools
import typing as t
from typing import Any

from connexion import AsyncApp
from connexion.apps.asynchronous import AsyncApi, AsyncOperation
from connexion.context import receive, scope
from connexion.decorators import StarletteDecorator
from connexion.operations import AbstractOperation

__all__ = ["CachedAsyncApi", "CachedAsyncOperation", "install"]


class _OnceStarletteDecorator(StarletteDecorator):  # type: ignore[misc]
    """`StarletteDecorator` whose parameter, response and sync/async wrappers are built once."""

    def __call__(self, function: t.Callable[..., Any]) -> t.Callable[..., Any]:
        decorated = self.decorate(function)

        @functools.wraps(function)
        async def wrapper(*_args: Any, **_kwargs: Any) -> Any:
            request = self.framework.get_request(uri_parser=self.uri_parser, scope=scope,
                                                 receive=receive)
            return await decorated(request)

        return wrapper


class CachedAsyncOperation(AsyncOperation):  # type: ignore[misc]
    @functools.cached_property
    def fn(self) -> t.Callable[..., Any]:
        decorator = _OnceStarletteDecorator(pythonic_params=self.pythonic_params,
                                            jsonifier=self.jsonifier)
        return decorator(self._fn)


class CachedAsyncApi(AsyncApi):  # type: ignore[misc]
    def make_operation(self, operation: AbstractOperation) -> AsyncOperation:
        return CachedAsyncOperation.from_operation(
            operation, pythonic_params=self.pythonic_params, jsonifier=self.jsonifier)


def install(app: AsyncApp) -> None:
    """Make the APIs added to `app` from now on dispatch through `CachedAsyncOperation`."""
    app._middleware_app.api_cls = CachedAsyncApi  # noqa: SLF001 - Connexion offers no option
