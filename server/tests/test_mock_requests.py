"""The mock reads requests as OpenAPI describes them and refuses them as the spec documents:
documented error responses chosen as Prism chooses them, violations in `Mock-Violation` lines,
security presence checks, every parameter style and body media type, coherent answers, and
the JSON Schema dialect of the spec's version (shared with `serve`)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from specfirst.generator.loader import Spec
from specfirst.server.fast_validation import dialect_of, validator_factory
from specfirst.server.mock import create_mock_app
from specfirst.server.mock.validation import MockValidator

OK = {"200": {"description": "ok", "content": {"application/json": {"schema": {
    "type": "object", "properties": {"ok": {"type": "boolean"}}}}}}}
ERROR = {"type": "object", "required": ["category", "correlationId", "message"], "properties": {
    "category": {"type": "string"}, "correlationId": {"type": "string", "format": "uuid"},
    "message": {"type": "string"}}}


def _write(tmp_path: Path, document: dict[str, Any]) -> Spec:
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return Spec.from_path(path)


def _client(spec: Spec, **options: Any) -> Any:
    return create_mock_app(spec, seed=1, **options).app.test_client()


def _spec(paths: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths, **extra}


def test_documented_default_error_answers_an_invalid_request(tmp_path: Path) -> None:
    document = _spec({"/contacts": {"get": {
        "parameters": [{"name": "limit", "in": "query",
                        "schema": {"type": "integer", "maximum": 10}}],
        "responses": {**OK, "default": {"description": "error", "content": {
            "application/json": {"schema": ERROR}}}}}}})
    http = _client(_write(tmp_path, document))
    response = http.get("/contacts", params={"limit": "99"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) >= {"category", "correlationId", "message"}
    assert MockValidator(document, is_v31=False).error(
        "/paths/~1contacts/get/responses/default/content/application~1json/schema", body) is None
    lines = response.headers.get_list("mock-violation")
    assert lines == ["query parameter limit: the value must be at most 10"]
    assert http.get("/contacts", params={"limit": "5"}).status_code == 200


def test_error_choice_follows_the_failure(tmp_path: Path) -> None:
    problem = {"application/problem+json": {"schema": {"type": "object", "properties": {
        "status": {"type": "integer"}, "title": {"type": "string"}}, "required": ["status"]}}}
    document = _spec({"/things": {"post": {
        "parameters": [{"name": "dry", "in": "query", "schema": {"type": "boolean"}}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["name"],
            "properties": {"name": {"type": "string"}}}}}},
        "responses": {"201": {"description": "made"},
                      "400": {"description": "bad", "content": problem},
                      "415": {"description": "media", "content": problem},
                      "422": {"description": "invalid", "content": problem}}}}})
    http = _client(_write(tmp_path, document))
    body_error = http.post("/things", json={"name": 5})
    assert body_error.status_code == 422 and body_error.json()["status"] == 422
    assert body_error.headers["mock-violation"] == "body: /name must be of type string"
    param_error = http.post("/things", params={"dry": "maybe"}, json={"name": "x"})
    assert param_error.status_code == 400 and param_error.json()["status"] == 400
    media_error = http.post("/things", content=b"name=x",
                            headers={"content-type": "text/csv"})
    assert media_error.status_code == 415 and media_error.json()["status"] == 415
    assert http.post("/things", json={"name": "x"}).status_code == 201


def test_nothing_documented_is_a_plain_problem(tmp_path: Path) -> None:
    document = _spec({"/a/{id}": {"get": {
        "parameters": [{"name": "id", "in": "path", "required": True,
                        "schema": {"type": "integer"}}], "responses": OK},
        "delete": {"responses": {"204": {"description": "gone"}}},
        "post": {"responses": {"204": {"description": "done"}}}}},
        servers=[{"url": "https://api.example.org/v1"}])
    http = _client(_write(tmp_path, document))
    for response, status in ((http.get("/v1/a/x"), 400), (http.get("/v1/nowhere"), 404),
                             (http.get("/elsewhere"), 404), (http.put("/v1/a/1"), 405),
                             (http.post("/v1/a/1", content=b"x" * (11 * 1024 * 1024)), 413)):
        assert response.status_code == status
        assert response.headers["content-type"].startswith("application/problem+json")
        body = response.json()
        assert body["type"] == "about:blank" and body["status"] == status
        text = json.dumps(body)
        assert "crm" not in text and "'" not in body["detail"], body
    assert http.put("/v1/a/1").headers["allow"] == "GET, POST, DELETE"


def test_security_presence_and_shape(tmp_path: Path) -> None:
    document = _spec({
        "/basic": {"get": {"security": [{"basic": []}], "responses": {
            **OK, "401": {"description": "who", "content": {"application/json": {
                "schema": ERROR}}}}}},
        "/key": {"get": {"security": [{"key": []}, {"bearer": []}], "responses": OK}},
        "/open": {"get": {"security": [], "responses": OK}}},
        security=[{"bearer": []}],
        components={"securitySchemes": {
            "basic": {"type": "http", "scheme": "basic"},
            "bearer": {"type": "http", "scheme": "bearer"},
            "key": {"type": "apiKey", "in": "header", "name": "X-Key"}}})
    spec = _write(tmp_path, document)
    http = _client(spec)
    refused = http.get("/basic")
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith("Basic")
    assert set(refused.json()) >= {"category", "correlationId", "message"}
    assert http.get("/basic", headers={"Authorization": "Basic not-base64!"}).status_code == 401
    assert http.get("/basic", headers={"Authorization": "Basic dTpw"}).status_code == 200
    assert http.get("/key").status_code == 401
    assert http.get("/key").headers["content-type"].startswith("application/problem+json")
    assert http.get("/key", headers={"X-Key": "k"}).status_code == 200
    assert http.get("/key", headers={"Authorization": "Bearer t"}).status_code == 200
    assert http.get("/open").status_code == 200
    assert _client(spec, auth_check=False).get("/basic").status_code == 200


def test_parameter_styles(tmp_path: Path) -> None:
    obj = {"type": "object", "properties": {"gt": {"type": "integer"},
                                            "lt": {"type": "integer"}},
           "additionalProperties": False}
    document = _spec({
        "/q": {"get": {"parameters": [
            {"name": "created", "in": "query", "style": "deepObject", "explode": True,
             "schema": {"anyOf": [obj, {"type": "integer"}]}},
            {"name": "tags", "in": "query", "schema": {"type": "array",
                                                       "items": {"type": "integer"}}},
            {"name": "ids", "in": "query", "style": "pipeDelimited", "explode": False,
             "schema": {"type": "array", "items": {"type": "integer"}}},
            {"name": "filter", "in": "query", "content": {"application/json": {
                "schema": {"type": "object", "required": ["a"]}}}},
            {"name": "X-Ids", "in": "header", "schema": {"type": "array",
                                                         "items": {"type": "integer"}}}],
            "responses": OK}},
        "/m/{point}": {"get": {"parameters": [
            {"name": "point", "in": "path", "required": True, "style": "matrix",
             "explode": False, "schema": {"type": "array", "items": {"type": "integer"}}}],
            "responses": OK}},
        "/l/{point}": {"get": {"parameters": [
            {"name": "point", "in": "path", "required": True, "style": "label",
             "schema": {"type": "array", "items": {"type": "integer"}}}],
            "responses": OK}}})
    http = _client(_write(tmp_path, document))
    for query in ("created=5", "created[gt]=1&created[lt]=9", "tags=1&tags=2", "ids=1|2|3",
                  'filter={"a":1}'):
        assert http.get(f"/q?{query}").status_code == 200, query
    for query in ("created=x", "created[gt]=x", "created[zz]=1", "tags=1&tags=b",
                  "ids=1|b", 'filter={"b":1}'):
        assert http.get(f"/q?{query}").status_code == 400, query
    assert http.get("/q", headers={"X-Ids": "1, 2"}).status_code == 200
    assert http.get("/q", headers={"X-Ids": "1,b"}).status_code == 400
    assert http.get("/m/;point=1,2").status_code == 200
    assert http.get("/m/;point=1,x").status_code == 400
    assert http.get("/l/.1,2").status_code == 200
    assert http.get("/l/.x").status_code == 400


def test_form_multipart_text_and_binary_bodies(tmp_path: Path) -> None:
    form = {"type": "object", "required": ["amount"], "properties": {
        "amount": {"type": "integer"}, "tags": {"type": "array", "items": {"type": "string"}},
        "meta": {"type": "object", "properties": {"k": {"type": "string"}}},
        "file": {"type": "string", "format": "binary"}}}
    document = _spec({
        "/form": {"post": {"requestBody": {"required": True, "content": {
            "application/x-www-form-urlencoded": {"schema": form},
            "multipart/form-data": {"schema": form,
                                    "encoding": {"meta": {"contentType": "application/json"}}},
            "text/plain": {"schema": {"type": "string", "maxLength": 5}},
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
            "responses": OK}}})
    http = _client(_write(tmp_path, document))
    assert http.post("/form", data={"amount": "5", "tags": ["a", "b"]}).status_code == 200
    assert http.post("/form", content=b"amount=5&meta[k]=v",
                     headers={"content-type": "application/x-www-form-urlencoded"}
                     ).status_code == 200
    assert http.post("/form", data={"amount": "five"}).status_code == 400
    multipart = http.post("/form", data={"amount": "7", "meta": '{"k": "v"}'},
                          files={"file": ("a.bin", b"\x00\x01")})
    assert multipart.status_code == 200, multipart.headers.get("mock-violation")
    assert http.post("/form", data={"meta": "{}"}, files={"file": ("a", b"x")}
                     ).status_code == 400
    assert http.post("/form", content=b"hey", headers={"content-type": "text/plain"}
                     ).status_code == 200
    assert http.post("/form", content=b"too long", headers={"content-type": "text/plain"}
                     ).status_code == 400
    assert http.post("/form", content=b"\xff\x00", headers={
        "content-type": "application/octet-stream"}).status_code == 200


def test_created_resource_location_and_id_agree(tmp_path: Path) -> None:
    pet = {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}
    document = _spec({
        "/pets": {"post": {"responses": {"201": {
            "description": "made", "headers": {"Location": {"schema": {"type": "string"}}},
            "content": {"application/json": {"schema": pet}}}}}},
        "/pets/{petId}": {"get": {"parameters": [{"name": "petId", "in": "path",
                                                   "required": True,
                                                   "schema": {"type": "string"}}],
                                  "responses": {"200": {"description": "ok", "content": {
                                      "application/json": {"schema": pet}}}}}}},
        servers=[{"url": "/api"}])
    http = _client(_write(tmp_path, document))
    for _ in range(5):
        created = http.post("/api/pets")
        assert created.status_code == 201
        identifier = created.json()["id"]
        assert created.headers["location"].startswith("/api/pets/")
        assert http.get(created.headers["location"]).status_code == 200
        from urllib.parse import unquote

        assert unquote(created.headers["location"].rsplit("/", 1)[1]) == identifier


@pytest.mark.parametrize("version,accepted", [("3.1.0", True), ("3.0.3", False)])
def test_integer_valued_float_follows_the_spec_version(tmp_path: Path, version: str,
                                                       accepted: bool) -> None:
    document = {"openapi": version, "info": {"title": "t", "version": "1"}, "paths": {
        "/n": {"post": {"requestBody": {"required": True, "content": {"application/json": {
            "schema": {"type": "object", "properties": {"n": {"type": "integer"}}}}}},
            "responses": OK}}}}
    assert dialect_of(document) == ("draft2020-12" if accepted else "openapi-3.0")
    assert validator_factory(document).is_valid({"type": "integer"}, 3.0) is accepted
    response = _client(_write(tmp_path, document)).post(
        "/n", content=b'{"n": 3.0}', headers={"content-type": "application/json"})
    assert response.status_code == (200 if accepted else 400)


@pytest.mark.parametrize("version,accepted", [("3.1.0", True), ("3.0.3", False)])
def test_serve_validation_uses_the_same_dialect(version: str, accepted: bool) -> None:
    """Connexion with the served document and `VALIDATOR_MAP`, as `serve` runs it."""
    import connexion
    from connexion.resolver import Resolution, Resolver
    from specfirst.server.fast_validation import VALIDATOR_MAP
    from specfirst.server.mock.served import already_validated, connexion_document

    document = {"openapi": version, "info": {"title": "t", "version": "1"}, "paths": {
        "/n": {"post": {"operationId": "n", "requestBody": {"required": True, "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/N"}}}},
            "responses": {"204": {"description": "ok"}}}}},
        "components": {"schemas": {"N": {"type": "object", "properties": {
            "n": {"type": "integer", "minimum": 1}}}}}}

    async def handler(body: Any) -> tuple[None, int]:
        return None, 204

    class Fixed(Resolver):  # type: ignore[misc]
        def resolve(self, operation: Any) -> Resolution:
            return Resolution(handler, "n")

    app = connexion.AsyncApp(__name__)
    with already_validated():
        app.add_api(connexion_document(document, is_v31=version.startswith("3.1"),
                                       keep_defaults=True),
                    resolver=Fixed(), validator_map=VALIDATOR_MAP)
    client = app.test_client()
    response = client.post("/n", content=b'{"n": 3.0}',
                           headers={"content-type": "application/json"})
    assert response.status_code == (204 if accepted else 400)
    assert client.post("/n", json={"n": 0}).status_code == 400  # the bounds still hold


STRIPE = Path("/work/shared/data/stripe/spec3-63a6746.yaml.gz")


@pytest.mark.skipif(not STRIPE.exists(), reason="Stripe's spec is not on this machine")
def test_stripe_customers(tmp_path: Path) -> None:
    path = tmp_path / "stripe.yaml"
    path.write_bytes(gzip.decompress(STRIPE.read_bytes()))
    http = _client(Spec.from_path(path))
    auth = {"Authorization": "Bearer sk_test_x"}
    assert http.get("/v1/customers?created=5", headers=auth).status_code == 200
    assert http.get("/v1/customers?created[gte]=5", headers=auth).status_code == 200
    refused = http.get("/v1/customers")
    assert refused.status_code == 401 and "www-authenticate" in refused.headers
    created = http.post("/v1/customers", data={"email": "a@example.com",
                                               "metadata[plan]": "gold"}, headers=auth)
    assert created.status_code == 200, created.headers.get("mock-violation")
    not_allowed = http.put("/v1/customers/cus_1", headers=auth)
    assert not_allowed.status_code == 405
    assert set(not_allowed.headers["allow"].split(", ")) == {"GET", "POST", "DELETE"}


def test_configured_credentials_are_the_only_valid_ones(tmp_path: Path) -> None:
    document = _spec({"/k": {"get": {"security": [{"key": []}, {"bearer": []}],
                                     "responses": OK}}},
                     components={"securitySchemes": {
                         "bearer": {"type": "http", "scheme": "bearer"},
                         "key": {"type": "apiKey", "in": "query", "name": "api_key"}}})
    http = _client(_write(tmp_path, document), credentials=("s3cret",))
    assert http.get("/k", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    assert http.get("/k?api_key=s3cret").status_code == 200
    assert http.get("/k", headers={"Authorization": "Bearer other"}).status_code == 401
    assert http.get("/k?api_key=other").status_code == 401


def test_specfirst_test_passes_against_the_mock(repo_root: Path) -> None:
    """`specfirst test` with its default checks and phases, against `specfirst mock`, on
    the CRM spec's customer operations (a few examples each, to stay quick)."""
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    from click.testing import CliRunner
    from specfirst.contract_tests.cli import cli
    from specfirst.server.tests.test_mock_startup import free_port

    spec = repo_root / "openapi" / "crm.yaml"
    port = free_port()
    specfirst = str(Path(sys.executable).with_name("specfirst"))
    process = subprocess.Popen([specfirst, "mock", str(spec), "--port", str(port), "--seed", "1",
                                "--stateful", "--callbacks", "off", "--credential", "tok"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/customers", timeout=2)
            except urllib.error.HTTPError:
                break  # answering (401 without the token)
            except OSError:
                assert process.poll() is None
                time.sleep(0.1)
        result = CliRunner().invoke(cli, [
            "test", str(spec), "--url", f"http://127.0.0.1:{port}", "--token", "tok",
            "--max-examples", "2", "--seed", "1", "--operations",
            "list_customers,create_customer,get_customer,update_customer,delete_customer"])
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert result.exit_code == 0, result.output[-3000:]
    assert "0 distinct failures" in result.output


def test_refusal_skips_a_documented_error_no_body_can_satisfy(tmp_path: Path) -> None:
    """A 401 whose schema admits no value (a oneOf of two branches every value matches) is
    passed over for the next documented error, answered valid against its schema."""
    base = {"type": "object", "properties": {"error": {"type": "string"}}}
    twins = {"oneOf": [{"allOf": [base, {"properties": {"error": {"default": "EMPTY"}}}]},
                       {"allOf": [base, {"properties": {"error": {"default": "MISSING"}}}]}]}
    document = _spec({"/things": {"get": {
        "security": [{"basic": []}],
        "responses": {**OK,
                      "401": {"description": "no", "content": {
                          "application/json": {"schema": twins}}},
                      "403": {"description": "no", "content": {
                          "application/json": {"schema": {**base, "required": ["error"]}}}}}}}},
        components={"securitySchemes": {"basic": {"type": "http", "scheme": "basic"}}})
    http = _client(_write(tmp_path, document))
    response = http.get("/things")
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/json")
    assert isinstance(response.json()["error"], str)
    assert http.get("/things", headers={"Authorization": "Basic dTpw"}).status_code == 200


def test_xml_element_holding_text_is_not_an_object(tmp_path: Path) -> None:
    """`<booking>true</booking>` where an object is expected is the text `true`: refused."""
    booking = {"type": "object", "properties": {"name": {"type": "string"}}}
    document = _spec({"/bookings": {"post": {
        "requestBody": {"required": True, "content": {"application/xml": {"schema": booking}}},
        "responses": {**OK, "400": {"description": "bad"}}}}})
    http = _client(_write(tmp_path, document))
    xml = {"Content-Type": "application/xml"}
    assert http.post("/bookings", content=b"<booking>true</booking>",
                     headers=xml).status_code == 400
    assert http.post("/bookings", content=b"<booking><name>x</name></booking>",
                     headers=xml).status_code == 200
    assert http.post("/bookings", content=b"<booking/>", headers=xml).status_code == 200


def test_served_mock_judges_a_very_long_request_line(tmp_path: Path) -> None:
    """`specfirst mock` reads a 100 KB path and answers it as the spec documents (here its
    400), not with the HTTP parser's undocumented `text/plain` 400."""
    import os
    import signal
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    from specfirst.contract_tests.pipeline import free_port

    document = _spec({"/items/{id}": {"get": {
        "parameters": [{"name": "id", "in": "path", "required": True,
                        "schema": {"type": "string", "maxLength": 50}}],
        "responses": {**OK, "400": {"description": "bad", "content": {
            "application/json": {"schema": ERROR}}}}}}})
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(document))
    port = free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("specfirst")), "mock", str(spec), "--host",
         "127.0.0.1", "--port", str(port), "--seed", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    def get(path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=20) as answer:
                return answer.status, answer.headers.get("content-type", "")
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("content-type", "")

    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, "the mock exited"
            try:
                first = get("/items/1")
                break
            except OSError:
                assert time.monotonic() < deadline, "the mock did not answer"
                time.sleep(0.1)
        assert first[0] == 200
        status, media = get("/items/" + "0" * 100_000)
        assert status == 400 and media.startswith("application/json")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_query_parameter_the_operation_does_not_define(tmp_path: Path) -> None:
    """An operation with query parameters of its own and a documented error refuses one it
    does not define (API keys in the query and deepObject members are its own); without a
    documented error, or with an exploded form object, unknown names are let through."""
    limit = {"name": "limit", "in": "query", "schema": {"type": "integer"}}
    deep = {"name": "filter", "in": "query", "style": "deepObject",
            "schema": {"type": "object", "additionalProperties": {"type": "string"}}}
    form = {"name": "point", "in": "query",
            "schema": {"type": "object", "properties": {"x": {"type": "integer"}}}}
    bad = {"400": {"description": "bad", "content": {"application/json": {"schema": ERROR}}}}
    document = _spec({
        "/closed": {"get": {"parameters": [limit, deep], "responses": {**OK, **bad}}},
        "/quiet": {"get": {"parameters": [limit], "responses": OK}},
        "/form": {"get": {"parameters": [limit, form], "responses": {**OK, **bad}}}},
        security=[{"key": []}],
        components={"securitySchemes": {"key": {"type": "apiKey", "in": "query",
                                                "name": "api_key"}}})
    http = _client(_write(tmp_path, document))
    known = {"api_key": "k", "limit": "3", "filter[a]": "b"}
    assert http.get("/closed", params=known).status_code == 200
    refused = http.get("/closed", params={**known, "limt": "3"})
    assert refused.status_code == 400
    assert refused.headers.get_list("mock-violation") == [
        "query parameter limt is not one this operation defines"]
    assert http.get("/quiet", params={"api_key": "k", "limt": "3"}).status_code == 200
    assert http.get("/form", params={"api_key": "k", "x": "1", "y": "2"}).status_code == 200


def test_allow_empty_value_accepts_an_empty_query_parameter(tmp_path: Path) -> None:
    """`name=` is valid for a query parameter with `allowEmptyValue`, whatever its schema;
    without it, or with a non-empty value, the schema decides."""
    kind = {"type": "string", "enum": ["scene", "profile"]}
    document = _spec({"/changes": {"get": {
        "parameters": [{"name": "entityType", "in": "query", "allowEmptyValue": True,
                        "schema": kind},
                       {"name": "sort", "in": "query", "schema": kind}],
        "responses": {**OK, "400": {"description": "bad", "content": {
            "application/json": {"schema": ERROR}}}}}}})
    http = _client(_write(tmp_path, document))
    assert http.get("/changes?entityType=").status_code == 200
    assert http.get("/changes?entityType=scene").status_code == 200
    wrong = http.get("/changes?entityType=nothing")
    assert wrong.status_code == 400
    assert wrong.headers.get_list("mock-violation")[0].startswith(
        "query parameter entityType:")
    assert http.get("/changes?sort=").status_code == 400


def test_pattern_is_read_as_json_schema_means_it(tmp_path: Path) -> None:
    """`pattern` is an ECMA-262 regular expression: `\\s` is no control character U+001C–U+001F
    (Python's is), and `$` is the end of the string, not the place before a final newline."""
    document = _spec({"/keys": {"put": {
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "properties": {
                "urls": {"type": "array", "items": {"type": "string", "pattern": r"^[^\s]+$"}},
                "code": {"type": "string", "pattern": "^[a-z]+$"}}}}}},
        "responses": {**OK, "400": {"description": "bad", "content": {
            "application/json": {"schema": ERROR}}}}}}})
    http = _client(_write(tmp_path, document))
    assert http.put("/keys", json={"urls": ["a\u001eb"], "code": "abc"}).status_code == 200
    assert http.put("/keys", json={"urls": ["a b"]}).status_code == 400
    refused = http.put("/keys", json={"code": "abc\n"})
    assert refused.status_code == 400
    assert refused.headers.get_list("mock-violation")[0].startswith("body: /code must match")


def test_no_body_status_names_its_documented_media_type(tmp_path: Path) -> None:
    """A 204 documented with content has no body but says a documented `Content-Type` an
    empty body can be (not JSON, whatever the client accepts); one documented without
    content, or only with JSON, says none."""
    empty = {"type": "string", "maxLength": 0}
    document = _spec({
        "/batches/{id}": {"delete": {
            "parameters": [{"name": "id", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "responses": {"204": {"description": "done", "content": {
                "application/json": {"schema": empty}, "text/plain": {"schema": empty}}}}}},
        "/plain/{id}": {"delete": {
            "parameters": [{"name": "id", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "responses": {"204": {"description": "done"}}}}})
    http = _client(_write(tmp_path, document))
    named = http.delete("/batches/b1", headers={"Accept": "application/json"})
    assert named.status_code == 204
    assert named.content == b""
    assert named.headers["content-type"].startswith("text/plain")
    plain = http.delete("/plain/b1")
    assert plain.status_code == 204
    assert "content-type" not in plain.headers


def test_closed_object_beside_all_of_takes_the_members_of_its_branches(tmp_path: Path) -> None:
    """`additionalProperties: false` beside an `allOf` or `oneOf` (inline or `$ref` branches)
    lets a request carry the properties the branches name; other names are still refused."""
    document = _spec({"/addresses": {"post": {
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "additionalProperties": False, "allOf": [
                {"$ref": "#/components/schemas/Named"},
                {"type": "object", "properties": {"city": {"type": "string"}}}],
            "oneOf": [{"type": "object", "properties": {"zone": {"type": "integer"}}}]}}}},
        "responses": {**OK, "400": {"description": "bad", "content": {
            "application/json": {"schema": ERROR}}}}}}},
        components={"schemas": {"Named": {"type": "object", "required": ["name"],
                                          "properties": {"name": {"type": "string"}}}}})
    http = _client(_write(tmp_path, document))
    assert http.post("/addresses", json={"name": "a", "city": "b"}).status_code == 200
    assert http.post("/addresses", json={"name": "a", "zone": 3}).status_code == 200
    assert http.post("/addresses", json={"name": "a", "zone": "x"}).status_code == 400
    assert http.post("/addresses", json={"name": "a", "zip": "1"}).status_code == 400
    assert http.post("/addresses", json={"city": "b"}).status_code == 400
    assert http.post("/addresses", json={"name": 1}).status_code == 400
