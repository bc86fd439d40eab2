"""Sending callbacks off the request path: a bounded queue, worker threads, one line per callback.

The mock hands each successful exchange of an operation that declares callbacks to
`CallbackDispatcher.submit` once its answer has been sent. Worker threads (started with the
first callback) expand the URL, check it against the allow-list, build the request, send it
with httpx (a timeout per request, redirects not followed, environment proxies ignored, at most
`MAX_ANSWER_BYTES` of the answer read), and judge the receiver's answer against the callback's
documented responses. Every callback ends in exactly one `CallbackOutcome`, handed to `report`
(by default logged: INFO when it went as documented, WARNING otherwise).

Targets are not SSRF-filtered: a mock is a development tool and its callbacks usually go to
localhost. An allow-list of `HOST[:PORT]` entries restricts them; a host is compared as written
in the URL (names are not resolved).
"""

from __future__ import annotations

import ipaddress
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import httpx
from specfirst.server.mock.callbacks import CallbackBuilder, CallbackView, judge
from specfirst.server.mock.expressions import Exchange, ExpressionError
from specfirst.server.mock.validation import MockValidator
from specfirst.server.mock.values import GenerationError

__all__ = ["AllowedHost", "CallbackDispatcher", "CallbackOutcome", "CallbackPolicy",
           "MAX_ANSWER_BYTES"]

log = logging.getLogger(__name__)

MAX_ANSWER_BYTES = 1024 * 1024
_DEFAULT_PORTS = {"http": 80, "https": 443}
_HEADERS = {"User-Agent": "specfirst-mock"}


def _normal_host(host: str) -> str:
    host = host.strip().lower().rstrip(".")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        return ipaddress.ip_address(host).compressed
    except ValueError:
        return host


@dataclass(frozen=True)
class AllowedHost:
    """One `HOST[:PORT]` entry of the allow-list (any port when none is given)."""

    host: str
    port: int | None = None

    @classmethod
    def parse(cls, text: str) -> AllowedHost:
        """`localhost`, `127.0.0.1:9000`, `[::1]:9000`, `::1`; ValueError when malformed."""
        value = text.strip()
        host, port = value, ""
        if value.startswith("["):
            host, _, rest = value[1:].partition("]")
            if rest and not rest.startswith(":"):
                raise ValueError(f"{text!r}: expected [IPv6]:PORT")
            port = rest[1:]
        elif value.count(":") == 1:
            host, _, port = value.partition(":")
        if not host or "/" in host or " " in host:
            raise ValueError(f"{text!r}: expected HOST or HOST:PORT")
        if port and not (port.isdigit() and 0 < int(port) < 65536):
            raise ValueError(f"{text!r}: the port must be a number from 1 to 65535")
        return cls(_normal_host(host), int(port) if port else None)

    def admits(self, host: str, port: int) -> bool:
        return _normal_host(host) == self.host and self.port in (None, port)

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port is None else f"{host}:{self.port}"


@dataclass(frozen=True)
class CallbackOutcome:
    """What became of one callback: sent (and whether the answer matched), skipped, failed."""

    kind: Literal["sent", "skipped", "failed"]
    callback: str
    method: str
    url: str | None
    status: int | None = None
    problem: str | None = None  # the mismatch, the failure, or why it was skipped

    @property
    def ok(self) -> bool:
        return self.kind == "sent" and self.problem is None

    @property
    def line(self) -> str:
        target = f"callback {self.callback} {self.method} {self.url}"
        if self.kind == "sent":
            verdict = "matches" if self.problem is None else f"does not match: {self.problem}"
            return f"{target} -> {self.status} ({verdict})"
        if self.kind == "failed":
            return f"{target} failed: {self.problem}"
        if self.url is None:
            return f"callback {self.callback} {self.method} skipped: {self.problem}"
        return f"{target} skipped: {self.problem}"


def _log_outcome(outcome: CallbackOutcome) -> None:
    log.log(logging.INFO if outcome.ok else logging.WARNING, "%s", outcome.line)


@dataclass(frozen=True)
class CallbackPolicy:
    """Whether and where the mock sends callbacks.

    `enabled=False` sends none. A non-empty `allow` sends only to those hosts. `timeout` bounds
    each phase of a request (connect, write, each read) and the whole answer; `queue_size`
    bounds the exchanges waiting for their callbacks (more are dropped, and reported).
    """

    enabled: bool = True
    allow: tuple[AllowedHost, ...] = ()
    timeout: float = 10.0
    queue_size: int = 100
    workers: int = 2
    report: Callable[[CallbackOutcome], None] = field(default=_log_outcome)


@dataclass(frozen=True)
class _Job:
    views: tuple[CallbackView, ...]
    exchange: Exchange


class CallbackDispatcher:
    """Sends the callbacks of submitted exchanges from background threads."""

    def __init__(self, builder: CallbackBuilder, validator: MockValidator,
                 policy: CallbackPolicy):
        self.builder = builder
        self.validator = validator
        self.policy = policy
        self.jobs: queue.Queue[_Job | None] = queue.Queue(maxsize=max(policy.queue_size, 1))
        self._threads: list[threading.Thread] = []
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()
        self._closed = False

    def submit(self, views: Sequence[CallbackView], exchange: Exchange) -> None:
        """Queue the callbacks of one exchange; never blocks (a full queue drops them)."""
        if not self.policy.enabled or not views:
            return
        self._start()
        try:
            self.jobs.put_nowait(_Job(tuple(views), exchange))
        except queue.Full:
            for view in views:
                self._report(CallbackOutcome(
                    "skipped", view.name, view.method.upper(), None,
                    problem=f"{view.owner}: dropped, {self.jobs.maxsize} exchanges are "
                            f"already waiting for their callbacks"))

    def drain(self, timeout: float) -> bool:
        """Wait until every queued callback has been dealt with; False on timeout."""
        deadline = time.monotonic() + timeout
        with self.jobs.all_tasks_done:
            while self.jobs.unfinished_tasks:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self.jobs.all_tasks_done.wait(remaining)
        return True

    def close(self) -> None:
        """Stop the workers once the queue is empty (callbacks already queued are sent)."""
        with self._lock:
            self._closed = True
            threads, self._threads = self._threads, []
        for _ in threads:
            self.jobs.put(None)
        for thread in threads:
            thread.join()
        if self._client is not None:
            self._client.close()
            self._client = None

    def _start(self) -> None:
        with self._lock:
            if self._threads or self._closed:
                return
            self._client = httpx.Client(timeout=self.policy.timeout, follow_redirects=False,
                                        trust_env=False, headers=_HEADERS)
            for number in range(max(self.policy.workers, 1)):
                thread = threading.Thread(target=self._work, name=f"mock-callbacks-{number}",
                                          daemon=True)
                thread.start()
                self._threads.append(thread)

    def _work(self) -> None:
        while True:
            job = self.jobs.get()
            try:
                if job is None:
                    return
                for view in job.views:
                    self._report(self._send(view, job.exchange))
            except Exception:  # a worker must survive whatever one callback does
                log.exception("callback worker failed")
            finally:
                self.jobs.task_done()

    def _report(self, outcome: CallbackOutcome) -> None:
        try:
            self.policy.report(outcome)
        except Exception:
            log.exception("reporting a callback outcome failed")

    def _refusal(self, url: str) -> str | None:
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, ValueError) as exc:
            return f"not a usable URL ({exc})"
        if parsed.scheme not in _DEFAULT_PORTS:
            return f"only http and https URLs are called, not {parsed.scheme or 'a relative'!r}"
        if not parsed.host:
            return "the URL has no host"
        port = parsed.port or _DEFAULT_PORTS[parsed.scheme]
        if self.policy.allow and not any(a.admits(parsed.host, port) for a in self.policy.allow):
            allowed = ", ".join(str(a) for a in self.policy.allow)
            return f"{_normal_host(parsed.host)}:{port} is not on the allow-list ({allowed})"
        return None

    def _send(self, view: CallbackView, exchange: Exchange) -> CallbackOutcome:
        method = view.method.upper()
        try:
            request = self.builder.build(view, exchange)
        except ExpressionError as exc:
            return CallbackOutcome("skipped", view.name, method, None,
                                   problem=f"{view.owner}: cannot evaluate {view.expression}: "
                                           f"{exc}")
        except GenerationError as exc:
            return CallbackOutcome("skipped", view.name, method, None,
                                   problem=f"{view.owner}: no valid request body: {exc}")
        refusal = self._refusal(request.url)
        if refusal is not None:
            return CallbackOutcome("skipped", view.name, method, request.url, problem=refusal)
        client = self._client
        assert client is not None
        deadline = time.monotonic() + self.policy.timeout
        try:
            with client.stream(method, request.url, headers=request.headers,
                               content=request.content) as answer:
                content = b""
                for chunk in answer.iter_bytes():
                    content += chunk
                    if len(content) > MAX_ANSWER_BYTES:
                        return CallbackOutcome("sent", view.name, method, request.url,
                                               answer.status_code,
                                               f"the answer is larger than {MAX_ANSWER_BYTES} "
                                               f"bytes; not checked")
                    if time.monotonic() > deadline:
                        raise httpx.ReadTimeout("the answer took longer than the timeout")
                status, headers = answer.status_code, dict(answer.headers)
        except httpx.HTTPError as exc:
            reason = str(exc) or "no details"
            return CallbackOutcome("failed", view.name, method, request.url,
                                   problem=f"{type(exc).__name__}: {reason}")
        problem = judge(view, self.validator, status, headers, content)
        return CallbackOutcome("sent", view.name, method, request.url, status, problem)
