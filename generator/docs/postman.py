"""A Postman Collection v2.1 from the views: a folder per tag, `{{baseUrl}}` and `{{token}}`.

Each operation is one request, in the folder of its first tag. Webhooks and callbacks are requests
the API sends, not ones a user sends, so they are left out.

Each request carries the operation's example parameters and body, API keys as `{{apiKey}}` and
basic credentials as `{{username}}`/`{{password}}` (collection variables), bearer auth from the
collection (or none where the operation allows anonymous access), and a test asserting that the
response status is one the spec documents, so `newman run` can exercise a running server.
"""

from __future__ import annotations

import json
import re
from typing import Any

from specfirst.generator.docs.views import OperationView, SiteView

__all__ = ["SCHEMA_URL", "build_collection", "status_test"]

_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
SCHEMA_URL = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def status_test(statuses: tuple[str, ...]) -> list[str]:
    """The Postman test script lines asserting a documented status code."""
    codes = sorted({int(s) for s in statuses if s.isdigit()})
    ranges = sorted({int(s[0]) for s in statuses if len(s) == 3 and s[1:].upper() == "XX"
                     and s[0].isdigit()})
    if "default" in statuses or not (codes or ranges):
        return ['pm.test("responds with a valid HTTP status", function () {',
                "    pm.expect(pm.response.code).to.be.within(100, 599);", "});"]
    if not ranges:
        return ['pm.test("status code is documented", function () {',
                f"    pm.expect({json.dumps(codes)}).to.include(pm.response.code);", "});"]
    return ['pm.test("status code is documented", function () {',
            f"    var codes = {json.dumps(codes)}, ranges = {json.dumps(ranges)};",
            "    var code = pm.response.code;",
            "    pm.expect(codes.includes(code) || ranges.includes(Math.floor(code / 100)),",
            '              "status " + code + " is not in the spec").to.be.true;', "});"]


def _url(operation: OperationView) -> dict[str, Any]:
    sketch = operation.request
    segments = []
    for segment in operation.path.strip("/").split("/"):
        if segment.startswith("{") and segment.endswith("}"):
            segments.append(":" + segment[1:-1])
        elif segment:
            segments.append(segment)
    raw = "{{baseUrl}}/" + "/".join(segments)
    query = []
    for parameter in operation.parameters:
        if parameter.location != "query":
            continue
        value = sketch.query.get(parameter.name)
        query.append({
            "key": parameter.name,
            "value": _text(value if value is not None else (parameter.example or "")),
            "description": parameter.description,
            "disabled": parameter.name not in sketch.query,
        })
    for name, value in sketch.query.items():
        if not any(q["key"] == name for q in query):
            query.append({"key": name, "value": _text(value)})
    for name in sketch.secret_names("query"):
        query = [q for q in query if q["key"] != name]
        query.append({"key": name, "value": "{{apiKey}}"})
    enabled = [q for q in query if not q.get("disabled")]
    if enabled:
        raw += "?" + "&".join(f"{q['key']}={q['value']}" for q in enabled)
    url: dict[str, Any] = {"raw": raw, "host": ["{{baseUrl}}"], "path": segments}
    if query:
        url["query"] = query
    variables = [{"key": p.name, "value": _text(sketch.path_params.get(p.name, "")),
                  "description": p.description}
                 for p in operation.parameters if p.location == "path"]
    if variables:
        url["variable"] = variables
    return url


def _request(operation: OperationView) -> dict[str, Any]:
    sketch = operation.request
    headers = [{"key": name, "value": value} for name, value in sketch.headers.items()
               if _TOKEN.fullmatch(name)]
    headers += [{"key": name, "value": "{{apiKey}}"} for name in sketch.secret_names("header")
                if _TOKEN.fullmatch(name)]
    cookies = sketch.secret_names("cookie")
    if cookies:
        headers.append({"key": "Cookie",
                        "value": "; ".join(f"{name}={{{{apiKey}}}}" for name in cookies)})
    if sketch.media_type and sketch.body is not None:
        headers.append({"key": "Content-Type", "value": sketch.media_type})
    accept = next((body.media_type for response in operation.responses
                   if response.kind == "success" for body in response.bodies), None)
    if accept:
        headers.append({"key": "Accept", "value": accept})
    request: dict[str, Any] = {
        "method": operation.method,
        "header": headers,
        "url": _url(operation),
        "description": operation.description,
    }
    if sketch.basic:
        request["auth"] = {"type": "basic", "basic": [
            {"key": "username", "value": "{{username}}", "type": "string"},
            {"key": "password", "value": "{{password}}", "type": "string"}]}
    elif not sketch.bearer:
        request["auth"] = {"type": "noauth"}
    if sketch.body is not None:
        text = sketch.body if isinstance(sketch.body, str) and "json" not in (
            sketch.media_type or "") else json.dumps(sketch.body, indent=2, ensure_ascii=False)
        request["body"] = {"mode": "raw", "raw": text,
                           "options": {"raw": {"language": "json" if "json" in (
                               sketch.media_type or "") else "text"}}}
    return request


def _item(operation: OperationView) -> dict[str, Any]:
    return {
        "name": operation.title,
        "request": _request(operation),
        "event": [{"listen": "test",
                   "script": {"type": "text/javascript", "exec": status_test(
                       operation.status_codes)}}],
    }


def _credential_variables(site: SiteView) -> list[dict[str, str]]:
    """Collection variables for the credentials the requests use besides the bearer token."""
    sketches = [op.request for op in site.operations]
    out = []
    if any(s.secret_names(w) for s in sketches for w in ("header", "query", "cookie")):
        out.append({"key": "apiKey", "value": "", "type": "string"})
    if any(s.basic for s in sketches):
        out += [{"key": "username", "value": "", "type": "string"},
                {"key": "password", "value": "", "type": "string"}]
    return out


def build_collection(site: SiteView) -> dict[str, Any]:
    """The collection as a JSON-ready dict (deterministic: no ids or timestamps)."""
    base_url = site.operations[0].request.base_url if site.operations else "http://localhost"
    return {
        "info": {
            "name": site.info.title,
            "description": f"Generated by specfirst from {site.source}. DO NOT EDIT.\n\n"
                           + site.info.description,
            "version": site.info.version,
            "schema": SCHEMA_URL,
        },
        "auth": {"type": "bearer",
                 "bearer": [{"key": "token", "value": "{{token}}", "type": "string"}]},
        "variable": [
            {"key": "baseUrl", "value": base_url, "type": "string"},
            {"key": "token", "value": "", "type": "string"},
            *_credential_variables(site),
        ],
        "item": [
            {"name": tag.name, "description": tag.description,
             "item": [_item(operation) for operation in tag.operations]}
            for tag in site.tags if tag.operations
        ],
    }
