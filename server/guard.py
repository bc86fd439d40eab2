"""The ASGI guard in front of Connexion: body size, encoding and nesting checks, and the spec.

Connexion on its own answers invalid UTF-8 and very deep JSON with 500 and accepts bodies of any
size. The guard reads each request body before Connexion does:

- `Content-Length` above the cap → 413 at once, without reading; a body that streams more
  bytes than the cap (chunked, or lying about its length) → 413 as soon as it passes the cap.
  The cap is the server's, or the operation's own `x-specfirst-max-body` when the spec gives
  one (`specfirst.server.routes`);
- a JSON or text body that is not valid UTF-8 → 400;
- a JSON body nested deeper than the limit → 400 (counted without parsing, so a deep document
  cannot exhaust the parser's stack);
- a JSON body that is not strict JSON (`NaN`, `Infinity`, lone surrogate escapes, which Python's
  parser lets through to the handlers) → 400.

A method the spec does not define on a path is answered 405 with the exact `Allow` of that
path (Connexion would list only the first route it matched). The guard also serves the spec
document, pre-serialised, at `<prefix>/openapi.json`. Every answer it gives is
`application/problem+json`.
"""

from __future__ import annotations

import logging
import re

import orjson
from specfirst.server.problems import PROBLEM_JSON, problem_bytes
from specfirst.server.routes import RouteTable
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["RequestGuard", "json_depth_exceeds"]

log = logging.getLogger(__name__)


_TOKENS = re.compile(rb'[\[\]{}"\\]')
_TEXTUAL = ("json", "text/", "x-www-form-urlencoded", "xml")


def json_depth_exceeds(body: bytes, limit: int) -> bool:
    """True when brackets outside strings nest deeper than `limit` (malformed JSON counts too)."""
    if body.count(b"[") + body.count(b"{") <= limit:  # too few brackets to nest that deep
        return False
    depth = 0
    in_string = False
    escaped_at = -2
    for match in _TOKENS.finditer(body):
        char = match.group()
        position = match.start()
        if in_string:
            if char == b"\\":
                if escaped_at != position - 1:
                    escaped_at = position
                else:
                    escaped_at = -2
            elif char == b'"' and escaped_at != position - 1:
                in_string = False
            continue
        if char == b'"':
            in_string = True
        elif char in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif char in (b"]", b"}"):
            depth -= 1
    return False


class _TooLarge(Exception):
    pass


class RequestGuard:
    def __init__(self, app: ASGIApp, *, max_body: int = 1024 * 1024, max_depth: int = 32,
                 spec_routes: dict[str, bytes] | None = None, routes: RouteTable | None = None):
        self.app = app
        self.routes = routes
        self.max_body = max_body
        self.max_depth = max_depth
        self.spec_routes = spec_routes or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method == "GET" and scope["path"] in self.spec_routes:
            await _send(send, 200, self.spec_routes[scope["path"]], "application/json")
            return
        if self.routes is not None:
            allowed = self.routes.allowed(scope["path"])
            if allowed is not None and method not in allowed:
                await _send(send, 405, problem_bytes(405, "This method is not allowed on this "
                                                          "resource."), PROBLEM_JSON,
                            extra=[(b"allow", ", ".join(allowed).encode())])
                return
        headers = scope.get("headers") or []
        length: int | None = None
        content_type = b""
        chunked = False
        for name, value in headers:
            if name == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    await self._reject(send, 400, "The Content-Length header is not a number.")
                    return
            elif name == b"content-type":
                content_type = value.lower()
            elif name == b"transfer-encoding":
                chunked = True
        if length is None and not chunked:
            await self.app(scope, receive, send)
            return
        cap = self.max_body
        if self.routes is not None:
            cap = self.routes.max_body(scope["path"], method) or cap
        if length is not None and length > cap:
            await self._reject(send, 413, f"The request body is larger than {cap} bytes.")
            return
        try:
            body = await self._read(receive, cap)
        except _TooLarge:
            await self._reject(send, 413, f"The request body is larger than {cap} bytes.")
            return
        textual = any(marker.encode() in content_type for marker in _TEXTUAL)
        if body and textual:
            try:
                body.decode("utf-8")
            except UnicodeDecodeError:
                await self._reject(send, 400, "The request body is not valid UTF-8.")
                return
            if b"json" in content_type and json_depth_exceeds(body, self.max_depth):
                await self._reject(send, 400, f"The JSON body is nested deeper than "
                                              f"{self.max_depth} levels.")
                return
            if b"json" in content_type and not _strict_json(body):
                await self._reject(send, 400, "The body is not valid JSON (RFC 8259: no NaN or "
                                              "Infinity, no lone surrogates, numbers in range).")
                return
        await self.app(scope, _replay(body, receive), send)

    async def _read(self, receive: Receive, cap: int) -> bytes:
        parts: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > cap:
                raise _TooLarge
            parts.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(parts)

    @staticmethod
    async def _reject(send: Send, status: int, detail: str) -> None:
        await _send(send, status, problem_bytes(status, detail), PROBLEM_JSON,
                    close=status == 413)


def _strict_json(body: bytes) -> bool:
    """Whether the body is strict JSON. Python's own parser, which Connexion uses, accepts
    `NaN`, `Infinity` and lone surrogate escapes: values that cannot be stored or answered."""
    try:
        orjson.loads(body)
    except orjson.JSONDecodeError:
        return False
    return True


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _send(send: Send, status: int, body: bytes, media_type: str, *,
                close: bool = False, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    headers = [(b"content-type", media_type.encode()),
               (b"content-length", str(len(body)).encode()), *(extra or [])]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
