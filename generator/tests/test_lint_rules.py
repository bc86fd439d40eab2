"""Every rule: a spec that triggers it (at the marked lines) and one that does not, plus docs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from specfirst.generator.lint import lint_spec
from specfirst.generator.lint.rule import Rule
from specfirst.generator.lint.rules import ALL_RULES
from specfirst.generator.loader import Spec

CASES = Path(__file__).parent / "lint_cases"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules"
_EXPECT = re.compile(r"#\s*expect:\s*([A-Z0-9, ]+)")


def expected_lines(path: Path, rule_id: str) -> set[tuple[str, int]]:
    """(file name, line) of every `# expect: SFNNN` marker for the rule in the case folder."""
    marks = set()
    for file in sorted(path.parent.rglob("*.yaml")):
        if file.name.startswith("good"):
            continue
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            match = _EXPECT.search(line)
            if match and rule_id in [m.strip() for m in match.group(1).split(",")]:
                marks.add((file.name, number))
    return marks


def run(rule: type[Rule], path: Path) -> list[tuple[str, int, str]]:
    findings = lint_spec(Spec.from_path(path), rules=[rule()])
    return [(Path(f.file).name, f.line, f.message) for f in findings if f.rule == rule.id]


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: f"{r.id}-{r.name}")
def test_bad_spec_triggers_rule_at_marked_lines(rule: type[Rule]) -> None:
    bad = CASES / rule.id / "bad.yaml"
    found = run(rule, bad)
    assert found, f"{rule.id} did not fire on {bad}"
    marked = expected_lines(bad, rule.id)
    assert marked, f"{bad} marks no line with '# expect: {rule.id}'"
    assert {(file, line) for file, line, _ in found} == marked, found


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: f"{r.id}-{r.name}")
def test_good_spec_passes_rule(rule: type[Rule]) -> None:
    good = CASES / rule.id / "good.yaml"
    assert run(rule, good) == []


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: f"{r.id}-{r.name}")
def test_rule_is_documented(rule: type[Rule]) -> None:
    page = DOCS / f"{rule.id}.md"
    assert page.is_file(), f"missing {page}"
    text = page.read_text(encoding="utf-8")
    assert text.startswith(f"# {rule.id} {rule.name}\n")
    assert "## Bad" in text and "## Good" in text and "## Known limits" in text
    assert text.count("```yaml") >= 2
    assert f"Default severity: **{rule.severity}**" in text


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: f"{r.id}-{r.name}")
def test_rule_metadata(rule: type[Rule]) -> None:
    assert re.fullmatch(r"SF\d{3}", rule.id)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
    assert rule.summary
    module = rule.__module__.rsplit(".", 1)[-1]
    assert module == f"{rule.id.lower()}_{rule.name.replace('-', '_')}"


def test_the_lint_guide_lists_every_rule() -> None:
    guide = (DOCS.parent / "lint.md").read_text(encoding="utf-8")
    for rule in ALL_RULES:
        assert f"| [{rule.id}](rules/{rule.id}.md) | `{rule.name}` |" in guide


def test_rule_ids_and_names_are_unique() -> None:
    assert len({r.id for r in ALL_RULES}) == len(ALL_RULES)
    assert len({r.name for r in ALL_RULES}) == len(ALL_RULES)


def test_public_api_is_sorted_and_importable() -> None:
    import specfirst.generator.lint
    import specfirst.generator.lint.rules

    for module in (specfirst.generator.lint, specfirst.generator.lint.rules):
        assert list(module.__all__) == sorted(module.__all__)
        assert all(hasattr(module, name) for name in module.__all__)
