"""A `$ref` that resolves to nothing: every command refuses it at its file:line:col (exit 2),
and `lint` reports each one as an SF001 error with its other findings, under every ruleset."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from specfirst.contract_tests.cli import cli
from specfirst.generator.errors import SpecLoadError
from specfirst.generator.loader import Spec, iter_refs

SPEC = """\
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /books/{id}:
    patch:
      operationId: patchBook
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      requestBody:
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/BookPatchh'
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Missing'}
components:
  schemas:
    BookPatch:
      type: object
      properties:
        default:
          $ref: '#/components/schemas/Other'
        examples:
          $ref: '#/components/schemas/Other'
      example: {$ref: 'not a reference, data'}
    Other: {type: string}
"""


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    path = tmp_path / "api.yaml"
    path.write_text(SPEC)
    return path


def test_loader_refuses_at_the_reference(broken: Path) -> None:
    with pytest.raises(SpecLoadError) as caught:
        Spec.from_path(broken)
    error = caught.value
    assert error.location is not None
    assert (error.location.line, error.location.column) == (13, 21)
    assert "'#/components/schemas/BookPatchh' points at nothing" in error.message
    assert "1 more" in error.message
    assert error.hint == "did you mean '#/components/schemas/BookPatch'?"


def test_non_strict_reading_collects_every_dangling_reference(broken: Path) -> None:
    spec = Spec.from_path(broken, strict_refs=False)
    assert [(p.location.line if p.location else 0) for p in spec.problems] == [13, 19]


def test_references_under_property_names_count_and_data_does_not(broken: Path) -> None:
    spec = Spec.from_path(broken, strict_refs=False)
    refs = dict(iter_refs(spec.document))
    assert refs["/components/schemas/BookPatch/properties/default"] == \
        "#/components/schemas/Other"
    assert refs["/components/schemas/BookPatch/properties/examples"] == \
        "#/components/schemas/Other"
    assert not any(p.startswith("/components/schemas/BookPatch/example") for p in refs)


def test_dangling_reference_into_another_file(tmp_path: Path) -> None:
    (tmp_path / "schemas.yaml").write_text("Book: {type: object}\n")
    root = tmp_path / "api.yaml"
    root.write_text("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"
                    "components:\n  schemas:\n    Book:\n"
                    "      $ref: 'schemas.yaml#/Bok'\n")
    with pytest.raises(SpecLoadError) as caught:
        Spec.from_path(root)
    assert caught.value.location is not None and caught.value.location.line == 7
    assert caught.value.hint == "did you mean 'schemas.yaml#/Book'?"
    assert len(Spec.from_path(root, strict_refs=False).problems) == 1


@pytest.mark.parametrize("ruleset", ["minimal", "recommended", "strict"])
def test_lint_reports_each_as_an_error_with_the_other_findings(broken: Path,
                                                                ruleset: str) -> None:
    result = CliRunner().invoke(cli, ["lint", "--format", "json", "--ruleset", ruleset,
                                      str(broken)])
    assert result.exit_code == 1, result.output
    findings = json.loads(result.output)["findings"]
    dangling = [f for f in findings if "points at nothing" in f["message"]]
    assert [(f["rule"], f["severity"], f["line"], f["column"]) for f in dangling] == [
        ("SF001", "error", 13, 21), ("SF001", "error", 19, 30)]
    if ruleset != "minimal":
        assert len(findings) > len(dangling)


@pytest.mark.parametrize("command", [
    ["docs", "{spec}", "--out", "{tmp}/site"],
    ["stubs", "{spec}", "--out", "{tmp}/stubs"],
    ["mock", "{spec}", "--port", "0"],
    ["serve", "{spec}", "--port", "0", "--db", "sqlite:///{tmp}/x.db"],
    ["check", "{spec}"],
    ["diff", "{spec}", "{spec}"],
    ["test", "{spec}", "--url", "http://127.0.0.1:9"],
])
def test_every_command_refuses_with_the_located_message(broken: Path, tmp_path: Path,
                                                        command: list[str]) -> None:
    args = [a.format(spec=broken, tmp=tmp_path) for a in command]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, (result.output, result.exception)
    assert not isinstance(result.exception, Exception) or isinstance(result.exception,
                                                                     SystemExit)
    text = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert ":13:21: $ref '#/components/schemas/BookPatchh' points at nothing" in text
    assert "Traceback" not in text
