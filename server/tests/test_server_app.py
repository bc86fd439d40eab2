"""The app factory for any spec and handler package; the admin command."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from specfirst.server.app import create_app, docs_prefix
from specfirst.server.db import Database
from specfirst.server.security import hash_token, lookup_token
from specfirst.server.settings import ServerSettings
from sqlalchemy import text
from starlette.testclient import TestClient

SPEC = """\
openapi: 3.0.3
info: {title: Pets, version: '1'}
servers: [{url: /v2}]
paths:
  /pets:
    get:
      operationId: listPets
      tags: [pets]
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: array, items: {type: string}}
  /pets/{petId}:
    get:
      operationId: getPet
      tags: [pets]
      parameters:
        - {name: petId, in: path, required: true, schema: {type: integer}}
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: string}}}}
  /owners:
    get:
      tags: [owners]
      responses:
        '200': {description: ok}
"""

HANDLERS = '''\
from connexion.lifecycle import ConnexionResponse


def list_pets():
    return ConnexionResponse(status_code=200, mimetype="application/json", body=b'["rex"]')
'''


def test_any_spec_with_missing_handlers_answers_501(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pets.yaml").write_text(SPEC)
    package = tmp_path / "petstore_handlers"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "pets.py").write_text(textwrap.dedent(HANDLERS))
    monkeypatch.syspath_prepend(str(tmp_path))
    settings = ServerSettings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}")
    app = create_app(tmp_path / "pets.yaml", "petstore_handlers", settings)
    with TestClient(app) as client:
        assert client.get("/v2/pets").json() == ["rex"]
        missing = client.get("/v2/pets/3")
        assert missing.status_code == 501
        assert missing.headers["content-type"] == "application/problem+json"
        assert "get_pet" in missing.json()["detail"]
        assert client.get("/v2/owners").status_code == 501
        not_int = client.get("/v2/pets/x")
        assert not_int.status_code == 404
        assert not_int.headers["content-type"] == "application/problem+json"
        assert client.get("/v2/openapi.json").json()["paths"].keys() == {
            "/pets", "/pets/{petId}", "/owners"}


def test_docs_prefix() -> None:
    assert docs_prefix({"paths": {"/api/v1/a": {}, "/api/v1/b/{id}": {}}}) == "/api/v1"
    assert docs_prefix({"paths": {"/a": {}, "/b": {}}}) == ""
    assert docs_prefix({"paths": {"/api/v1/a": {}}}) == "/api/v1"


def test_admin_token_create_prints_the_token_alone(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'admin.db'}"
    command = [sys.executable, "-c", "from specfirst.contract_tests.cli import main; main()",
               "admin",
               "token", "create", "--tenant", "acme", "--scope", "customers:read", "--db", url]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
    token = result.stdout.strip()
    assert result.stdout == token + "\n" and token.startswith("sf_") and len(token) > 40
    db = Database.from_url(url)
    info = lookup_token(db, token)
    assert info is not None and info.scopes == {"customers:read"}
    with db.read() as conn:
        stored = conn.execute(text("SELECT token_hash FROM specfirst_tokens")).scalars().all()
    assert stored == [hash_token(token)] and token not in stored[0]
    revoke = [*command[:4], "token", "revoke", token, "--db", url]
    subprocess.run(revoke, capture_output=True, text=True, timeout=60, check=True)
    assert lookup_token(db, token) is None
