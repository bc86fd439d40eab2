"""Connexion security handlers for every OpenAPI security scheme type, backed by the token table.

Connexion's `SecurityHandlerFactory` picks a handler class by scheme type; `SECURITY_MAP`
replaces each default with one that reads the credential where the scheme says and checks it
with `specfirst.server.security.verify_token`, so one token (`specfirst admin token create`) works
whatever the spec asks for:

| scheme | the token is sent as |
|---|---|
| `http` / `bearer` | `Authorization: Bearer <token>` |
| `http` / `basic` | the password of `Authorization: Basic` (the user name is ignored) |
| `apiKey` | the value of the header, query parameter or cookie the scheme names |
| `oauth2`, `openIdConnect` | `Authorization: Bearer <token>` (an access token) |

The token must hold every scope the security requirement lists (OAuth 2 scopes, or the roles
OpenAPI 3.1 lets other schemes list).

A request that carries no credential for a scheme gets `NO_VALUE` (Connexion's "not sent"),
so an operation with alternative requirements (`apiKey` OR `bearer`) accepts either; when none
was sent the error handler answers 401 with the challenges of every alternative
(`OperationChallenges`). A credential that was sent but is malformed, unknown or revoked is 401
with that scheme's challenge; a token without a required scope is 403. A scheme that names its
own `x-bearerInfoFunc`, `x-basicInfoFunc`, `x-apikeyInfoFunc`, `x-tokenInfoFunc` or
`x-tokenInfoUrl` keeps Connexion's behaviour.

Challenges (`WWW-Authenticate`): `Bearer realm="api"` (with `scope="..."` for OAuth 2 and
OpenID Connect, RFC 6750), `Basic realm="api", charset="UTF-8"` (RFC 7617), and for API keys,
which have no registered scheme, `ApiKey realm="api", in="header", name="X-API-Key"`.
"""

from __future__ import annotations

import base64
import binascii
import functools
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import anyio.to_thread
from connexion.security import (
    NO_VALUE,
    ApiKeySecurityHandler,
    BasicSecurityHandler,
    BearerSecurityHandler,
    OAuthSecurityHandler,
)
from specfirst.generator.loader import deref
from specfirst.generator.operations import walk_operations
from specfirst.server.context import get_runtime
from specfirst.server.problems import Problem
from specfirst.server.routes import RouteTable
from specfirst.server.security import WriteNeeded, verify_token
from starlette.datastructures import QueryParams

__all__ = [
    "ApiKeyAuth",
    "BasicAuth",
    "BearerAuth",
    "OAuth2Auth",
    "OperationChallenges",
    "REALM",
    "SECURITY_MAP",
    "challenge_for",
    "credential_hint",
]

REALM = "api"
_BEARER_TYPES = ("oauth2", "openIdConnect")

Reader = Callable[[Any], str | None]


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _kind(scheme: Mapping[str, Any]) -> str:
    """'bearer', 'basic', 'apiKey', 'oauth2', 'openIdConnect', or the http scheme's name."""
    kind = str(scheme.get("type", ""))
    if kind == "http":
        return str(scheme.get("scheme", "")).lower()
    return kind


def challenge_for(scheme: Mapping[str, Any], scopes: Sequence[str] = (),
                  error: str | None = None) -> str | None:
    """The `WWW-Authenticate` challenge of one scheme (None for a scheme we cannot name)."""
    kind = _kind(scheme)
    if kind == "basic":
        return f'Basic realm="{REALM}", charset="UTF-8"'
    if kind == "apiKey":
        return (f'ApiKey realm="{REALM}", in={_quoted(str(scheme.get("in", "")))}, '
                f'name={_quoted(str(scheme.get("name", "")))}')
    if kind in ("bearer", *_BEARER_TYPES):
        params = [f'realm="{REALM}"']
        if error:
            params.append(f"error={_quoted(error)}")
        if scopes and (kind in _BEARER_TYPES or error == "insufficient_scope"):
            params.append(f"scope={_quoted(' '.join(scopes))}")
        return "Bearer " + ", ".join(params)
    return None


def credential_hint(scheme: Mapping[str, Any]) -> str:
    """How a client sends a token for this scheme, for the detail of a 401."""
    kind = _kind(scheme)
    if kind == "basic":
        return "HTTP Basic credentials with the token as password"
    if kind == "apiKey":
        where = {"header": "header", "query": "query parameter", "cookie": "cookie"}.get(
            str(scheme.get("in")), str(scheme.get("in")))
        return f"an API key in the {where} {str(scheme.get('name'))!r}"
    if kind in ("bearer", *_BEARER_TYPES):
        return "a bearer token (Authorization: Bearer <token>)"
    return f"credentials of the {kind!r} scheme"


def _authorization(request: Any, expected: str) -> str | None:
    """The credentials after `expected` in the Authorization header, None when the header is
    absent or names another scheme."""
    header = request.headers.get("Authorization")
    if not header:
        return None
    scheme, _, rest = str(header).strip().partition(" ")
    if scheme.lower() != expected:
        return None
    return rest.strip()


def _verifier(read: Reader, scopes: Sequence[str], what: str, unauthorized: str | None,
              forbidden: str | None = None) -> Callable[[Any], Awaitable[Any]]:
    challenge = {"WWW-Authenticate": unauthorized} if unauthorized else {}
    scope_challenge = {"WWW-Authenticate": forbidden} if forbidden else None
    required = tuple(scopes)

    async def verify(request: Any) -> Any:
        token = read(request)
        if token is None:
            return NO_VALUE
        check = functools.partial(verify_token, token, required, unauthorized=challenge,
                                  forbidden=scope_challenge, what=what)
        if get_runtime().db.is_sqlite:
            # A point read of a local file costs less than the hand-off to a worker thread
            # and back; only a rate-limit lease (a write, which may wait for the lock) is
            # left to a worker.
            try:
                return check(may_write=False)
            except WriteNeeded:
                pass
        return await anyio.to_thread.run_sync(check)

    return verify


def _bearer_verifier(scheme: Mapping[str, Any], scopes: Sequence[str]
                     ) -> Callable[[Any], Awaitable[Any]]:
    return _verifier(lambda request: _authorization(request, "bearer"), scopes, "bearer token",
                     challenge_for(scheme, scopes, "invalid_token"),
                     challenge_for(scheme, scopes, "insufficient_scope"))


class BearerAuth(BearerSecurityHandler):  # type: ignore[misc]
    """`http` / `bearer`: `Authorization: Bearer <token>`."""

    def get_fn(self, security_scheme: dict[str, Any],
               required_scopes: list[str]) -> Callable[..., Any] | None:
        if security_scheme.get("x-bearerInfoFunc"):
            inherited: Callable[..., Any] | None = super().get_fn(security_scheme,
                                                                  required_scopes)
            return inherited
        return _bearer_verifier(security_scheme, required_scopes or ())


class BasicAuth(BasicSecurityHandler):  # type: ignore[misc]
    """`http` / `basic`: the token is the password; the user name is ignored."""

    def get_fn(self, security_scheme: dict[str, Any],
               required_scopes: list[str]) -> Callable[..., Any] | None:
        if security_scheme.get("x-basicInfoFunc"):
            inherited: Callable[..., Any] | None = super().get_fn(security_scheme,
                                                                  required_scopes)
            return inherited
        challenge = challenge_for(security_scheme)
        headers = {"WWW-Authenticate": challenge} if challenge else {}

        def read(request: Any) -> str | None:
            encoded = _authorization(request, "basic")
            if encoded is None:
                return None
            try:
                decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
            except (binascii.Error, ValueError):
                raise Problem("The Basic credentials are not base64 of 'user:password'.",
                              status=401, headers=headers) from None
            user, colon, password = decoded.partition(":")
            if not colon:
                raise Problem("The Basic credentials are not base64 of 'user:password'.",
                              status=401, headers=headers)
            return password

        return _verifier(read, required_scopes or (), "password (API token)", challenge)


class ApiKeyAuth(ApiKeySecurityHandler):  # type: ignore[misc]
    """`apiKey`: the token is the value of the header, query parameter or cookie named."""

    def get_fn(self, security_scheme: dict[str, Any],
               required_scopes: list[str]) -> Callable[..., Any] | None:
        if security_scheme.get("x-apikeyInfoFunc"):
            inherited: Callable[..., Any] | None = super().get_fn(security_scheme,
                                                                  required_scopes)
            return inherited
        location = str(security_scheme.get("in", ""))
        name = str(security_scheme.get("name", ""))

        def read(request: Any) -> str | None:
            if location == "header":
                value = request.headers.get(name)
            elif location == "query":
                # Connexion's own `request.query_params` needs a URI parser the security
                # middleware does not have: read the raw query string.
                value = QueryParams(request.scope.get("query_string", b"")).get(name)
            elif location == "cookie":
                cookies = request.headers.get("Cookie")
                value = self.get_cookie_value(cookies, name) if cookies else None
            else:
                return None
            return None if value is None else str(value)

        return _verifier(read, required_scopes or (), "API key",
                         challenge_for(security_scheme))


class OAuth2Auth(OAuthSecurityHandler):  # type: ignore[misc]
    """`oauth2` and `openIdConnect`: an access token sent as `Authorization: Bearer`, whose
    scopes must cover the requirement's."""

    def get_fn(self, security_scheme: dict[str, Any],
               required_scopes: list[str]) -> Callable[..., Any] | None:
        if security_scheme.get("x-tokenInfoFunc") or security_scheme.get("x-tokenInfoUrl"):
            inherited: Callable[..., Any] | None = super().get_fn(security_scheme,
                                                                  required_scopes)
            return inherited
        return _bearer_verifier(security_scheme, required_scopes or ())


SECURITY_MAP: dict[str, type[Any]] = {
    "apiKey": ApiKeyAuth,
    "basic": BasicAuth,
    "bearer": BearerAuth,
    "oauth2": OAuth2Auth,
    "openIdConnect": OAuth2Auth,
}


def _resolve(document: Mapping[str, Any], node: Any) -> Any:
    return deref(document, node)[0]


class OperationChallenges:
    """The `WWW-Authenticate` value and the 401 detail of each operation, for the answer given
    when no credential was sent at all: every alternative of its security requirements."""

    def __init__(self, document: Mapping[str, Any], routes: RouteTable) -> None:
        self.routes = routes
        schemes = _resolve(document, (document.get("components") or {}).get(
            "securitySchemes") or {})
        default = document.get("security") or []
        self._table: dict[tuple[str, str], tuple[str | None, str]] = {}
        for operation in walk_operations(document,
                                         lambda node, at: deref(document, node, at)):
            requirements = operation.node.get("security", default) or []
            self._table[(operation.path, operation.method.upper())] = self._describe(
                document, schemes, requirements)

    @staticmethod
    def _describe(document: Mapping[str, Any], schemes: Mapping[str, Any],
                  requirements: Sequence[Any]) -> tuple[str | None, str]:
        challenges: list[str] = []
        hints: list[str] = []
        for requirement in requirements:
            if not isinstance(requirement, Mapping) or not requirement:
                continue
            parts: list[str] = []
            for name, scopes in requirement.items():
                scheme = _resolve(document, schemes.get(name))
                if not isinstance(scheme, Mapping):
                    continue
                challenge = challenge_for(scheme, list(scopes or ()))
                if challenge and challenge not in challenges:
                    challenges.append(challenge)
                parts.append(credential_hint(scheme))
            hint = " and ".join(parts)
            if hint and hint not in hints:
                hints.append(hint)
        detail = ("This operation requires " + " or ".join(hints) + ".") if hints else (
            "This operation requires credentials.")
        return (", ".join(challenges) or None), detail

    def for_request(self, path: str, method: str) -> tuple[str | None, str] | None:
        """(challenge, detail) of the operation serving `method path`, if the spec has one."""
        template = self.routes.template(path)
        if template is None:
            return None
        return self._table.get((template, method.upper()))
