"""The mock server for any spec: requests read and judged as the spec says, answers from it.

`create_mock_app(spec)` builds the mock's ASGI app (`server.mock.front`: routing, request
parsing and validation, security presence checks, documented error answers) over the bundled
document and returns it with a `MockReport` that says which operations cannot be mocked and why
(found by answering each operation once at start-up, with the same seed). Operations that
declare `callbacks` send them after each 2xx answer, from background threads
(`server.mock.dispatch`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from specfirst.generator.loader import Spec
from specfirst.server.mock.callbacks import CallbackBuilder, build_callbacks, path_values
from specfirst.server.mock.catalog import MockOperation, build_catalog
from specfirst.server.mock.dispatch import CallbackDispatcher, CallbackPolicy
from specfirst.server.mock.expressions import Exchange
from specfirst.server.mock.front import MockFront
from specfirst.server.mock.requests import RequestChecker
from specfirst.server.mock.responder import MockAnswer
from specfirst.server.mock.stateful import StatefulResponder
from specfirst.server.mock.validation import MockValidator
from starlette.background import BackgroundTask
from starlette.requests import Request

__all__ = ["MockApp", "MockReport", "SERVER_OPTIONS", "create_mock_app"]

log = logging.getLogger(__name__)

_MAX_BODY = 10 * 1024 * 1024

SERVER_OPTIONS: dict[str, Any] = {"http": "h11", "h11_max_incomplete_event_size": 1024 * 1024}
"""uvicorn options for serving the mock: a request line and headers of up to 1 MiB are read
(and judged against the spec) rather than cut off by the HTTP parser with a `text/plain` 400
the spec does not document (httptools stops near 64 KiB, h11 by default at 16 KiB)."""


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
    app: MockFront
    report: MockReport
    callbacks: CallbackDispatcher
    pending_trials: list[MockOperation] = field(default_factory=list)
    trial: Callable[[MockOperation], str | None] | None = None

    def run_trials(self) -> list[tuple[str, str]]:
        """Answer each operation not tried yet once (as `create_mock_app(trial=True)` does at
        start-up); add those that cannot be mocked to the report, and return them."""
        found = []
        while self.pending_trials and self.trial is not None:
            op = self.pending_trials.pop(0)
            reason = self.trial(op)
            if reason:
                found.append((op.key, reason))
        self.report.unmockable += found
        return found


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


def create_mock_app(spec: Spec, *, seed: int | None = None, stateful: bool = False,
                    callbacks: CallbackPolicy | None = None,
                    auth_check: bool = True, credentials: tuple[str, ...] = (),
                    trial: bool = True) -> MockApp:
    """An ASGI app that mocks every operation of `spec` (`MockApp.app`, which also has
    `test_client()`); `auth_check=False` lets requests without credentials through;
    `credentials`, when given, are the only credential values accepted.

    `trial=False` leaves the trial answers that find the operations which cannot be mocked
    to `MockApp.run_trials()`, so that the server can answer first (`specfirst mock` runs
    them once it listens).

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
    report.unmockable = [(op.key, op.problem) for op in catalog if op.problem]
    pending = [op for op in catalog if not op.problem]
    send_for = {(op.method, op.path): declared.get((op.method, op.path), [])
                for op in catalog}

    def on_answer(request: Request, op: MockOperation, body: Any,
                  answer: MockAnswer) -> BackgroundTask | None:
        views = send_for.get((op.method, op.path)) or []
        if not (views and dispatcher.policy.enabled and 200 <= answer.status < 300
                and not answer.problem):
            return None
        try:
            exchange = _exchange(request, op, base, body, answer)
        except Exception:  # the answer goes out whatever happens to its callbacks
            log.exception("mock could not read %s for its callbacks", op.key)
            return None
        return BackgroundTask(dispatcher.submit, views, exchange)

    checker = RequestChecker(document, MockValidator(document, is_v31=spec.is_v31,
                                                     responses=False),
                             auth_check=auth_check, credentials=tuple(credentials))
    app = MockFront(catalog, checker, responder, base, max_body=_MAX_BODY,
                    on_answer=on_answer)
    mocked = MockApp(app, report, dispatcher, pending, responder.trial)
    if trial:
        mocked.run_trials()
    report.startup_seconds = time.perf_counter() - started
    return mocked
