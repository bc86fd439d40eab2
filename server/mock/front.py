"""The mock's ASGI app: routing, reading and judging requests, and choosing the answer.

A request is routed by the spec's paths (literal segments before variables), then read and
judged by `server.mock.requests`. A request the operation would refuse gets the error response
the operation documents, chosen as Prism chooses it — the most specific documented status for
the failure (credentials: 401, 403; unsupported media type: 415; an invalid body: 422, 400;
invalid parameters: 400, 422), then `4XX`, then `default`, then any other documented 4xx — in
its documented media type, with a body from its examples or generated from its schema (a
response whose schema admits no value is passed over for the next in that order). What
was wrong is told in `Mock-Violation` response header lines (one per violation), so the body
stays the spec's. Only when the operation documents no error at all is the answer
`application/problem+json` (`about:blank`, a plain-language detail); so are the answers for a
path the spec does not have (404), a method its path does not have (405, `Allow` listing every
method of the path) and a body over the size cap (413).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

from specfirst.server.mock.catalog import MockOperation, ResponseView
from specfirst.server.mock.requests import OperationRequest, RequestChecker, Violation
from specfirst.server.mock.responder import MockAnswer, Preferences, encode, parse_prefer
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

__all__ = ["MockFront", "Route", "VIOLATION_HEADER", "choose_error", "error_choices"]

log = logging.getLogger(__name__)

VIOLATION_HEADER = "Mock-Violation"
"""One header line per violation found in a request the mock refused."""


_PREFERENCE = {
    "auth": ("401", "403", "4XX", "4xx", "default"),
    "media": ("415", "400", "422", "4XX", "4xx", "default"),
    "body": ("422", "400", "4XX", "4xx", "default"),
    "parameter": ("400", "422", "4XX", "4xx", "default"),
}
_NATURAL = {"auth": 401, "media": 415, "body": 400, "parameter": 400}
_TITLES = {400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
           405: "Method Not Allowed", 413: "Content Too Large", 415: "Unsupported Media Type",
           422: "Unprocessable Content", 500: "Internal Server Error"}


def problem_answer(status: int, detail: str, headers: dict[str, str] | None = None) -> MockAnswer:
    return MockAnswer(status, "application/problem+json",
                      {"type": "about:blank", "title": _TITLES.get(status, "Error"),
                       "status": status, "detail": detail}, headers or {}, problem=True)


def error_choices(op: MockOperation, kind: str) -> list[tuple[ResponseView, int]]:
    """The documented responses that may answer a failure of `kind`, most specific first, each
    with its status."""
    found: list[tuple[ResponseView, int]] = []
    for key in _PREFERENCE[kind]:
        view = op.responses.get(key)
        if view is not None:
            found.append((view, int(key) if key.isdigit() else _NATURAL[kind]))
    others = sorted((v for v in op.responses.values()
                     if v.key.isdigit() and 400 <= v.status < 500), key=lambda v: v.status)
    chosen = {id(view) for view, _ in found}
    found += [(view, view.status) for view in others if id(view) not in chosen]
    return found


def choose_error(op: MockOperation, kind: str) -> tuple[ResponseView, int] | None:
    """The documented response that answers a failure of `kind`, and its status."""
    choices = error_choices(op, kind)
    return choices[0] if choices else None


@dataclass
class Route:
    template: str
    pattern: re.Pattern[str]
    names: list[str]
    operations: dict[str, MockOperation]  # method -> operation
    expected: dict[str, OperationRequest]


def _compile(template: str) -> tuple[re.Pattern[str], list[str]]:
    names: list[str] = []
    pattern = ""
    for piece in re.split(r"({[^{}/]+})", template.rstrip("/") or "/"):
        if piece.startswith("{") and piece.endswith("}"):
            names.append(piece[1:-1])
            pattern += f"(?P<g{len(names) - 1}>[^/]+)"
        else:
            pattern += re.escape(piece)
    return re.compile(f"^{pattern}/?$"), names


def _header_value(text: str) -> str:
    clean = "".join(c if 0x20 <= ord(c) < 0x7F else "?" for c in text)
    return clean[:300]


class MockFront:
    """An ASGI app answering every operation of a catalog."""

    def __init__(self, operations: list[MockOperation], checker: RequestChecker,
                 responder: Any, base_path: str, *, max_body: int,
                 on_answer: Callable[[Request, MockOperation, Any, MockAnswer],
                                     BackgroundTask | None] | None = None):
        self.checker = checker
        self.responder = responder
        self.base_path = base_path
        self.max_body = max_body
        self.on_answer = on_answer
        routes: dict[str, Route] = {}
        for op in operations:
            route = routes.get(op.path)
            if route is None:
                pattern, names = _compile(op.path)
                route = routes[op.path] = Route(op.path, pattern, names, {}, {})
            route.operations[op.method] = op
            try:
                route.expected[op.method] = checker.describe(op.path, op.method)
            except (KeyError, TypeError, AttributeError) as exc:
                log.warning("%s: request not read as documented: %s", op.key, exc)
                route.expected[op.method] = OperationRequest([], [], False, [])

        def specificity(template: str) -> tuple[int, ...]:
            return tuple(1 if "{" in segment else 0
                         for segment in template.strip("/").split("/"))

        self.routes = [routes[t] for t in sorted(routes, key=specificity)]

    def test_client(self, **options: Any) -> Any:
        from starlette.testclient import TestClient

        return TestClient(self, **options)

    def match(self, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            found = route.pattern.match(path)
            if found is not None:
                values = {name: found.group(f"g{i}") for i, name in enumerate(route.names)}
                return route, values
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        try:
            response = await self._answer(request)
        except Exception:  # the mock must never answer with a traceback
            log.exception("mock failed on %s %s", scope.get("method"), scope.get("path"))
            response = _response(problem_answer(500, "The mock could not answer this "
                                                     "request."))
        await response(scope, receive, send)

    async def _answer(self, request: Request) -> Response:
        raw = request.scope.get("raw_path")
        # routed on the path as sent, so an encoded `/` stays inside its path variable
        path = raw.decode("latin-1").split("?", 1)[0] if isinstance(raw, bytes) and raw \
            else request.url.path
        base = self.base_path
        if base and not (path == base or path.startswith(base + "/")):
            return _response(problem_answer(404, f"Nothing is served at {path}; the API is "
                                                 f"under {base}."))
        relative = path[len(base):] if base else path
        matched = self.match(relative or "/")
        if matched is None:
            return _response(problem_answer(404, f"No path of the API matches {path}."))
        route, values = matched
        method = request.method.lower()
        op = route.operations.get(method)
        if op is None and method == "head" and "get" in route.operations:
            op = route.operations["get"]
        if op is None:
            allowed = ", ".join(m.upper() for m in route.operations)
            return _response(problem_answer(
                405, f"{request.method} is not allowed on {route.template}; allowed: "
                     f"{allowed}.", {"Allow": allowed}))
        body = b""
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body:
            return _response(problem_answer(413, f"The body is larger than "
                                                 f"{self.max_body} bytes."))
        async for chunk in request.stream():
            body += chunk
            if len(body) > self.max_body:
                return _response(problem_answer(413, f"The body is larger than "
                                                     f"{self.max_body} bytes."))
        cookies: dict[str, str] = {}
        raw_cookie = request.headers.get("cookie")
        if raw_cookie:
            try:
                jar = SimpleCookie()
                jar.load(raw_cookie)
                cookies = {k: v.value for k, v in jar.items()}
            except Exception:  # noqa: BLE001 - a malformed cookie is an absent cookie
                cookies = {}
        headers = {k.lower(): v for k, v in request.headers.items()}
        expected = route.expected[op.method]
        violations, read = self.checker.check(
            expected, path_values=values, query=request.url.query, headers=headers,
            cookies=cookies, content_type=request.headers.get("content-type"), body=body)
        accept = request.headers.get("accept")
        if violations:
            return _response(self.refusal(op, violations, accept))
        prefs = parse_prefer(request.headers.getlist("prefer"))
        answer: MockAnswer = self.responder.respond(op, prefs, accept, path, read)
        background = self.on_answer(request, op, read, answer) if self.on_answer else None
        return _response(answer, background)

    def refusal(self, op: MockOperation, violations: list[Violation],
                accept: str | None) -> MockAnswer:
        kind = violations[0].kind
        lines = [_header_value(v.message) for v in violations[:20]]
        extra: dict[str, str] = {}
        if kind == "auth" and violations[0].challenge:
            extra["WWW-Authenticate"] = _header_value(violations[0].challenge)
        detail = "; ".join(v.message for v in violations)
        answer = None
        choices = error_choices(op, kind)
        # the most specific documented error whose body can be built valid against its schema
        # (some schemas admit no value, e.g. a oneOf of two schemas every value matches)
        for view, status in choices:
            built = self.responder.build(op, view, status, Preferences(), accept)
            if not (built.problem and built.status >= 500):
                answer = MockAnswer(built.status, built.media_type, built.body,
                                    {**built.headers, **extra}, built.problem)
                break
        if answer is None:
            status = choices[0][1] if choices else _NATURAL[kind]
            answer = problem_answer(status, detail, extra)
        return _with_lines(answer, lines)


def _with_lines(answer: MockAnswer, lines: list[str]) -> MockAnswer:
    headers = dict(answer.headers)
    headers[VIOLATION_HEADER] = "\n".join(lines)  # split into header lines in _response
    return MockAnswer(answer.status, answer.media_type, answer.body, headers, answer.problem)


def _response(answer: MockAnswer, background: BackgroundTask | None = None) -> Response:
    simple = {k: v for k, v in answer.headers.items() if "\n" not in v}
    if answer.media_type is None:
        response = Response(status_code=answer.status, headers=simple, background=background)
    else:
        response = Response(content=encode(answer), status_code=answer.status, headers=simple,
                            media_type=answer.media_type, background=background)
    for name, value in answer.headers.items():
        if "\n" in value:
            for line in value.split("\n"):
                response.raw_headers.append((name.lower().encode("latin-1"),
                                             line.encode("latin-1")))
    return response
