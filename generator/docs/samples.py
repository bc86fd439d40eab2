"""Code samples for one operation: curl, Python httpx and JavaScript fetch.

Samples are built as text in Python from a `RequestSketch` (the request an operation's examples
describe); values from the spec are quoted for the target language, never spliced in raw.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field, replace
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
    # Credentials other than a bearer token: (where, name) with `where` one of `header`,
    # `query`, `cookie` (an apiKey scheme, sent as $API_KEY) or `basic` (HTTP basic auth, sent
    # as $USERNAME and $PASSWORD). Each output writes them in its own variable syntax.
    secrets: tuple[tuple[str, str], ...] = ()

    @property
    def basic(self) -> bool:
        return any(where == "basic" for where, _ in self.secrets)

    def secret_names(self, where: str) -> list[str]:
        return [name for kind, name in self.secrets if kind == where]

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


_DOUBLE_QUOTE_SAFE = re.compile(r"[^$`\\\"!]*")


def shell_word(text: str, variables: tuple[str, ...] = ()) -> str:
    """`text` as one shell word in which each `$NAME` of `variables` expands and nothing else
    does: in double quotes when the rest is inert there, else single-quoted parts joined to
    double-quoted variables (`'a b'"$API_KEY"`)."""
    pattern = "|".join(re.escape("$" + v) for v in variables)
    parts = re.split(f"({pattern})", text) if pattern else [text]
    literals = [p for i, p in enumerate(parts) if i % 2 == 0]
    if len(parts) == 1:
        return shlex.quote(text)
    if all(_DOUBLE_QUOTE_SAFE.fullmatch(p) for p in literals):
        return '"' + text + '"'
    return "".join(f'"{p}"' if i % 2 else (shlex.quote(p) if p else "")
                   for i, p in enumerate(parts))


def curl(sketch: RequestSketch) -> str:
    query = dict(sketch.query)
    for name in sketch.secret_names("query"):
        query[name] = "\0API_KEY\0"
    url = replace(sketch, query=query).url.replace(
        quote("\0API_KEY\0", safe=""), "$API_KEY")
    lines = [f"curl -X {sketch.method} {shell_word(url, ('API_KEY',))}"]
    if sketch.basic:
        lines.append('  -u "$USERNAME:$PASSWORD"')
    for name, value in sketch.all_headers.items():
        if name == "Authorization":
            lines.append('  -H "Authorization: Bearer $TOKEN"')
        else:
            lines.append(f"  -H {shlex.quote(f'{name}: {value}')}")
    for name in sketch.secret_names("header"):
        lines.append(f"  -H {shell_word(f'{name}: $API_KEY', ('API_KEY',))}")
    cookies = sketch.secret_names("cookie")
    if cookies:
        jar = "; ".join(f"{name}=$API_KEY" for name in cookies)
        lines.append(f"  --cookie {shell_word(jar, ('API_KEY',))}")
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
    header_items += [f'        {json.dumps(name)}: os.environ["API_KEY"],'
                     for name in sketch.secret_names("header")]
    if header_items:
        args.append("    headers={")
        args.extend(header_items)
        args.append("    },")
    query = sketch.secret_names("query")
    if query:
        args.append("    params={" + ", ".join(f'{json.dumps(n)}: os.environ["API_KEY"]'
                                             for n in query) + "},")
    cookies = sketch.secret_names("cookie")
    if cookies:
        args.append("    cookies={" + ", ".join(f'{json.dumps(n)}: os.environ["API_KEY"]'
                                              for n in cookies) + "},")
    if sketch.basic:
        args.append('    auth=(os.environ["USERNAME"], os.environ["PASSWORD"]),')
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
    if sketch.basic:
        header_items.append("    Authorization: `Basic ${btoa(`${USERNAME}:${PASSWORD}`)}`,")
    header_items += [f"    {json.dumps(name)}: API_KEY," for name in sketch.secret_names("header")]
    cookies = sketch.secret_names("cookie")
    if cookies:
        jar = "; ".join(f"{name}=${{API_KEY}}" for name in cookies)
        header_items.append(f"    Cookie: `{jar}`,")
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
    url = json.dumps(sketch.url, ensure_ascii=False)
    query = sketch.secret_names("query")
    if query:
        separator = "&" if sketch.query else "?"
        extra = "&".join(f"{quote(n, safe='')}=${{encodeURIComponent(API_KEY)}}" for n in query)
        url = "`" + sketch.url.replace("\\", "\\\\").replace("`", "\\`").replace("${", "\\${") \
            + separator + extra + "`"
    lines = [f"const response = await fetch({url}, {{"]
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
