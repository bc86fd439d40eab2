"""What the mock can answer for each operation: documented responses, media types, examples.

Built once at start-up from the bundled document. Examples that do not validate against their
schema are dropped (a mock that answers with an invalid example breaks clients' tests), so
`MediaView.examples` holds only answers that are safe to send.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from specfirst.generator.loader import HTTP_METHODS, deref, escape_pointer
from specfirst.server.mock.validation import MockValidator

__all__ = ["HeaderView", "MediaView", "MockOperation", "ResponseView", "build_catalog",
           "describe_operation", "is_json", "request_media"]

log = logging.getLogger(__name__)


def is_json(media_type: str) -> bool:
    base = media_type.split(";", 1)[0].strip().lower()
    return base == "application/json" or base.endswith("+json") or base == "*/*" \
        or base == "application/*"


@dataclass(frozen=True)
class MediaView:
    media_type: str
    schema_pointer: str | None
    examples: dict[str, Any]  # name -> value; the valid ones, in document order


@dataclass(frozen=True)
class HeaderView:
    name: str
    schema_pointer: str
    required: bool


@dataclass(frozen=True)
class ResponseView:
    key: str  # as written: "200", "4XX", "default"
    status: int
    media: tuple[MediaView, ...]
    headers: tuple[HeaderView, ...]


@dataclass
class MockOperation:
    method: str
    path: str
    responses: dict[str, ResponseView]
    body_name: str | None
    problem: str | None = None  # why it cannot be mocked
    counter: int = 0
    request_body_schema: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.method.upper()} {self.path}"

    def default_response(self) -> ResponseView | None:
        """The answer to a valid request: the lowest documented 2xx, else `2XX`, else
        `default`; failing those, the documented status that least says the request was
        wrong (3xx, then 404, 409, 401, 403, 429, then the lowest other)."""
        numeric = sorted((r for r in self.responses.values() if r.key.isdigit()),
                         key=lambda r: r.status)
        for response in numeric:
            if 200 <= response.status < 300:
                return response
        for key in ("2XX", "2xx", "default"):
            if key in self.responses:
                return self.responses[key]
        preference = {404: 1, 409: 2, 401: 3, 403: 4, 429: 5}

        def rank(response: ResponseView) -> tuple[int, int]:
            if 300 <= response.status < 400:
                return 0, response.status
            return preference.get(response.status, 9), response.status

        ranked = sorted((r for r in self.responses.values() if r.key != "default"), key=rank)
        return ranked[0] if ranked else None

    def response_for(self, status: int) -> ResponseView | None:
        for key in (str(status), f"{status // 100}XX", f"{status // 100}xx", "default"):
            if key in self.responses:
                return self.responses[key]
        return None


def _status_of(key: str) -> int | None:
    if key.isdigit() and 100 <= int(key) <= 599:
        return int(key)
    if len(key) == 3 and key[0] in "12345" and key[1:].upper() == "XX":
        return int(key[0]) * 100
    if key == "default":
        return 200
    return None


class _Walker:
    def __init__(self, document: dict[str, Any], validator: MockValidator, is_v31: bool):
        self.document = document
        self.validator = validator
        self.is_v31 = is_v31

    def deref(self, node: Any, pointer: str) -> tuple[Any, str]:
        return deref(self.document, node, pointer)

    def examples(self, media: dict[str, Any], pointer: str, schema_pointer: str | None,
                 json_like: bool, where: str) -> dict[str, Any]:
        found: dict[str, Any] = {}
        if isinstance(media.get("examples"), dict):
            for name, raw in media["examples"].items():
                example, _ = self.deref(raw, f"{pointer}/examples/{escape_pointer(str(name))}")
                if isinstance(example, dict) and "value" in example:
                    found[str(name)] = example["value"]
        if "example" in media:
            found.setdefault("example", media["example"])
        if not json_like or schema_pointer is None:
            return found
        valid = {}
        for name, value in found.items():
            reason = self.validator.error(schema_pointer, value)
            if reason is None:
                valid[name] = value
            else:
                log.info("%s: example %r does not match its schema (%s); not used",
                         where, name, reason)
        return valid

    def response(self, key: str, raw: Any, pointer: str, where: str) -> ResponseView | None:
        status = _status_of(key)
        node, pointer = self.deref(raw, pointer)
        if status is None or not isinstance(node, dict):
            return None
        media_views = []
        content = node.get("content")
        if not isinstance(content, dict):
            content = {}
        for media_type, media_raw in content.items():
            media_pointer = f"{pointer}/content/{escape_pointer(str(media_type))}"
            media, media_pointer = self.deref(media_raw, media_pointer)
            if not isinstance(media, dict):
                media = {}
            schema_pointer = f"{media_pointer}/schema" if "schema" in media else None
            media_views.append(MediaView(
                str(media_type), schema_pointer,
                self.examples(media, media_pointer, schema_pointer, is_json(str(media_type)),
                              f"{where} {key} {media_type}")))
        headers = []
        for name, raw_header in (node.get("headers") or {}).items():
            header_pointer = f"{pointer}/headers/{escape_pointer(str(name))}"
            header, header_pointer = self.deref(raw_header, header_pointer)
            if isinstance(header, dict) and "schema" in header and str(name).lower() not in (
                    "content-type", "content-length", "transfer-encoding"):
                headers.append(HeaderView(str(name), f"{header_pointer}/schema",
                                          header.get("required") is True))
        return ResponseView(key, status, tuple(media_views), tuple(headers))


def _operation(walker: _Walker, method: str, path: str, op: dict[str, Any], pointer: str,
               where: str) -> MockOperation:
    responses = {}
    raw_responses = op.get("responses")
    if not isinstance(raw_responses, dict):
        raw_responses = {}
    for key, raw in raw_responses.items():
        view = walker.response(str(key), raw, f"{pointer}/responses/"
                               f"{escape_pointer(str(key))}", where)
        if view is not None:
            responses[view.key] = view
    body, body_pointer = walker.deref(op.get("requestBody"), f"{pointer}/requestBody")
    body_name = None
    body_schema = None
    if isinstance(body, dict):
        name = body.get("x-body-name", "body")
        body_name = name if isinstance(name, str) else "body"
        for media_type, media in (body.get("content") or {}).items():
            if is_json(str(media_type)) and isinstance(media, dict) and "schema" in media:
                body_schema = (f"{body_pointer}/content/"
                               f"{escape_pointer(str(media_type))}/schema")
                break
    mock = MockOperation(method, path, responses, body_name, request_body_schema=body_schema)
    if not responses:
        mock.problem = "no responses are documented"
    return mock


def describe_operation(document: dict[str, Any], validator: MockValidator, method: str,
                       path: str, node: dict[str, Any], pointer: str, *, is_v31: bool,
                       where: str) -> MockOperation:
    """One operation found elsewhere than `paths` (a callback's), described as the catalog does."""
    return _operation(_Walker(document, validator, is_v31), method, path, node, pointer, where)


def request_media(document: dict[str, Any], validator: MockValidator, node: dict[str, Any],
                  pointer: str, *, is_v31: bool, where: str) -> MediaView | None:
    """The request body an operation documents: its first JSON media type, else its first one,
    with the examples that are valid against the schema (as `validator` judges a request)."""
    walker = _Walker(document, validator, is_v31)
    body, body_pointer = walker.deref(node.get("requestBody"), f"{pointer}/requestBody")
    content = body.get("content") if isinstance(body, dict) else None
    if not isinstance(content, dict) or not content:
        return None
    media_type = next((str(m) for m in content if is_json(str(m))), str(next(iter(content))))
    media_pointer = f"{body_pointer}/content/{escape_pointer(media_type)}"
    media, media_pointer = walker.deref(content[media_type], media_pointer)
    if not isinstance(media, dict):
        media = {}
    schema_pointer = f"{media_pointer}/schema" if "schema" in media else None
    return MediaView(media_type, schema_pointer,
                     walker.examples(media, media_pointer, schema_pointer, is_json(media_type),
                                     f"{where} request {media_type}"))


def build_catalog(document: dict[str, Any], validator: MockValidator, *,
                  is_v31: bool) -> list[MockOperation]:
    """Every operation of the document with what the mock may answer."""
    walker = _Walker(document, validator, is_v31)
    operations = []
    paths = document.get("paths")
    if not isinstance(paths, dict):
        paths = {}
    for path, raw_item in paths.items():
        item, item_pointer = walker.deref(raw_item, f"/paths/{escape_pointer(str(path))}")
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                operations.append(_operation(walker, method, str(path), op,
                                             f"{item_pointer}/{method}",
                                             f"{method.upper()} {path}"))
    return operations
