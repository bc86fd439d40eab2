"""`write_grouped_async` from a user's `async def` handler: the write runs on the writer thread
on SQLite (a worker thread on PostgreSQL), in the request's context, and the handler answers
after the commit; concurrent requests are all answered and all stored."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from specfirst.server.tests.conftest import BACKENDS
from specfirst.server.tests.test_any_spec import served

SPEC = """\
openapi: 3.0.3
info: {title: Books, version: '1'}
servers: [{url: /v1}]
paths:
  /books:
    post:
      operationId: create_book
      tags: [things]
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [id, title]
              properties:
                id: {type: string}
                title: {type: string}
      responses:
        '201':
          description: Stored.
          headers:
            Location: {schema: {type: string}}
          content:
            application/json:
              schema:
                type: object
                required: [id, title, trace, ran_on]
                properties:
                  id: {type: string}
                  title: {type: string}
                  trace: {type: string}
                  ran_on: {type: string}
        '409':
          description: Taken.
          content:
            application/problem+json:
              schema: {type: object}
  /books/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    get:
      operationId: get_book
      tags: [things]
      responses:
        '200':
          description: The book.
          content:
            application/json:
              schema: {type: object}
        '404':
          description: Not found.
          content:
            application/problem+json:
              schema: {type: object}
"""

HANDLERS = '''\
import threading

from connexion import request
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from specfirst.server import Problem, first_row, get_db

DDL = "CREATE TABLE IF NOT EXISTS books (id VARCHAR(40) PRIMARY KEY, title TEXT, trace TEXT)"


async def create_book(body):
    def insert(conn):
        conn.execute(text(DDL))
        trace = request.headers.get("x-trace", "")  # the request's context, on this thread
        conn.execute(text("INSERT INTO books (id, title, trace) VALUES (:id, :title, :trace)"),
                     {**body, "trace": trace})
        return {**body, "trace": trace, "ran_on": threading.current_thread().name}

    try:
        book = await get_db().write_grouped_async(insert)
    except IntegrityError:
        raise Problem(409, "That id is taken.") from None
    return book, 201, {"Location": f"/v1/books/{book['id']}"}


def get_book(id_):
    row = first_row(get_db(), "SELECT id, title, trace FROM books WHERE id = :id", {"id": id_})
    if row is None:
        raise Problem(404, "No such book.")
    return {"id": row[0], "title": row[1], "trace": row[2]}
'''


@pytest.mark.parametrize("backend_url", BACKENDS, indirect=True)
def test_an_async_handler_awaits_its_grouped_write(tmp_path: Path, backend_url: str) -> None:
    local = backend_url.startswith("sqlite")
    with served(tmp_path, SPEC, "async_write_handlers", HANDLERS,
                database_url=backend_url) as client:
        first = client.post("/v1/books", json={"id": "b0", "title": "First"},
                            headers={"X-Trace": "t0"})
        assert first.status_code == 201, first.text

        def create(n: int) -> tuple[int, dict[str, str], str]:
            answer = client.post("/v1/books", json={"id": f"b{n}", "title": f"Book {n}"},
                                 headers={"X-Trace": f"t{n}"})
            return answer.status_code, answer.json(), answer.headers.get("location", "")

        with ThreadPoolExecutor(12) as pool:
            answers = list(pool.map(create, range(1, 25)))
        taken = client.post("/v1/books", json={"id": "b3", "title": "Again"})
        stored = {n: client.get(f"/v1/books/b{n}") for n in range(25)}

    # the writer thread on SQLite, a worker thread of its own on PostgreSQL
    assert (first.json()["ran_on"] == "specfirst-group-commit") is local
    for n, (status, body, location) in enumerate(answers, start=1):
        assert status == 201, body
        assert (body["id"], body["trace"], location) == (f"b{n}", f"t{n}", f"/v1/books/b{n}")
    assert taken.status_code == 409  # one failing write is its caller's alone
    assert taken.headers["content-type"].startswith("application/problem+json")
    for n, answer in stored.items():
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"id": f"b{n}", "title": "First" if n == 0 else f"Book {n}",
                                 "trace": f"t{n}"}
