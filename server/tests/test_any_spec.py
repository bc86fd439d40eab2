"""Serving a spec nobody here wrote: a small bookshop, in OpenAPI 3.0 with bearer auth and in 3.1
with an API key, served by `specfirst serve` from a project folder that holds only the spec, a
handler package of plain functions returning dicts, and `[tool.specfirst]`. Nothing of the CRM
appears: not its tables, not its problem types, not its database name."""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from specfirst.server.tests.live import free_port

START_TIMEOUT_S = 60.0
CLI = [sys.executable, "-m", "specfirst.contract_tests.cli"]

PROBLEM_RESPONSE = """\
      description: A problem.
      content:
        application/problem+json:
          schema: {$ref: '#/components/schemas/Problem'}
"""

SPEC_30 = """\
openapi: 3.0.3
info: {title: Bookshop, version: '1.0.0'}
servers: [{url: /v1}]
security: [{bearer: []}]
tags: [{name: books}]
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
  schemas:
    Book:
      type: object
      required: [id, title]
      properties:
        id: {type: integer}
        title: {type: string}
        subtitle: {type: string, nullable: true}
    NewBook:
      type: object
      required: [title]
      properties:
        title: {type: string}
        subtitle: {type: string, nullable: true}
    Problem:
      type: object
      properties:
        type: {type: string}
        title: {type: string}
        status: {type: integer}
        detail: {type: string}
  responses:
    Problem:
PROBLEM
paths:
  /books:
    get:
      operationId: list_books
      tags: [books]
      responses:
        '200':
          description: The books.
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Book'}}
        '401': {$ref: '#/components/responses/Problem'}
    post:
      operationId: create_book
      tags: [books]
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/NewBook'}
      responses:
        '201':
          description: Created.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Book'}
        '400': {$ref: '#/components/responses/Problem'}
        '401': {$ref: '#/components/responses/Problem'}
  /books/{bookId}:
    parameters:
      - {name: bookId, in: path, required: true, schema: {type: integer}}
    get:
      operationId: get_book
      tags: [books]
      responses:
        '200':
          description: The book.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Book'}
        '401': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
    delete:
      operationId: delete_book
      tags: [books]
      responses:
        '204': {description: Deleted.}
        '401': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
""".replace("PROBLEM\n", textwrap.indent(PROBLEM_RESPONSE, "  "))


def _spec_31() -> str:
    spec = SPEC_30.replace("openapi: 3.0.3", "openapi: 3.1.0")
    spec = spec.replace("security: [{bearer: []}]", "security: [{key: []}]")
    spec = spec.replace("bearer: {type: http, scheme: bearer}",
                        "key: {type: apiKey, in: header, name: X-API-Key}")
    spec = spec.replace("{type: string, nullable: true}", "{type: [string, 'null']}")
    return spec + textwrap.dedent("""\
        webhooks:
          bookAdded:
            post:
              operationId: book_added
              requestBody:
                content:
                  application/json:
                    schema: {$ref: '#/components/schemas/Book'}
              responses:
                '200': {description: Received.}
        """)


HANDLERS = '''\
"""The bookshop's handlers: plain functions, an in-memory store."""

from specfirst.server import Problem

BOOKS: dict[int, dict[str, object]] = {}


def list_books():
    return sorted(BOOKS.values(), key=lambda book: book["id"])


def create_book(body):
    book = {"id": len(BOOKS) + 1, **body}
    BOOKS[book["id"]] = book
    return book, 201


def get_book(book_id):
    if book_id not in BOOKS:
        raise Problem(404, "No such book.")
    return BOOKS[book_id]


def delete_book(book_id):
    if BOOKS.pop(book_id, None) is None:
        raise Problem(404, "No such book.")
    return None, 204
'''


def make_project(folder: Path, spec: str, handlers: str = HANDLERS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pyproject.toml").write_text(textwrap.dedent("""\
        [project]
        name = "bookshop"
        version = "0.1.0"

        [tool.specfirst]
        spec = "bookshop.yaml"
        """), encoding="utf-8")
    (folder / "bookshop.yaml").write_text(spec, encoding="utf-8")
    (folder / "handlers").mkdir(exist_ok=True)
    (folder / "handlers" / "__init__.py").write_text("", encoding="utf-8")
    (folder / "handlers" / "books.py").write_text(handlers, encoding="utf-8")
    return folder


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SPECFIRST_") and k not in ("DATABASE_URL", "PYTHONPATH")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


@dataclass
class Served:
    folder: Path
    url: str
    process: subprocess.Popen[bytes]

    def token(self) -> str:
        done = subprocess.run([*CLI, "admin", "token", "create", "--tenant", "shop"],
                              cwd=self.folder, env=_environment(), capture_output=True,
                              text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip().splitlines()[-1]


@pytest.fixture()
def serve(tmp_path: Path) -> Iterator[Callable[[str], Served]]:
    started: list[Served] = []

    def start(spec: str) -> Served:
        folder = make_project(tmp_path / f"bookshop{len(started)}", spec)
        port = free_port()
        log = (folder / "serve.log").open("wb")
        process = subprocess.Popen([*CLI, "serve", "--port", str(port)], cwd=folder,
                                   env=_environment(), stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        served = Served(folder, f"http://127.0.0.1:{port}", process)
        started.append(served)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            assert process.poll() is None, (folder / "serve.log").read_text()
            try:
                httpx.get(served.url + "/v1/books", timeout=1)
                return served
            except httpx.HTTPError:
                time.sleep(0.1)
        raise AssertionError(f"not ready:\n{(folder / 'serve.log').read_text()}")

    yield start
    for served in started:
        served.process.terminate()
        try:
            served.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            served.process.kill()
            served.process.wait(timeout=20)


CRM = re.compile(r"crm", re.IGNORECASE)
CRM_TABLES = {"customers", "companies", "deals", "tickets", "users", "changes", "webhooks",
              "import_jobs", "idempotency_keys", "pipelines", "stages", "activities"}


def _exercise(served: Served, auth: dict[str, str]) -> None:
    base = served.url + "/v1"
    unauthenticated = httpx.get(base + "/books", timeout=10)
    assert unauthenticated.status_code == 401
    assert unauthenticated.headers["content-type"] == "application/problem+json"
    assert unauthenticated.json()["type"] == "about:blank"

    created = httpx.post(base + "/books", json={"title": "Dune", "subtitle": None},
                         headers=auth, timeout=10)
    assert created.status_code == 201, created.text
    assert created.headers["content-type"] == "application/json"
    book = created.json()
    assert book == {"id": 1, "title": "Dune", "subtitle": None}

    listed = httpx.get(base + "/books", headers=auth, timeout=10)
    assert listed.status_code == 200 and listed.json() == [book]
    assert listed.headers["content-type"] == "application/json"

    fetched = httpx.get(base + "/books/1", headers=auth, timeout=10)
    assert fetched.status_code == 200 and fetched.json() == book

    missing = httpx.get(base + "/books/99", headers=auth, timeout=10)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["type"] == "about:blank"
    assert missing.json()["detail"] == "No such book."

    invalid = httpx.post(base + "/books", json={"subtitle": "no title"}, headers=auth,
                         timeout=10)
    assert invalid.status_code == 400
    assert invalid.headers["content-type"] == "application/problem+json"

    deleted = httpx.delete(base + "/books/1", headers=auth, timeout=10)
    assert deleted.status_code == 204 and deleted.content == b""
    for answer in (unauthenticated, created, listed, fetched, missing, invalid):
        assert not CRM.search(answer.text), answer.text
    assert httpx.get(served.url + "/api/v1/health/live", timeout=10).status_code == 404


def _assert_no_crm_on_disk(served: Served) -> None:
    files = sorted(p.name for p in (served.folder / ".specfirst").iterdir())
    assert "bookshop.db" in files
    assert not any(CRM.search(name) for name in files)
    with sqlite3.connect(served.folder / ".specfirst" / "bookshop.db") as conn:
        tables = {row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"specfirst_tokens", "specfirst_tenants", "specfirst_rate_limits",
            "specfirst_migrations"} <= tables
    assert not tables & CRM_TABLES
    assert {t for t in tables if not t.startswith(("specfirst_", "sqlite_"))} == set()
    assert not CRM.search((served.folder / "serve.log").read_text())


def test_a_30_bearer_bookshop_is_served_from_its_configuration(
        serve: Callable[[str], Served]) -> None:
    served = serve(SPEC_30)
    token = served.token()
    _exercise(served, {"Authorization": f"Bearer {token}"})
    _assert_no_crm_on_disk(served)


def test_a_31_api_key_bookshop_is_served_from_its_configuration(
        serve: Callable[[str], Served]) -> None:
    served = serve(_spec_31())
    token = served.token()
    _exercise(served, {"X-API-Key": token})
    _assert_no_crm_on_disk(served)


def _serve_once(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, "serve", "--port", str(free_port())], cwd=folder,
                          env=_environment(), capture_output=True, text=True, timeout=120,
                          check=False)


@pytest.mark.parametrize("source,shown", [
    ("import bookshop_dependency_that_is_missing\n",
     "ModuleNotFoundError: No module named 'bookshop_dependency_that_is_missing'"),
    ("def broken(:\n", "SyntaxError"),
    ("raise RuntimeError('no configuration for the shop')\n",
     "RuntimeError: no configuration for the shop"),
])
def test_a_handler_package_that_cannot_be_imported_is_exit_2(tmp_path: Path, source: str,
                                                            shown: str) -> None:
    folder = make_project(tmp_path / "broken", SPEC_30)
    (folder / "handlers" / "__init__.py").write_text(source, encoding="utf-8")
    done = _serve_once(folder)
    assert done.returncode == 2, done.stderr
    assert shown in done.stderr
    assert "Traceback" not in done.stderr and "serving on" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines[0].startswith("error: cannot import the handler package 'handlers'")
    assert len(lines) <= 3, done.stderr  # the error (one or two lines) and a hint


def test_a_missing_handler_package_is_exit_2(tmp_path: Path) -> None:
    folder = make_project(tmp_path / "nohandlers", SPEC_30)
    done = subprocess.run([*CLI, "serve", "--handlers", "no_such_handlers_package"],
                          cwd=folder, env=_environment(), capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 2
    assert "No module named 'no_such_handlers_package'" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_database_is_named_for_the_project_else_its_folder(tmp_path: Path) -> None:
    from specfirst.generator.config import default_database_url, project_name

    named = make_project(tmp_path / "x", SPEC_30)
    assert project_name(named) == "bookshop"
    assert default_database_url(named) == (
        f"sqlite:///{(named / '.specfirst' / 'bookshop.db').as_posix()}")
    bare = tmp_path / "My Shop!"
    bare.mkdir()
    if (tmp_path / "pyproject.toml").exists():  # pragma: no cover - tmp_path has none
        pytest.skip("a pyproject.toml above tmp_path")
    assert project_name(bare) == "My-Shop"


RETURNS_SPEC = """\
openapi: 3.0.3
info: {title: Returns, version: '1'}
servers: [{url: /v1}]
paths:
  /things/{kind}:
    parameters:
      - {name: kind, in: path, required: true, schema: {type: string}}
    get:
      operationId: get_thing
      tags: [things]
      responses:
        '200':
          description: A thing.
          content:
            application/json:
              schema: {type: object}
        '2XX':
          description: Another success.
          content:
            application/vnd.thing+json:
              schema: {type: object}
        '404':
          description: Not found.
          content:
            application/problem+json:
              schema: {type: object}
        default:
          description: A problem.
          content:
            application/problem+json:
              schema: {type: object}
            text/plain:
              schema: {type: string}
"""

RETURNS_HANDLERS = '''\
from specfirst.server import Problem


def get_thing(kind):
    if kind == "dict":
        return {"kind": kind}
    if kind == "pair":
        return {"kind": kind}, 200
    if kind == "triple":
        return {"kind": kind}, 200, {"X-Thing": "yes"}
    if kind == "accepted":
        return {"kind": kind}, 202
    if kind == "missing":
        return {"type": "about:blank", "title": "Not Found", "status": 404}, 404
    if kind == "text":
        return "teapot", 418
    if kind == "conflict":
        return {"type": "about:blank", "title": "Conflict", "status": 409}, 409
    raise Problem(404, "No such thing.")
'''


@contextlib.contextmanager
def served(tmp_path: Path, spec: str, package: str, handlers: str, *,
           database_url: str | None = None, env: dict[str, str] | None = None) -> Iterator[Any]:
    """A TestClient of `create_app` on `spec`, its `things` tag handled by `handlers` (on a new
    SQLite database unless `database_url`; `env`: server settings)."""
    from specfirst.server import create_app
    from specfirst.server.settings import ServerSettings
    from starlette.testclient import TestClient

    (tmp_path / "api.yaml").write_text(spec, encoding="utf-8")
    (tmp_path / package).mkdir()
    (tmp_path / package / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / package / "things.py").write_text(handlers, encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    try:
        settings = ServerSettings.from_env(
            env or {}, database_url=database_url or f"sqlite:///{tmp_path / 'api.db'}")
        app = create_app(tmp_path / "api.yaml", handlers=package, settings=settings)
        with TestClient(app) as client:
            yield client
    finally:
        sys.path.remove(str(tmp_path))


def test_dict_and_tuple_returns_get_the_documented_media_type(tmp_path: Path) -> None:
    with served(tmp_path, RETURNS_SPEC, "returns_handlers", RETURNS_HANDLERS) as client:
        answers = {kind: client.get(f"/v1/things/{kind}") for kind in (
            "dict", "pair", "triple", "accepted", "missing", "text", "conflict", "other")}
    expected = {
        "dict": (200, "application/json"),
        "pair": (200, "application/json"),
        "triple": (200, "application/json"),
        "accepted": (202, "application/vnd.thing+json"),
        "missing": (404, "application/problem+json"),
        "text": (418, "text/plain"),
        "conflict": (409, "application/problem+json"),
        "other": (404, "application/problem+json"),
    }
    assert {kind: (r.status_code, r.headers["content-type"].split(";")[0])
            for kind, r in answers.items()} == expected, {k: r.text for k, r in answers.items()}
    assert answers["triple"].headers["x-thing"] == "yes"
    assert answers["dict"].json() == {"kind": "dict"}
    assert answers["text"].text == "teapot"
    assert answers["other"].json()["detail"] == "No such thing."
    assert answers["other"].json()["type"] == "about:blank"


def test_create_app_without_a_spec_serves_the_configured_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from specfirst.generator.errors import ConfigError
    from specfirst.server import create_app
    from specfirst.server.app import create_app as compatible_create_app
    from specfirst.server.settings import ServerSettings
    from starlette.testclient import TestClient

    folder = make_project(tmp_path / "configured", SPEC_30, HANDLERS.replace(
        "BOOKS: dict[int, dict[str, object]] = {}", "BOOKS = {7: {'id': 7, 'title': 'Emma'}}"))
    (folder / "handlers").rename(folder / "configured_handlers")
    with (folder / "pyproject.toml").open("a", encoding="utf-8") as config:
        config.write('handlers-package = "configured_handlers"\n')
    monkeypatch.chdir(folder)
    monkeypatch.syspath_prepend(str(folder))
    from specfirst.server.db import Database
    from specfirst.server.security import create_token

    settings = ServerSettings.from_env({}, database_url=f"sqlite:///{tmp_path / 'c.db'}")
    for factory in (create_app, compatible_create_app):
        with TestClient(factory(settings=settings)) as client:
            assert client.get("/v1/books/7").status_code == 401  # the bookshop's own security
            db = Database.from_url(settings.database_url)
            token, _ = create_token(db, "shop")
            db.dispose()
            book = client.get("/v1/books/7", headers={"Authorization": f"Bearer {token}"})
            assert book.status_code == 200 and book.json() == {"id": 7, "title": "Emma"}
            assert client.get("/api/v1/health/live").status_code == 404
    (folder / "bookshop.yaml").unlink()
    with pytest.raises(ConfigError, match="bookshop.yaml does not exist"):
        compatible_create_app(settings=settings)


NEGOTIATION_SPEC = RETURNS_SPEC + """\
  /plain:
    get:
      operationId: get_plain
      tags: [things]
      responses:
        '200':
          description: Documents no error at all.
          content:
            application/json:
              schema: {type: object}
"""


def test_an_accept_header_that_allows_nothing_documented_is_406(tmp_path: Path) -> None:
    handlers = RETURNS_HANDLERS + "\n\ndef get_plain():\n    return {'plain': True}\n"
    with served(tmp_path, NEGOTIATION_SPEC, "negotiation_handlers", handlers) as client:
        def status(path: str, accept: str) -> int:
            return int(client.get(path, headers={"Accept": accept}).status_code)

        refused = client.get("/v1/things/dict", headers={"Accept": "application/xml"})
        assert refused.status_code == 406
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert "application/json" in refused.json()["detail"]
        assert status("/v1/things/dict", "application/json;q=0, text/html") == 406
        # the 2XX answer's own media type, a range, a wildcard with low quality: accepted
        assert status("/v1/things/dict", "application/vnd.thing+json") == 200
        assert status("/v1/things/dict", "application/*") == 200
        assert status("/v1/things/dict", "text/html, */*;q=0.1") == 200
        # an operation that documents no 406, 4XX or default disregards the header
        assert status("/v1/plain", "application/xml") == 200
