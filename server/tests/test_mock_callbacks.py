"""The mock's callbacks: runtime expressions, and requests sent to a real receiver on loopback."""

from __future__ import annotations

import http.server
import json
import logging
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from specfirst.contract_tests.cli import cli
from specfirst.generator.loader import Spec
from specfirst.server.mock import AllowedHost, CallbackOutcome, CallbackPolicy, create_mock_app
from specfirst.server.mock.callbacks import path_values
from specfirst.server.mock.expressions import (
    Exchange,
    ExpressionError,
    parse_expression,
    parse_template,
)
from specfirst.server.tests.test_mock_startup import free_port

CALLBACK_URL = "{$request.body#/callbackUrl}?topic={$request.path.topic}&id={$response.body#/id}"
EVENT_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["event", "count"], "additionalProperties": False,
    "properties": {"event": {"type": "string", "enum": ["created", "deleted"]},
                   "count": {"type": "integer", "minimum": 1, "maximum": 50}}}
SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Subscriptions", "version": "1"},
    "paths": {
        "/subscriptions/{topic}": {"post": {
            "operationId": "subscribe",
            "parameters": [{"name": "topic", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "properties": {"callbackUrl": {"type": "string"}}}}}},
            "responses": {
                "201": {"description": "subscribed", "content": {"application/json": {
                    "schema": {"type": "object", "required": ["id"],
                               "properties": {"id": {"type": "string",
                                                     "pattern": "^sub-[a-z]{6}$"}}}}}},
                "400": {"description": "refused", "content": {"application/json": {
                    "schema": {"type": "object"}}}}},
            "callbacks": {"onEvent": {CALLBACK_URL: {"post": {
                "parameters": [
                    {"name": "X-Event-Id", "in": "header", "required": True,
                     "schema": {"type": "string", "format": "uuid"}},
                    {"name": "X-Signature", "in": "header", "required": True,
                     "example": "v1,example-signature", "schema": {"type": "string"}},
                    {"name": "Authorization", "in": "header",
                     "schema": {"type": "string"}}],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": EVENT_SCHEMA}}},
                "responses": {"204": {"description": "received"}}}}}},
        }},
        "/broken": {"post": {
            "responses": {"200": {"description": "ok"}},
            "callbacks": {"neverSent": {"http://{$request.body#/host/hook": {
                "post": {"responses": {"200": {"description": "ok"}}}}}}}},
    },
}


# -- runtime expressions ---------------------------------------------------------------------

EXCHANGE = Exchange(
    url="http://mock.test/subscriptions/news?x=1&x=2&empty=",
    method="post",
    status=201,
    request_headers={"x-token": "abc", "content-type": "application/json"},
    query={"x": ["1", "2"], "empty": [""]},
    path={"topic": "news"},
    request_body={"callbackUrl": "http://127.0.0.1:9/hook", "host": "127.0.0.1:9",
                  "a/b": {"~c": 5}, "items": [{"id": 7}], "flag": True, "ratio": 0.5,
                  "nothing": None, "obj": {"k": 1}, "": "empty key"},
    has_request_body=True,
    response_headers={"location": "/subscriptions/s1", "content-type": "application/json"},
    response_body={"id": "s1", "tags": ["a", "b"]},
    has_response_body=True,
)

EXPANSIONS = [
    ("$url", "http://mock.test/subscriptions/news?x=1&x=2&empty="),
    ("$method", "POST"),
    ("$statusCode", "201"),
    ("$request.header.X-Token", "abc"),  # header names are case-insensitive
    ("$request.header.content-type", "application/json"),
    ("$request.query.x", "1"),  # the first of repeated values
    ("$request.query.empty", ""),
    ("$request.path.topic", "news"),
    ("{$request.body#/callbackUrl}", "http://127.0.0.1:9/hook"),
    ("$request.body#/callbackUrl", "http://127.0.0.1:9/hook"),  # a bare expression
    ("$request.body#/a~1b/~0c", "5"),  # RFC 6901 escapes
    ("$request.body#/items/0/id", "7"),
    ("$request.body#/flag", "true"),
    ("$request.body#/ratio", "0.5"),
    ("$request.body#/", "empty key"),
    ("$response.header.Location", "/subscriptions/s1"),
    ("$response.body#/id", "s1"),
    ("$response.body#/tags/1", "b"),
    ("http://{$request.body#/host}/hook?x={$request.query.x}", "http://127.0.0.1:9/hook?x=1"),
    ("https://example.com/{$request.path.topic}/{$response.body#/id}?m={$method}&s={$statusCode}",
     "https://example.com/news/s1?m=POST&s=201"),
    ("http://example.com/{literal}/{$request.path.topic}", "http://example.com/{literal}/news"),
    ("http://example.com/plain", "http://example.com/plain"),
]


@pytest.mark.parametrize(("template", "expected"), EXPANSIONS)
def test_runtime_expressions_expand(template: str, expected: str) -> None:
    assert parse_template(template).expand(EXCHANGE) == expected


def test_body_references_give_json_values() -> None:
    assert parse_expression("$request.body").evaluate(EXCHANGE) == EXCHANGE.request_body
    assert parse_expression("$request.body#").evaluate(EXCHANGE) == EXCHANGE.request_body
    assert parse_expression("$request.body#/obj").evaluate(EXCHANGE) == {"k": 1}
    assert parse_expression("$statusCode").evaluate(EXCHANGE) == 201


UNAVAILABLE = [
    ("$request.body#/missing", "the request body has no /missing"),
    ("$request.body#/items/5/id", "the request body has no /items/5"),
    ("$request.body#/items/00", "the request body has no /items/00"),
    ("$request.body#/flag/deeper", "the request body has no /flag/deeper"),
    ("$request.query.nope", "the request has no query parameter 'nope'"),
    ("$request.header.X-Nope", "the request has no header 'X-Nope'"),
    ("$request.path.nope", "the request has no path parameter 'nope'"),
    ("$response.query.x", "a response has no query parameters"),
    ("$response.path.x", "a response has no path parameters"),
    ("$response.body#/nope", "the response body has no /nope"),
    ("{$request.body#/obj}", "is an object, not a value that can stand in a URL"),
    ("{$request.body#/items}", "is an array"),
    ("{$request.body#/nothing}", "is null"),
]


@pytest.mark.parametrize(("template", "reason"), UNAVAILABLE)
def test_runtime_expressions_that_cannot_be_evaluated_say_why(template: str,
                                                              reason: str) -> None:
    with pytest.raises(ExpressionError, match=re.escape(reason)):
        parse_template(template).expand(EXCHANGE)


def test_absent_bodies_cannot_be_referenced() -> None:
    empty = Exchange(url="http://m/", method="GET", status=200)
    with pytest.raises(ExpressionError, match="the request has no JSON body"):
        parse_template("{$request.body#/url}").expand(empty)
    with pytest.raises(ExpressionError, match="the response has no JSON body"):
        parse_template("$response.body").expand(empty)


@pytest.mark.parametrize("text", [
    "$foo", "$request", "$requestx.body", "$request.cookie.x", "$request.header.",
    "$request.header.bad name", "$request.bodyx", "$request.body#nope", "$request.body#/a~2",
    "$response.query", "http://{$request.body#/x", "http://{$nope}/",
])
def test_malformed_runtime_expressions_are_refused(text: str) -> None:
    with pytest.raises(ExpressionError):
        parse_template(text)


def test_path_values_are_read_from_the_template() -> None:
    assert path_values("/owners/{ownerId}/pets/{petId}", "/owners/7/pets/x y") == {
        "ownerId": "7", "petId": "x y"}
    assert path_values("/a/{id}.json", "/a/42.json") == {"id": "42"}
    assert path_values("/a/{id}", "/b/1") == {}


@pytest.mark.parametrize(("entry", "host", "port"), [
    ("localhost", "localhost", None), ("LocalHost.", "localhost", None),
    ("127.0.0.1:9000", "127.0.0.1", 9000), ("[::1]:8080", "::1", 8080), ("::1", "::1", None),
    ("[0:0::1]", "::1", None),
])
def test_allow_list_entries(entry: str, host: str, port: int | None) -> None:
    assert AllowedHost.parse(entry) == AllowedHost(host, port)


@pytest.mark.parametrize("entry", ["", "a:b", "h:0", "h:70000", "x/y", "[::1]x", ":80"])
def test_malformed_allow_list_entries_are_refused(entry: str) -> None:
    with pytest.raises(ValueError):
        AllowedHost.parse(entry)


def test_allow_list_matching() -> None:
    assert AllowedHost.parse("127.0.0.1").admits("127.0.0.1", 1234)
    assert AllowedHost.parse("127.0.0.1:80").admits("127.0.0.1", 80)
    assert not AllowedHost.parse("127.0.0.1:80").admits("127.0.0.1", 81)
    assert AllowedHost.parse("[::1]").admits("0:0:0:0:0:0:0:1", 80)
    assert not AllowedHost.parse("localhost").admits("127.0.0.1", 80)  # names are not resolved


# -- a receiver on loopback --------------------------------------------------------------------

@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """An HTTP server in a thread that records every request and answers by path:
    `/slow...` waits for `release`; `/wrong...` answers 500; `/redirect...` answers 302."""

    server: http.server.ThreadingHTTPServer
    requests: list[Received] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    changed: threading.Condition = field(default_factory=threading.Condition)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def note(self, event: str) -> None:
        with self.changed:
            self.events.append(event)
            self.changed.notify_all()

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 30.0) -> None:
        with self.changed:
            assert self.changed.wait_for(predicate, timeout), (self.events, self.requests)

    def received(self, marker: str) -> list[Received]:
        with self.changed:
            return [r for r in self.requests if marker in r.path]


def _receiver_handler(receiver: Receiver) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            size = int(self.headers.get("Content-Length") or 0)
            record = Received(self.command, self.path, dict(self.headers.items()),
                              self.rfile.read(size))
            with receiver.changed:
                receiver.requests.append(record)
                receiver.changed.notify_all()
            if self.path.startswith("/slow"):
                receiver.note("callback arrived")
                receiver.release.wait(60)
                receiver.note("receiver answered")
            if self.path.startswith("/wrong"):
                self.send_response(500)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", "4")
                self.end_headers()
                self.wfile.write(b"oops")
                return
            if self.path.startswith("/redirect"):
                self.send_response(302)
                self.send_header("Location", self.path.replace("/redirect", "/redirected"))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    found = Receiver(server)
    server.RequestHandlerClass = _receiver_handler(found)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield found
    found.release.set()
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def spec_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("callbacks") / "subscriptions.yaml"
    path.write_text(yaml.safe_dump(SPEC, sort_keys=False))
    return path


# -- the mock served for real -----------------------------------------------------------------

@dataclass
class ServedMock:
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for_line(self, *fragments: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.log().splitlines():
                if all(fragment in line for fragment in fragments):
                    return line
            assert self.process.poll() is None, self.log()
            time.sleep(0.05)
        raise AssertionError(f"no line with {fragments} in:\n{self.log()}")


@pytest.fixture(scope="module")
def served(spec_path: Path) -> Iterator[ServedMock]:
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="sf-mock-", suffix=".log", delete=False)
    specfirst = str(Path(sys.executable).with_name("specfirst"))
    process = subprocess.Popen([specfirst, "mock", str(spec_path), "--port", str(port),
                                "--seed", "1", "--callback-allow", "127.0.0.1"],
                               stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
    mock = ServedMock(process, port, Path(log.name))
    try:
        mock.wait_for_line("listening on", timeout=60)
        with httpx.Client(trust_env=False, timeout=5) as probe:
            deadline = time.monotonic() + 60
            while True:
                try:
                    probe.get(f"{mock.url}/subscriptions/x")  # 405: it answers
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline and process.poll() is None, mock.log()
                    time.sleep(0.05)
        yield mock
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()
        os.unlink(log.name)


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False, timeout=60) as client:
        yield client


def test_start_up_lists_callbacks_and_malformed_expressions(served: ServedMock) -> None:
    log = served.log()
    assert "mock: 2 callback(s) declared; sent after each 2xx answer" in log
    assert "callback neverSent of POST /broken will be skipped:" in log
    assert "is never closed" in log


def test_callback_reaches_the_receiver_with_a_valid_request(served: ServedMock,
                                                            receiver: Receiver,
                                                            client: httpx.Client) -> None:
    marker = f"/hook-{uuid.uuid4().hex[:8]}"
    answer = client.post(f"{served.url}/subscriptions/news",
                       json={"callbackUrl": receiver.url(marker)})
    assert answer.status_code == 201
    subscription = answer.json()["id"]
    receiver.wait_for(lambda: bool(receiver.received(marker)))
    (request,) = receiver.received(marker)
    assert request.method == "POST"
    assert request.path == f"{marker}?topic=news&id={subscription}"
    headers = {name.lower(): value for name, value in request.headers.items()}
    assert headers["content-type"] == "application/json"
    assert headers["x-signature"] == "v1,example-signature"  # the parameter's example
    assert str(uuid.UUID(headers["x-event-id"])) == headers["x-event-id"].lower()
    assert "authorization" not in headers  # ignored, as OpenAPI says
    jsonschema.Draft4Validator(EVENT_SCHEMA).validate(json.loads(request.body))
    served.wait_for_line(f"callback onEvent POST {receiver.url(marker)}?topic=news",
                         "-> 204 (matches)")


def test_an_undocumented_answer_is_reported_as_a_mismatch(served: ServedMock,
                                                          receiver: Receiver,
                                                          client: httpx.Client) -> None:
    marker = f"/wrong-{uuid.uuid4().hex[:8]}"
    assert client.post(f"{served.url}/subscriptions/news",
                     json={"callbackUrl": receiver.url(marker)}).status_code == 201
    served.wait_for_line(marker, "-> 500 (does not match: status 500 is not documented "
                                 "(documented: 204))")


def test_redirects_are_not_followed(served: ServedMock, receiver: Receiver,
                                    client: httpx.Client) -> None:
    marker = uuid.uuid4().hex[:8]
    assert client.post(f"{served.url}/subscriptions/news",
                     json={"callbackUrl": receiver.url(f"/redirect-{marker}")}
                     ).status_code == 201
    served.wait_for_line(f"/redirect-{marker}", "-> 302 (does not match")
    assert receiver.received(f"/redirect-{marker}")
    assert not receiver.received(f"/redirected-{marker}")


def test_unreachable_target_is_logged_and_the_mock_carries_on(served: ServedMock,
                                                              client: httpx.Client) -> None:
    closed = free_port()
    answer = client.post(f"{served.url}/subscriptions/news",
                       json={"callbackUrl": f"http://127.0.0.1:{closed}/gone"})
    assert answer.status_code == 201
    served.wait_for_line(f"callback onEvent POST http://127.0.0.1:{closed}/gone", "failed:",
                         "ConnectError")
    assert client.post(f"{served.url}/subscriptions/other", json={}).status_code == 201
    assert served.process.poll() is None


def test_an_expression_that_cannot_be_evaluated_skips_the_callback(served: ServedMock,
                                                                   client: httpx.Client) -> None:
    answer = client.post(f"{served.url}/subscriptions/no-url", json={})
    assert answer.status_code == 201  # the mock answers; only the callback is skipped
    served.wait_for_line("callback onEvent POST skipped: POST /subscriptions/{topic}: cannot "
                         "evaluate", "the request body has no /callbackUrl")


def test_allow_list_refuses_other_hosts(served: ServedMock, receiver: Receiver,
                                        client: httpx.Client) -> None:
    marker = f"/refused-{uuid.uuid4().hex[:8]}"
    target = receiver.url(marker, host="localhost")  # the same receiver, by another name
    assert client.post(f"{served.url}/subscriptions/news",
                     json={"callbackUrl": target}).status_code == 201
    served.wait_for_line(marker, f"skipped: localhost:{receiver.port} is not on the "
                                 f"allow-list (127.0.0.1)")
    assert not receiver.received(marker)


def test_a_slow_receiver_does_not_delay_the_mock(served: ServedMock, receiver: Receiver,
                                                 client: httpx.Client) -> None:
    marker = f"/slow-{uuid.uuid4().hex[:8]}"
    receiver.release.clear()
    receiver.events.clear()
    try:
        first = client.post(f"{served.url}/subscriptions/news",
                          json={"callbackUrl": receiver.url(marker)})
        assert first.status_code == 201
        receiver.wait_for(lambda: "callback arrived" in receiver.events)
        # the callback is held by the receiver; the mock keeps answering meanwhile
        second = client.post(f"{served.url}/subscriptions/other", json={})
        assert second.status_code == 201
        receiver.note("mock answered while the callback was held")
    finally:
        receiver.release.set()
    receiver.wait_for(lambda: "receiver answered" in receiver.events)
    assert receiver.events == ["callback arrived", "mock answered while the callback was held",
                               "receiver answered"]
    served.wait_for_line(marker, "-> 204 (matches)")


# -- in-process: the policy, the answers that trigger callbacks, the queue bound --------------

def _mock(spec_path: Path, outcomes: list[CallbackOutcome], **policy: Any) -> Any:
    return create_mock_app(Spec.from_path(spec_path), seed=3,
                           callbacks=CallbackPolicy(report=outcomes.append, **policy))


def test_callbacks_off_sends_nothing(spec_path: Path, receiver: Receiver) -> None:
    outcomes: list[CallbackOutcome] = []
    mocked = _mock(spec_path, outcomes, enabled=False)
    marker = f"/off-{uuid.uuid4().hex[:8]}"
    response = mocked.app.test_client().post("/subscriptions/news",
                                             json={"callbackUrl": receiver.url(marker)})
    assert response.status_code == 201
    assert mocked.callbacks.jobs.unfinished_tasks == 0 and not outcomes
    assert "mock: 2 callback(s) declared; not sent (--callbacks off)" in mocked.report.lines()


def test_only_2xx_answers_trigger_callbacks(spec_path: Path, receiver: Receiver) -> None:
    outcomes: list[CallbackOutcome] = []
    mocked = _mock(spec_path, outcomes)
    client = mocked.app.test_client()
    marker = f"/hook-{uuid.uuid4().hex[:8]}"
    refused = client.post("/subscriptions/news", headers={"Prefer": "code=400"},
                          json={"callbackUrl": receiver.url(f"{marker}-refused")})
    assert refused.status_code == 400
    assert client.post("/subscriptions/news",
                       json={"callbackUrl": receiver.url(marker)}).status_code == 201
    assert mocked.callbacks.drain(30)
    mocked.callbacks.close()
    assert [o.line.split("?")[0] for o in outcomes] == [
        f"callback onEvent POST {receiver.url(marker)}"]
    assert outcomes[0].ok and outcomes[0].status == 204
    assert not receiver.received(f"{marker}-refused")


def test_outcomes_are_logged_by_default(spec_path: Path,
                                        caplog: pytest.LogCaptureFixture) -> None:
    mocked = create_mock_app(Spec.from_path(spec_path), seed=3)
    closed = free_port()
    with caplog.at_level(logging.INFO, logger="specfirst.server.mock.dispatch"):
        mocked.app.test_client().post("/subscriptions/news",
                                      json={"callbackUrl": f"http://127.0.0.1:{closed}/x"})
        assert mocked.callbacks.drain(30)
    mocked.callbacks.close()
    (record,) = [r for r in caplog.records if r.name == "specfirst.server.mock.dispatch"]
    assert record.levelno == logging.WARNING
    assert f"callback onEvent POST http://127.0.0.1:{closed}/x" in record.getMessage()
    assert "failed: ConnectError" in record.getMessage()


def test_a_full_queue_drops_callbacks_and_says_so(spec_path: Path, receiver: Receiver) -> None:
    outcomes: list[CallbackOutcome] = []
    mocked = _mock(spec_path, outcomes, queue_size=1, workers=1)
    client = mocked.app.test_client()
    marker = f"/slow-queue-{uuid.uuid4().hex[:8]}"
    receiver.release.clear()
    receiver.events.clear()
    try:
        client.post("/subscriptions/news", json={"callbackUrl": receiver.url(marker)})
        receiver.wait_for(lambda: "callback arrived" in receiver.events)  # the worker is busy
        client.post("/subscriptions/news", json={"callbackUrl": receiver.url(f"{marker}-2")})
        client.post("/subscriptions/news", json={"callbackUrl": receiver.url(f"{marker}-3")})
        assert [o.kind for o in outcomes] == ["skipped"]
        assert "dropped, 1 exchanges are already waiting" in outcomes[0].line
    finally:
        receiver.release.set()
    assert mocked.callbacks.drain(30)
    mocked.callbacks.close()
    assert [o.kind for o in outcomes] == ["skipped", "sent", "sent"]
    assert len(receiver.received(marker)) == 2  # the first and the queued one


def test_cli_refuses_a_malformed_allow_list_entry(spec_path: Path) -> None:
    result = CliRunner().invoke(cli, ["mock", str(spec_path), "--callback-allow", "h:x"])
    assert result.exit_code == 2
    assert "the port must be a number" in result.output


def test_webhooks_are_counted_and_not_sent(tmp_path: Path) -> None:
    document = {"openapi": "3.1.0", "info": {"title": "w", "version": "1"}, "paths": {},
                "webhooks": {"newPet": {"post": {"responses": {"200": {"description": "ok"}}}}}}
    path = tmp_path / "webhooks.yaml"
    path.write_text(yaml.safe_dump(document))
    report = create_mock_app(Spec.from_path(path)).report
    assert report.webhooks == 1
    assert "mock: 1 webhook(s) declared; not sent (nothing in the spec says when)" \
        in report.lines()
