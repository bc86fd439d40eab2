"""`@point_read`: a marked sync handler runs on the event loop on SQLite, in a worker thread on
other databases; unmarked sync handlers always in a worker thread; answers are the same."""

from __future__ import annotations

from pathlib import Path

import pytest
from specfirst.server.tests.conftest import BACKENDS
from specfirst.server.tests.test_any_spec import served

SPEC = """\
openapi: 3.0.3
info: {title: Where handlers run, version: '1'}
servers: [{url: /v1}]
paths:
  /marked/{key}:
    parameters:
      - {name: key, in: path, required: true, schema: {type: string}}
    get:
      operationId: get_marked
      tags: [things]
      responses:
        '200':
          description: Where the handler ran.
          content:
            application/json:
              schema:
                type: object
                required: [ran, key]
                properties:
                  ran: {type: string, enum: [loop, thread]}
                  key: {type: string}
        '404':
          description: Not found.
          content:
            application/problem+json:
              schema: {type: object}
  /plain/{key}:
    parameters:
      - {name: key, in: path, required: true, schema: {type: string}}
    get:
      operationId: get_plain
      tags: [things]
      responses:
        '200':
          description: Where the handler ran.
          content:
            application/json:
              schema: {type: object}
"""

HANDLERS = '''\
import asyncio

from specfirst.server import Problem, point_read


def _where():
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return "thread"
    return "loop"


@point_read
def get_marked(key):
    if key == "missing":
        raise Problem(404, "No such thing.")
    return {"ran": _where(), "key": key}


def get_plain(key):
    return {"ran": _where(), "key": key}
'''


@pytest.mark.parametrize("fast_route", [True, False], ids=["fast-route", "connexion-stack"])
@pytest.mark.parametrize("backend_url", BACKENDS, indirect=True)
def test_a_point_read_runs_on_the_loop_only_on_sqlite(tmp_path: Path, backend_url: str,
                                                      fast_route: bool) -> None:
    local = backend_url.startswith("sqlite")
    with served(tmp_path, SPEC, f"point_read_{'fast' if fast_route else 'stack'}_handlers",
                HANDLERS, database_url=backend_url,
                env={"SPECFIRST_SERVER_FAST_ROUTE": str(fast_route).lower()}) as client:
        marked = client.get("/v1/marked/a")
        plain = client.get("/v1/plain/b")
        missing = client.get("/v1/marked/missing")
    assert marked.status_code == 200, marked.text
    assert marked.json() == {"ran": "loop" if local else "thread", "key": "a"}
    assert plain.status_code == 200, plain.text
    assert plain.json() == {"ran": "thread", "key": "b"}
    # a problem raised on the loop is answered as one raised in a worker thread
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert missing.json()["detail"] == "No such thing."


def test_the_marker_survives_functools_wraps() -> None:
    import functools

    from specfirst.server import point_read
    from specfirst.server.point_reads import is_point_read

    @point_read
    def handler() -> None:
        return None

    @functools.wraps(handler)
    def logged() -> None:
        return handler()

    assert is_point_read(handler) and is_point_read(logged)
    assert not is_point_read(lambda: None)
