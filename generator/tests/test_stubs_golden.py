"""Golden tests for stubs: tier 1 (one template from a view object) and tier 2 (case folders).

Case folders are `golden/stubs_<case>/{spec.yaml, expected/<file>}`; run pytest with
`--update-golden` to rewrite the expected files, then review the diff.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest
from specfirst.generator.loader import Spec
from specfirst.generator.stubs import generate_stubs
from specfirst.generator.stubs.render import HandlerView, render_function

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.name for p in GOLDEN.glob("stubs_*") if (p / "spec.yaml").exists())


def _diff(expected: str, actual: str, name: str) -> str:
    lines = difflib.unified_diff(expected.splitlines(), actual.splitlines(),
                                 f"expected/{name}", f"actual/{name}", lineterm="", n=2)
    return "\n".join(list(lines)[:60])


def _generate(folder: Path, out: Path) -> dict[str, str]:
    old = Path.cwd()
    os.chdir(folder)  # the header line names the spec relative to the working directory
    try:
        generate_stubs(Spec.from_path("spec.yaml"), out)
    finally:
        os.chdir(old)
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(out.glob("*.py"))}


def test_function_template_renders_a_view() -> None:
    view = HandlerView(name="get_pet", signature="(id_: int) -> Any",
                       docstring="Get a pet.\n\n    Operation: GET /pets/{id}",
                       key="GET /pets/{id}")
    assert render_function(view) == (
        'def get_pet(id_: int) -> Any:\n'
        '    """Get a pet.\n\n    Operation: GET /pets/{id}\n    """\n'
        "    return not_implemented('GET /pets/{id}')\n")


@pytest.mark.parametrize("case", CASES)
def test_case_folder(case: str, tmp_path: Path, update_golden: bool) -> None:
    folder = GOLDEN / case
    rendered = _generate(folder, tmp_path / "pkg")
    expected_dir = folder / "expected"
    if update_golden:
        expected_dir.mkdir(exist_ok=True)
        for old in expected_dir.glob("*.py"):
            old.unlink()
        for name, text in rendered.items():
            (expected_dir / name).write_text(text, encoding="utf-8", newline="\n")
    expected_names = sorted(p.name for p in expected_dir.glob("*.py"))
    assert sorted(rendered) == expected_names
    for name, text in rendered.items():
        expected = (expected_dir / name).read_text(encoding="utf-8")
        assert text == expected, (
            f"{case}/{name} differs from the golden file (pytest --update-golden rewrites it):\n"
            + _diff(expected, text, name))


@pytest.mark.parametrize("case", CASES)
def test_output_compiles_and_is_reproducible(case: str, tmp_path: Path) -> None:
    first = _generate(GOLDEN / case, tmp_path / "a")
    second = _generate(GOLDEN / case, tmp_path / "b")
    assert first == second
    for name, text in first.items():
        compile(text, name, "exec")
