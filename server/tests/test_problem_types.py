"""Problem `type` URIs: the base the application's services declare (the CRM's own), else
`about:blank`, or the base named by SPECFIRST_SERVER_PROBLEM_BASE_URI."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from specfirst.generator.errors import ConfigError
from specfirst.server.app import create_app
from specfirst.server.crm import HANDLERS as CRM_HANDLERS
from specfirst.server.crm import SPEC as CRM_SPEC
from specfirst.server.crm import TYPE_BASE as CRM_TYPE_BASE
from specfirst.server.problems import (
    NotFound,
    configure_problem_types,
    problem_body,
    problem_bytes,
)
from specfirst.server.settings import ServerSettings
from starlette.testclient import TestClient

PETS = """\
openapi: 3.0.3
info: {title: Pets, version: '1'}
servers: [{url: /v2}]
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Key}
paths:
  /pets/{petId}:
    get:
      tags: [pets]
      security: [{key: []}]
      parameters:
        - {name: petId, in: path, required: true, schema: {type: integer}}
      responses:
        '200': {description: ok}
"""


@pytest.fixture(autouse=True)
def _restore() -> Iterator[None]:
    yield
    configure_problem_types("about:blank")


def _settings(tmp_path: Path, **environ: str) -> ServerSettings:
    return ServerSettings.from_env({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
                                    **environ})


def _pets_app(tmp_path: Path, **environ: str) -> TestClient:
    (tmp_path / "pets.yaml").write_text(PETS)
    return TestClient(create_app(tmp_path / "pets.yaml", None, _settings(tmp_path, **environ)))


def _answers(client: TestClient, prefix: str) -> dict[int, dict[str, object]]:
    """A 404 (no route), a 405 (the guard), a 401 (security) and a 400 (validation)."""
    found = {
        404: client.get(f"{prefix}/nowhere"),
        405: client.delete(f"{prefix}/pets/1" if prefix == "/v2" else f"{prefix}/customers"),
        401: client.get(f"{prefix}/pets/1" if prefix == "/v2" else f"{prefix}/customers"),
    }
    for status, response in found.items():
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == "application/problem+json"
    return {status: response.json() for status, response in found.items()}


def _crm(settings: ServerSettings) -> TestClient:
    return TestClient(create_app(CRM_SPEC, handlers=CRM_HANDLERS, settings=settings))


def test_the_crm_keeps_its_problem_types(tmp_path: Path) -> None:
    with _crm(_settings(tmp_path)) as client:
        answers = _answers(client, "/api/v1")
    assert answers[404]["type"] == "https://crm.example.com/problems/not-found"
    assert answers[404]["title"] == "Not found"
    assert answers[405]["type"] == "https://crm.example.com/problems/method-not-allowed"
    assert answers[401]["type"] == "https://crm.example.com/problems/unauthenticated"
    assert answers[401]["code"] == "unauthenticated"


def test_the_types_come_from_the_services_not_from_the_spec(tmp_path: Path) -> None:
    """The CRM spec served without the CRM's handler package (so without its services) is
    just another spec."""
    with TestClient(create_app(CRM_SPEC, None, settings=_settings(tmp_path))) as client:
        assert client.get("/api/v1/nowhere").json()["type"] == "about:blank"


def test_another_spec_gets_about_blank_problems(tmp_path: Path) -> None:
    with _pets_app(tmp_path) as client:
        answers = _answers(client, "/v2")
        not_implemented = client.get("/v2/pets/1", headers={"X-Key": "x"})
    assert {a["type"] for a in answers.values()} == {"about:blank"}
    assert answers[404]["title"] == "Not Found"
    assert answers[405]["title"] == "Method Not Allowed"
    assert answers[401]["title"] == "Unauthorized"
    assert answers[401]["code"] == "unauthenticated"  # the extension member stays
    assert not_implemented.status_code == 401  # "x" is no token of the store
    assert "crm.example.com" not in not_implemented.text


def test_the_setting_names_the_base_for_any_spec(tmp_path: Path) -> None:
    base = "https://errors.pets.example/problems"
    with _pets_app(tmp_path, SPECFIRST_SERVER_PROBLEM_BASE_URI=base) as client:
        answers = _answers(client, "/v2")
    assert answers[404]["type"] == base + "/not-found"
    assert answers[404]["title"] == "Not found"
    assert answers[405]["type"] == base + "/method-not-allowed"
    settings = _settings(tmp_path, SPECFIRST_SERVER_PROBLEM_BASE_URI="about:blank")
    with _crm(settings) as client:
        crm = client.get("/api/v1/nowhere").json()
    assert crm["type"] == "about:blank" and crm["title"] == "Not Found"


@pytest.mark.parametrize("raw,expected", [
    ("", None),
    ("about:blank", "about:blank"),
    ("https://example.com/problems", "https://example.com/problems/"),
    ("https://example.com/problems/", "https://example.com/problems/"),
    ("https://example.com/errors#", "https://example.com/errors#"),
    ("urn:example:problem:", "urn:example:problem:"),
])
def test_the_setting_is_read_and_normalised(raw: str, expected: str | None) -> None:
    name = "SPECFIRST_SERVER_PROBLEM_BASE_URI"
    assert ServerSettings.from_env({name: raw}).problem_base_uri == expected


@pytest.mark.parametrize("raw", ["problems/", "/problems", "https://exa mple.com/", "http:"])
def test_a_base_that_is_no_absolute_uri_is_refused(raw: str) -> None:
    with pytest.raises(ConfigError, match="SPECFIRST_SERVER_PROBLEM_BASE_URI"):
        ServerSettings.from_env({"SPECFIRST_SERVER_PROBLEM_BASE_URI": raw})


def test_bodies_follow_the_configured_base() -> None:
    assert problem_body(404)["type"] == "about:blank"
    configure_problem_types(CRM_TYPE_BASE)
    assert problem_body(404)["type"] == CRM_TYPE_BASE + "not-found"
    configure_problem_types("about:blank")
    assert problem_body(413, "too big", title="Ignored") == {
        "type": "about:blank", "title": "Content Too Large", "status": 413,
        "detail": "too big", "code": "payload_too_large"}
    assert problem_body(422)["title"] == "Unprocessable Content"
    assert problem_body(599)["title"] == "Error"
    assert NotFound().type == "about:blank"
    assert b'"about:blank"' in NotFound().to_problem().body
    configure_problem_types("urn:x:")
    assert problem_bytes(410, slug="cursor-expired").startswith(
        b'{"type":"urn:x:cursor-expired","title":"Gone"')
