"""index.html in headless Chromium: no console errors, search finds operations, a screenshot."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from specfirst.generator.docs import render_docs
from specfirst.generator.loader import Spec
from specfirst.generator.tests.cdp import Browser, chromium_path

REPO = Path(__file__).resolve().parents[2]
CRM = REPO / "openapi" / "crm.yaml"
SHOTS = Path(os.environ.get("SPECFIRST_SCREENSHOTS", "")) if os.environ.get(
    "SPECFIRST_SCREENSHOTS") else None

pytestmark = pytest.mark.network_tools


@pytest.fixture(scope="module")
def chromium() -> str:
    binary = chromium_path()
    if binary is None:
        pytest.fail("chromium is required (Debian package `chromium`; `make test` installs it)")
    return binary


def visible_ops(browser: Browser) -> list[str]:
    value = browser.evaluate(
        "Array.from(document.querySelectorAll('section.op:not(.schema-def)'))"
        ".filter(s => !s.hidden && s.offsetParent !== null).map(s => s.id)")
    assert isinstance(value, list)
    return [str(v) for v in value]


def search(browser: Browser, text: str) -> None:
    """Clear the box, press "/" to focus it (the page's shortcut), type `text`."""
    browser.evaluate("(() => { const s = document.getElementById('search');"
                     " s.value = ''; s.dispatchEvent(new Event('input')); s.blur(); })()")
    browser.wait_for("document.getElementById('search-count').textContent === ''"
                     " && !document.querySelector('section.op[hidden]')")
    browser.call("Input.dispatchKeyEvent", type="keyDown", key="/", code="Slash", text="/",
                 windowsVirtualKeyCode=191)
    browser.call("Input.dispatchKeyEvent", type="keyUp", key="/", code="Slash",
                 windowsVirtualKeyCode=191)
    browser.type_text(text)
    assert browser.evaluate("document.getElementById('search').value") == text
    if text:
        browser.wait_for("document.getElementById('search-count').textContent !== ''")


def test_crm_page_searches_renders_and_screenshots(chromium: str, tmp_path: Path) -> None:
    out = tmp_path / "site"
    render_docs(Spec.from_path(CRM), out, source="openapi/crm.yaml")
    with Browser(chromium) as browser:
        browser.open((out / "index.html").as_uri())
        everything = visible_ops(browser)
        assert len(everything) > 50

        search(browser, "create customer")
        found = visible_ops(browser)
        assert "op-create-customer" in found and len(found) < len(everything)
        count = browser.evaluate("document.getElementById('search-count').textContent")
        assert count == f"{len(found)} matches"
        nav = browser.evaluate("Array.from(document.querySelectorAll('.nav-op'))"
                               ".filter(li => !li.hidden).length")
        assert nav == len(found)

        search(browser, "zzz-no-such-operation")
        assert visible_ops(browser) == []

        search(browser, "")
        browser.evaluate("location.hash = '#op-create-customer'")
        browser.wait_for("document.getElementById('op-create-customer')"
                         ".getAttribute('data-loaded')")
        body = browser.evaluate(
            "document.querySelector('#op-create-customer .op-body').textContent")
        assert "Request body" in body and "lifecycle_stage" in body and "curl -X POST" in body
        # A nested named schema opens on demand, from its template.
        opened = browser.evaluate(
            "(() => { const d = document.querySelector('#op-create-customer details.ref');"
            " d.open = true; return d.getAttribute('data-ref'); })()")
        assert browser.wait_for(
            f"document.querySelector('#op-create-customer details.ref[data-ref=\"{opened}\"]')"
            ".querySelectorAll('*').length > 1")
        # The code sample tabs switch.
        browser.evaluate("document.querySelectorAll('#op-create-customer .tabs button')[1]"
                         ".click()")
        assert browser.evaluate(
            "document.querySelector('#op-create-customer pre[data-pane=\"1\"]').hidden") is False
        shot = (SHOTS or tmp_path) / "docs-crm.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        browser.screenshot(shot)
        assert browser.errors == [], browser.errors
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000


def test_large_spec_page_stays_light_and_searchable(chromium: str,
                                       large_docs: tuple[Spec, dict[str, str], Path]) -> None:
    _, _, folder = large_docs
    with Browser(chromium, timeout=60) as browser:
        # Load time is measured by the docs benchmark (docs/benchmarks.md), not asserted here;
        # what keeps it short is structural: a light DOM with lazy operation bodies.
        browser.open((folder / "index.html").as_uri())
        nodes = browser.evaluate("document.getElementsByTagName('*').length")
        assert nodes < 60_000, f"{nodes} DOM nodes: operation bodies should stay lazy"
        search(browser, "get a repository")
        assert "op-repos-get" in visible_ops(browser)
        assert browser.errors == [], browser.errors


def test_callbacks_and_operations_under_several_tags(chromium: str, tmp_path: Path) -> None:
    spec = Path(__file__).parent / "golden" / "docs_callbacks" / "spec.yaml"
    out = tmp_path / "site"
    render_docs(Spec.from_path(spec), out, source="spec.yaml")
    with Browser(chromium) as browser:
        browser.open((out / "index.html").as_uri())
        # The copy under the second tag has its own id and the first tag's body.
        browser.evaluate("location.hash = '#op-create-subscription-in-pets'")
        browser.wait_for("document.getElementById('op-create-subscription-in-pets')"
                         ".getAttribute('data-loaded')")
        body = browser.evaluate(
            "document.querySelector('#op-create-subscription-in-pets .op-body').textContent")
        assert "Callbacks" in body and "{$request.body#/url}" in body and "curl -X POST" in body
        # A callback opens to its request body and responses, nested callbacks included.
        opened = browser.evaluate(
            "(() => { const d = document.querySelector("
            "'#op-create-subscription-in-pets details.cb-op'); d.open = true;"
            " return d.querySelector('.cb-body').textContent; })()")
        assert "Request body" in opened and "2XX" in opened and "{$request.body#/ack_url}" in opened
        # Search lists the operation once, though it is under two tags.
        search(browser, "subscribe")
        assert visible_ops(browser) == ["op-create-subscription"]
        assert browser.evaluate("document.getElementById('search-count').textContent") \
            == "1 match"
        nav = browser.evaluate("Array.from(document.querySelectorAll('.nav-op'))"
                               ".filter(li => !li.hidden).map(li => li.firstChild.hash)")
        assert nav == ["#op-create-subscription"]
        search(browser, "webhook")
        assert visible_ops(browser) == ["webhook-petadopted-post"]
        assert browser.errors == [], browser.errors


_FILL_ALL = """(() => { document.querySelectorAll('section.lazy').forEach(s => {
  if (s.getAttribute('data-loaded')) return;
  let t = Array.from(s.children).find(c => c.tagName === 'TEMPLATE');
  if (!t && s.getAttribute('data-ref')) {
    const p = document.getElementById(s.getAttribute('data-ref'));
    t = p && Array.from(p.children).find(c => c.tagName === 'TEMPLATE'); }
  const b = s.querySelector('.op-body'); s.setAttribute('data-loaded', '1');
  if (t && b) b.appendChild(t.content.cloneNode(true)); });
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  return document.querySelectorAll('section.lazy').length; })()"""


def _wide_spec() -> dict[str, object]:
    """What made Stripe's page scroll sideways: deep objects with long property names, long
    unbreakable values, HTML and Markdown tables in descriptions."""
    long_name = "business_profile_specification_" * 3
    level: dict[str, object] = {"type": "string", "enum": ["x" * 90, "y" * 90],
                                "description": "<p>See https://example.com/" + "a" * 120 + "</p>"}
    for depth in range(8):
        level = {"type": "object", "description": f"Level {depth}.",
                 "properties": {f"{long_name}{depth}": level}}
    table = "| " + " | ".join(f"column_{i}_{'w' * 20}" for i in range(8)) + " |\n" + \
        "|" + "---|" * 8 + "\n| " + " | ".join("v" * 30 for _ in range(8)) + " |\n"
    return {
        "openapi": "3.0.3", "info": {"title": "Wide", "version": "1", "description": table},
        "paths": {"/v1/" + "segment_" * 20: {"post": {
            "operationId": "create_wide", "summary": "Create", "description": table,
            "parameters": [{"name": "q" * 80, "in": "query", "required": True,
                            "schema": {"type": "string"}, "example": "z" * 150}],
            "requestBody": {"content": {"application/json": {"schema": level}}},
            "responses": {"200": {"description": "<p>ok</p>", "content": {
                "application/json": {"schema": level}}}}}}},
    }


@pytest.mark.parametrize("case", ["crm", "wide"])
def test_no_page_scrolls_sideways_at_1280(chromium: str, tmp_path: Path, case: str) -> None:
    if case == "crm":
        spec = Spec.from_path(CRM)
    else:
        path = tmp_path / "wide.yaml"
        path.write_text(yaml.safe_dump(_wide_spec()), encoding="utf-8")
        spec = Spec.from_path(path)
    render_docs(spec, tmp_path / "site")
    with Browser(chromium, timeout=60) as browser:
        browser.call("Emulation.setDeviceMetricsOverride", width=1280, height=900,
                     deviceScaleFactor=1, mobile=False)
        browser.open((tmp_path / "site" / "index.html").as_uri())
        assert browser.evaluate(_FILL_ALL) > 0
        widths = browser.evaluate("[document.documentElement.scrollWidth,"
                                  " document.documentElement.clientWidth]")
        assert widths[1] == 1280 or widths[1] > 1200, widths
        assert widths[0] <= widths[1], f"the page scrolls sideways: {widths}"
        if case == "wide":
            # The description's Markdown table is a table, the HTML a paragraph, not text.
            assert browser.evaluate("document.querySelectorAll('.intro table th, .desc table th')"
                                    ".length") >= 8
            assert "<p>" not in browser.evaluate("document.body.innerText")
        assert browser.errors == [], browser.errors
