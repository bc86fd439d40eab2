"""Code samples for one operation: curl, Python httpx and JavaScript fetch.

Samples are built as text in Python from a `RequestSketch` (the request an operation's examples
describe); values from the spec are quoted for the target language, never spliced in raw.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

__all__ = ["CodeSampleView", "RequestSketch", "code_samples"]


@dataclass(frozen=True)
class CodeSampleView:
    """One code sample: a label for the tab, the language, the code."""

    label: str
    language: str
    code: str


@dataclass(frozen=True)
class RequestSketch:
    method: str
    base_url: str
    path: str
    path_params: dict[str, Any] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    media_type: str | None = None
    body: Any = None
    bearer: bool = False

    @property
    def url(self) -> str:
        path = self.path
        for name, value in self.path_params.items():
            path = path.replace("{" + name + "}", quote(_text(value), safe=""))
        url = self.base_url.rstrip("/") + path
        if self.query:
            url += "?" + urlencode({k: _text(v) for k, v in self.query.items()})
        return url

    @property
    def all_headers(self) -> dict[str, str]:
        headers = dict(self.headers)
        if self.bearer:
            headers["Authorization"] = "Bearer $TOKEN"
        if self.media_type and self.body is not None:
            headers["Content-Type"] = self.media_type
        return headers


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ",".join(_text(v) for v in value)
    return json.dumps(value, ensure_ascii=False)


def _is_json(media_type: str | None) -> bool:
    return bool(media_type) and ("json" in (media_type or ""))


def _body_text(sketch: RequestSketch) -> str:
    if isinstance(sketch.body, str) and not _is_json(sketch.media_type):
        return sketch.body
    return json.dumps(sketch.body, indent=2, ensure_ascii=False, default=str)


def curl(sketch: RequestSketch) -> str:
    lines = [f"curl -X {sketch.method} {shlex.quote(sketch.url)}"]
    for name, value in sketch.all_headers.items():
        if name == "Authorization":
            lines.append('  -H "Authorization: Bearer $TOKEN"')
        else:
            lines.append(f"  -H {shlex.quote(f'{name}: {value}')}")
    if sketch.body is not None:
        lines.append(f"  --data-raw {shlex.quote(_body_text(sketch))}")
    return " \\\n".join(lines)


def _py(value: Any, indent: int = 0) -> str:
    """A JSON value as a Python literal, indented by `indent` spaces after the first line."""
    pad = " " * indent
    if isinstance(value, dict) and value:
        items = [f"{pad}    {json.dumps(str(k), ensure_ascii=False)}: {_py(v, indent + 4)},"
                 for k, v in value.items()]
        return "{\n" + "\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list) and value:
        items = [f"{pad}    {_py(v, indent + 4)}," for v in value]
        return "[\n" + "\n".join(items) + f"\n{pad}]"
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)


def httpx_sample(sketch: RequestSketch) -> str:
    headers = {k: v for k, v in sketch.all_headers.items() if k != "Authorization"}
    lines = ["import os", "", "import httpx", ""]
    args = [f"    {json.dumps(sketch.method)},",
            f"    {json.dumps(sketch.url, ensure_ascii=False)},"]
    header_items = [f"        {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)},"
                    for k, v in headers.items()]
    if sketch.bearer:
        header_items.append('        "Authorization": f"Bearer {os.environ[\'TOKEN\']}",')
    if header_items:
        args.append("    headers={")
        args.extend(header_items)
        args.append("    },")
    if sketch.body is not None:
        if _is_json(sketch.media_type):
            args.append(f"    json={_py(sketch.body, 4)},")
        else:
            args.append(f"    content={json.dumps(_body_text(sketch), ensure_ascii=False)},")
    lines.append("response = httpx.request(")
    lines.extend(args)
    lines.append(")")
    lines.append("response.raise_for_status()")
    lines.append("print(response.json())" if sketch.method != "DELETE"
                 else "print(response.status_code)")
    return "\n".join(lines)


def fetch_sample(sketch: RequestSketch) -> str:
    headers = {k: v for k, v in sketch.all_headers.items() if k != "Authorization"}
    options = [f"  method: {json.dumps(sketch.method)},"]
    header_items = [f"    {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)},"
                    for k, v in headers.items()]
    if sketch.bearer:
        header_items.append("    Authorization: `Bearer ${TOKEN}`,")
    if header_items:
        options.append("  headers: {")
        options.extend(header_items)
        options.append("  },")
    if sketch.body is not None:
        if _is_json(sketch.media_type):
            body = json.dumps(sketch.body, indent=2, ensure_ascii=False, default=str)
            options.append(f"  body: JSON.stringify({body.replace(chr(10), chr(10) + '  ')}),")
        else:
            options.append(f"  body: {json.dumps(_body_text(sketch), ensure_ascii=False)},")
    lines = [f"const response = await fetch({json.dumps(sketch.url, ensure_ascii=False)}, {{"]
    lines.extend(options)
    lines.append("});")
    lines.append("if (!response.ok) throw new Error(`HTTP ${response.status}`);")
    if sketch.method != "DELETE":
        lines.append("console.log(await response.json());")
    return "\n".join(lines)


def code_samples(sketch: RequestSketch) -> tuple[CodeSampleView, ...]:
    return (
        CodeSampleView("curl", "shell", curl(sketch)),
        CodeSampleView("Python (httpx)", "python", httpx_sample(sketch)),
        CodeSampleView("JavaScript (fetch)", "javascript", fetch_sample(sketch)),
    )
