"""The resolver follows the stubs generator's names, including de-duplicated ones, and `serve`
accepts specs Connexion 3 refuses as they are (OpenAPI 3.1)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from specfirst.server.app import create_app

SPEC = """\
openapi: {version}
info: {{title: Pets, version: "1"}}
paths:
  /pets:
    get:
      tags: [pets]
      operationId: listPets
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {{type: object, properties: {{who: {{type: string}}}}}}
  /pets/{{id}}:
    delete:
      tags: [pets]
      operationId: list-pets
      parameters:
        - {{name: id, in: path, required: true, schema: {{type: string}}}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {{type: object, properties: {{who: {{type: string}}}}}}
"""

HANDLERS = """\
def list_pets():
    return {"who": "list_pets"}


def list_pets_2(id_):
    return {"who": "list_pets_2:" + id_}
"""


@pytest.fixture
def package(tmp_path: Path) -> Iterator[str]:
    name = f"resolver_pkg_{tmp_path.name.replace('-', '_')}"
    folder = tmp_path / name
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    (folder / "pets.py").write_text(HANDLERS)
    sys.path.insert(0, str(tmp_path))
    try:
        yield name
    finally:
        sys.path.remove(str(tmp_path))


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_colliding_names_resolve_like_the_generated_stubs(tmp_path: Path, package: str,
                                                          version: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "api.yaml"
    spec.write_text(SPEC.format(version=version))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    app = create_app(str(spec), package)
    client = app.test_client()
    assert client.get("/pets").json() == {"who": "list_pets"}
    assert client.delete("/pets/7").json() == {"who": "list_pets_2:7"}
