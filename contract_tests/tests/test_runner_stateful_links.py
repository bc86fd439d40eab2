"""The stateful phase follows every declared link: create → read, update with the `ETag` of the
create in `If-Match`, delete. A small Starlette app serves a small spec; its update and delete
answer 2xx only to the id and current `ETag` a create returned, which no random request has."""

from __future__ import annotations

import textwrap
import uuid
from pathlib import Path
from typing import Any

import pytest
from specfirst.contract_tests.runner import RunOptions, RunResult, run_contract_tests
from specfirst.contract_tests.runner.links import declared_links, merge_body
from specfirst.contract_tests.runner.schemathesis_compat import (
    ScenarioRecorder,
    stateful_transition_id,
)
from specfirst.generator.loader import Spec
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

SPEC = textwrap.dedent("""\
    openapi: 3.0.3
    info: {title: Items, version: "1.0"}
    paths:
      /items:
        post:
          operationId: create_item
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/NewItem'}
          responses:
            '201':
              description: Created.
              headers:
                ETag: {schema: {type: string}}
                Location: {schema: {type: string}}
              content:
                application/json:
                  schema: {$ref: '#/components/schemas/Item'}
              links:
                GetItem:
                  operationId: get_item
                  parameters: {id: $response.body#/id}
                UpdateItem:
                  operationId: update_item
                  parameters: {id: $response.body#/id, header.If-Match: $response.header.ETag}
                DeleteItem:
                  operationId: delete_item
                  parameters: {id: $response.body#/id, header.If-Match: $response.header.ETag}
            '400': {$ref: '#/components/responses/Problem'}
      /items/{id}:
        parameters:
          - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
        get:
          operationId: get_item
          responses:
            '200':
              description: The item.
              headers:
                ETag: {schema: {type: string}}
              content:
                application/json:
                  schema: {$ref: '#/components/schemas/Item'}
            '400': {$ref: '#/components/responses/Problem'}
            '404': {$ref: '#/components/responses/Problem'}
        patch:
          operationId: update_item
          parameters:
            - {$ref: '#/components/parameters/IfMatch'}
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/NewItem'}
          responses:
            '200':
              description: Updated.
              headers:
                ETag: {schema: {type: string}}
              content:
                application/json:
                  schema: {$ref: '#/components/schemas/Item'}
            '400': {$ref: '#/components/responses/Problem'}
            '404': {$ref: '#/components/responses/Problem'}
            '412': {$ref: '#/components/responses/Problem'}
        delete:
          operationId: delete_item
          parameters:
            - {$ref: '#/components/parameters/IfMatch'}
          responses:
            '204': {description: Deleted.}
            '400': {$ref: '#/components/responses/Problem'}
            '404': {$ref: '#/components/responses/Problem'}
            '412': {$ref: '#/components/responses/Problem'}
    components:
      parameters:
        IfMatch:
          name: If-Match
          in: header
          required: true
          schema: {type: string, minLength: 1, maxLength: 40}
      responses:
        Problem:
          description: A problem.
          content:
            application/problem+json:
              schema:
                type: object
                required: [title, status]
                properties:
                  title: {type: string}
                  status: {type: integer}
      schemas:
        NewItem:
          type: object
          additionalProperties: false
          required: [name]
          properties:
            name: {type: string, minLength: 1, maxLength: 20}
        Item:
          type: object
          required: [id, name, version]
          properties:
            id: {type: string, format: uuid}
            name: {type: string}
            version: {type: integer}
    """)


def _problem(status: int, title: str) -> Response:
    return JSONResponse({"title": title, "status": status}, status_code=status,
                        media_type="application/problem+json")


def items_app(*, delete_crashes: bool = False) -> Starlette:
    """The Items API in memory; with `delete_crashes`, a delete with the current `ETag` of an
    existing item answers 500 (a bug only the link chain reaches)."""
    items: dict[str, dict[str, Any]] = {}

    def etag(item: dict[str, Any]) -> str:
        return f'"{item["id"][:8]}-{item["version"]}"'

    def answer(item: dict[str, Any], status: int = 200) -> Response:
        headers = {"ETag": etag(item)}
        if status == 201:
            headers["Location"] = f"/items/{item['id']}"
        return JSONResponse(item, status_code=status, headers=headers)

    async def body_name(request: Request) -> str | None:
        try:
            body = await request.json()
        except ValueError:
            return None
        if not isinstance(body, dict) or set(body) != {"name"}:
            return None
        name = body["name"]
        return name if isinstance(name, str) and 1 <= len(name) <= 20 else None

    async def create(request: Request) -> Response:
        name = await body_name(request)
        if name is None:
            return _problem(400, "Bad request")
        key = str(uuid.uuid4())
        item: dict[str, Any] = {"id": key, "name": name, "version": 1}
        items[key] = item
        return answer(item, 201)

    def found(request: Request) -> dict[str, Any] | Response:
        key = request.path_params["id"]
        try:
            uuid.UUID(key)
        except ValueError:
            return _problem(400, "Bad id")
        item = items.get(key)
        return item if item is not None else _problem(404, "Not found")

    def precondition(request: Request, item: dict[str, Any]) -> Response | None:
        value = request.headers.get("if-match")
        if not value:
            return _problem(400, "If-Match required")
        return None if value == etag(item) else _problem(412, "Stale ETag")

    async def one(request: Request) -> Response:
        item = found(request)
        if isinstance(item, Response):
            return item
        if request.method == "GET":
            return answer(item)
        failed = precondition(request, item)
        if failed is not None:
            return failed
        if request.method == "DELETE":
            if delete_crashes:
                return Response("boom", status_code=500)
            del items[item["id"]]
            return Response(status_code=204)
        name = await body_name(request)
        if name is None:
            return _problem(400, "Bad request")
        item.update(name=name, version=item["version"] + 1)
        return answer(item)

    return Starlette(routes=[Route("/items", create, methods=["POST"]),
                             Route("/items/{id}", one, methods=["GET", "PATCH", "DELETE"])])


@pytest.fixture(scope="module")
def items_spec(tmp_path_factory: pytest.TempPathFactory) -> Spec:
    path: Path = tmp_path_factory.mktemp("items") / "items.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return Spec.from_path(path)


def run(spec: Spec, app: Starlette) -> RunResult:
    # One scenario of Schemathesis' own: a handful of random steps that rarely get a 2xx past
    # the create, so what follows the links to their 2xx is the walk.
    return run_contract_tests(spec, RunOptions(app=app, seed=3, max_examples=1,
                                               phases=("stateful",)))


def test_declared_links_are_read_from_the_spec(items_spec: Spec) -> None:
    links = declared_links(items_spec.document)
    assert [(link.source, link.status, link.name, link.target) for link in links] == [
        ("POST /items", "201", "GetItem", "GET /items/{id}"),
        ("POST /items", "201", "UpdateItem", "PATCH /items/{id}"),
        ("POST /items", "201", "DeleteItem", "DELETE /items/{id}"),
    ]


def test_a_link_by_operation_ref_names_its_target_and_a_dangling_one_is_left_out() -> None:
    ok = {"description": "x"}
    document = {"paths": {
        "/a": {"post": {"responses": {"201": {"description": "x", "links": {
            "ByRef": {"operationRef": "#/paths/~1b~1%7Bid%7D/get"},
            "Dangling": {"operationRef": "#/paths/~1nowhere/get"},
            "Unknown": {"operationId": "nope"}}}}}},
        "/b/{id}": {"get": {"responses": {"200": ok}}},
    }}
    assert [(link.name, link.target) for link in declared_links(document)] == [
        ("ByRef", "GET /b/{id}")]


def test_every_link_is_followed_and_every_operation_reaches_a_2xx(items_spec: Spec) -> None:
    result = run(items_spec, items_app())
    assert result.failures == [], [f.title for f in result.failures]
    assert not result.failed
    assert len(result.links) == 3
    for link in result.links.values():
        assert link.followed, link.key
        assert link.succeeded, (link.key, link.seen_statuses)
    for operation in result.operations.values():
        assert any(200 <= code < 300 for code in operation.seen_statuses), \
            (operation.label, operation.seen_statuses)
    coverage = result.coverage()["links"]
    assert (coverage["declared"], coverage["followed"], coverage["reached_success"]) == (3, 3, 3)


def test_a_bug_behind_the_link_chain_is_found_with_its_chain(items_spec: Spec) -> None:
    result = run(items_spec, items_app(delete_crashes=True))
    assert result.failed
    crashes = [failure for failure in result.failures
               if (failure.check, failure.operation) == ("not_a_server_error",
                                                         "DELETE /items/{id}")]
    assert crashes, [(f.check, f.operation) for f in result.failures]
    chain = crashes[0].chain
    # the create whose id and ETag the delete used comes first
    assert chain and "-X POST" in chain[0] and "/items" in chain[0], chain
    assert "If-Match" in crashes[0].curl


def test_link_body_values_are_merged_into_the_generated_body() -> None:
    assert merge_body({"name": "a", "owner": {"id": 1, "x": 2}}, {"owner": {"id": 7}}) == \
        {"name": "a", "owner": {"id": 7, "x": 2}}
    assert merge_body([1, 2], {"id": 3}) == {"id": 3}


def test_schemathesis_records_links_under_the_name_the_result_counts() -> None:
    # The run counts a link the stateful phase followed by the id Schemathesis gives its
    # transition; the walk's own records use `DeclaredLink.key`. Both must agree.
    links = declared_links({"paths": {
        "/a": {"post": {"operationId": "a", "responses": {"201": {
            "description": "x", "links": {"B": {"operationId": "b"}}}}}},
        "/b": {"get": {"operationId": "b", "responses": {"200": {"description": "x"}}}},
    }})
    assert [link.key for link in links] == [
        stateful_transition_id("POST /a", "201", "B", "GET /b")]
    assert ScenarioRecorder(label="x").cases == {}


def test_schemathesis_internals_of_the_link_walk_are_where_the_compat_module_expects() -> None:
    """Fails loudly when a Schemathesis upgrade moves what the link walk reaches into."""
    import inspect

    import schemathesis
    from specfirst.contract_tests.runner import schemathesis_compat as compat

    schema = schemathesis.openapi.from_dict({
        "openapi": "3.0.3", "info": {"title": "x", "version": "1"},
        "paths": {"/a": {"post": {"responses": {"201": {"description": "x", "links": {
            "B": {"operationId": "b", "parameters": {"id": "$response.body#/id"}}}}}}},
                  "/b/{id}": {"get": {"operationId": "b", "parameters": [
                      {"name": "id", "in": "path", "required": True,
                       "schema": {"type": "string"}}],
                      "responses": {"200": {"description": "x"}}}}}})
    assert "operations_by_label" in inspect.signature(schema.iter_link_candidates).parameters
    recorder = compat.ScenarioRecorder(label="x")
    for method in ("record_case", "record_response", "record_check_failure",
                   "record_check_success", "record_network_error"):
        assert callable(getattr(recorder, method)), method
    assert {"response_checks", "recorder"} <= set(
        inspect.signature(compat.CheckContext).parameters)
    assert compat.TestPhase.STATEFUL
    assert compat.stateful_transition_id("POST /a", "201", "B", "GET /b/{id}") == \
        "POST /a -> [201] B -> GET /b/{id}"


SESSIONS = textwrap.dedent("""\
    openapi: 3.0.3
    info: {title: Sessions, version: "1.0"}
    paths:
      /tokens:
        post:
          operationId: create_token
          responses:
            '201':
              description: Created.
              content:
                application/json:
                  schema:
                    type: object
                    required: [secret]
                    properties: {secret: {type: string}}
              links:
                OpenSession:
                  operationId: open_session
                  requestBody: {token: $response.body#/secret}
                  x-schemathesis: {merge_body: MERGE}
      /sessions:
        post:
          operationId: open_session
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [token, device]
                  properties:
                    token: {type: string}
                    device: {type: string}
          responses:
            '201': {description: Opened.}
            '422': {description: Not a token the server made, or more than a token.}
    """)



@pytest.mark.parametrize("merge", [False, True])
def test_merge_body_false_sends_the_link_body_as_it_is(tmp_path: Path, merge: bool) -> None:
    import schemathesis
    from specfirst.contract_tests.runner.links import SuccessLog, _Walk
    from specfirst.contract_tests.runner.results import ResultCollector

    path = tmp_path / "sessions.yaml"
    path.write_text(SESSIONS.replace("MERGE", str(merge).lower()), encoding="utf-8")
    spec = Spec.from_path(path)
    [link] = declared_links(spec.document)
    assert link.merge_body is merge
    schema = schemathesis.openapi.from_dict(spec.document)
    walk = _Walk(schema, ResultCollector(spec.document), SuccessLog(schema), seed=3)
    for _ in range(5):
        case = walk._generate(walk.operations[link.target], {"body": {"token": "s3cret"}},
                              merge=link.merge_body)
        if merge:
            # the link's token set on a generated body, which has the required `device`
            assert case.body["token"] == "s3cret" and "device" in case.body, case.body
        else:
            assert case.body == {"token": "s3cret"}
