"""Docs for real specs nobody here wrote: every operation present in every output."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from specfirst.generator.docs import build_site, render_outputs
from specfirst.generator.errors import SpecfirstError
from specfirst.generator.loader import HTTP_METHODS, Spec


def expected_operations(spec: Spec) -> list[tuple[str, str]]:
    """(METHOD, path) of every operation, read straight from the document."""
    found = []
    for path, item in (spec.document.get("paths") or {}).items():
        item = spec.resolve(item)
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            if isinstance(item.get(method), dict):
                found.append((method.upper(), str(path)))
    return found


def check_outputs(spec: Spec, outputs: dict[str, str]) -> list[str]:
    """Problems found: an operation missing from an output, or a count that does not match."""
    problems = []
    expected = expected_operations(spec)
    html = outputs["index.html"]
    # One full section per operation (copies under an operation's other tags are `op lazy also`).
    heads = re.findall(r'<section class="op lazy" id="op-[^"]*" data-search="[^"]*">\n'
                       r'<h3 class="op-head"><span class="m m-(\w+)">\w+</span> '
                       r'<code class="path">([^<]*)</code>', html)
    import html as html_lib

    got = sorted((m.upper(), html_lib.unescape(p)) for m, p in heads)
    if got != sorted(expected):
        missing = sorted(set(expected) - set(got))
        problems.append(f"index.html: {len(got)} operations, expected {len(expected)}; "
                        f"missing {missing[:5]}")
    collection = json.loads(outputs["postman_collection.json"])
    requests = [(i["request"]["method"]) for f in collection["item"] for i in f["item"]]
    if len(requests) != len(expected):
        problems.append(f"postman: {len(requests)} requests, expected {len(expected)}")
    md_ops = len(re.findall(r'^### <a id="op-', outputs["reference.md"], re.M))
    if md_ops != len(expected):
        problems.append(f"reference.md: {md_ops} operations, expected {len(expected)}")
    apib_ops = len(re.findall(r"^### .* \[[A-Z]+\]$", outputs["api.apib"], re.M))
    if apib_ops != len(expected):
        problems.append(f"api.apib: {apib_ops} actions, expected {len(expected)}")
    return problems


def test_every_public_spec_renders_with_every_operation(public_specs: list[Path]) -> None:
    failures: dict[str, list[str]] = {}
    rendered = 0
    for path in public_specs:
        try:
            spec = Spec.from_path(path)
        except SpecfirstError as exc:  # the loader refusing a document is not a docs failure
            failures.setdefault(path.name, []).append(f"not loadable: {exc}")
            continue
        outputs = render_outputs(build_site(spec))
        problems = check_outputs(spec, outputs)
        if problems:
            failures[f"{path.parent.parent.name}/{path.name}"] = problems
        rendered += 1
    assert not failures, json.dumps(failures, indent=2)
    assert rendered == len(public_specs) > 50


def test_large_public_spec_renders_every_operation(
        large_docs: tuple[Spec, dict[str, str], Path]) -> None:
    spec, outputs, folder = large_docs
    assert not check_outputs(spec, outputs)
    assert len(expected_operations(spec)) > 800
    # The page stays light: operation bodies are templates, filled in when scrolled to.
    html = outputs["index.html"]
    outside_templates = re.sub(r"<template>.*?</template>", "", html, flags=re.S)
    assert len(outside_templates) < len(html) / 4


@pytest.mark.parametrize("name", ["circular.yaml", "schema-circular.yaml", "circular-paths.yaml"])
def test_circular_public_specs_render(oas_examples_dir: Path, name: str) -> None:
    spec = Spec.from_path(oas_examples_dir / "3.0" / "yaml" / name)
    outputs = render_outputs(build_site(spec))
    assert not check_outputs(spec, outputs)


def test_public_callbacks_are_documented_under_their_operation(oas_examples_dir: Path) -> None:
    spec = Spec.from_path(oas_examples_dir / "3.0" / "json" / "callbacks.json")
    site = build_site(spec)
    [streams] = site.operations
    [callback] = streams.callbacks
    [on_data] = callback.operations
    assert (callback.name, on_data.method, on_data.path) == \
        ("onData", "POST", "{$request.query.callbackUrl}/data")
    assert [r.status for r in on_data.responses] == ["202", "204"]
    assert on_data.request_body is not None and on_data.request_body.schema is not None
    assert [p.name for p in on_data.request_body.schema.properties] == ["timestamp", "userData"]
    outputs = render_outputs(site)
    assert not check_outputs(spec, outputs)
    html = outputs["index.html"]
    assert '<span class="label">callback</span> <code>onData</code>' in html
    assert '<code class="path expression">{$request.query.callbackUrl}/data</code>' in html
    assert "<code>userData</code>" in html
    assert "Callback `onData`: POST {$request.query.callbackUrl}/data" in outputs["reference.md"]
    assert "| `userData` | string |" in outputs["reference.md"]
    assert "callbackUrl}/data" not in outputs["api.apib"]
    assert len(json.loads(outputs["postman_collection.json"])["item"][0]["item"]) == 1


@pytest.mark.parametrize("name", ["webhooks.json", "train-travel.json"])
def test_public_webhooks_are_documented(oas_examples_dir: Path, name: str) -> None:
    spec = Spec.from_path(oas_examples_dir / "3.1" / "json" / name)
    declared = [(method.upper(), str(hook))
                for hook, item in (spec.document.get("webhooks") or {}).items()
                for method in HTTP_METHODS if isinstance(spec.resolve(item).get(method), dict)]
    site = build_site(spec)
    assert declared and [(w.method, w.path) for w in site.webhooks] == declared
    outputs = render_outputs(site)
    assert not check_outputs(spec, outputs)
    for webhook in site.webhooks:
        assert f'<li class="nav-op" data-search="{webhook.search_text}">' in \
            outputs["index.html"].replace("&#39;", "'")
        assert f'<a id="{webhook.anchor}"></a>' in outputs["reference.md"]
        assert f"](#{webhook.anchor}) |" in outputs["reference.md"]
    hooks = len(site.webhooks)
    assert f" · {hooks} webhook{'' if hooks == 1 else 's'}" in outputs["reference.md"]
