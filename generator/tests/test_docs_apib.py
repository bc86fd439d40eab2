"""api.apib parses cleanly with drafter.js (the API Blueprint reference parser, pure JS)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

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
