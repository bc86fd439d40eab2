"""Golden tests for docs: tier 1 (one template from view objects) and tier 2 (case folders).

Case folders are `golden/docs_<case>/{spec.yaml, expected/<output>}`; run pytest with
`--update-golden` to rewrite the expected files, then review the diff.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from specfirst.generator.docs import OUTPUTS, build_site, render_outputs
from specfirst.generator.docs.render import make_environment
from specfirst.generator.docs.samples import RequestSketch
from specfirst.generator.docs.views import (
    BodyView,
    OperationView,
    PropertyView,
    ResponseView,
    SchemaView,
    SecurityView,
)
from specfirst.generator.loader import Spec

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.name for p in GOLDEN.glob("docs_*") if (p / "spec.yaml").exists())


def _diff(expected: str, actual: str, name: str) -> str:
    lines = difflib.unified_diff(expected.splitlines(), actual.splitlines(),
                                 f"expected/{name}", f"actual/{name}", lineterm="", n=2)
    return "\n".join(list(lines)[:60])


@pytest.mark.parametrize("case", CASES)
def test_case_folder(case: str, update_golden: bool) -> None:
    folder = GOLDEN / case
    rendered = render_outputs(build_site(Spec.from_path(folder / "spec.yaml"), "spec.yaml"))
    expected_dir = folder / "expected"
    if update_golden:
        expected_dir.mkdir(exist_ok=True)
        for name, text in rendered.items():
            (expected_dir / name).write_text(text, encoding="utf-8", newline="\n")
    assert sorted(rendered) == sorted(OUTPUTS)
    for name, text in rendered.items():
        path = expected_dir / name
        assert path.exists(), f"{path} is missing: run pytest --update-golden and review it"
        expected = path.read_text(encoding="utf-8")
        assert text == expected, (
            f"{case}/{name} differs from the golden file (pytest --update-golden rewrites it):\n"
            + _diff(expected, text, name))


def test_rendering_is_reproducible() -> None:
    spec_path = GOLDEN / CASES[0] / "spec.yaml"
    first = render_outputs(build_site(Spec.from_path(spec_path), "spec.yaml"))
    second = render_outputs(build_site(Spec.from_path(spec_path), "spec.yaml"))
    assert first == second


def _schema() -> SchemaView:
    return SchemaView(type="object", named="Pet", named_anchor="schema-pet", properties=(
        PropertyView("name", True, SchemaView(type="string", description="The *name*.",
                                              constraints=("min length 1",))),
        PropertyView("owner", False, SchemaView(type="object", ref="User",
                                                ref_anchor="schema-user")),
        PropertyView("kind", False, SchemaView(type="string", enum=('"dog"', '"cat"'),
                                               read_only=True)),
    ))


def test_schema_macros_lay_out_a_view() -> None:
    env = make_environment()
    template = env.from_string(
        '{% from "_schema.html.jinja" import schema_full, schema_block %}'
        "{{ schema_full(s) }}|SPLIT|{{ schema_block(s) }}")
    full, block = template.render(s=_schema()).split("|SPLIT|")
    assert "<code>name</code><span class=\"req\">required</span>" in full
    assert "<em>name</em>" in full and "<li>min length 1</li>" in full
    assert '<details class="ref" data-ref="schema-user">' in full
    assert '<a href="#schema-user">User</a>' in full
    assert "<code>&#34;dog&#34;</code>" in full and "read-only" in full
    assert 'class="ref-slot" data-ref="schema-pet"' in block and "<table" not in block


def test_markdown_macros_lay_out_a_view() -> None:
    env = make_environment()
    template = env.from_string(
        '{% from "_schema.md.jinja" import schema_table %}{{ schema_table(s) }}')
    text = template.render(s=_schema())
    assert "| `name` | string | yes | The \\*name\\*.<br>min length 1 |" not in text
    assert "| `name` | string | yes | The *name*.<br>min length 1 |" in text
    assert "| `owner` | [User](#schema-user) |  |  |" in text
    assert '| `kind` | string |  | read-only; one of `"dog"`, `"cat"` |' in text


def test_operation_macro_lays_out_a_view() -> None:
    op = OperationView(
        anchor="op-x", method="POST", path="/x", operation_id="make_x", summary="Make",
        description="", deprecated=False, tags=("t",), parameters=(),
        request_body=BodyView("application/json", _schema()), request_body_required=True,
        request_bodies=(BodyView("application/json", _schema()),),
        responses=(ResponseView("201", "Made."), ResponseView("422", "Bad.")),
        security=(SecurityView((("bearerAuth", "http", ("x:write",)),)), SecurityView(())),
        samples=(), request=RequestSketch("POST", "http://h", "/x"),
    )
    html = make_environment().from_string(
        '{% from "_operation.html.jinja" import operation_body %}{{ operation_body(op) }}'
    ).render(op=op)
    assert '<div class="response success"><div class="status"><span class="code">201</span>' \
        in html
    assert '<div class="response client">' in html
    assert "<code>x:write</code>" in html and '<span class="badge">none</span>' in html
    assert 'Request body <span class="req">required</span>' in html
