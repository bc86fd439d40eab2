"""The mock: valid answers from examples or schemas, Prefer, seeds, state, start-up report."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from specfirst.contract_tests.cli import cli
from specfirst.generator.loader import Spec
from specfirst.server.mock import create_mock_app
from specfirst.server.mock.regex import string_matching
from specfirst.server.mock.responder import parse_prefer
from specfirst.server.mock.validation import MockValidator
from specfirst.server.mock.values import ValueGenerator
from specfirst.server.tests.test_mock_startup import free_port

SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Pets", "version": "1"},
    "servers": [{"url": "https://example.com/api"}],
    "paths": {
        "/pets": {
            "get": {
                "operationId": "listPets",
                "parameters": [{"name": "limit", "in": "query",
                                "schema": {"type": "integer", "minimum": 1, "maximum": 10}}],
                "responses": {"200": {"description": "ok", "content": {"application/json": {
                    "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}}}}}},
            },
            "post": {
                "operationId": "createPet",
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/NewPet"}}}},
                "responses": {
                    "201": {"description": "created", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Pet"}}}},
                    "400": {"description": "bad", "content": {"application/problem+json": {
                        "schema": {"type": "object"}}}}},
            },
        },
        "/pets/{petId}": {
            "parameters": [{"name": "petId", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "get": {
                "operationId": "getPet",
                "responses": {
                    "200": {"description": "ok", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Pet"},
                        "examples": {
                            "cat": {"value": {"petId": "c1", "name": "Tom", "kind": "cat"}},
                            "dog": {"value": {"petId": "d1", "name": "Rex", "kind": "dog"}},
                            "broken": {"value": {"name": 5}},
                        }}}},
                    "404": {"description": "missing", "content": {"application/problem+json": {
                        "schema": {"type": "object", "required": ["title"],
                                   "properties": {"title": {"type": "string"}}}}}}},
            },
            "patch": {
                "operationId": "updatePet",
                "requestBody": {"content": {"application/json": {
                    "schema": {"type": "object", "properties": {"name": {"type": "string"}}}}}},
                "responses": {"200": {"description": "ok", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Pet"}}}}},
            },
            "delete": {"operationId": "deletePet", "responses": {"204": {"description": "gone"}}},
        },
        "/nothing": {"get": {"operationId": "nothing", "responses": {}}},
    },
    "components": {"schemas": {
        "Pet": {"type": "object", "required": ["petId", "name"], "properties": {
            "petId": {"type": "string", "readOnly": True},
            "name": {"type": "string", "minLength": 1, "maxLength": 20},
            "kind": {"type": "string", "enum": ["cat", "dog"]},
            "secret": {"type": "string", "writeOnly": True},
            "born": {"type": "string", "format": "date"},
            "weight": {"type": "number", "minimum": 0, "exclusiveMinimum": True,
                       "multipleOf": 0.5},
            "tag": {"type": "string", "nullable": True, "pattern": "^[a-z]{3}-[0-9]{2}$"},
        }},
        "NewPet": {"type": "object", "required": ["name"], "additionalProperties": False,
                   "properties": {"name": {"type": "string"}, "kind": {"type": "string"},
                                  "secret": {"type": "string", "writeOnly": True}}},
    }},
}


@pytest.fixture
def spec(tmp_path: Path) -> Spec:
    path = tmp_path / "pets.yaml"
    path.write_text(yaml.safe_dump(SPEC, sort_keys=False))
    return Spec.from_path(path)


def client(spec: Spec, **options: Any) -> Any:
    return create_mock_app(spec, **options).app.test_client()


def test_answers_validate_against_the_schema(spec: Spec) -> None:
    validator = MockValidator(spec.document, is_v31=False)
    http = client(spec, seed=3)
    for _ in range(10):
        response = http.get("/api/pets")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/json")
        pointer = "/paths/~1pets/get/responses/200/content/application~1json/schema"
        assert validator.error(pointer, response.json()) is None
        for pet in response.json():
            assert "secret" not in pet  # writeOnly never in a response


def test_first_valid_example_is_used_and_invalid_ones_are_dropped(spec: Spec) -> None:
    http = client(spec)
    assert http.get("/api/pets/x").json() == {"petId": "c1", "name": "Tom", "kind": "cat"}
    assert http.get("/api/pets/x", headers={"Prefer": "example=dog"}).json()["name"] == "Rex"
    response = http.get("/api/pets/x", headers={"Prefer": "example=broken"})
    assert response.status_code == 422  # the invalid example is never served
    assert "cat, dog" in response.json()["detail"]


def test_prefer_code_and_dynamic(spec: Spec) -> None:
    http = client(spec, seed=1)
    response = http.get("/api/pets/x", headers={"Prefer": "code=404"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert isinstance(response.json()["title"], str)
    assert http.get("/api/pets/x", headers={"Prefer": "code=418"}).status_code == 422
    dynamic = http.get("/api/pets/x", headers={"Prefer": "dynamic=true"}).json()
    assert dynamic["name"] not in ("Tom", "Rex")


def test_seed_makes_answers_repeatable(spec: Spec) -> None:
    first = client(spec, seed=42).get("/api/pets").json()
    a, b, c = client(spec, seed=42), client(spec, seed=42), client(spec, seed=43)
    series_a = [a.get("/api/pets").json() for _ in range(3)]
    series_b = [b.get("/api/pets").json() for _ in range(3)]
    series_c = [c.get("/api/pets").json() for _ in range(3)]
    assert series_a == series_b and series_a[0] == first
    assert series_a != series_c


def test_requests_are_validated_with_problem_json(spec: Spec) -> None:
    http = client(spec)
    response = http.get("/api/pets", params={"limit": 99})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    response = http.post("/api/pets", json={"name": "x", "unknown": 1})
    assert response.status_code == 400
    assert http.get("/api/elsewhere").status_code == 404


def test_start_up_says_what_cannot_be_mocked(spec: Spec) -> None:
    report = create_mock_app(spec).report
    assert report.unmockable == [("GET /nothing", "no responses are documented")]
    assert any("GET /nothing: no responses are documented" in line for line in report.lines())
    response = client(spec).get("/api/nothing")
    assert response.status_code == 501
    assert response.headers["content-type"].startswith("application/problem+json")


def test_stateful_create_read_update_delete(spec: Spec) -> None:
    http = client(spec, seed=5, stateful=True)
    created = http.post("/api/pets", json={"name": "Felix", "kind": "cat"})
    assert created.status_code == 201
    pet = created.json()
    assert pet["name"] == "Felix" and pet["kind"] == "cat"
    assert created.headers["location"] == f"/api/pets/{pet['petId']}"
    assert http.get(f"/api/pets/{pet['petId']}").json() == pet
    assert pet in http.get("/api/pets").json()
    updated = http.patch(f"/api/pets/{pet['petId']}", json={"name": "Garfield"})
    assert updated.json() == {**pet, "name": "Garfield"}
    assert http.get(f"/api/pets/{pet['petId']}").json()["name"] == "Garfield"
    assert http.delete(f"/api/pets/{pet['petId']}").status_code == 204
    missing = http.get(f"/api/pets/{pet['petId']}")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert http.delete(f"/api/pets/{pet['petId']}").status_code == 404


def test_without_stateful_nothing_is_remembered(spec: Spec) -> None:
    http = client(spec, seed=5)
    pet = http.post("/api/pets", json={"name": "Felix"}).json()
    assert http.get(f"/api/pets/{pet['petId']}").status_code == 200  # still generated


SCHEMAS: list[dict[str, Any]] = [
    {"type": "integer", "minimum": -5, "maximum": -3},
    {"type": "integer", "multipleOf": 7, "minimum": 10, "maximum": 30},
    {"type": "number", "exclusiveMinimum": True, "minimum": 0, "maximum": 1},
    {"type": "string", "format": "date-time"},
    {"type": "string", "format": "uuid"},
    {"type": "string", "format": "email"},
    {"type": "string", "minLength": 30, "maxLength": 31},
    {"type": "string", "pattern": "^[A-Z]{2}-\\d{4}$"},
    {"type": "array", "items": {"type": "integer", "enum": [1, 2, 3]}, "minItems": 3,
     "uniqueItems": True},
    {"type": "object", "minProperties": 2, "additionalProperties": {"type": "boolean"}},
    {"allOf": [{"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}},
               {"type": "object", "required": ["b"], "properties": {"b": {"type": "integer"}}}]},
    {"oneOf": [{"type": "string", "maxLength": 3}, {"type": "integer"}]},
    {"anyOf": [{"type": "boolean"}, {"type": "string", "format": "ipv4"}]},
    {"type": "string", "nullable": True, "enum": ["a", None]},
]


@pytest.mark.parametrize("schema", SCHEMAS)
def test_generated_values_satisfy_constraints(schema: dict[str, Any]) -> None:
    document = {"openapi": "3.0.3", "components": {"schemas": {"S": schema}}}
    validator = MockValidator(document, is_v31=False)
    rng = random.Random(0)
    for _ in range(20):
        value = ValueGenerator(document, rng, is_v31=False).generate(schema)
        assert validator.error("/components/schemas/S", value) is None, value


def test_31_type_arrays_and_numeric_exclusive_bounds() -> None:
    schema = {"type": ["integer", "null"], "exclusiveMinimum": 5, "exclusiveMaximum": 8}
    document = {"openapi": "3.1.0", "components": {"schemas": {"S": schema}}}
    validator = MockValidator(document, is_v31=True)
    rng = random.Random(0)
    values = {ValueGenerator(document, rng, is_v31=True).generate(schema) for _ in range(20)}
    assert values <= {6, 7}
    assert validator.error("/components/schemas/S", 5) is not None
    assert validator.error("/components/schemas/S", None) is None


def test_regex_strings_match() -> None:
    rng = random.Random(0)
    for pattern in ["^[a-z]+@[a-z]+\\.com$", "^\\d{3}-\\d{2}$", "^(foo|bar)+$", "[^/]+"]:
        assert re.search(pattern, string_matching(pattern, rng))


def test_prefer_header_parsing() -> None:
    prefs = parse_prefer(["code=404, example=cat", "dynamic=true"])
    assert (prefs.code, prefs.example, prefs.dynamic) == (404, "cat", True)
    assert parse_prefer([]).code is None


def test_cli_reports_bad_specs_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("openapi: 3.0.3\ninfo: [\n")
    result = CliRunner().invoke(cli, ["mock", str(bad)])
    assert result.exit_code == 2
    assert "bad.yaml:" in result.output and "Traceback" not in result.output


def test_request_guard_refuses_oversized_and_malformed_bodies(spec: Spec) -> None:
    http = client(spec)
    big = http.post("/api/pets", content=b'{"name": "' + b"x" * (11 * 1024 * 1024) + b'"}',
                    headers={"content-type": "application/json"})
    assert big.status_code == 413
    assert big.headers["content-type"].startswith("application/problem+json")
    bad = http.post("/api/pets", content=b'{"name": "\xff"}',
                    headers={"content-type": "application/json"})
    assert bad.status_code == 400


def test_cli_serves_on_loopback_and_reports_at_start_up(spec: Spec) -> None:
    port = free_port()
    specfirst = str(Path(sys.executable).with_name("specfirst"))
    process = subprocess.Popen([specfirst, "mock", str(spec.path), "--port", str(port),
                                "--seed", "1"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    try:
        deadline, body = time.monotonic() + 60, None
        while time.monotonic() < deadline and body is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/pets/1",
                                            timeout=2) as answer:
                    body = json.loads(answer.read())
            except OSError:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                time.sleep(0.1)
        assert body == {"petId": "c1", "name": "Tom", "kind": "cat"}
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=30)
    assert "GET /nothing: no responses are documented" in errors
    assert f"listening on http://127.0.0.1:{port}/api" in errors


def test_public_api_is_sorted_and_importable() -> None:
    import specfirst.server.mock

    assert specfirst.server.mock.__all__ == sorted(specfirst.server.mock.__all__)
    assert all(hasattr(specfirst.server.mock, name) for name in specfirst.server.mock.__all__)


def test_connexion_document_keeps_valid_defaults_when_asked() -> None:
    from connexion.spec import OpenAPISpecification
    from specfirst.server.mock.served import connexion_document

    document = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/a": {
        "get": {"parameters": [
            {"name": "limit", "in": "query", "schema": {"type": "integer", "default": 25}},
            {"name": "q", "in": "query", "schema": {"type": "string", "default": None}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"type": ["string", "null"], "const": "x"}}}}}}}}}
    notes: list[str] = []
    served = connexion_document(document, is_v31=True, notes=notes, keep_defaults=True)
    params = served["paths"]["/a"]["get"]["parameters"]
    assert params[0]["schema"]["default"] == 25
    assert "default" not in params[1]["schema"] and any("default dropped" in n for n in notes)
    schema = served["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/json"]
    assert schema["schema"] == {"type": "string", "nullable": True, "enum": ["x"],
                                "x-specfirst-dialect": "draft2020-12"}
    OpenAPISpecification._validate_spec(served)  # Connexion accepts it
    plain = connexion_document(document, is_v31=True)
    assert "default" not in plain["paths"]["/a"]["get"]["parameters"][0]["schema"]


def test_connexion_document_notes_a_shared_relaxation_once() -> None:
    from specfirst.server.mock.served import connexion_document

    param = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
    ok = {"200": {"description": "ok"}}
    document = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {
        "/pets/{id}": {method: {"parameters": [dict(param, schema={"type": "integer"})],
                                "responses": ok} for method in ("get", "put", "delete")}}}
    notes = ["kept from before", "kept from before"]
    connexion_document(document, is_v31=False, notes=notes)
    assert notes == ["kept from before", "kept from before",
                     "/pets/{id}: path parameter id: checked as an integer without its bounds"]


def _closed_spec(tmp_path: Path) -> Spec:
    """Closed objects (`additionalProperties: false`) beside an `allOf` that names the members,
    optional in `/optional`, required in `/required`; a body that is one of two overlapping
    branches; a string with both a format and a pattern."""
    def closed(required: list[str]) -> dict[str, Any]:
        return {"type": "object", "additionalProperties": False, "allOf": [{
            "type": "object", "required": required,
            "properties": {"id": {"type": "string"}, "size": {"type": "integer"}}}]}

    def answers(schema: dict[str, Any]) -> dict[str, Any]:
        return {"200": {"description": "ok", "content": {"application/json": {
            "schema": schema}}}, "400": {"description": "bad"}}

    stamp = {"type": "string", "format": "date-time", "pattern": "^[0-9]{4}-"}
    document = {
        "openapi": "3.0.3", "info": {"title": "Closed", "version": "1"},
        "paths": {
            "/optional": {"get": {"responses": answers(closed([]))}},
            "/required": {"get": {"responses": answers(closed(["id"]))}},
            "/stamp": {"get": {"responses": answers({"type": "object", "required": ["at"],
                                                     "properties": {"at": stamp}})}},
            "/either": {"post": {
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"oneOf": [
                        {"type": "object", "properties": {"a": {"type": "integer"}}},
                        {"type": "object", "properties": {"b": {"type": "integer"}}}]}}}},
                "responses": answers({"type": "object"})}},
        }}
    path = tmp_path / "closed.json"
    path.write_text(json.dumps(document))
    return Spec.from_path(path)


def _pointer(path: str) -> str:
    return f"/paths/~1{path}/get/responses/200/content/application~1json/schema"


def test_closed_object_beside_all_of_leaves_out_optional_members(tmp_path: Path) -> None:
    """JSON Schema's `additionalProperties` does not see into `allOf`: where the members the
    branches name are optional, the answer leaves them out, so it is valid as response checkers
    read the schema literally (and as its author meant it)."""
    spec = _closed_spec(tmp_path)
    validator = MockValidator(spec.document, is_v31=False)
    http = client(spec, seed=5)
    for _ in range(5):
        response = http.get("/optional")
        assert response.status_code == 200
        assert validator.error(_pointer("optional"), response.json()) is None
        assert validator.meant_reading().error(_pointer("optional"), response.json()) is None


def test_closed_object_requiring_branch_members_answers_the_merged_object(
        tmp_path: Path) -> None:
    """Where the branches require a member the closed object does not list, JSON Schema admits
    no object: the answer is the object the author meant (the branches' members merged), not a
    500, and the operation is not reported as unmockable."""
    spec = _closed_spec(tmp_path)
    mocked = create_mock_app(spec, seed=5)
    assert mocked.report.unmockable == []
    body = mocked.app.test_client().get("/required").json()
    validator = MockValidator(spec.document, is_v31=False)
    assert isinstance(body["id"], str)
    assert validator.error(_pointer("required"), body) is not None  # as written: nothing
    assert validator.meant_reading().error(_pointer("required"), body) is None


def test_a_closed_object_allows_the_members_it_requires(tmp_path: Path) -> None:
    """`additionalProperties: false` with `required` names but no `properties`: the required
    members are allowed (response checkers read it so; JSON Schema would admit no object)."""
    document = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},
                "components": {"schemas": {"A": {
                    "type": "object", "additionalProperties": False, "required": ["id"],
                    "allOf": [{"properties": {"id": {"type": "string"}}}]}}}}
    validator = MockValidator(document, is_v31=False)
    assert validator.error("/components/schemas/A", {"id": "x"}) is None
    assert validator.error("/components/schemas/A", {"id": "x", "more": 1}) is not None


def test_a_string_with_a_format_and_a_pattern_satisfies_both(tmp_path: Path) -> None:
    spec = _closed_spec(tmp_path)
    validator = MockValidator(spec.document, is_v31=False)
    http = client(spec, seed=2)
    for _ in range(5):
        body = http.get("/stamp").json()
        assert validator.error(_pointer("stamp"), body) is None
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["at"])


def test_a_body_matching_several_one_of_branches_is_refused(tmp_path: Path) -> None:
    """`oneOf` means exactly one: a body two branches accept is invalid (contract testers send
    it as invalid data); a body one branch accepts is valid."""
    http = client(_closed_spec(tmp_path))
    assert http.post("/either", json={"a": 1, "b": "x"}).status_code == 200
    refused = http.post("/either", json={"a": 1, "b": 2})
    assert refused.status_code == 400
    assert refused.headers["mock-violation"] == \
        "body: the value must match exactly one of the allowed forms"


def test_trial_answers_can_wait_until_the_server_listens(spec: Spec) -> None:
    mocked = create_mock_app(spec, trial=False)
    assert mocked.report.unmockable == [("GET /nothing", "no responses are documented")]
    assert mocked.run_trials() == []  # every other operation of the spec can be answered
    assert mocked.pending_trials == []


def test_multiple_of_is_judged_and_generated_in_decimals() -> None:
    """`multipleOf: 0.01` as JSON's decimal numbers mean it, as response checkers judge it:
    0.07 is a multiple, 6.0600000000000005 (0.01 * 606 in binary floating point) is not, and
    generated numbers are written exactly (6.06)."""
    schema = {"type": "number", "multipleOf": 0.01, "minimum": 0, "maximum": 100}
    document: dict[str, Any] = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
                                "paths": {}, "components": {"schemas": {"A": schema}}}
    validator = MockValidator(document, is_v31=False)
    assert validator.error("/components/schemas/A", 0.07) is None
    assert validator.error("/components/schemas/A", 6.06) is None
    assert validator.error("/components/schemas/A", 6.0600000000000005) is not None
    generator = ValueGenerator(document, random.Random(1), is_v31=False)
    for _ in range(50):
        value = generator.generate(schema)
        assert validator.error("/components/schemas/A", value) is None
        assert len(repr(value).partition(".")[2]) <= 2


def test_all_of_closed_branches_answer_their_merged_object(tmp_path: Path) -> None:
    """`allOf` of two closed objects, each requiring members the other does not list: no value
    satisfies it as JSON Schema reads it, nor as `additionalProperties` beside `allOf` is read;
    the branches make one object together, and that is the answer (not a 500)."""
    def closed(name: str) -> dict[str, Any]:
        return {"type": "object", "additionalProperties": False, "required": [name],
                "properties": {name: {"type": "string"}}}

    document = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {
        "/both": {"get": {"responses": {"200": {"description": "ok", "content": {
            "application/json": {"schema": {"allOf": [closed("a"), closed("b")]}}}}}}}}}
    path = tmp_path / "both.json"
    path.write_text(json.dumps(document))
    mocked = create_mock_app(Spec.from_path(path), seed=1)
    assert mocked.report.unmockable == []
    body = mocked.app.test_client().get("/both").json()
    assert set(body) == {"a", "b"} and all(isinstance(v, str) for v in body.values())


def test_a_discriminated_one_of_is_decided_by_its_discriminator(tmp_path: Path) -> None:
    """With a `discriminator`, `oneOf` is decided by it (OpenAPI): a body both branches accept
    is valid."""
    pet = {"type": "object", "required": ["pet_type"],
           "properties": {"pet_type": {"type": "string"}}}
    document = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {
        "/pets": {"patch": {
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "oneOf": [{"$ref": "#/components/schemas/Cat"},
                          {"$ref": "#/components/schemas/Dog"}],
                "discriminator": {"propertyName": "pet_type"}}}}},
            "responses": {"200": {"description": "ok"}, "400": {"description": "bad"}}}}},
        "components": {"schemas": {"Cat": pet, "Dog": pet}}}
    path = tmp_path / "pets.json"
    path.write_text(json.dumps(document))
    http = client(Spec.from_path(path))
    assert http.patch("/pets", json={"pet_type": "Cat"}).status_code == 200
    assert http.patch("/pets", json={"pet_type": 5}).status_code == 400
