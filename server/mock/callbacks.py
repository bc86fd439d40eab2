"""The callbacks an operation declares, and the requests the mock sends for them.

`build_callbacks` reads every `callbacks` entry of the operations under `paths` once, at
start-up: the URL template (parsed, so a malformed runtime expression is reported before any
request), the callback operation's method, request body (its first valid example, else a value
generated from its schema), header parameters, and documented responses. `CallbackBuilder`
turns one of them and the exchange that triggered it into a `CallbackRequest`; `judge` says
whether the receiver's answer is one the callback documents.
"""

from __future__ import annotations

import json
import random
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from specfirst.generator.loader import deref, escape_pointer, resolve_pointer
from specfirst.generator.operations import walk_operations
from specfirst.server.mock.catalog import (
    MediaView,
    MockOperation,
    describe_operation,
    is_json,
    request_media,
)
from specfirst.server.mock.expressions import Exchange, ExpressionError, Template, parse_template
from specfirst.server.mock.responder import generate_body
from specfirst.server.mock.validation import MockValidator
from specfirst.server.mock.values import GenerationError, ValueGenerator

__all__ = ["CallbackBuilder", "CallbackRequest", "CallbackView", "HeaderParameter",
           "build_callbacks", "judge", "path_values"]

# OpenAPI: header parameters with these names are ignored.
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
_NO_EXAMPLE: Any = object()


@dataclass(frozen=True)
class HeaderParameter:
    name: str
    schema_pointer: str | None
    example: Any  # the parameter's own example, or _NO_EXAMPLE


@dataclass(frozen=True)
class CallbackView:
    """One callback operation, as declared under the operation that triggers it."""

    name: str  # the key under `callbacks`
    owner: str  # "POST /subscriptions"
    method: str
    expression: str  # the URL as written: `{$request.body#/callbackUrl}`
    template: Template | None  # None when the expression is malformed (see `problem`)
    problem: str | None
    operation: MockOperation  # its documented responses
    body: MediaView | None
    headers: tuple[HeaderParameter, ...]

    @property
    def label(self) -> str:
        return f"callback {self.name} of {self.owner}"


@dataclass(frozen=True)
class CallbackRequest:
    view: CallbackView
    method: str
    url: str
    headers: dict[str, str]
    content: bytes | None


def _parameters(document: dict[str, Any], item: dict[str, Any], node: dict[str, Any],
                item_pointer: str, pointer: str) -> list[tuple[dict[str, Any], str]]:
    """The operation's parameters with the path item's (an operation's own win)."""
    found: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
    for owner, base in ((item, item_pointer), (node, pointer)):
        raw = owner.get("parameters")
        for index, param in enumerate(raw if isinstance(raw, list) else []):
            param, where = deref(document, param, f"{base}/parameters/{index}")
            if isinstance(param, dict) and isinstance(param.get("name"), str):
                found[(str(param.get("in")), param["name"])] = (param, where)
    return list(found.values())


def _example(param: dict[str, Any], document: dict[str, Any], pointer: str) -> Any:
    if "example" in param:
        return param["example"]
    examples = param.get("examples")
    if isinstance(examples, dict):
        for name, raw in examples.items():
            example, _ = deref(document, raw, f"{pointer}/examples/{escape_pointer(str(name))}")
            if isinstance(example, dict) and "value" in example:
                return example["value"]
    return _NO_EXAMPLE


def build_callbacks(document: dict[str, Any], validator: MockValidator, *, is_v31: bool,
                    request_validator: Callable[[], MockValidator]
                    ) -> dict[tuple[str, str], list[CallbackView]]:
    """(method, path) of each operation under `paths` → the callbacks it declares.

    `validator` judges responses; `request_validator()` gives the one that judges request
    bodies (asked for only when a callback sends one). Callbacks declared by callbacks are the
    receiver's business, not the mock's: not included.
    """
    found: dict[tuple[str, str], list[CallbackView]] = {}
    for ref in walk_operations(document, lambda node, ptr: deref(document, node, ptr),
                               callbacks=True):
        owner = ref.parent
        if ref.kind != "callback" or owner is None or owner.kind != "path":
            continue
        where = f"callback {ref.callback} of {owner.method.upper()} {owner.path}"
        try:
            template: Template | None = parse_template(ref.path)
            problem = None
        except ExpressionError as exc:
            template, problem = None, str(exc)
        operation = describe_operation(document, validator, ref.method, ref.path, ref.node,
                                       ref.pointer, is_v31=is_v31, where=where)
        body = None
        if ref.node.get("requestBody") is not None:
            body = request_media(document, request_validator(), ref.node, ref.pointer,
                                 is_v31=is_v31, where=where)
        headers = tuple(
            HeaderParameter(param["name"],
                            f"{pointer}/schema" if isinstance(param.get("schema"), dict)
                            else None,
                            _example(param, document, pointer))
            for param, pointer in _parameters(document, ref.item, ref.node, ref.item_pointer,
                                              ref.pointer)
            if param.get("in") == "header" and param["name"].lower() not in _IGNORED_HEADERS)
        view = CallbackView(str(ref.callback), f"{owner.method.upper()} {owner.path}",
                            ref.method, ref.path, template, problem, operation, body, headers)
        found.setdefault((owner.method, owner.path), []).append(view)
    return found


def path_values(template: str, path: str) -> dict[str, str]:
    """The values of a path template's variables in a concrete path (`{}` if it does not fit)."""
    names: list[str] = []
    pattern = ""
    for literal, name in re.findall(r"([^{]*)(?:\{([^{}]*)\})?", template):
        pattern += re.escape(literal)
        if name:
            names.append(name)
            pattern += "([^/]*)"
    match = re.fullmatch(pattern, path)
    if match is None:
        return {}
    return dict(zip(names, match.groups(), strict=True))


def _header_text(value: Any) -> str | None:
    if isinstance(value, (dict, list)) or value is None:
        return None
    text = json.dumps(value) if isinstance(value, bool) else str(value)
    return text if re.fullmatch(r"[\x20-\x7e]*", text) else None


class CallbackBuilder:
    """Builds the request for one callback; a `seed` makes generated bodies repeatable."""

    def __init__(self, document: dict[str, Any], *, is_v31: bool, seed: int):
        self.document = document
        self.is_v31 = is_v31
        self.seed = seed
        self.counter = 0
        self._lock = threading.Lock()
        self._request_validator: MockValidator | None = None

    def request_validator(self) -> MockValidator:
        """The validator for request bodies (write-only properties allowed), built once."""
        with self._lock:
            if self._request_validator is None:
                self._request_validator = MockValidator(self.document, is_v31=self.is_v31,
                                                        responses=False)
            return self._request_validator

    def build(self, view: CallbackView, exchange: Exchange) -> CallbackRequest:
        """The request to send; ExpressionError or GenerationError say why there is none."""
        if view.template is None:
            raise ExpressionError(view.problem or "malformed runtime expression")
        url = view.template.expand(exchange)
        with self._lock:
            self.counter += 1
            rng = random.Random(f"{self.seed}|{view.label}|{self.counter}")
        headers: dict[str, str] = {}
        for header in view.headers:
            value = header.example
            if value is _NO_EXAMPLE and header.schema_pointer is not None:
                schema = resolve_pointer(self.document, header.schema_pointer)
                try:
                    value = ValueGenerator(self.document, rng, is_v31=self.is_v31,
                                           direction="request").generate(schema)
                except (GenerationError, RecursionError):
                    continue
            text = _header_text(value) if value is not _NO_EXAMPLE else None
            if text is not None:
                headers[header.name] = text
        content = None
        if view.body is not None:
            media = view.body
            value = next(iter(media.examples.values())) if media.examples else generate_body(
                self.document, self.request_validator(), media, rng, is_v31=self.is_v31,
                direction="request")
            media_type = media.media_type
            if "*" in media_type:
                media_type = "application/json" if is_json(media_type) else "text/plain"
            headers["Content-Type"] = media_type
            content = _encode(value, is_json(media_type))
        return CallbackRequest(view, view.method.upper(), url, headers, content)


def _encode(value: Any, json_like: bool) -> bytes:
    if not json_like and isinstance(value, bytes):
        return value
    if not json_like and isinstance(value, str):
        return value.encode("utf-8")
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def _media_matches(declared: str, received: str) -> bool:
    declared = declared.split(";", 1)[0].strip().lower()
    received = received.split(";", 1)[0].strip().lower()
    if declared in ("*/*", received):
        return True
    kind, _, sub = declared.partition("/")
    return sub == "*" and received.startswith(f"{kind}/")


def judge(view: CallbackView, validator: MockValidator, status: int,
          headers: Mapping[str, str], content: bytes) -> str | None:
    """None when the receiver's answer is one the callback documents, else what is wrong."""
    operation = view.operation
    response = operation.response_for(status)
    if response is None:
        documented = ", ".join(operation.responses) or "none"
        return f"status {status} is not documented (documented: {documented})"
    if not response.media or not content:
        if response.media and not content and status not in (204, 205, 304):
            return f"no body, but {response.key} documents " \
                   f"{', '.join(m.media_type for m in response.media)}"
        return None
    received = headers.get("content-type", "")
    media = next((m for m in response.media if _media_matches(m.media_type, received)), None)
    if media is None:
        return f"content type {received or 'none'!r} is not documented for {response.key} " \
               f"({', '.join(m.media_type for m in response.media)})"
    if media.schema_pointer is None or not is_json(media.media_type):
        return None
    try:
        value = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return "the body is not valid JSON"
    return validator.error(media.schema_pointer, value)
