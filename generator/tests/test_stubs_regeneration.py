"""Regeneration never touches what a person wrote; --check reports every kind of drift."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from specfirst.contract_tests.cli import cli
from specfirst.generator.errors import RegenerationConflict
from specfirst.generator.loader import Spec
from specfirst.generator.stubs import check_stubs, generate_stubs

BASE = {
    "openapi": "3.0.3",
    "info": {"title": "Pets", "version": "1"},
    "paths": {
        "/pets": {
            "get": {"tags": ["pets"], "operationId": "listPets",
                    "parameters": [{"name": "limit", "in": "query",
                                    "schema": {"type": "integer"}}],
                    "responses": {"200": {"description": "ok"}}},
        },
        "/pets/{id}": {
            "get": {"tags": ["pets"], "operationId": "getPet",
                    "parameters": [{"name": "id", "in": "path", "required": True,
                                    "schema": {"type": "integer"}}],
                    "responses": {"200": {"description": "ok"}}},
        },
    },
}

IMPLEMENTED = '''

# A comment a person wrote.
import json  # an import a person added


def _helper() -> int:
    return 42


def format_pet(pet: dict) -> str:  # specfirst: helper
    return json.dumps(pet)


def get_pet(id_: int) -> Any:
    """Implemented by hand."""
    return {"id": id_, "answer": _helper()}, 200
'''


def write_spec(path: Path, document: dict[str, Any]) -> Spec:
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return Spec.from_path(path)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.py"))}


def implement(pkg: Path) -> None:
    """Replace the generated get_pet with a hand-written one, keeping the rest of the module."""
    text = (pkg / "pets.py").read_text(encoding="utf-8")
    start = text.index("\n\ndef get_pet(")
    (pkg / "pets.py").write_text(text[:start] + IMPLEMENTED, encoding="utf-8")


def test_second_run_writes_nothing(tmp_path: Path) -> None:
    spec = write_spec(tmp_path / "spec.yaml", BASE)
    first = generate_stubs(spec, tmp_path / "pkg")
    assert first.written
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "pkg").iterdir()}
    second = generate_stubs(spec, tmp_path / "pkg")
    assert second.written == [] and second.appended == {}
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "pkg").iterdir()} == before
    assert check_stubs(spec, tmp_path / "pkg").drift == []


def test_new_operation_is_appended_and_edits_survive_byte_for_byte(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    generate_stubs(write_spec(tmp_path / "spec.yaml", BASE), pkg)
    implement(pkg)
    edited = (pkg / "pets.py").read_bytes()

    grown = yaml.safe_load(yaml.safe_dump(BASE))
    grown["paths"]["/pets"]["post"] = {
        "tags": ["pets"], "operationId": "createPet",
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"type": "object"}}}},
        "responses": {"201": {"description": "created"}}}
    grown["paths"]["/owners"] = {"get": {"tags": ["owners"], "operationId": "listOwners",
                                         "responses": {"200": {"description": "ok"}}}}
    result = generate_stubs(write_spec(tmp_path / "spec.yaml", grown), pkg)

    assert result.appended == {"pets": ["create_pet"], "owners": ["list_owners"]}
    after = (pkg / "pets.py").read_bytes()
    assert after.startswith(edited), "the existing module must survive byte for byte"
    added = after[len(edited):].decode()
    assert "def create_pet(" in added and "body: dict[str, Any]" in added
    assert "def get_pet(" not in added
    compile(after, "pets.py", "exec")
    assert (pkg / "owners.py").exists()
    # and a third run changes nothing
    assert generate_stubs(write_spec(tmp_path / "spec.yaml", grown), pkg).written == []
    assert check_stubs(Spec.from_path(tmp_path / "spec.yaml"), pkg).drift == []


def test_appended_function_brings_the_imports_it_needs(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "pets.py").write_text("def list_pets(limit=None):\n    return []\n")
    generate_stubs(write_spec(tmp_path / "spec.yaml", BASE), pkg)
    text = (pkg / "pets.py").read_text()
    assert text.startswith("def list_pets(limit=None):\n    return []\n")
    assert "from ._operations import not_implemented" in text
    assert "from typing import Any" in text


def test_removed_operation_is_reported_never_deleted(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    generate_stubs(write_spec(tmp_path / "spec.yaml", BASE), pkg)
    implement(pkg)
    shrunk = yaml.safe_load(yaml.safe_dump(BASE))
    del shrunk["paths"]["/pets/{id}"]
    before = (pkg / "pets.py").read_bytes()
    result = generate_stubs(write_spec(tmp_path / "spec.yaml", shrunk), pkg)
    assert (pkg / "pets.py").read_bytes() == before
    assert [d.message.split("(")[0] for d in result.removed] == ["get_pet"]
    # helpers (underscore or `# specfirst: helper`) are not handlers
    assert all("_helper" not in d.message and "format_pet" not in d.message
               for d in result.drift)


def test_unreadable_module_is_a_conflict_with_location(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    spec = write_spec(tmp_path / "spec.yaml", BASE)
    generate_stubs(spec, pkg)
    (pkg / "pets.py").write_text("def list_pets(:\n    pass\n")
    with pytest.raises(RegenerationConflict) as caught:
        generate_stubs(spec, pkg)
    assert caught.value.exit_code == 3
    assert caught.value.location is not None and caught.value.location.line == 1
    assert caught.value.location.file.endswith("pets.py")
    assert (pkg / "pets.py").read_text() == "def list_pets(:\n    pass\n"


def test_generated_file_written_by_a_person_is_a_conflict(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "_models.py").write_text("MINE = 1\n")
    with pytest.raises(RegenerationConflict):
        generate_stubs(write_spec(tmp_path / "spec.yaml", BASE), pkg)
    assert (pkg / "_models.py").read_text() == "MINE = 1\n"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_never_writes_through_a_symlink(tmp_path: Path) -> None:
    pkg, outside = tmp_path / "pkg", tmp_path / "outside.py"
    pkg.mkdir()
    outside.write_text("SAFE = True\n")
    (pkg / "pets.py").symlink_to(outside)
    with pytest.raises(RegenerationConflict):
        generate_stubs(write_spec(tmp_path / "spec.yaml", BASE), pkg)
    assert outside.read_text() == "SAFE = True\n"


def test_hostile_operation_ids_stay_inside_the_package(tmp_path: Path) -> None:
    hostile = yaml.safe_load(yaml.safe_dump(BASE))
    hostile["paths"]["/pets"]["get"]["tags"] = ["../../evil"]
    hostile["paths"]["/pets"]["get"]["operationId"] = "../../x"
    generate_stubs(write_spec(tmp_path / "spec.yaml", hostile), tmp_path / "pkg")
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.py"))
    assert written == ["pkg/__init__.py", "pkg/_models.py", "pkg/_operations.py",
                       "pkg/evil.py", "pkg/pets.py"]


def test_check_reports_every_kind_of_drift(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    generate_stubs(write_spec(tmp_path / "spec.yaml", BASE), pkg)
    text = (pkg / "pets.py").read_text()
    text = text.replace("def get_pet(id_: int)", "def get_pet(pet_id: int)")
    text += "\n\ndef old_operation() -> None:\n    pass\n"
    (pkg / "pets.py").write_text(text)
    changed = yaml.safe_load(yaml.safe_dump(BASE))
    changed["paths"]["/pets/{id}"]["delete"] = {
        "tags": ["pets"], "operationId": "deletePet",
        "parameters": [{"name": "id", "in": "path", "required": True,
                        "schema": {"type": "integer"}}],
        "responses": {"204": {"description": "gone"}}}
    spec = write_spec(tmp_path / "spec.yaml", changed)
    before = snapshot(pkg)
    drift = check_stubs(spec, pkg).drift
    assert snapshot(pkg) == before, "--check writes nothing"
    kinds = sorted(d.kind for d in drift)
    assert kinds == ["generated", "missing", "parameters", "removed"]
    by_kind = {d.kind: str(d) for d in drift}
    assert "delete_pet" in by_kind["missing"] and "DELETE /pets/{id}" in by_kind["missing"]
    assert "spec.yaml:" in by_kind["missing"]
    assert "lacks id_" in by_kind["parameters"] and "has pet_id" in by_kind["parameters"]
    assert "old_operation" in by_kind["removed"]
    assert "_operations.py" in by_kind["generated"]


def test_check_accepts_async_handlers_and_context_arguments(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    spec = write_spec(tmp_path / "spec.yaml", BASE)
    generate_stubs(spec, pkg)
    text = (pkg / "pets.py").read_text().replace(
        "def get_pet(id_: int) -> Any:", "async def get_pet(id_: int, user=None, token_info=None):")
    (pkg / "pets.py").write_text(text)
    assert check_stubs(spec, pkg).drift == []


def test_cli_exit_codes(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    write_spec(spec, BASE)
    runner = CliRunner()
    pkg = str(tmp_path / "pkg")
    result = runner.invoke(cli, ["stubs", str(spec), "--out", pkg, "--check"])
    assert result.exit_code == 1 and "missing" in result.output
    assert not (tmp_path / "pkg").exists()
    result = runner.invoke(cli, ["stubs", str(spec), "--out", pkg])
    assert result.exit_code == 0, result.output
    assert "pets: added list_pets, get_pet" in result.output
    assert runner.invoke(cli, ["stubs", str(spec), "--out", pkg, "--check"]).exit_code == 0
    (tmp_path / "pkg" / "pets.py").write_text("def broken(:\n")
    result = runner.invoke(cli, ["stubs", str(spec), "--out", pkg])
    assert result.exit_code == 3
    assert "pets.py:1:" in result.output and "Traceback" not in result.output
