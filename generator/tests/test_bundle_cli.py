"""`specfirst bundle`: a multi-file spec as one document that lint reads the same way."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from specfirst.contract_tests.cli import cli
from specfirst.generator.loader import Spec

REPO = Path(__file__).resolve().parents[2]
CRM = REPO / "openapi" / "crm.yaml"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in refs(value)]
    if isinstance(node, list):
        return [r for item in node for r in refs(item)]
    return []


def lint_findings(spec: Path) -> list[tuple[str, str, str]]:
    code, out, err = run("lint", "--format", "json", str(spec))
    assert code in (0, 1), err
    return sorted((f["rule"], f["pointer"], f["message"]) for f in json.loads(out)["findings"])


@pytest.fixture
def crm_with_findings(tmp_path: Path) -> Path:
    """A copy of the reference spec (88 files) with findings in two referenced files."""
    copy = tmp_path / "openapi"
    shutil.copytree(REPO / "openapi", copy)
    paths = copy / "paths" / "customers.yaml"
    paths.write_text(paths.read_text().replace("    summary: List customers\n", "", 1))
    schema = copy / "components" / "schemas" / "ActivityCreate.yaml"
    text = schema.read_text()
    assert "    minLength: 1\n    maxLength: 200\n" in text
    schema.write_text(text.replace("    minLength: 1\n    maxLength: 200\n", "", 1))
    return copy / "crm.yaml"


@pytest.mark.parametrize("name", ["bundle.yaml", "bundle.json"])
def test_bundle_is_self_contained_and_lints_the_same(crm_with_findings: Path, tmp_path: Path,
                                                     name: str) -> None:
    out = tmp_path / "out" / name
    code, _, err = run("bundle", str(crm_with_findings), "-o", str(out))
    assert code == 0, err
    assert "88 file(s)" in err
    text = out.read_text()
    document = json.loads(text) if name.endswith(".json") else yaml.safe_load(text)
    if name.endswith(".yaml"):
        assert not text.lstrip().startswith("{") and "&id" not in text  # block style, no aliases
    # Every reference is local and resolves; the components keep their names.
    every = refs(document)
    assert every and all(r.startswith("#/") for r in every)
    assert "#/components/schemas/Activity" in every
    assert "Activity" in document["components"]["schemas"]
    assert "$ref" not in document["components"]["schemas"]["Activity"]
    # Read back alone (no other file), it is the document every command sees from the split spec.
    alone = tmp_path / "alone" / name
    alone.parent.mkdir()
    shutil.copy(out, alone)
    assert Spec.from_path(alone).document == Spec.from_path(crm_with_findings).document
    # lint: the same findings (rule, JSON pointer, message), the planted ones among them.
    before, after = lint_findings(crm_with_findings), lint_findings(alone)
    assert after == before
    rules = {rule for rule, _, _ in before}
    assert {"SF301", "SF504"} <= rules, before


def test_bundle_of_the_reference_spec_is_clean(tmp_path: Path) -> None:
    out = tmp_path / "crm.yaml"
    code, _, err = run("bundle", str(CRM), "-o", str(out))
    assert code == 0, err
    assert lint_findings(out) == lint_findings(CRM) == []


def test_bundle_to_stdout_format_flag_and_bad_output(tmp_path: Path) -> None:
    code, out, _ = run("bundle", str(CRM), "--format", "json")
    assert code == 0 and json.loads(out)["openapi"].startswith("3.")
    code, out, _ = run("bundle", str(CRM))
    assert code == 0 and yaml.safe_load(out)["info"]["title"]
    code, _, err = run("bundle", str(CRM), "-o", str(tmp_path / "x.txt"))
    assert code == 2 and "--format" in err and "Traceback" not in err
    copy = tmp_path / "openapi"
    shutil.copytree(REPO / "openapi", copy)
    target = copy / "paths" / "customers.yaml"
    before = target.read_text()
    code, _, err = run("bundle", str(copy / "crm.yaml"), "-o", str(target), "--format", "yaml")
    assert code == 2 and "spec's own files" in err
    assert target.read_text() == before
    code, _, err = run("bundle", str(tmp_path / "missing.yaml"), "-o", str(tmp_path / "b.yaml"))
    assert code == 2 and "no such file" in err and not (tmp_path / "b.yaml").exists()
