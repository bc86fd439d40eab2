"""The site view: callbacks, webhooks, operations under several tags, externalDocs."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from specfirst.generator.docs import build_site, render_outputs
from specfirst.generator.docs.render import markdown_url
from specfirst.generator.docs.views import ExternalDocsView, OperationView, SiteView
from specfirst.generator.loader import Spec

OK = {"description": "ok"}


def write_spec(tmp_path: Path, document: dict[str, Any]) -> Spec:
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return Spec.from_path(path)


def event_callback() -> dict[str, Any]:
    return {"{$request.body#/url}": {"post": {
        "summary": "An event",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["type"],
            "properties": {"type": {"type": "string"}, "ack": {"type": "string"}}}}}},
        "responses": {"2XX": {"description": "Received."}},
        "callbacks": {"onAck": {"{$request.body#/ack}": {"put": {
            "operationId": "acknowledge", "responses": {"200": OK}}}}},
    }}}


def callbacks_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0", "info": {"title": "cb", "version": "1"},
        "security": [{"bearer": []}],
        "tags": [{"name": "hooks"}, {"name": "pets"}],
        "paths": {
            "/subscriptions": {"post": {
                "operationId": "subscribe", "tags": ["hooks", "pets"],
                "responses": {"201": OK},
                "callbacks": {"onEvent": {"$ref": "#/components/callbacks/Event"}}}},
            "/pets": {"get": {
                "operationId": "list_pets", "tags": ["pets"], "responses": {"200": OK},
                "callbacks": {"onEvent": {"$ref": "#/components/callbacks/Event"}}}},
        },
        "webhooks": {"petAdopted": {"post": {
            "summary": "A pet was adopted", "responses": {"204": OK}}}},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "callbacks": {"Event": event_callback()},
        },
    }


@pytest.fixture
def site(tmp_path: Path) -> SiteView:
    return build_site(write_spec(tmp_path, callbacks_document()), "spec.yaml")


def by_id(site: SiteView, operation_id: str) -> OperationView:
    return next(op for op in site.operations if op.operation_id == operation_id)


# -- callbacks -------------------------------------------------------------------------------------

def test_callbacks_through_ref_are_views_under_their_operation(site: SiteView) -> None:
    subscribe = by_id(site, "subscribe")
    [callback] = subscribe.callbacks
    [event] = callback.operations
    assert callback.name == "onEvent"
    assert (event.kind, event.method, event.path, event.title) == \
        ("callback", "POST", "{$request.body#/url}", "An event")
    assert event.request_body is not None and event.request_body_required
    assert [p.name for p in event.request_body.schema.properties] == ["type", "ack"]  # type: ignore[union-attr]
    assert [r.status for r in event.responses] == ["2XX"]
    # A request the API sends: no code samples, and the API's own security does not apply.
    assert event.samples == () and event.security == ()
    assert subscribe.security and subscribe.samples


def test_nested_callbacks_and_shared_components_get_distinct_anchors(site: SiteView) -> None:
    subscribe, list_pets = by_id(site, "subscribe"), by_id(site, "list_pets")
    ack = subscribe.callbacks[0].operations[0].callbacks[0]
    assert ack.name == "onAck" and ack.operations[0].path == "{$request.body#/ack}"
    assert ack.operations[0].operation_id == "acknowledge"
    anchors = [subscribe.callbacks[0].operations[0].anchor, ack.operations[0].anchor,
               list_pets.callbacks[0].operations[0].anchor,
               list_pets.callbacks[0].operations[0].callbacks[0].operations[0].anchor]
    assert anchors == ["cb-subscribe-onevent-post", "cb-subscribe-onevent-post-onack-put",
                       "cb-list-pets-onevent-post", "cb-list-pets-onevent-post-onack-put"]
    assert "onevent" in subscribe.search_text


def test_callbacks_render_in_html_and_markdown_but_are_not_requests(site: SiteView) -> None:
    outputs = render_outputs(site)
    html, markdown = outputs["index.html"], outputs["reference.md"]
    template = html.split('id="op-subscribe"', 1)[1].split("</template>", 1)[0]
    assert '<h4>Callbacks</h4>' in template
    assert '<span class="label">callback</span> <code>onEvent</code>' in template
    assert '<code class="path expression">{$request.body#/url}</code>' in template
    assert '<code class="path expression">{$request.body#/ack}</code>' in template
    assert "<h4>Code samples</h4>" in template  # the operation's own, not the callback's
    assert template.count("curl -X") == 1
    assert '#### <a id="cb-subscribe-onevent-post"></a>Callback `onEvent`: An event' in markdown
    assert "`POST {$request.body#/url}`" in markdown
    assert ('##### <a id="cb-subscribe-onevent-post-onack-put"></a>Callback `onAck`: '
            "acknowledge") in markdown
    collection = json.loads(outputs["postman_collection.json"])
    names = [item["name"] for folder in collection["item"] for item in folder["item"]]
    assert names == ["subscribe", "list_pets"]
    assert "$request" not in outputs["postman_collection.json"]
    assert "$request" not in outputs["api.apib"] and "onEvent" not in outputs["api.apib"]


def test_operations_are_walked_once_through_spec_operations(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = write_spec(tmp_path, callbacks_document())
    calls: list[dict[str, bool]] = []
    walk = Spec.operations

    def counting(self: Spec, **flags: bool) -> Any:
        calls.append(flags)
        return walk(self, **flags)

    monkeypatch.setattr(Spec, "operations", counting)
    build_site(spec)
    assert calls == [{"webhooks": True, "callbacks": True}]


def test_path_items_by_ref_and_callbacks_of_webhooks(tmp_path: Path) -> None:
    document = {
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"$ref": "#/components/pathItems/A"}},
        "webhooks": {"hook": {"post": {
            "responses": {"200": OK},
            "callbacks": {"back": {"{$request.body#/u}": {"get": {"responses": {"200": OK}}}}}}}},
        "components": {"pathItems": {"A": {"get": {"operationId": "get_a",
                                                   "responses": {"200": OK}}}}},
    }
    site = build_site(write_spec(tmp_path, document))
    assert [op.anchor for op in site.operations] == ["op-get-a"]
    [hook] = site.webhooks
    assert hook.callbacks[0].name == "back"
    assert hook.callbacks[0].operations[0].anchor == "cb-hook-post-back-get"


# -- webhooks --------------------------------------------------------------------------------------

def test_webhooks_are_counted_listed_and_searchable(site: SiteView) -> None:
    [hook] = site.webhooks
    assert hook.kind == "webhook" and hook.search_text.startswith("webhook post petadopted")
    assert hook.security == ()  # sent by the API: the API's own security does not apply
    outputs = render_outputs(site)
    html, markdown = outputs["index.html"], outputs["reference.md"]
    assert 'placeholder="Search 2 operations and 1 webhook (press /)"' in html
    assert "· 2 operations · 1 webhook</p>" in html
    assert '<li class="nav-op" data-search="webhook post petadopted' in html
    assert "OpenAPI 3.1.0 · 2 operations · 1 webhook" in markdown
    assert "- [Webhooks](#webhooks) — 1 webhook" in markdown
    assert "| POST | [petAdopted](#webhook-petadopted-post) | A pet was adopted |" in markdown


# -- several tags ----------------------------------------------------------------------------------

def test_an_operation_is_listed_under_each_of_its_tags(site: SiteView) -> None:
    hooks, pets = site.tags
    assert [(e.anchor, e.primary) for e in hooks.entries] == [("op-subscribe", True)]
    assert [(e.anchor, e.primary) for e in pets.entries] == [
        ("op-subscribe-in-pets", False), ("op-list-pets", True)]
    assert [op.operation_id for op in pets.operations] == ["list_pets"]
    assert [op.operation_id for op in site.operations] == ["subscribe", "list_pets"]
    assert site.operation_count == 2


def test_several_tags_in_every_output(site: SiteView) -> None:
    outputs = render_outputs(site)
    html = outputs["index.html"]
    ids = re.findall(r'\sid="([^"]*)"', html)
    assert len(ids) == len(set(ids))
    # One full section; under the second tag a copy with its own id, filled from the first.
    assert html.count('<section class="op lazy" id="op-subscribe"') == 1
    assert ('<section class="op lazy also" id="op-subscribe-in-pets" data-ref="op-subscribe"'
            in html)
    page = html.split("<script>", 1)[0]
    assert page.count("<template>") == page.count('<section class="op lazy') \
        - page.count('<section class="op lazy also"') == 3
    assert '<li class="nav-op also" data-search="post /subscriptions subscribe' in html
    assert 'href="#op-subscribe-in-pets"' in html and 'href="#op-subscribe"' in html
    markdown = outputs["reference.md"]
    assert markdown.count('<a id="op-subscribe"></a>') == 1
    pets = markdown.split('<a id="tag-pets"></a>', 1)[1]
    assert "| POST | [/subscriptions](#op-subscribe) | (described under hooks) |" in pets
    assert "- [pets](#tag-pets) — 2 operations" in markdown
    collection = json.loads(outputs["postman_collection.json"])
    assert [(f["name"], [i["name"] for i in f["item"]]) for f in collection["item"]] == [
        ("hooks", ["subscribe"]), ("pets", ["list_pets"])]
    apib = outputs["api.apib"]
    assert len(re.findall(r"^## Resource /subscriptions \[/subscriptions\]$", apib, re.M)) == 1
    assert len(re.findall(r"^### .* \[POST\]$", apib, re.M)) == 1


def test_a_tag_with_only_operations_listed_first_elsewhere(tmp_path: Path) -> None:
    document = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
                "paths": {"/a": {"get": {"operationId": "a", "tags": ["x", "y", "x"],
                                         "responses": {"200": OK}}}}}
    site = build_site(write_spec(tmp_path, document))
    assert [(t.name, len(t.entries), len(t.operations)) for t in site.tags] == \
        [("x", 1, 1), ("y", 1, 0)]
    assert site.operations[0].tags == ("x", "y")
    outputs = render_outputs(site)
    assert [f["name"] for f in json.loads(outputs["postman_collection.json"])["item"]] == ["x"]
    assert "# Group y" not in outputs["api.apib"]
    assert 'id="a-in-y"' not in outputs["index.html"]
    assert 'id="op-a-in-y"' in outputs["index.html"]


# -- externalDocs ----------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ({"url": "https://x.y/doc", "description": "The doc"},
     ExternalDocsView("https://x.y/doc", "The doc", True)),
    ({"url": "/relative"}, ExternalDocsView("/relative", "", True)),
    ({"url": "javascript:alert(1)"}, ExternalDocsView("javascript:alert(1)", "", False)),
    ({"url": " JaVaScRiPt:alert(1)"}, ExternalDocsView("JaVaScRiPt:alert(1)", "", False)),
    ({"url": "java\tscript:alert(1)"}, ExternalDocsView("java\tscript:alert(1)", "", False)),
    ({"url": "data:text/html,<b>"}, ExternalDocsView("data:text/html,<b>", "", False)),
    ({"description": "no url"}, None),
    ({"url": 5}, None),
    ("https://x.y", None),
])
def test_external_docs_views(value: Any, expected: ExternalDocsView | None) -> None:
    assert ExternalDocsView.from_spec(value) == expected


def test_external_docs_label_is_one_line() -> None:
    view = ExternalDocsView.from_spec({"url": "https://x.y", "description": "Read\n  *this*"})
    assert view is not None and view.label == "Read *this*"
    assert ExternalDocsView("https://x.y", "", True).label == "https://x.y"


def test_markdown_url_cannot_end_the_link() -> None:
    assert markdown_url("https://x.y/a b(c)<d>\\e") == "https://x.y/a%20b%28c%29%3Cd%3E%5Ce"
    assert markdown_url("https://x.y/ok?q=1#f") == "https://x.y/ok?q=1#f"


def external_docs_document() -> dict[str, Any]:
    return {
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "externalDocs": {"url": "https://example.com/guide", "description": "The guide"},
        "tags": [{"name": "a", "externalDocs": {"url": "https://example.com/a"}},
                 {"name": "b", "externalDocs": {"url": "javascript:alert(1)",
                                                "description": "Bad"}}],
        "paths": {
            "/a": {"get": {"operationId": "get_a", "tags": ["a"],
                           "externalDocs": {"url": "https://example.com/op",
                                            "description": "More"},
                           "responses": {"200": {"description": "ok", "content": {
                               "application/json": {"schema": {
                                   "$ref": "#/components/schemas/Thing"}}}}}}},
            "/b": {"get": {"operationId": "get_b", "tags": ["b"], "responses": {"200": OK}}},
        },
        "components": {"schemas": {
            "Base": {"type": "object", "externalDocs": {"url": "https://example.com/base"},
                     "properties": {"id": {"type": "string"}}},
            "Thing": {"allOf": [{"$ref": "#/components/schemas/Base"}, {
                "type": "object", "properties": {"n": {
                    "type": "integer", "externalDocs": {"url": "https://example.com/n"}}}}]},
        }},
    }


def test_external_docs_at_every_level(tmp_path: Path) -> None:
    site = build_site(write_spec(tmp_path, external_docs_document()))
    assert site.external_docs == ExternalDocsView("https://example.com/guide", "The guide", True)
    assert [t.external_docs.safe if t.external_docs else None for t in site.tags] == \
        [True, False]
    assert site.operations[0].external_docs is not None
    assert site.operations[0].external_docs.url == "https://example.com/op"
    schemas = {named.name: named.schema for named in site.schemas}
    assert schemas["Base"].external_docs is not None
    # An allOf part's externalDocs describe the part, not the schema that includes it.
    assert schemas["Thing"].external_docs is None
    n = next(p.schema for p in schemas["Thing"].properties if p.name == "n")
    assert n.external_docs is not None and n.external_docs.url == "https://example.com/n"


def test_external_docs_render_as_links_or_inert_text(tmp_path: Path) -> None:
    outputs = render_outputs(build_site(write_spec(tmp_path, external_docs_document())))
    html, markdown = outputs["index.html"], outputs["reference.md"]
    for url, label in (("https://example.com/guide", "The guide"),
                       ("https://example.com/a", "https://example.com/a"),
                       ("https://example.com/op", "More"),
                       ("https://example.com/base", "https://example.com/base"),
                       ("https://example.com/n", "https://example.com/n")):
        assert f'<a href="{url}" rel="noopener noreferrer">{label}</a>' in html
        assert f"[{label}]({url})" in markdown
    assert "Bad <code>javascript:alert(1)</code> <span class=\"muted\">(link removed" in html
    assert 'href="javascript' not in html
    assert "See also: Bad `javascript:alert(1)` (link removed: unsafe URL)" in markdown
    assert "](javascript" not in markdown
