"""A small user project for the CI tests: a spec split over three files, in a git repository."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

__all__ = ["PET", "PETS", "PYPROJECT", "SPEC", "copy_repo", "git", "write_project"]

REPO = Path(__file__).resolve().parents[2]

SPEC = """\
openapi: 3.1.0
info:
  title: Pet shop
  version: 1.0.0
  description: Pets for sale.
  contact: {name: Shop, email: shop@example.com}
  license: {name: MIT, identifier: MIT}
servers:
  - url: https://api.example.com/v1
tags:
  - name: pets
    description: The pets.
security:
  - bearer: []
paths:
  /pets:
    $ref: paths/pets.yaml
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
  schemas:
    Pet:
      $ref: schemas/Pet.yaml
"""
PETS = """\
get:
  operationId: list_pets
  tags: [pets]
  summary: List pets
  description: Returns the pets for sale.
  responses:
    "200":
      description: The pets.
      content:
        application/json:
          schema:
            type: array
            maxItems: 100
            items: {$ref: ../schemas/Pet.yaml}
    "401":
      description: No valid token.
"""
PET = """\
type: object
description: A pet.
required: [id, name]
properties:
  id: {type: integer, description: The id.}
  name: {type: string, maxLength: 100, description: The name.}
"""
PYPROJECT = """\
[project]
name = "petshop"
version = "1.0.0"

[tool.specfirst]
spec = "openapi/api.yaml"
handlers-package = "api.handlers"
handlers-dir = "api/handlers"
docs-out = "docs/reference"
"""


def write_project(project: Path) -> Path:
    """The spec (openapi/api.yaml, paths/pets.yaml, schemas/Pet.yaml) and pyproject.toml."""
    (project / "openapi" / "paths").mkdir(parents=True)
    (project / "openapi" / "schemas").mkdir()
    (project / "pyproject.toml").write_text(PYPROJECT)
    (project / "openapi" / "api.yaml").write_text(SPEC)
    (project / "openapi" / "paths" / "pets.yaml").write_text(PETS)
    (project / "openapi" / "schemas" / "Pet.yaml").write_text(PET)
    return project


def git(folder: Path, *args: str) -> str:
    result = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com",
                             "-c", "init.defaultBranch=main", *args],
                            cwd=folder, check=True, capture_output=True, text=True, timeout=300)
    return result.stdout


def copy_repo(dest: Path) -> Path:
    """This repository's files as they are now (tracked and new, not ignored) in `dest`: builds
    and installs from there never write into the repository, nor pick up its leftovers."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO,
                            check=True, capture_output=True, text=True, timeout=120).stdout
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest
