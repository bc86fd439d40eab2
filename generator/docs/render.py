"""Render the docs outputs from the views with Jinja2, and write them to a folder.

One template per output file (`<output>.jinja`) in `generator/templates/docs/`; a folder given
with `--templates` is searched first, so any template (or macro file) can be overridden by file
name. The environment uses `StrictUndefined` (a typo fails loudly) and autoescapes HTML
templates; spec text only ever reaches templates as values of view objects, never as template
source.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from specfirst.generator.docs.markdown import (
    inline_markdown,
    markdown_source,
    markdown_table_cell,
    render_markdown,
    text_node,
)
from specfirst.generator.docs.postman import build_collection
from specfirst.generator.docs.views import (
    OperationView,
    ParameterView,
    ResponseView,
    SchemaView,
    SiteView,
)
from specfirst.generator.errors import UsageError

__all__ = ["OUTPUTS", "PageAssets", "TEMPLATES_DIR", "make_environment", "render_outputs",
           "write_outputs"]

log = logging.getLogger(__name__)

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates" / "docs"
OUTPUTS = ("index.html", "reference.md", "postman_collection.json", "api.apib")


def _autoescape(name: str | None) -> bool:
    return bool(name) and (name or "").endswith((".html.jinja", ".html"))


_BACKTICKS = re.compile(r"`+")


def _longest_backtick_run(text: str) -> int:
    return max((len(run) for run in _BACKTICKS.findall(text)), default=0)


def markdown_code(value: Any) -> str:
    """A value as a Markdown code span, with a fence longer than any backtick run inside."""
    text = " ".join(str(value).split())
    fence = "`" * (_longest_backtick_run(text) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def markdown_fence(value: Any, language: str = "") -> str:
    """A block of text as a fenced code block that its own backticks cannot close."""
    text = str(value)
    fence = "`" * max(3, _longest_backtick_run(text) + 1)
    return f"{fence}{language}\n{text}\n{fence}"


def markdown_variant(view: SchemaView) -> str:
    """One variant of a oneOf/anyOf/allOf as Markdown: a link to a named schema, or its type."""
    if view.ref is not None:
        return f"[{markdown_table_cell(view.ref)}](#{view.ref_anchor})"
    return markdown_table_cell(view.title or view.type or "any")


_URL_BREAKERS = re.compile(r"[\x00-\x20\x7f<>()\\]")


def markdown_url(url: Any) -> str:
    """A URL as a Markdown link destination: characters that would end or bend the link
    (controls, spaces, angle brackets, parentheses, backslashes) percent-encoded."""
    return _URL_BREAKERS.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()),
                             str(url))


_URI_VAR_SAFE = re.compile(r"[^A-Za-z0-9_.]")


def uri_var(name: Any) -> str:
    """A parameter name as an RFC 6570 variable name (other characters percent-encoded)."""
    return _URI_VAR_SAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()),
                             str(name))


def uri_template(path: str, parameters: tuple[ParameterView, ...] = ()) -> str:
    """A path with its query parameters as an RFC 6570 template: `/items{?limit,cursor}`."""
    path = re.sub(r"\{([^}]*)\}", lambda m: "{" + uri_var(m.group(1)) + "}", path)
    path = path.replace("[", "%5B").replace("]", "%5D").replace("(", "%28").replace(")", "%29")
    query = [uri_var(p.name) for p in parameters if p.location == "query"]
    return path + ("{?" + ",".join(query) + "}" if query else "")


@dataclass(frozen=True)
class ApibResource:
    """An API Blueprint resource: one URI template (path and query parameters) and the
    operations that share it exactly, so every action parameter is in the resource's template."""

    name: str
    template: str
    operations: tuple[OperationView, ...]


@dataclass(frozen=True)
class ApibGroup:
    name: str
    description: str
    resources: tuple[ApibResource, ...]


def _uri_parameters(op: OperationView) -> tuple[ParameterView, ...]:
    return tuple(p for p in op.parameters if p.location in ("path", "query"))


def apib_groups(site: SiteView) -> list[ApibGroup]:
    """The tags as API Blueprint groups of resources. A resource is defined once in the whole
    blueprint (in the group of its first operation): operations of different paths, or of one
    path with different query parameters, are different resources, since Drafter checks each
    action's parameters against its resource's URI template."""
    placed: dict[str, tuple[str, list[OperationView]]] = {}
    order: dict[str, list[str]] = {}
    for tag in site.tags:
        for op in tag.operations:
            template = uri_template(op.path, _uri_parameters(op))
            if template not in placed:
                placed[template] = (tag.name, [])
                order.setdefault(tag.name, []).append(template)
            placed[template][1].append(op)
    names: dict[str, int] = {}
    for _, ops in placed.values():
        names[ops[0].path] = names.get(ops[0].path, 0) + 1
    groups = []
    for tag in site.tags:
        resources = []
        for template in order.get(tag.name, []):
            ops = placed[template][1]
            path = ops[0].path
            name = path if names[path] == 1 else \
                f"{path} - {' and '.join(op.method.upper() for op in ops)}"
            # Drafter reads "(" and "[" in a resource's name as the start of its URI.
            name = name.translate(_NAME_UNSAFE)
            resources.append(ApibResource(name, template, tuple(ops)))
        if resources:
            groups.append(ApibGroup(tag.name, tag.description, tuple(resources)))
    return groups


_NO_BODY = ("1", "204", "205", "304")
_NAME_UNSAFE = str.maketrans({"(": " ", ")": " ", "[": " ", "]": " "})


def apib_responses(op: OperationView) -> list[tuple[str, ResponseView, str]]:
    """(status code, response, note) for API Blueprint, which knows numeric codes only: a range
    (`4XX`) is shown as its first code unless a code of the range is listed, and `default` as
    200 when no success response is listed (it then describes the successes too)."""
    listed = {r.status for r in op.responses if r.status.isdigit()}
    out: list[tuple[str, ResponseView, str]] = []
    for r in op.responses:
        status = r.status.upper()
        if status.isdigit():
            out.append((status, r, ""))
        elif len(status) == 3 and status[0] in "12345" and status[1:] == "XX":
            code = f"{status[0]}00"
            if not any(c.startswith(status[0]) for c in listed) and code not in listed:
                listed.add(code)
                out.append((code, r, f"Any {status} status."))
    if not any(c.startswith("2") for c in listed):
        for r in op.responses:
            if r.status == "default":
                out.append(("200", r, "The `default` response: any status not listed."))
    if not out:
        # An action needs a response in API Blueprint; the spec (3.1) documents none.
        out.append(("200", ResponseView("200", ""), ""))
    return sorted(out, key=lambda item: item[0])


def apib_has_body(status: str) -> bool:
    """Whether a response with this status may carry a body (not 1xx, 204, 205, 304)."""
    return not status.startswith(_NO_BODY)


def apib_headers(headers: Any, media_type: str | None) -> list[tuple[str, str]]:
    """Header (name, value) pairs for a request or response section, without `Content-Type`
    when the section's media type already declares it, without names HTTP cannot carry, and
    each name once."""
    items = headers.items() if isinstance(headers, dict) else \
        [(h.name, h.schema.type or "string") for h in headers]
    seen: set[str] = set()
    out = []
    for name, value in items:
        key = str(name).lower()
        if not is_header_name(name) or key in seen or (media_type and key == "content-type"):
            continue
        seen.add(key)
        out.append((str(name), str(value)))
    return out


_METHOD_FIRST = re.compile(r"^\s*(GET|PUT|POST|PATCH|DELETE|HEAD|OPTIONS|TRACE|CONNECT|LINK|UNLINK)"
                           r"(\s|$)")


def apib_title(op: OperationView) -> str:
    """An action's name that Drafter cannot take for an action definition: a title that starts
    with an HTTP method ("GET /animal", an operation without summary) is read as `# GET /uri`,
    a new resource, so such a title is prefixed."""
    title = op.title
    return f"Operation {title}" if _METHOD_FIRST.match(title) else title


def apib_text(text: str) -> str:
    """One line of description that Drafter cannot read as a section (`+ Body`, `- item`)."""
    text = str(text)
    return "\\" + text if text[:1] in "+-*#" else text


_SIGNATURE_SAFE = re.compile(r"[A-Za-z0-9 .:@+/-]*")


def apib_signature_safe(value: Any) -> bool:
    """Whether an example can stand in a parameter's signature line: Drafter misreads `_`
    (emphasis), brackets, `=` and `,` there, and the parameter is then lost."""
    return bool(_SIGNATURE_SAFE.fullmatch(str(value)))


def tidy_blueprint(text: str) -> str:
    """API Blueprint indents with spaces; a tab (from an example or a description) is an error
    in Drafter's eyes, so tabs become four spaces."""
    return text.replace("\t", "    ")


_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def is_header_name(name: Any) -> bool:
    """An RFC 9110 field name (a token): other names cannot appear in an HTTP message."""
    return bool(_TOKEN.fullmatch(str(name)))


def json_document(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def header_comment(source: str) -> str:
    """The source path made safe for a one-line comment in any output."""
    return " ".join(source.replace("--", "-").replace("<", "").replace(">", "").split())


FILTERS: dict[str, Callable[..., Any]] = {
    "markdown": render_markdown,
    "inline_markdown": inline_markdown,
    "text_node": text_node,
    "md": markdown_source,
    "md_cell": markdown_table_cell,
    "md_code": markdown_code,
    "md_fence": markdown_fence,
    "md_url": markdown_url,
    "md_variant": markdown_variant,
    "uri_var": uri_var,
    "uri_template": uri_template,
    "apib_groups": apib_groups,
    "apib_responses": apib_responses,
    "apib_headers": apib_headers,
    "apib_title": apib_title,
    "apib_text": apib_text,
    "json_document": json_document,
    "comment_safe": header_comment,
}


def make_environment(templates: Path | None = None) -> jinja2.Environment:
    """The one Jinja2 environment for docs; `templates` overrides the built-ins by file name.

    The environment of the built-in templates is shared, so they are compiled once a process.
    """
    if templates is None:
        return _builtin_environment()
    return _new_environment(templates)


@lru_cache(maxsize=1)
def _builtin_environment() -> jinja2.Environment:
    return _new_environment(None)


def _new_environment(templates: Path | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if templates is not None:
        if not templates.is_dir():
            raise UsageError(f"--templates {templates}: no such folder")
        loaders.append(jinja2.FileSystemLoader(str(templates)))
    loaders.append(jinja2.FileSystemLoader(str(TEMPLATES_DIR)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=_autoescape,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    env.tests["header_name"] = is_header_name
    env.tests["apib_body"] = apib_has_body
    env.tests["apib_signature_safe"] = apib_signature_safe
    return env


def tidy_markdown(text: str) -> str:
    """Runs of blank lines outside fenced code collapsed to one; one newline at the end."""
    out: list[str] = []
    fence = ""
    for line in text.split("\n"):
        stripped = line.lstrip()
        if fence:
            if stripped.startswith(fence) and not stripped[len(fence):].strip("`~"):
                fence = ""
        elif stripped.startswith(("```", "~~~")):
            fence = stripped[:len(stripped) - len(stripped.lstrip(stripped[0]))]
        elif not line.strip() and out and not out[-1].strip():
            continue
        out.append(line)
    return "\n".join(out).strip("\n") + "\n"


TIDY: dict[str, Callable[[str], str]] = {"reference.md": tidy_markdown,
                                         "api.apib": tidy_blueprint}


@dataclass(frozen=True)
class PageAssets:
    """The page's own stylesheet and script (rendered from `_style.css.jinja` and
    `_app.js.jinja`), with the CSP hashes that allow exactly them and nothing else inline."""

    style: Markup
    script: Markup
    style_hash: str
    script_hash: str

    @classmethod
    def from_text(cls, style: str, script: str) -> PageAssets:
        for text, tag in ((style, "style"), (script, "script")):
            if f"</{tag}" in text.lower():
                raise UsageError(f"the page's {tag} must not contain '</{tag}'")
        return cls(Markup(style), Markup(script), _csp_hash(style), _csp_hash(script))


def _csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def _render(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise UsageError(f"template {exc.filename or exc.name}:{exc.lineno}: {exc.message}",
                         hint="fix the template, or remove it to use the built-in one") \
            from None
    except jinja2.UndefinedError as exc:
        raise UsageError(f"template {name}: {exc.message}",
                         hint="templates receive `site` (a SiteView), `collection` and "
                         "`assets`; see docs/docs-generator.md") from None


def render_outputs(site: SiteView, templates: Path | None = None) -> dict[str, str]:
    """Every output file's text, by file name."""
    env = make_environment(templates)
    context: dict[str, Any] = {"site": site, "collection": build_collection(site)}
    context["assets"] = PageAssets.from_text(_render(env, "_style.css.jinja", context),
                                             _render(env, "_app.js.jinja", context))
    rendered: dict[str, str] = {}
    for output in OUTPUTS:
        text = _render(env, f"{output}.jinja", context)
        rendered[output] = TIDY[output](text) if output in TIDY else text
    return rendered


def write_outputs(rendered: dict[str, str], out: Path) -> list[Path]:
    """Write the rendered files into `out` (created if needed); returns the paths written."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out {out}: {exc.strerror}") from None
    written = []
    for name, text in rendered.items():
        path = out / name
        path.write_text(text, encoding="utf-8", newline="\n")
        log.info("wrote %s (%d bytes)", path, len(text))
        written.append(path)
    return written
