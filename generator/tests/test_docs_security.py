"""Hostile text in every place a spec carries text comes out inert in every docs output."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from markdown_it import MarkdownIt
from specfirst.generator.docs import build_site, render_outputs
from specfirst.generator.docs.render import TEMPLATES_DIR
from specfirst.generator.loader import Spec

SCRIPT = "<script>alert('xss')</script>"
IMG = '<img src=x onerror="alert(1)">'
JS_LINK = "[click](javascript:alert(document.cookie))"
TEMPLATE = "{{ 7*7 }}{% raw %}"
HOSTILE = f"{SCRIPT} {IMG} {JS_LINK} {TEMPLATE} \"'><svg onload=alert(2)>"
BAD_URLS = ["javascript:alert(1)", " JaVaScRiPt:alert(1)", "java\tscript:alert(1)",
            "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)",
            f"javascript:alert(1)//\"><svg onload=alert(2)>{SCRIPT}"]


def bad_docs(index: int) -> dict[str, str]:
    return {"url": BAD_URLS[index % len(BAD_URLS)], "description": HOSTILE}


def hostile_spec() -> dict[str, Any]:
    prop = f"name{IMG}"
    return {
        "openapi": "3.0.3",
        "info": {"title": f"API {SCRIPT}", "version": f"1 {IMG}", "description": HOSTILE,
                 "contact": {"name": HOSTILE, "url": "javascript:alert(1)"},
                 "license": {"name": HOSTILE}},
        "servers": [{"url": "javascript:alert(1)//" + SCRIPT, "description": HOSTILE}],
        "externalDocs": bad_docs(0),
        "tags": [{"name": f"tag {SCRIPT}", "description": HOSTILE, "externalDocs": bad_docs(1)},
                 {"name": f"second {IMG}", "externalDocs": bad_docs(2)}],
        "security": [{f"auth{IMG}": [f"scope{SCRIPT}"]}],
        "paths": {
            "/items/{id}": {
                "post": {
                    "operationId": "../../x",
                    "summary": f"Summary {SCRIPT} {TEMPLATE}",
                    "description": HOSTILE,
                    "tags": [f"tag {SCRIPT}", f"second {IMG}"],
                    "externalDocs": bad_docs(3),
                    "callbacks": {f"cb{SCRIPT}": {f"{{$request.body#/{SCRIPT}}}{IMG}": {"post": {
                        "summary": f"Callback {SCRIPT} {TEMPLATE}", "description": HOSTILE,
                        "externalDocs": bad_docs(4),
                        "requestBody": {"content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/Thing"}}}},
                        "responses": {"200": {"description": HOSTILE}},
                        "callbacks": {f"nested{IMG}": {f"{{$url}}{SCRIPT}": {"put": {
                            "operationId": f"nested{SCRIPT}",
                            "responses": {"204": {"description": HOSTILE}}}}}},
                    }}}},
                    "parameters": [
                        {"name": "id", "in": "path", "required": True,
                         "description": HOSTILE, "schema": {"type": "string"},
                         "example": f"id{SCRIPT}"},
                        {"name": f"q{IMG}", "in": "query", "required": True,
                         "description": HOSTILE, "schema": {"type": "string",
                                                            "enum": [SCRIPT, TEMPLATE]}},
                        {"name": f"X-H{IMG}", "in": "header", "required": True,
                         "schema": {"type": "string", "example": HOSTILE}},
                    ],
                    "requestBody": {"content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Thing"},
                        "examples": {f"ex{SCRIPT}": {"summary": HOSTILE,
                                                     "value": {prop: HOSTILE}}}}}},
                    "responses": {
                        "200": {"description": HOSTILE,
                                "headers": {f"X-R{IMG}": {"description": HOSTILE,
                                                           "schema": {"type": "string"}}},
                                "content": {"application/json": {
                                    "schema": {"$ref": "#/components/schemas/Thing"}}},
                                "links": {f"link{SCRIPT}": {
                                    "operationId": f"op{IMG}", "description": HOSTILE,
                                    "parameters": {f"p{IMG}": f"$response.body#/{SCRIPT}"}}}},
                    },
                },
            },
        },
        "components": {
            "securitySchemes": {f"auth{IMG}": {"type": "http", "scheme": "bearer",
                                               "description": HOSTILE}},
            "schemas": {
                "Thing": {
                    "type": "object", "description": HOSTILE, "title": SCRIPT,
                    "externalDocs": bad_docs(5),
                    "properties": {
                        prop: {"type": "string", "description": HOSTILE,
                               "externalDocs": {"url": BAD_URLS[0]},
                               "enum": [SCRIPT, IMG, TEMPLATE], "example": HOSTILE,
                               "default": SCRIPT, "pattern": SCRIPT, "format": IMG},
                        "self": {"$ref": f"#/components/schemas/{SCRIPT.replace('/', '~1')}"},
                    },
                },
                SCRIPT: {"type": "object", "description": HOSTILE,
                         "externalDocs": {"url": f"https://x.example/\"><svg onload=alert(2)>"
                                                 f"{SCRIPT}(x) ]y", "description": HOSTILE},
                         "properties": {"x": {"type": "string", "enum": [HOSTILE]}}},
            },
        },
    }


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("hostile")
    path = folder / "spec.yaml"
    path.write_text(yaml.safe_dump(hostile_spec(), sort_keys=False), encoding="utf-8")
    return render_outputs(build_site(Spec.from_path(path), "spec.yaml"))


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.script_bodies: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.script_bodies.append(data)


def assert_inert_html(html: str, *, allowed_scripts: int = 0) -> TagCollector:
    parser = TagCollector()
    parser.feed(html)
    scripts = [t for t, _ in parser.tags if t == "script"]
    assert len(scripts) == allowed_scripts, "a <script> element came from spec text"
    for tag, attrs in parser.tags:
        assert tag not in ("img", "svg", "iframe", "object", "embed"), f"<{tag}> from spec text"
        for name, value in attrs:
            assert not name.startswith("on"), f"event handler {name}= on <{tag}>"
            if name in ("href", "src", "action", "formaction"):
                assert not re.match(r"\s*(javascript|data|vbscript):", value or "", re.I), value
    return parser


def test_html_is_inert(outputs: dict[str, str]) -> None:
    html = outputs["index.html"]
    parser = assert_inert_html(html, allowed_scripts=1)
    script = (TEMPLATES_DIR / "_app.js.jinja").read_text(encoding="utf-8")
    assert parser.script_bodies == [script], "the only script is the page's own"
    # The Content-Security-Policy allows exactly that script and stylesheet, nothing else inline.
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html)
    assert policy is not None and "unsafe-inline" not in policy.group(1)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in policy.group(1)
    assert "default-src 'none'" in policy.group(1)
    assert "{{ 7*7 }}" in html and "{% raw %}" in html
    assert "&lt;script&gt;alert(" in html


def test_hostile_callbacks_and_external_docs_are_rendered_as_text(
        outputs: dict[str, str]) -> None:
    html, markdown = outputs["index.html"], outputs["reference.md"]
    assert "<code>cb&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;</code>" in html
    assert "{$request.body#/&lt;script&gt;" in html and "nested&lt;img" in html
    assert "Callback &lt;script&gt;" in html
    assert html.count("(link removed: unsafe URL)") >= len(BAD_URLS)
    # In Markdown the name is a code span: shown literally (the inert-HTML test renders it).
    assert "Callback `cb<script>alert('xss')</script>`: Callback &lt;script&gt;" in markdown
    assert "(link removed: unsafe URL)" in markdown
    for url in BAD_URLS:
        assert f"]({url.strip()}" not in markdown and f'href="{url.strip()}' not in html


def test_html_ids_are_safe_slugs(outputs: dict[str, str]) -> None:
    ids = re.findall(r'\sid="([^"]*)"', outputs["index.html"])
    assert ids and all(re.fullmatch(r"[a-z0-9-]+", i) for i in ids), ids
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("name", ["reference.md", "api.apib"])
def test_markdown_outputs_are_inert_even_with_html_enabled(outputs: dict[str, str],
                                                           name: str) -> None:
    text = outputs[name]
    assert "{{ 7*7 }}" in text
    permissive = MarkdownIt("commonmark", {"html": True}).enable("table")
    permissive.validateLink = lambda url: True  # type: ignore[method-assign]
    html = permissive.render(text)
    parser = assert_inert_html(html)
    allowed = {"a", "p", "code", "pre", "em", "strong", "h1", "h2", "h3", "h4", "h5", "ul",
               "ol", "li", "blockquote", "br", "hr", "table", "thead", "tbody", "tr", "th", "td"}
    assert {t for t, _ in parser.tags} <= allowed
    for tag, attrs in parser.tags:
        if tag == "a":
            for key, value in attrs:
                assert key in ("href", "id")
                if key == "href":
                    assert (value or "").startswith("#") or (value or "").startswith("http")


def test_postman_is_valid_json_and_scripts_hold_no_spec_text(outputs: dict[str, str]) -> None:
    collection = json.loads(outputs["postman_collection.json"])
    scripts = [line for folder in collection["item"] for item in folder["item"]
               for event in item["event"] for line in event["script"]["exec"]]
    assert scripts and all(re.fullmatch(r"[\w\s.,()\[\]{}\"'=;/+<>!|-]*", s) for s in scripts)
    assert not any("alert" in s for s in scripts)
    assert collection["item"][0]["name"] == f"tag {SCRIPT}"  # data, stored as data


def test_code_samples_keep_spec_values_quoted(outputs: dict[str, str]) -> None:
    site_html = outputs["index.html"]
    assert "curl -X POST" in site_html
    assert site_html.count("<script>") == 1 and "&lt;script&gt;alert(" in site_html


def test_no_file_is_named_after_spec_text(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(hostile_spec(), sort_keys=False), encoding="utf-8")
    from specfirst.generator.docs import render_docs

    out = tmp_path / "out"
    written = render_docs(Spec.from_path(path), out)
    assert sorted(p.name for p in written) == sorted(p.name for p in out.iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "spec.yaml"]
