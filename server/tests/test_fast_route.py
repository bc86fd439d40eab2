"""The fast route against Connexion's stack: the same requests, the same answers.

Two apps on one database, one with the fast route (`SPECFIRST_SERVER_FAST_ROUTE`, the default)
and one without (every request through Connexion's middleware, the reference), each with its
own tenant, get the same sequence of requests; status, the headers that matter and the body
must be equal once the values that differ by nature (ids, timestamps, seconds to the rate-limit
reset) are replaced by their order of appearance.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from specfirst.server.app import create_app
from specfirst.server.crm import HANDLERS as CRM_HANDLERS
from specfirst.server.crm import SPEC as CRM_SPEC
from specfirst.server.db import Database
from specfirst.server.fast_route import FastOperation, FastRoute
from specfirst.server.problems import configure_problem_types
from specfirst.server.security import create_token
from specfirst.server.settings import ServerSettings
from starlette.testclient import TestClient

HEADERS = ("content-type", "etag", "location", "www-authenticate", "allow", "retry-after",
           "ratelimit", "ratelimit-policy", "connection")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z")
_RESET = re.compile(r"\bt=\d+|(?<=retry-after: )\d+")
_CURSOR = re.compile(r"eyJ[\w.-]+")  # a pagination cursor: an id and a time, signed

Requests = Callable[["Side"], list[httpx.Response]]


@pytest.fixture(autouse=True)
def _restore() -> Iterator[None]:
    yield
    configure_problem_types("about:blank")


class Side:
    """One app, its client and the tokens of a tenant of its own."""

    def __init__(self, client: TestClient, db: Database):
        self.client = client
        tenant = f"t-{uuid.uuid4().hex[:10]}"
        self.token = create_token(db, tenant)[0]
        self.reader = create_token(db, tenant, ["customers:read"])[0]
        self.stranger = create_token(db, f"o-{uuid.uuid4().hex[:10]}")[0]

    def auth(self, token: str | None = None, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.token}", **extra}


def _settings(tmp_path: Path, fast: bool, **environ: str) -> ServerSettings:
    return ServerSettings.from_env({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
                                    "SPECFIRST_SERVER_FAST_ROUTE": str(fast).lower(),
                                    **environ})


def _fast_route(client: TestClient) -> FastRoute | None:
    stack = client.app.middleware.middleware_stack  # type: ignore[attr-defined]
    return next((layer for layer in stack or () if isinstance(layer, FastRoute)), None)


def _functions(route: FastRoute) -> set[str]:
    """The handler functions of the operations on the fast route."""
    return {served.rsplit(".", 1)[-1] for served in route.served}


@contextmanager
def _sides(tmp_path: Path, **environ: str) -> Iterator[tuple[Side, Side]]:
    db = Database.from_url(f"sqlite:///{tmp_path / 'db.sqlite'}")
    try:
        with TestClient(create_app(CRM_SPEC, CRM_HANDLERS, _settings(tmp_path, True, **environ))
                        ) as fast, \
                TestClient(create_app(CRM_SPEC, CRM_HANDLERS,
                                      _settings(tmp_path, False, **environ))) as reference:
            route = _fast_route(fast)
            assert route is not None and _fast_route(reference) is None
            assert {"get_customer", "create_customer", "list_customers",
                    "update_customer"} <= _functions(route)
            yield Side(fast, db), Side(reference, db)
    finally:
        db.dispose()


def _shown(responses: list[httpx.Response]) -> list[str]:
    """Each answer as text, with ids, timestamps and reset seconds replaced in order."""
    names: dict[str, str] = {}

    def rename(match: re.Match[str]) -> str:
        return names.setdefault(match.group(), f"<id{len(names)}>")

    shown = []
    for response in responses:
        text = "\n".join([str(response.status_code),
                          *(f"{name}: {response.headers[name]}" for name in HEADERS
                            if name in response.headers),
                          response.text])
        text = _CURSOR.sub("<cursor>", text)
        shown.append(_RESET.sub("<seconds>", _TIME.sub("<time>", _UUID.sub(rename, text))))
    return shown


def _same(tmp_path: Path, requests: Requests, **environ: str) -> list[httpx.Response]:
    with _sides(tmp_path, **environ) as (fast, reference):
        got, expected = requests(fast), requests(reference)
    for number, (one, other) in enumerate(zip(_shown(got), _shown(expected), strict=True)):
        assert one == other, f"request {number}"
    return got


def _customers(side: Side) -> list[httpx.Response]:
    http = side.client
    body = {"name": "Ada Lovelace", "email": "ada.l@example.com"}
    made = http.post("/api/v1/customers", json={"name": "Ada", "email": "a@example.com",
                                                 "tags": ["vip"]},
                     headers=side.auth(**{"Idempotency-Key": "k-1"}))
    one = f"/api/v1/customers/{made.json()['id']}"
    nowhere = f"/api/v1/customers/{uuid.uuid4()}"
    return [
        made,
        http.post("/api/v1/customers", json={"name": "Ada", "email": "a@example.com",
                                             "tags": ["vip"]},
                  headers=side.auth(**{"Idempotency-Key": "k-1"})),
        http.post("/api/v1/customers", json=body, headers=side.auth(**{"Idempotency-Key": "k-1"})),
        http.get(one, headers=side.auth()),
        http.get(one, headers=side.auth(**{"If-None-Match": '"1"'})),
        http.get(one, headers=side.auth(Accept="application/xml")),
        http.get(one, headers=side.auth(Accept="application/json")),
        http.get("/api/v1/customers/not-a-uuid", headers=side.auth()),
        http.get(nowhere, headers=side.auth()),
        http.get(one, headers=side.auth(side.stranger)),
        http.get(one),
        http.get(one, headers={"Authorization": "Bearer short"}),
        http.get(one, headers=side.auth("sf_" + "x" * 43)),
        http.get(one, headers={"Authorization": "Basic YTpi"}),
        http.post("/api/v1/customers", json=body, headers=side.auth(side.reader)),
        http.get(one, headers=side.auth(side.reader)),
        http.post("/api/v1/customers", json={**body, "extra": 1}, headers=side.auth()),
        http.post("/api/v1/customers", json={**body, "id": str(uuid.uuid4())},
                  headers=side.auth()),
        http.post("/api/v1/customers", json={"email": "x@example.com"}, headers=side.auth()),
        http.post("/api/v1/customers", json={**body, "name": 5}, headers=side.auth()),
        http.post("/api/v1/customers", json={**body, "email": "not an e-mail"},
                  headers=side.auth()),
        http.post("/api/v1/customers", content=b"name=Ada",
                  headers=side.auth(**{"Content-Type": "text/plain"})),
        http.post("/api/v1/customers", content=b"", headers=side.auth(
            **{"Content-Type": "application/json"})),
        http.post("/api/v1/customers", content=b'{"name": ', headers=side.auth(
            **{"Content-Type": "application/json"})),
        http.post("/api/v1/customers", content=b'{"name": NaN}', headers=side.auth(
            **{"Content-Type": "application/json"})),
        http.post("/api/v1/customers", json=body, headers=side.auth(
            **{"Content-Type": "application/merge-patch+json"})),
        http.post("/api/v1/customers", json=body, headers=side.auth()),
        http.patch(one, json={"name": "Ada L."}, headers=side.auth()),
        http.patch(one, json={"name": "Ada L."}, headers=side.auth(**{"If-Match": '"9"'})),
        http.patch(one, json={"name": "Ada L."}, headers=side.auth(**{"If-Match": '"1"'})),
        http.patch(one, json={"name": 1}, headers=side.auth(**{"If-Match": '"2"'})),
        http.get(one, headers=side.auth()),
        http.get("/api/v1/customers?limit=abc", headers=side.auth()),
        http.get("/api/v1/customers?limit=100000", headers=side.auth()),
        http.get("/api/v1/customers?bogus=1", headers=side.auth()),
        http.get("/api/v1/customers?limit=1&sort=-created_at", headers=side.auth()),
        http.get("/api/v1/customers?tag=vip", headers=side.auth()),
        http.post("/api/v1/customers/search", json={"filter": {"tag": "vip"}},
                  headers=side.auth()),
        http.delete("/api/v1/customers", headers=side.auth()),
        http.get("/api/v1/nowhere", headers=side.auth()),
        http.get("/api/v1/customers/", headers=side.auth()),
        http.get("/api/v1/health/live"),
        http.delete(one, headers=side.auth(**{"If-Match": '"2"'})),
        http.get(one, headers=side.auth()),
    ]


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """How each request that reached the fast route ended: (how, status answered)."""
    taken: list[tuple[str, int]] = []
    original = FastOperation.__call__

    async def spy(self: FastOperation, scope: Any, receive: Any, send: Any,
                  path_params: dict[str, str]) -> bool:
        status = 0

        async def seen(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            served = await original(self, scope, receive, seen, path_params)
        except Exception as exc:
            taken.append(("raised", int(getattr(exc, "status", 0) or 0)))
            raise
        taken.append(("served" if served else "left", status))
        return served

    monkeypatch.setattr(FastOperation, "__call__", spy)
    return taken


def test_the_fast_route_answers_as_connexion_does(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    taken = _spy(monkeypatch)
    got = _same(tmp_path, _customers)
    statuses = [response.status_code for response in got]
    # the sequence covers what it claims: success, replay, refusals of every kind
    assert {200, 201, 204, 304, 400, 401, 403, 404, 405, 406, 412, 415, 422, 428} <= set(
        statuses), statuses
    # and the fast route answered most of them itself, errors included
    assert {status for how, status in taken if how == "served"} >= {200, 201, 204, 304}
    assert {status for how, status in taken if how == "raised"} >= {400, 401, 403, 404, 406,
                                                                     412, 422, 428}
    assert ("left", 0) in taken  # a body that is not JSON, an empty one: Connexion's


def _rate_limited(side: Side) -> list[httpx.Response]:
    return [side.client.get("/api/v1/customers?limit=1", headers=side.auth())
            for _ in range(5)]


def test_the_rate_limit_is_counted_and_answered_alike(tmp_path: Path) -> None:
    # a window of an hour: the five requests of each side fall in the same one
    got = _same(tmp_path, _rate_limited, SPECFIRST_SERVER_RATE_LIMIT="3",
                SPECFIRST_SERVER_RATE_WINDOW="3600")
    assert [response.status_code for response in got] == [200, 200, 200, 429, 429]
    assert got[3].headers["retry-after"]


def test_the_fast_route_can_be_turned_off() -> None:
    assert ServerSettings.from_env({}).fast_route is True
    assert ServerSettings.from_env({"SPECFIRST_SERVER_FAST_ROUTE": "false"}).fast_route is False


PETS = """\
openapi: 3.0.3
info: {title: Pets, version: '1'}
servers: [{url: /v2}]
paths:
  /pets/{petId}:
    get:
      operationId: getPet
      parameters:
        - {name: petId, in: path, required: true, schema: {type: integer}}
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: integer}}}}
  /pets/{name}/toys:
    get:
      operationId: listToys
      parameters:
        - {name: name, in: path, required: true, schema: {type: string}}
        - {name: session, in: cookie, schema: {type: string}}
        - {name: X-Trace, in: header, schema: {type: string, maxLength: 4}}
        - {name: max, in: query, schema: {type: integer, default: 2, maximum: 5}}
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: array}}}}
  /pets/{name}/notes:
    post:
      operationId: addNote
      parameters:
        - {name: name, in: path, required: true, schema: {type: string}}
        - {name: X-Trace, in: header, schema: {type: string, maxLength: 4}}
        - {name: tags, in: query, schema: {type: array, items: {type: string}}}
        - {name: max, in: query, schema: {type: integer, default: 2, maximum: 5}}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [text]
              additionalProperties: false
              properties: {text: {type: string, maxLength: 10}}
          application/x-www-form-urlencoded:
            schema: {type: object, properties: {text: {type: string}}}
      responses:
        '201': {description: ok, content: {application/json: {schema: {type: object}}}}
"""

PET_HANDLERS = '''\
def get_pet(pet_id):
    return pet_id


def list_toys(name, max=None):
    return [name, max]


def add_note(name, body, tags=None, max=None):
    return {"name": name, "body": body, "tags": tags, "max": max}, 201
'''


def test_any_spec_answers_alike_and_leaves_what_it_cannot_serve_to_connexion(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pets.yaml").write_text(PETS)
    package = tmp_path / "pkg" / "fastpets"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    for module in ("default", "pets"):
        (package / f"{module}.py").write_text(PET_HANDLERS)
    monkeypatch.syspath_prepend(str(tmp_path / "pkg"))

    def requests(client: TestClient) -> list[httpx.Response]:
        return [
            client.get("/v2/pets/7"),
            client.get("/v2/pets/seven"),
            client.get("/v2/pets/rex/toys"),
            client.get("/v2/pets/rex/toys?max=9"),
            client.post("/v2/pets/rex/notes?tags=a,b&max=3", json={"text": "hi"}),
            client.post("/v2/pets/rex/notes", json={"text": "far too long a note"}),
            client.post("/v2/pets/rex/notes", json={"text": "hi"},
                        headers={"X-Trace": "toolong"}),
            client.post("/v2/pets/rex/notes?max=6", json={"text": "hi"}),
            client.post("/v2/pets/rex/notes", data={"text": "hi"}),
            client.post("/v2/pets/rex/notes"),
            client.get("/v2/pets/rex/notes"),
        ]

    answers = []
    for fast in (True, False):
        app = create_app(tmp_path / "pets.yaml", "fastpets", _settings(tmp_path, fast))
        with TestClient(app) as client:
            answers.append(_shown(requests(client)))
            route = _fast_route(client)
            if fast:
                assert route is not None
                # integer path parameters and cookie parameters stay with Connexion
                assert _functions(route) == {"add_note"}
    assert answers[0] == answers[1]
    assert [line.split("\n", 1)[0] for line in answers[0]] == [
        "200", "404", "200", "400", "201", "400", "400", "400", "201", "400", "405"]
