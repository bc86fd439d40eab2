"""Code samples that work when pasted, for every kind of security scheme, and a Postman
collection that uses Postman variables for every credential."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from specfirst.generator.docs import build_site, render_outputs
from specfirst.generator.loader import Spec

SCHEMES: dict[str, dict[str, Any]] = {
    "header_key": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
    "query_key": {"type": "apiKey", "in": "query", "name": "api_key"},
    "cookie_key": {"type": "apiKey", "in": "cookie", "name": "sid"},
    "basic": {"type": "http", "scheme": "basic"},
    "bearer": {"type": "http", "scheme": "bearer"},
    "oauth": {"type": "oauth2", "flows": {"authorizationCode": {
        "authorizationUrl": "https://auth.example.com/authorize",
        "tokenUrl": "https://auth.example.com/token", "scopes": {"read": "read things"}}}},
}


def _spec(tmp_path: Path) -> Spec:
    paths = {}
    for name in SCHEMES:
        paths[f"/{name}/{{id}}"] = {"post": {
            "operationId": f"call_{name}", "security": [{name: ["read"] if name == "oauth"
                                                          else []}],
            "parameters": [{"name": "id", "in": "path", "required": True,
                            "schema": {"type": "string"}, "example": "it's 1"},
                           {"name": "q", "in": "query", "required": True,
                            "schema": {"type": "string"}, "example": "a b"}],
            "requestBody": {"content": {"application/json": {
                "schema": {"type": "object"}, "example": {"note": "it's $HOME"}}}},
            "responses": {"200": {"description": "ok"}}}}
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump({
        "openapi": "3.0.3", "info": {"title": "Keys", "version": "1"},
        "servers": [{"url": "https://api.example.com"}], "paths": paths,
        "components": {"securitySchemes": SCHEMES}}, sort_keys=False), encoding="utf-8")
    return Spec.from_path(path)


def _samples(spec: Spec) -> dict[str, dict[str, str]]:
    site = build_site(spec, "spec.yaml")
    return {op.operation_id: {s.label: s.code for s in op.samples} for op in site.operations}


def _run_curl(code: str) -> list[str]:
    """The arguments curl would get when the sample is pasted into bash."""
    bash = shutil.which("bash")
    assert bash
    script = ('curl() { printf "%s\\n" "$@"; }\n'
              "API_KEY='k$1 2' USERNAME=u PASSWORD=p TOKEN=t\n" + code)
    result = subprocess.run([bash, "-c", script], capture_output=True, text=True, timeout=30,
                            check=True)
    return result.stdout.splitlines()


@pytest.mark.parametrize(("scheme", "expected"), [
    ("header_key", "X-API-Key: k$1 2"),
    ("query_key", "https://api.example.com/query_key/it%27s%201?q=a+b&api_key=k$1 2"),
    ("cookie_key", "sid=k$1 2"),
    ("basic", "u:p"),
    ("bearer", "Authorization: Bearer t"),
    ("oauth", "Authorization: Bearer t"),
])
def test_curl_samples_expand_credentials_when_pasted(tmp_path: Path, scheme: str,
                                                     expected: str) -> None:
    code = _samples(_spec(tmp_path))[f"call_{scheme}"]["curl"]
    args = _run_curl(code)
    assert expected in args, (code, args)
    assert "it's $HOME" in "\n".join(args)  # the body stays literal
    assert not any("API_KEY" in a and scheme != "query_key" for a in args if "$" not in a)


def test_python_and_javascript_samples_read_credentials_from_the_environment(
        tmp_path: Path) -> None:
    samples = _samples(_spec(tmp_path))
    for name in SCHEMES:
        python = samples[f"call_{name}"]["Python (httpx)"]
        compile(python, f"{name}.py", "exec")
        assert "$API_KEY" not in python and "\"API_KEY\"" not in python.replace(
            'os.environ["API_KEY"]', "")
    assert 'os.environ["USERNAME"]' in samples["call_basic"]["Python (httpx)"]
    assert '"X-API-Key": API_KEY' in samples["call_header_key"]["JavaScript (fetch)"]
    assert "encodeURIComponent(API_KEY)" in samples["call_query_key"]["JavaScript (fetch)"]
    node = shutil.which("node")
    if node:  # the JavaScript parses (as a module: top-level await)
        for name in SCHEMES:
            js = tmp_path / f"{name}.mjs"
            js.write_text(samples[f"call_{name}"]["JavaScript (fetch)"], encoding="utf-8")
            subprocess.run([node, "--check", str(js)], check=True, timeout=30)


def test_postman_collection_uses_postman_variables(tmp_path: Path) -> None:
    outputs = render_outputs(build_site(_spec(tmp_path), "spec.yaml"))
    text = outputs["postman_collection.json"]
    assert "$API_KEY" not in text and "API_KEY" not in text
    collection = json.loads(text)
    variables = {v["key"] for v in collection["variable"]}
    assert {"apiKey", "username", "password", "token"} <= variables
    requests = {item["name"]: item["request"] for folder in collection["item"]
                for item in folder["item"]}
    by_id = {r["url"]["raw"].split("/")[1]: r for r in requests.values()}
    assert {"key": "X-API-Key", "value": "{{apiKey}}"} in by_id["header_key"]["header"]
    assert {"key": "api_key", "value": "{{apiKey}}"} in by_id["query_key"]["url"]["query"]
    assert {"key": "Cookie", "value": "sid={{apiKey}}"} in by_id["cookie_key"]["header"]
    assert by_id["basic"]["auth"]["type"] == "basic"
    assert "auth" not in by_id["bearer"]  # the collection's bearer auth applies


def test_oauth_flow_labels_are_readable(tmp_path: Path) -> None:
    outputs = render_outputs(build_site(_spec(tmp_path), "spec.yaml"))
    html = outputs["index.html"]
    assert '<div class="detail"><strong>Authorization code flow</strong></div>' in html
    assert ('<div class="detail"><span class="label">Authorization URL</span> '
            "<code>https://auth.example.com/authorize</code></div>") in html
    assert '<span class="label">Token URL</span>' in html
    assert "authorizationCode authorizationUrl" not in html
    assert "**Authorization code flow**<br>Authorization URL:" in outputs["reference.md"]
