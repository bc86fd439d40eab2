"""Findings point at the exact node, through `$ref`s, in the file where it is written."""

from __future__ import annotations

from pathlib import Path

from specfirst.generator.lint import lint_spec
from specfirst.generator.lint.config import LintConfig
from specfirst.generator.loader import Spec
from specfirst.generator.tests.test_lint_rules import expected_lines

CASE = Path(__file__).parent / "lint_cases" / "multifile"


def test_findings_in_referenced_files_have_their_file_line_and_column() -> None:
    spec = Spec.from_path(CASE / "api.yaml")
    findings = lint_spec(spec, config=LintConfig.from_table({}, ruleset="strict"))
    located = {(f.rule, Path(f.file).as_posix().split("multifile/")[1], f.line, f.column)
               for f in findings}
    # The example value `42` in paths/pets.yaml, line 11, column 19.
    assert ("SF305", "paths/pets.yaml", 11, 19) in located
    # The pattern's value in schemas/Pet.yaml, reached through two $refs.
    assert ("SF507", "schemas/Pet.yaml", 10, 14) in located
    # The second `name:` key of the same mapping.
    assert ("SF002", "schemas/Pet.yaml", 11, 3) in located


def test_every_marked_line_of_the_multifile_case_is_found() -> None:
    spec = Spec.from_path(CASE / "api.yaml")
    findings = lint_spec(spec, config=LintConfig.from_table({}, ruleset="strict"))
    for rule in ("SF305", "SF507", "SF002"):
        marks: set[tuple[str, int]] = set()
        for file in ("paths/pets.yaml", "schemas/Pet.yaml"):
            marks |= {(file, line) for name, line in expected_lines(CASE / file, rule)
                      if name == Path(file).name}
        found = {(Path(f.file).as_posix().split("multifile/")[1], f.line)
                 for f in findings if f.rule == rule}
        assert found == marks, (rule, found, marks)


def test_text_output_shows_the_source_line_from_the_referenced_file() -> None:
    from specfirst.generator.lint import merge_results, render

    spec = Spec.from_path(CASE / "api.yaml")
    findings = lint_spec(spec, config=LintConfig.from_table({}, ruleset="minimal"))
    text = render(merge_results([("api.yaml", findings)]), "text")
    assert "schemas/Pet.yaml:10:14 error SF507 redos-pattern" in text
    assert "pattern: '^(\\w+\\s?)*$'" in text
