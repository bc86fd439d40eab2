"""The docs views: schemas, examples, samples and Markdown safety, decided in Python."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from specfirst.generator.docs.examples import ExampleGenerator
from specfirst.generator.docs.markdown import (
    is_safe_url,
    markdown_source,
    markdown_table_cell,
    render_markdown,
)
from specfirst.generator.docs.samples import RequestSketch, code_samples
from specfirst.generator.docs.schemas import SchemaBuilder
from specfirst.generator.docs.site import build_site, slug
from specfirst.generator.loader import Spec


def builder(schemas: dict[str, Any]) -> SchemaBuilder:
    document = {"components": {"schemas": schemas}}
    return SchemaBuilder(document, lambda name: f"schema-{slug(name)}")


def write_spec(tmp_path: Path, document: dict[str, Any]) -> Spec:
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return Spec.from_path(path)


def test_circular_schema_is_a_link_not_a_recursion() -> None:
    schemas = {"Node": {"type": "object", "properties": {
        "child": {"$ref": "#/components/schemas/Node"},
        "kids": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}}}}
    view = builder(schemas).named("Node")
    child = view.properties[0].schema
    assert child.ref == "Node" and child.ref_anchor == "schema-node" and child.cut
    assert view.properties[1].schema.items is not None
    assert view.properties[1].schema.items.ref == "Node"


def test_mutually_recursive_inline_refs_stop() -> None:
    document = {"paths": {"a": {"type": "object", "properties": {"b": {"$ref": "#/paths/b"}}},
                          "b": {"type": "object", "properties": {"a": {"$ref": "#/paths/a"}}}}}
    view = SchemaBuilder(document, lambda n: n).build({"$ref": "#/paths/a"})
    inner = view.properties[0].schema.properties[0].schema
    assert inner.cut


def test_top_level_named_reference_is_expanded_and_remembers_its_name() -> None:
    schemas = {"Pet": {"type": "object", "required": ["id"],
                       "properties": {"id": {"type": "string", "readOnly": True}}}}
    view = builder(schemas).build({"$ref": "#/components/schemas/Pet"})
    assert view.named == "Pet" and view.ref is None
    assert view.properties[0].required and view.properties[0].schema.read_only
    nested = builder(schemas).build({"$ref": "#/components/schemas/Pet"}, expand=False)
    assert nested.ref == "Pet" and not nested.properties


def test_all_of_objects_are_merged_with_their_origins() -> None:
    schemas = {
        "Base": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
        "Pet": {"allOf": [{"$ref": "#/components/schemas/Base"},
                          {"type": "object", "required": ["name"],
                           "properties": {"name": {"type": "string"}}}]},
    }
    view = builder(schemas).named("Pet")
    assert [(p.name, p.required) for p in view.properties] == [("id", True), ("name", True)]
    assert view.extends == (("Base", "schema-base"),)
    assert view.type == "object"


def test_one_of_keeps_variants_and_discriminator() -> None:
    schemas = {"A": {"type": "object"}, "Shape": {
        "oneOf": [{"$ref": "#/components/schemas/A"}, {"type": "string", "enum": ["x", None]}],
        "discriminator": {"propertyName": "kind"}}}
    view = builder(schemas).named("Shape")
    assert view.variant_kind == "oneOf" and view.discriminator == "kind"
    assert view.variants[0].ref == "A"
    assert view.variants[1].enum == ('"x"', "null") and view.variants[1].nullable


def test_constraints_formats_and_flags() -> None:
    view = builder({}).build({
        "type": ["integer", "null"], "format": "int32", "minimum": 1, "exclusiveMaximum": 10,
        "multipleOf": 2, "default": 2, "deprecated": True, "writeOnly": True})
    assert view.type == "integer" and view.nullable and view.format == "int32"
    assert view.constraints == (">= 1", "< 10", "multiple of 2")
    assert view.default == "2" and view.deprecated and view.write_only
    closed = builder({}).build({"type": "object", "additionalProperties": False})
    assert closed.closed


def test_deep_inline_nesting_is_cut() -> None:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(200):
        schema = {"type": "object", "properties": {"x": schema}}
    view = builder({}).build(schema)
    depth = 0
    while view.properties:
        view = view.properties[0].schema
        depth += 1
    assert view.cut and depth < 40


def test_examples_are_deterministic_and_respect_direction() -> None:
    schemas = {"Pet": {"type": "object", "required": ["name"], "properties": {
        "id": {"type": "string", "format": "uuid", "readOnly": True},
        "secret": {"type": "string", "writeOnly": True},
        "name": {"type": "string", "minLength": 8},
        "age": {"type": "integer", "minimum": 3},
        "kind": {"enum": ["dog", "cat"]},
        "parent": {"$ref": "#/components/schemas/Pet"},
        "born": {"type": "string", "format": "date-time"}}}}
    document = {"components": {"schemas": schemas}}
    generator = ExampleGenerator(SchemaBuilder(document, str).resolve)
    ref = {"$ref": "#/components/schemas/Pet"}
    request = generator.generate(ref, "request")
    response = generator.generate(ref, "response")
    assert "id" not in request and "secret" in request
    assert "secret" not in response and response["id"] == "3fa85f64-5717-4562-b3fc-2c963f66afa6"
    assert len(request["name"]) >= 8 and request["age"] == 3 and request["kind"] == "dog"
    assert "parent" not in response  # the cycle is left out, not expanded forever
    assert json.dumps(response) == json.dumps(generator.generate(ref, "response"))


def test_spec_examples_win_over_generated_ones(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, {
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"post": {
            "requestBody": {"content": {"application/json": {
                "schema": {"type": "object", "properties": {"n": {"type": "integer"}}},
                "examples": {"one": {"summary": "The first", "value": {"n": 7}}}}}},
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"type": "object", "properties": {"n": {"type": "integer"}}}}}}}}}}})
    op = build_site(spec).operations[0]
    assert op.request_body is not None
    example = op.request_body.examples[0]
    assert (example.name, example.summary, example.generated) == ("one", "The first", False)
    assert json.loads(example.text) == {"n": 7}
    generated = op.responses[0].bodies[0].examples[0]
    assert generated.generated and json.loads(generated.text) == {"n": 0}
    assert op.request.body == {"n": 7}


def test_markdown_html_sanitizes_raw_html_and_drops_unsafe_links() -> None:
    html = str(render_markdown(
        "Text <script>alert(1)</script> <img src=x onerror=alert(1)> [a](javascript:alert(1)) "
        "[b](JaVaScRiPt:alert(1)) [c](data:text/html,x) [d](https://ok.example) [e](/rel) "
        "[f](mailto:a@b.c) {{ 7*7 }} <b onclick=alert(1)>bold</b> "
        "<a href=\"javascript:alert(1)\">raw</a> <a href=\"https://raw.example\">ok</a>"))
    assert "<script" not in html and "alert(1)</" not in html and "<img" not in html
    assert "onclick" not in html and "onerror" not in html
    assert 'href="javascript' not in html.lower() and "data:text" not in html.split("href")[-1]
    assert 'href="https://ok.example"' in html and 'href="/rel"' in html
    assert 'href="mailto:a@b.c"' in html and "{{ 7*7 }}" in html
    assert "<b>bold</b>" in html and 'href="https://raw.example"' in html


def test_markdown_html_keeps_allowed_tags_and_renders_tables() -> None:
    stripe_like = str(render_markdown("<p>Creates a <code>charge</code>.</p>"))
    assert stripe_like.strip() == "<p>Creates a <code>charge</code>.</p>"
    table = str(render_markdown("| Field | Meaning |\n|---|---|\n| `id` | the key |\n"))
    assert "<table>" in table and "<th>Field</th>" in table and "<td><code>id</code></td>" in table
    block = str(render_markdown("<script>\nalert(1)\n</script>\n\n<style>p{}</style>\n\nafter"))
    assert "alert" not in block and "p{}" not in block and "<p>after</p>" in block


@pytest.mark.parametrize("url, safe", [
    ("https://a.b", True), ("http://a.b", True), ("mailto:x@y", True), ("/a/b", True),
    ("a/b#c", True), ("#frag", True), ("javascript:x", False), (" javascript:x", False),
    ("java\tscript:x", False), ("vbscript:x", False), ("data:x", False), ("file:///etc", False),
])
def test_safe_link_schemes(url: str, safe: bool) -> None:
    assert is_safe_url(url) is safe


def test_markdown_source_is_defused_but_keeps_code() -> None:
    text = ("Hi <script>x</script> [a](javascript:alert(1)) `<b>` [ok](https://x.y)\n"
            "[ref]: javascript:alert(2)\n```\n<raw>\n```")
    out = markdown_source(text)
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "javascript:" not in out and "](#)" in out and "[ref]: #" in out
    assert "`<b>`" in out and "<raw>" in out and "(https://x.y)" in out


def test_markdown_table_cell_is_one_inert_line() -> None:
    cell = markdown_table_cell("a | b\n<img onerror=x> [x](javascript:y) `c|d`")
    assert "\n" not in cell and "<img" not in cell and "\\|" in cell
    assert "\\[x\\]" in cell and "`c\\|d`" in cell


def test_code_samples_quote_values() -> None:
    sketch = RequestSketch(method="POST", base_url="https://h", path="/a/{id}",
                           path_params={"id": "x'; rm -rf /"}, query={"q": "a b"},
                           media_type="application/json", body={"s": "'$(id)'", "n": None},
                           bearer=True)
    curl, python, js = (sample.code for sample in code_samples(sketch))
    assert "https://h/a/x%27%3B%20rm%20-rf%20%2F?q=a+b" in curl
    assert "'\"'\"'$(id)'\"'\"'" in curl  # the body is one shell-quoted word
    assert '"n": None' in python and "os.environ['TOKEN']" in python
    compile(python, "sample.py", "exec")
    assert "JSON.stringify(" in js and "Bearer ${TOKEN}" in js


def test_exponential_reference_chains_stay_bounded(tmp_path: Path) -> None:
    """Each level refers to the next twice (through pointers that are not named schemas)."""
    levels: dict[str, Any] = {"l40": {"type": "string"}}
    for level in range(39, -1, -1):
        nxt = {"$ref": f"#/x-levels/l{level + 1}"}
        levels[f"l{level}"] = {"type": "object", "properties": {"a": nxt, "b": nxt},
                               "allOf": [nxt, nxt]}
    spec = write_spec(tmp_path, {
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "x-levels": levels,
        "paths": {"/a": {"post": {
            "requestBody": {"content": {"application/json": {"schema": {
                "$ref": "#/x-levels/l0"}}}},
            "responses": {"200": {"description": "ok"}}}}}})
    site = build_site(spec)  # 2**40 expansions if views were not budgeted
    body = site.operations[0].request_body
    assert body is not None and body.schema is not None and body.examples
