"""Choosing and building a mock response: status, media type, body, headers.

`Prefer` (RFC 7240) steers the choice, as in Prism: `code=404` picks a documented status,
`example=name` a named example, `dynamic=true` generates from the schema even when the spec
has examples. Without preferences the answer is the lowest documented 2xx, its first JSON
media type the `Accept` header allows, and its first valid example (else a generated value).
Every generated body is validated against its schema before it is sent.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from specfirst.generator.loader import resolve_pointer
from specfirst.server.mock.catalog import MediaView, MockOperation, ResponseView, is_json
from specfirst.server.mock.validation import MockValidator
from specfirst.server.mock.values import GenerationError, ValueGenerator

__all__ = ["MockAnswer", "Preferences", "Responder", "generate_body", "parse_prefer"]

_ATTEMPTS = 40  # overlapping oneOf branches need a few draws to find an unambiguous value
_NO_BODY_STATUSES = {204, 205, 304}
_MEANT_AFTER = 8  # draws tried for a value JSON Schema admits before the author's reading


@dataclass(frozen=True)
class Preferences:
    code: int | None = None
    example: str | None = None
    dynamic: bool = False


def parse_prefer(values: list[str]) -> Preferences:
    """`Prefer: code=404, example=cat, dynamic=true` (several headers allowed)."""
    found: dict[str, str] = {}
    for value in values:
        for part in value.split(","):
            for token in part.split(";"):
                name, _, content = token.strip().partition("=")
                if name:
                    found[name.strip().lower()] = content.strip().strip('"')
    code = found.get("code")
    return Preferences(
        code=int(code) if code and code.isdigit() else None,
        example=found.get("example") or None,
        dynamic=found.get("dynamic", "").lower() == "true",
    )


@dataclass(frozen=True)
class MockAnswer:
    status: int
    media_type: str | None
    body: Any  # a JSON value, or str/bytes for other media types; None for no body
    headers: dict[str, str]
    problem: bool = False


def problem(status: int, title: str, detail: str) -> MockAnswer:
    return MockAnswer(status, "application/problem+json",
                      {"type": "about:blank", "title": title, "status": status,
                       "detail": detail}, {}, problem=True)


def _accepts(accept: str | None, media_type: str) -> bool:
    if not accept:
        return True
    base = media_type.split(";", 1)[0].strip().lower()
    kind = base.split("/", 1)[0]
    for item in accept.split(","):
        wanted = item.split(";", 1)[0].strip().lower()
        if wanted in ("*/*", base, f"{kind}/*") or not wanted:
            return True
    return False


class Responder:
    """Builds answers for one spec; `seed` makes every generated value repeatable."""

    def __init__(self, document: dict[str, Any], validator: MockValidator, *, is_v31: bool,
                 seed: int | None):
        self.document = document
        self.validator = validator
        self.is_v31 = is_v31
        self.seed = seed if seed is not None else random.SystemRandom().randrange(2 ** 32)

    def rng(self, op: MockOperation, salt: str = "") -> random.Random:
        op.counter += 1
        return random.Random(f"{self.seed}|{op.key}|{op.counter}|{salt}")

    def choose_media(self, response: ResponseView, accept: str | None) -> MediaView | None:
        acceptable = [m for m in response.media if _accepts(accept, m.media_type)] \
            or list(response.media)
        if not acceptable:
            return None
        json_like = [m for m in acceptable if is_json(m.media_type)]
        return (json_like or acceptable)[0]

    def value(self, media: MediaView, rng: random.Random, *, dynamic: bool) -> Any:
        """A body for one media type: a valid example, else a validated generated value."""
        if media.examples and not dynamic:
            return next(iter(media.examples.values()))
        return generate_body(self.document, self.validator, media, rng, is_v31=self.is_v31,
                             dynamic=dynamic)

    def headers(self, response: ResponseView, rng: random.Random) -> dict[str, str]:
        headers = {}
        for header in response.headers:
            schema = resolve_pointer(self.document, header.schema_pointer)
            try:
                value = ValueGenerator(self.document, rng, is_v31=self.is_v31).generate(schema)
            except (GenerationError, RecursionError):
                continue
            if isinstance(value, (dict, list)):
                continue
            text = str(value).lower() if isinstance(value, bool) else str(value)
            if re.fullmatch(r"[\x20-\x7e]*", text):
                headers[header.name] = text
        return headers

    def answer(self, op: MockOperation, prefs: Preferences, accept: str | None) -> MockAnswer:
        if op.problem:
            return problem(501, "Not Implemented", f"the mock cannot answer {op.key}: "
                                                   f"{op.problem}")
        if prefs.code is not None:
            response = op.response_for(prefs.code)
            if response is None:
                documented = ", ".join(op.responses) or "none"
                return problem(422, "No such response", f"{op.key} documents no {prefs.code} "
                                                        f"response (documented: {documented})")
            status = prefs.code
        else:
            response = op.default_response()
            if response is None:
                return problem(501, "Not Implemented", f"{op.key} documents no response")
            status = response.status
        return self.build(op, response, status, prefs, accept)

    def build(self, op: MockOperation, response: ResponseView, status: int, prefs: Preferences,
              accept: str | None, body: Any = None) -> MockAnswer:
        rng = self.rng(op)
        headers = self.headers(response, rng)
        media = self.choose_media(response, accept)
        if status in _NO_BODY_STATUSES and op.method != "head":
            # no body; a documented media type an empty body can be (not JSON) is named, as
            # response checkers ask of a response documented with content
            empty = next((m.media_type for m in response.media
                          if "*" not in m.media_type and not is_json(m.media_type)), None)
            return MockAnswer(status, None, None,
                              headers if empty is None else {**headers, "Content-Type": empty})
        if media is None or op.method == "head":
            return MockAnswer(status, None, None, headers)
        media_type = media.media_type
        if "*" in media_type:
            media_type = "application/json" if is_json(media_type) else "text/plain"
        if prefs.example is not None:
            candidates = {name: value for m in response.media for name, value
                          in m.examples.items()}
            if prefs.example not in candidates:
                names = ", ".join(candidates) or "none"
                return problem(422, "No such example",
                               f"{op.key} {response.key} has no example {prefs.example!r} "
                               f"(examples: {names})")
            owner = next(m for m in response.media if prefs.example in m.examples)
            return MockAnswer(status, owner.media_type, owner.examples[prefs.example], headers)
        if body is None:
            try:
                body = self.value(media, rng, dynamic=prefs.dynamic)
            except GenerationError as exc:
                return problem(500, "Mock generation failed",
                               f"no valid {media.media_type} body for {op.key} "
                               f"{response.key}: {exc}")
        body = self.coherent_status(media, body, status)
        return MockAnswer(status, media_type, body, self.coherent_location(
            op, response, status, body, headers, rng))

    def coherent_status(self, media: MediaView, body: Any, status: int) -> Any:
        """A problem-like body's `status` member says the HTTP status (when the schema allows)."""
        if not (isinstance(body, dict) and "status" in body and body["status"] != status):
            return body
        for value in (status, str(status)):
            if type(value) is not type(body["status"]):
                continue
            changed = {**body, "status": value}
            if media.schema_pointer is None or not is_json(media.media_type) \
                    or self.validator.error(media.schema_pointer, changed) is None:
                return changed
        return body

    def coherent_location(self, op: MockOperation, response: ResponseView, status: int,
                          body: Any, headers: dict[str, str],
                          rng: random.Random) -> dict[str, str]:
        """`Location` of a created resource: its documented item path, with the id the body
        carries (or one generated for it)."""
        if not (status == 201 or "Location" in headers or "location" in headers):
            return headers
        item = self.item_path(op.path)
        if item is None:
            return headers
        template, param = item
        from specfirst.server.mock.store import id_field

        key = id_field(body, param) if isinstance(body, dict) else None
        value = str(body[key]) if key is not None and isinstance(body, dict) \
            and isinstance(body[key], (str, int)) else str(rng.randrange(1, 10 ** 6))
        base = getattr(self, "base_path", "")
        location = f"{base}{template.replace('{' + param + '}', quote(value, safe=''))}"
        documented = next((h for h in response.headers if h.name.lower() == "location"), None)
        if documented is not None and self.validator.error(documented.schema_pointer,
                                                           location) is not None:
            absolute = f"http://localhost{location}"
            if self.validator.error(documented.schema_pointer, absolute) is not None:
                return headers
            location = absolute
        out = {k: v for k, v in headers.items() if k.lower() != "location"}
        out[documented.name if documented is not None else "Location"] = location
        return out

    def item_path(self, collection: str) -> tuple[str, str] | None:
        """The documented path of one member of `collection` (`/pets` → `/pets/{petId}`)."""
        prefix = collection.rstrip("/") + "/"
        for path, item in (self.document.get("paths") or {}).items():
            rest = str(path)[len(prefix):] if str(path).startswith(prefix) else ""
            found = re.fullmatch(r"{([^{}/]+)}", rest)
            if found and isinstance(item, dict) and "get" in item:
                return str(path), found.group(1)
        return None


def generate_body(document: dict[str, Any], validator: MockValidator, media: MediaView,
                  rng: random.Random, *, is_v31: bool, dynamic: bool = False,
                  direction: str = "response") -> Any:
    """A value generated from a media type's schema and validated against it (several draws);
    GenerationError with the last reason when none fits."""
    if media.schema_pointer is None:
        return {} if is_json(media.media_type) else ""
    schema = resolve_pointer(document, media.schema_pointer)
    json_like = is_json(media.media_type)
    last = "no attempt"
    meant: list[Any] = []  # values only the author's reading of the schema admits
    for attempt in range(_ATTEMPTS):
        generator = ValueGenerator(document, rng, is_v31=is_v31, direction=direction,
                                   use_examples=attempt < 2 and not dynamic)
        try:
            value = generator.generate(schema)
        except (GenerationError, RecursionError) as exc:
            last = str(exc) or type(exc).__name__
            continue
        if not json_like:
            return value
        reason = validator.error(media.schema_pointer, value)
        if reason is None:
            return value
        last = reason
        # The generator merges `allOf` members into a closed object, as its author means;
        # JSON Schema's `additionalProperties` sees none of them. What both readings admit is
        # the value without those members, when they are optional.
        kept = validator.without_unexpected(media.schema_pointer, value)
        if kept is not value and validator.error(media.schema_pointer, kept) is None:
            return kept
        if len(meant) < 1 and validator.meant_reading() is not validator and \
                validator.meant_reading().error(media.schema_pointer, value) is None:
            meant.append(value)
        if meant and attempt >= _MEANT_AFTER:
            break
    if meant:
        # the schema admits no value as JSON Schema reads it: the author's meaning is the
        # answer a real API gives
        return meant[0]
    raise GenerationError(last)


def encode(answer: MockAnswer) -> bytes:
    """The body bytes for an answer."""
    if answer.body is None:
        return b""
    if answer.media_type is not None and (is_json(answer.media_type) or answer.problem):
        return json.dumps(answer.body, ensure_ascii=False).encode("utf-8")
    if isinstance(answer.body, bytes):
        return answer.body
    if isinstance(answer.body, str):
        return answer.body.encode("utf-8")
    return json.dumps(answer.body, ensure_ascii=False).encode("utf-8")
