"""api.apib parses cleanly with drafter.js (the API Blueprint reference parser, pure JS)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from specfirst.generator.docs import render_docs
from specfirst.generator.loader import Spec
from specfirst.generator.tests.test_docs_public import expected_operations
from specfirst.generator.tests.test_docs_security import hostile_spec

from conftest import npm_install

HERE = Path(__file__).parent
REPO = HERE.parents[1]
DRAFTER = "drafter.js@3"

pytestmark = pytest.mark.network_tools


def test_api_blueprint_parses_without_warnings(tmp_path: Path) -> None:
    node = shutil.which("node")
    assert node, "node is required (installed with npm by .ci/run)"
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(yaml.safe_dump(hostile_spec(), sort_keys=False), encoding="utf-8")
    specs = {
        "crm": REPO / "openapi" / "crm.yaml",
        "petstore": HERE / "golden" / "docs_petstore" / "spec.yaml",
        "composition": HERE / "golden" / "docs_composition" / "spec.yaml",
        "hostile": hostile,
    }
    files, expected = [], {}
    for name, path in specs.items():
        spec = Spec.from_path(path)
        render_docs(spec, tmp_path / name)
        files.append(str(tmp_path / name / "api.apib"))
        expected[files[-1]] = len(expected_operations(spec))
    result = subprocess.run([node, str(HERE / "js" / "apib_parse.js"),
                             str(npm_install(DRAFTER)), *files],
                            capture_output=True, text=True, timeout=120, check=True)
    report = json.loads(result.stdout)
    for file, parsed in report.items():
        assert parsed["annotations"] == [], (file, parsed["annotations"][:5])
        assert parsed["actions"] == expected[file], file


def _drafter_report(tmp_path: Path, specs: dict[str, Path]
                    ) -> tuple[dict[str, Any], dict[str, int]]:
    node = shutil.which("node")
    assert node, "node is required (installed with npm by .ci/run)"
    files, expected = [], {}
    for name, path in specs.items():
        spec = Spec.from_path(path)
        render_docs(spec, tmp_path / name)
        files.append(str(tmp_path / name / "api.apib"))
        expected[files[-1]] = len(expected_operations(spec))
    result = subprocess.run([node, str(HERE / "js" / "apib_parse.js"),
                             str(npm_install(DRAFTER)), *files],
                            capture_output=True, text=True, timeout=900, check=True)
    report: dict[str, Any] = json.loads(result.stdout)
    return report, expected


def test_public_specs_export_blueprints_drafter_accepts(tmp_path: Path,
                                                        public_specs: list[Path],
                                                        large_public_spec: Path) -> None:
    """Every public spec of the tests (readme's examples and GitHub's REST API): no error, no
    warning, every operation kept as an action."""
    specs = {f"{i}_{p.stem}": p for i, p in enumerate(public_specs)}
    specs["github"] = large_public_spec
    report, expected = _drafter_report(tmp_path, specs)
    problems = {file: parsed["annotations"][:3] for file, parsed in report.items()
                if parsed["annotations"]}
    assert problems == {}
    lost = {file: (parsed["actions"], expected[file]) for file, parsed in report.items()
            if parsed["actions"] != expected[file]}
    assert lost == {}


def test_blueprint_structure_drafter_cares_about(tmp_path: Path) -> None:
    """Each resource once, with every action's parameters in its URI template; one
    Content-Type per section; no tabs; no body on a 204."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump({
        "openapi": "3.0.3", "info": {"title": "T", "version": "1"},
        "tags": [{"name": "a"}, {"name": "b"}],
        "paths": {
            "/things": {
                "get": {"tags": ["a"], "summary": "List",
                        "parameters": [{"name": "page", "in": "query",
                                        "schema": {"type": "integer"}}],
                        "responses": {"200": {"description": "ok"}}},
                "post": {"tags": ["b"], "summary": "Create\twith a tab",
                         "parameters": [{"name": "Content-Type", "in": "header",
                                         "schema": {"type": "string"}}],
                         "requestBody": {"content": {"application/json": {
                             "schema": {"type": "object"}, "example": {"a": 1}}}},
                         "responses": {"204": {"description": "none", "content": {
                             "application/json": {"schema": {"type": "object"},
                                                  "example": {}}}}}},
            },
            "/things/{id}": {"delete": {
                "tags": ["a"], "summary": "Delete",
                "parameters": [{"name": "id", "in": "path", "required": True,
                                "schema": {"type": "string"}}],
                "responses": {"default": {"description": "whatever"}}}},
        }}, sort_keys=False), encoding="utf-8")
    report, expected = _drafter_report(tmp_path, {"case": spec})
    [(file, parsed)] = report.items()
    assert parsed["annotations"] == [] and parsed["actions"] == expected[file] == 3
    text = Path(file).read_text(encoding="utf-8")
    assert "\t" not in text
    assert text.count("## Resource /things ") == 2  # GET with ?page, POST without
    assert text.count("[/things{?page}]") == 1 and text.count("[/things]") == 1
    assert "Content-Type:" not in text
    assert "+ Response 204\n" in text and "+ Response 200" in text
