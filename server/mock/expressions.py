"""OpenAPI runtime expressions: `$url`, `$request.body#/callbackUrl`, and templates embedding them.

A callback's URL is written as a runtime expression (OpenAPI 3.x, "Runtime Expressions"):

    expression = "$url" / "$method" / "$statusCode"
               / "$request." source / "$response." source
    source     = "header." token / "query." name / "path." name / "body" ["#" json-pointer]

or as a template that embeds them in braces: `http://{$request.body#/host}/hook?x={$request.query.x}`.
`parse_template` checks the syntax once (start-up); `Template.expand` evaluates against the
facts of one exchange and raises `ExpressionError` saying why when a value is missing or cannot
stand in a URL. Header names are case-insensitive; query and path names are not; a query
parameter given several times yields its first value; JSON pointers follow RFC 6901 (`~0`, `~1`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Exchange", "Expression", "ExpressionError", "Template", "parse_expression",
           "parse_template"]

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_SOURCES = ("header", "query", "path", "body")


class ExpressionError(ValueError):
    """A runtime expression that is malformed, or that cannot be evaluated for an exchange."""


@dataclass(frozen=True)
class Exchange:
    """What runtime expressions can refer to: one request and the answer it got.

    `request_headers` and `response_headers` are keyed by lower-case name; `query` holds every
    value of each query parameter in order; `request_body` / `response_body` are parsed JSON
    values, present when `has_request_body` / `has_response_body` say so.
    """

    url: str
    method: str
    status: int
    request_headers: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, Sequence[str]] = field(default_factory=dict)
    path: Mapping[str, str] = field(default_factory=dict)
    request_body: Any = None
    has_request_body: bool = False
    response_headers: Mapping[str, str] = field(default_factory=dict)
    response_body: Any = None
    has_response_body: bool = False


@dataclass(frozen=True)
class Expression:
    """One parsed runtime expression."""

    text: str
    root: str  # "url", "method", "statusCode", "request", "response"
    source: str | None = None  # "header", "query", "path", "body"
    name: str | None = None  # the header/query/path name
    pointer: tuple[str, ...] | None = None  # body reference tokens; () is the whole body

    def evaluate(self, exchange: Exchange) -> Any:
        """The value this expression names in `exchange` (a JSON value for body references)."""
        if self.root == "url":
            return exchange.url
        if self.root == "method":
            return exchange.method.upper()
        if self.root == "statusCode":
            return exchange.status
        side = self.root
        if self.source == "header":
            headers = exchange.request_headers if side == "request" else exchange.response_headers
            value = headers.get(str(self.name).lower())
            if value is None:
                raise ExpressionError(f"the {side} has no header {self.name!r}")
            return value
        if self.source == "query":
            if side == "response":
                raise ExpressionError("a response has no query parameters")
            values = exchange.query.get(str(self.name))
            if not values:
                raise ExpressionError(f"the request has no query parameter {self.name!r}")
            return values[0]
        if self.source == "path":
            if side == "response":
                raise ExpressionError("a response has no path parameters")
            if str(self.name) not in exchange.path:
                raise ExpressionError(f"the request has no path parameter {self.name!r}")
            return exchange.path[str(self.name)]
        present = exchange.has_request_body if side == "request" else exchange.has_response_body
        body = exchange.request_body if side == "request" else exchange.response_body
        if not present:
            raise ExpressionError(f"the {side} has no JSON body")
        return _follow(body, self.pointer or (), side)


def _follow(value: Any, tokens: tuple[str, ...], side: str) -> Any:
    for depth, token in enumerate(tokens):
        where = "/" + "/".join(tokens[:depth + 1])
        if isinstance(value, dict):
            if token not in value:
                raise ExpressionError(f"the {side} body has no {where}")
            value = value[token]
        elif isinstance(value, list):
            if not re.fullmatch(r"0|[1-9][0-9]*", token) or int(token) >= len(value):
                raise ExpressionError(f"the {side} body has no {where}")
            value = value[int(token)]
        else:
            raise ExpressionError(f"the {side} body has no {where} "
                                  f"(a {type(value).__name__} has no members)")
    return value


def _pointer_tokens(pointer: str, text: str) -> tuple[str, ...]:
    if pointer == "":
        return ()
    if not pointer.startswith("/"):
        raise ExpressionError(f"{text!r}: a JSON pointer starts with '/'")
    tokens = []
    for raw in pointer[1:].split("/"):
        if re.search(r"~(?![01])", raw):
            raise ExpressionError(f"{text!r}: '~' must be followed by 0 or 1 in a JSON pointer")
        tokens.append(raw.replace("~1", "/").replace("~0", "~"))
    return tuple(tokens)


def parse_expression(text: str) -> Expression:
    """One runtime expression (no braces); ExpressionError when the syntax is wrong."""
    if text in ("$url", "$method", "$statusCode"):
        return Expression(text, text[1:])
    for side in ("request", "response"):
        prefix = f"${side}."
        if not text.startswith(prefix):
            continue
        rest = text[len(prefix):]
        if rest == "body" or rest.startswith("body#"):
            return Expression(text, side, "body", pointer=_pointer_tokens(rest[5:], text))
        source, dot, name = rest.partition(".")
        if source not in _SOURCES or not dot:
            raise ExpressionError(f"{text!r}: after {prefix!r} comes header., query., path. "
                                  f"or body")
        if not name:
            raise ExpressionError(f"{text!r}: the {source} name is missing")
        if source == "header" and not _TOKEN.fullmatch(name):
            raise ExpressionError(f"{text!r}: {name!r} is not a valid header name")
        return Expression(text, side, source, name=name)
    raise ExpressionError(f"{text!r} is not a runtime expression ($url, $method, $statusCode, "
                          f"$request.…, $response.…)")


def _as_text(value: Any, expression: Expression) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or (isinstance(value, (int, float)) and value == value):
        return json.dumps(value)
    kind = "null" if value is None else ("an object" if isinstance(value, dict)
                                         else "an array" if isinstance(value, list)
                                         else type(value).__name__)
    raise ExpressionError(f"{expression.text} is {kind}, not a value that can stand in a URL")


@dataclass(frozen=True)
class Template:
    """A string with embedded `{expression}`s, or one bare expression."""

    text: str
    parts: tuple[str | Expression, ...]

    @property
    def expressions(self) -> tuple[Expression, ...]:
        return tuple(part for part in self.parts if isinstance(part, Expression))

    def expand(self, exchange: Exchange) -> str:
        """The string with every expression replaced by its value in `exchange`."""
        out = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
            else:
                out.append(_as_text(part.evaluate(exchange), part))
        return "".join(out)


def parse_template(text: str) -> Template:
    """`http://{$request.body#/host}/x`, or a bare expression such as `$request.query.url`.

    Braces that do not open an expression (`{` not followed by `$`) are kept as text."""
    if text.startswith("$"):
        return Template(text, (parse_expression(text),))
    parts: list[str | Expression] = []
    position = 0
    literal = ""
    while position < len(text):
        start = text.find("{$", position)
        if start < 0:
            literal += text[position:]
            break
        end = text.find("}", start)
        if end < 0:
            raise ExpressionError(f"{text!r}: '{{' at {start} is never closed")
        literal += text[position:start]
        if literal:
            parts.append(literal)
            literal = ""
        parts.append(parse_expression(text[start + 1:end]))
        position = end + 1
    if literal:
        parts.append(literal)
    return Template(text, tuple(parts))
