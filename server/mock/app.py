"""The mock server for any spec: Connexion with request validation, answers from the spec.

`create_mock_app(spec)` hands Connexion the document our safe loader bundled (security removed:
the mock checks no credentials), resolves every operation to one mock handler, and returns the
ASGI app with a `MockReport` that says which operations cannot be mocked and why (found by
answering each operation once at start-up, with the same seed). Operations that declare
`callbacks` send them after each 2xx answer, from background threads (`server.mock.dispatch`).
"""

from __future__ import annotations

import copy
import logging
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import connexion
from connexion.middleware import MiddlewarePosition
from connexion.resolver import Resolution, Resolver
from specfirst.generator.errors import Location, SpecfirstError, SpecLoadError
from specfirst.generator.loader import Spec
from specfirst.generator.stubs.plan import pythonic
from specfirst.server.guard import RequestGuard
from specfirst.server.mock.callbacks import (
    CallbackBuilder,
    CallbackView,
    build_callbacks,
    path_values,
)
from specfirst.server.mock.catalog import MockOperation, build_catalog
from specfirst.server.mock.dispatch import CallbackDispatcher, CallbackPolicy
from specfirst.server.mock.expressions import Exchange
from specfirst.server.mock.responder import MockAnswer, encode, parse_prefer, problem
from specfirst.server.mock.served import already_validated, connexion_document
from specfirst.server.mock.stateful import StatefulResponder
from specfirst.server.mock.validation import MockValidator
from starlette.background import BackgroundTask
from starlette.responses import Response

__all__ = ["MockApp", "MockReport", "create_mock_app"]

log = logging.getLogger(__name__)

_MAX_BODY = 10 * 1024 * 1024
_MAX_DEPTH = 64


@dataclass
class MockReport:
    title: str
    operations: int
    base_path: str
    unmockable: list[tuple[str, str]] = field(default_factory=list)  # (operation, reason)
    startup_seconds: float = 0.0
    relaxed: list[str] = field(default_factory=list)  # what request validation does not check
    callbacks: int = 0  # callback operations declared under `paths`
    callbacks_sent: bool = True
    broken_callbacks: list[tuple[str, str]] = field(default_factory=list)  # (callback, reason)
    webhooks: int = 0

    def lines(self) -> list[str]:
        lines = [f"mock: {self.operations} operations of {self.title} under "
                 f"'{self.base_path or '/'}' (start-up {self.startup_seconds:.2f}s)"]
        if self.callbacks:
            how = "sent after each 2xx answer" if self.callbacks_sent \
                else "not sent (--callbacks off)"
            lines.append(f"mock: {self.callbacks} callback(s) declared; {how}")
            lines += [f"  {name} will be skipped: {reason}"
                      for name, reason in self.broken_callbacks]
        if self.webhooks:
            lines.append(f"mock: {self.webhooks} webhook(s) declared; not sent (nothing in the "
                         f"spec says when)")
        if self.relaxed:
            lines.append(f"mock: request validation relaxed in {len(self.relaxed)} place(s) "
                         f"Connexion cannot check (-v lists them)")
        if self.unmockable:
            lines.append(f"mock: cannot mock {len(self.unmockable)} operation(s); "
                         f"they answer 501 or 500 problem+json:")
            lines += [f"  {key}: {reason}" for key, reason in self.unmockable]
        return lines


@dataclass
class MockApp:
    app: connexion.AsyncApp
    report: MockReport
    callbacks: CallbackDispatcher


def base_path(document: dict[str, Any]) -> str:
    """The path part of the first server URL (variables at their defaults), as Connexion uses."""
    servers = document.get("servers")
    if not isinstance(servers, list) or not servers or not isinstance(servers[0], dict):
        return ""
    url = str(servers[0].get("url", ""))
    for name, variable in (servers[0].get("variables") or {}).items():
        if isinstance(variable, dict):
            url = url.replace(f"{{{name}}}", str(variable.get("default", "")))
    path = urlsplit(url).path if "://" in url else url
    return path.rstrip("/")


def _without_security(document: dict[str, Any]) -> dict[str, Any]:
    served = copy.copy(document)
    served.pop("security", None)
    paths = {}
    for path, item in (document.get("paths") or {}).items():
        if isinstance(item, dict):
            item = {method: ({k: v for k, v in op.items() if k != "security"}
                             if isinstance(op, dict) else op) for method, op in item.items()}
        paths[path] = item
    served["paths"] = paths
    return served


def _response(answer: MockAnswer, background: BackgroundTask | None = None) -> Response:
    headers = dict(answer.headers)
    if answer.media_type is None:
        return Response(status_code=answer.status, headers=headers, background=background)
    return Response(content=encode(answer), status_code=answer.status, headers=headers,
                    media_type=answer.media_type, background=background)


def _exchange(request: Any, op: MockOperation, base: str, body: Any,
              answer: MockAnswer) -> Exchange:
    """The facts of one request and the mock's answer, for the callbacks' runtime expressions."""
    request_headers: dict[str, str] = {}
    for name, value in request.headers.items():
        known = request_headers.get(name.lower())
        request_headers[name.lower()] = value if known is None else f"{known}, {value}"
    response_headers = {name.lower(): value for name, value in answer.headers.items()}
    if answer.media_type is not None:
        response_headers["content-type"] = answer.media_type
    path = str(request.url.path)
    path = path[len(base):] if base and path.startswith(base) else path
    return Exchange(
        url=str(request.url), method=str(request.method), status=answer.status,
        request_headers=request_headers,
        query=parse_qs(request.url.query, keep_blank_values=True),
        path=path_values(op.path, path),
        request_body=body, has_request_body=body is not None,
        response_headers=response_headers,
        response_body=answer.body, has_response_body=answer.body is not None)


class _MockResolver(Resolver):  # type: ignore[misc]
    def __init__(self, handlers: dict[tuple[str, str], Any]):
        super().__init__()
        self.handlers = handlers

    def resolve(self, operation: Any) -> Resolution:
        key = (operation.method.lower(), operation.path)
        handler = self.handlers[key]
        return Resolution(handler, f"mock.{operation.method}.{operation.path}")


def _handler(op: MockOperation, responder: StatefulResponder,
             callbacks: list[CallbackView], dispatcher: CallbackDispatcher) -> Any:
    body_name = pythonic(op.body_name) if op.body_name else None
    send = bool(callbacks) and dispatcher.policy.enabled

    async def mock_handler(**kwargs: Any) -> Response:
        request = connexion.request
        prefs = parse_prefer(request.headers.getlist("prefer"))
        body = kwargs.get(body_name) if body_name else None
        try:
            answer = responder.respond(op, prefs, request.headers.get("accept"),
                                       request.url.path, body)
        except Exception:  # the mock must never answer with a traceback
            log.exception("mock failed on %s", op.key)
            answer = problem(500, "Mock failed", f"the mock could not answer {op.key}")
        if send and 200 <= answer.status < 300 and not answer.problem:
            try:
                exchange = _exchange(request, op, responder.base_path, body, answer)
            except Exception:  # the answer goes out whatever happens to its callbacks
                log.exception("mock could not read %s for its callbacks", op.key)
            else:  # queued once the answer is sent: the worker threads do the rest
                return _response(answer, BackgroundTask(dispatcher.submit, callbacks, exchange))
        return _response(answer)

    mock_handler.__name__ = f"mock_{op.method}"
    return mock_handler


def create_mock_app(spec: Spec, *, seed: int | None = None, stateful: bool = False,
                    callbacks: CallbackPolicy | None = None) -> MockApp:
    """A Connexion app that mocks every operation of `spec`.

    Operations that declare callbacks send them after each 2xx answer, as `callbacks` says
    (by default: to any host, outcomes logged); `MockApp.callbacks` is the dispatcher."""
    started = time.perf_counter()
    document = spec.document
    validator = MockValidator(document, is_v31=spec.is_v31)
    catalog = build_catalog(document, validator, is_v31=spec.is_v31)
    base = base_path(document)
    responder = StatefulResponder(document, validator, is_v31=spec.is_v31, seed=seed,
                                  operations=catalog, base_path=base, enabled=stateful)
    report = MockReport(title=str((document.get("info") or {}).get("title") or spec.path.name),
                        operations=len(catalog), base_path=base)
    policy = callbacks if callbacks is not None else CallbackPolicy()
    builder = CallbackBuilder(document, is_v31=spec.is_v31, seed=responder.seed)
    declared = build_callbacks(document, validator, is_v31=spec.is_v31,
                               request_validator=builder.request_validator)
    dispatcher = CallbackDispatcher(builder, validator, policy)
    views = [view for found in declared.values() for view in found]
    report.callbacks, report.callbacks_sent = len(views), policy.enabled
    report.broken_callbacks = [(view.label, view.problem) for view in views if view.problem]
    webhooks = document.get("webhooks")
    report.webhooks = len(webhooks) if spec.is_v31 and isinstance(webhooks, dict) else 0
    notes: list[str] = []
    served = connexion_document(_without_security(document), is_v31=spec.is_v31, notes=notes)
    report.relaxed = notes
    routable = served.get("paths") or {}
    for op in catalog:
        if op.path not in routable:
            op.problem = "Connexion cannot route this path (it repeats a path variable)"
        reason = op.problem or responder.trial(op)
        if reason:
            report.unmockable.append((op.key, reason))
    handlers = {(op.method, op.path): _handler(op, responder, declared.get((op.method, op.path),
                                                                           []), dispatcher)
                for op in catalog}
    app = connexion.AsyncApp(__name__)
    try:
        with already_validated():
            app.add_api(served, resolver=_MockResolver(handlers),
                        pythonic_params=True, validate_responses=False, base_path=base or None)
        # the same ASGI guard as `serve`: size cap, UTF-8 and nesting depth before Connexion
        app.add_middleware(RequestGuard,
                           position=MiddlewarePosition.BEFORE_EXCEPTION,
                           max_body=_MAX_BODY, max_depth=_MAX_DEPTH)
    except SpecfirstError:
        raise
    except Exception as exc:  # Connexion refusing the document is bad input, not a crash
        raise SpecLoadError(f"Connexion cannot serve this spec: {type(exc).__name__}: "
                            f"{str(exc)[:300]}", Location(spec.display_path(spec.path))) from None
    report.startup_seconds = time.perf_counter() - started
    return MockApp(app, report, dispatcher)
