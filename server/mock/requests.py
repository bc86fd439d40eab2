"""Reading a request the way OpenAPI describes it, then judging it: parameters, body, security.

Every parameter style OpenAPI defines is parsed before validation — `form` (exploded or not,
objects included), `spaceDelimited`, `pipeDelimited` and `deepObject` query parameters,
`simple`, `label` and `matrix` path parameters, `simple` headers, `form` cookies, and
parameters described by `content` (JSON). Raw strings are turned into the values the schema
asks for; where the schema allows several kinds (`anyOf`/`oneOf`, type lists) each reading is
tried and the first valid one is kept, so Stripe's `created=5` (an integer, or an object in
deepObject style) is an integer. An empty value of a query parameter with `allowEmptyValue` is
accepted as it is, whatever its schema. A query parameter the operation does not define is
refused when it defines query parameters of its own (none an exploded `form` object) and
documents an error.

Bodies are read by media type: JSON, XML (child elements as properties; an element holding
only text is that text, even where an object is expected), `application/x-www-form-urlencoded` and
`multipart/form-data` (fields read as their property schemas and `encoding` say), text (a
string) and anything else (bytes, not validated).

Security is checked the way Prism does, for presence and shape: an API key where its scheme
says, `Authorization: Basic …` / `Bearer …` (HTTP, OAuth 2, OpenID Connect). Values are not
verified, unless `credentials` are configured: then only those values are accepted (an API
key, a bearer token, a basic `user:password`, or a whole `Authorization` value).

Each finding is a `Violation` with a kind (`auth`, `media`, `body`, `parameter`) that decides
which documented error answers it, and a plain-language message.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any, Literal
from urllib.parse import parse_qsl, unquote
from xml.etree import ElementTree

import orjson
from specfirst.generator.loader import deref, escape_pointer
from specfirst.server.mock.validation import MockValidator
from specfirst.server.schema_errors import describe_error

__all__ = ["OperationRequest", "Violation", "check_request", "describe_error",
           "media_matches"]

Kind = Literal["auth", "media", "body", "parameter"]
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
_INTEGER = re.compile(r"[-+]?[0-9]+")
_NUMBER = re.compile(r"[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?")


@dataclass(frozen=True)
class Violation:
    kind: Kind
    message: str
    challenge: str | None = None  # WWW-Authenticate, for `auth`


@dataclass
class Parameter:
    name: str
    location: str
    pointer: str  # of its schema (or of the schema of its `content` media type)
    schema: Any
    required: bool
    style: str
    explode: bool
    json_content: bool = False
    allow_empty: bool = False  # a query parameter with `allowEmptyValue`: `name=` is valid


@dataclass
class BodyMedia:
    media_type: str
    pointer: str | None
    schema: Any
    encoding: dict[str, Any] = field(default_factory=dict)


@dataclass
class OperationRequest:
    """What an operation expects of a request, read once from the document."""

    parameters: list[Parameter]
    body: list[BodyMedia]
    body_required: bool
    security: list[dict[str, list[str]]]  # requirement objects; [] = none
    closed_query: bool = False  # query parameters it does not define are refused


def _schema_types(document: dict[str, Any], schema: Any, depth: int = 0) -> list[str]:
    """Every JSON type a schema may take, in the order it names them (branches included)."""
    schema, _ = deref(document, schema)
    if not isinstance(schema, dict) or depth > 20:
        return []
    found: list[str] = []
    kinds = schema.get("type")
    if isinstance(kinds, str):
        found.append(kinds)
    elif isinstance(kinds, list):
        found += [k for k in kinds if isinstance(k, str)]
    if schema.get("nullable") is True:
        found.append("null")
    for key in ("anyOf", "oneOf", "allOf"):
        for branch in schema.get(key) or []:
            found += _schema_types(document, branch, depth + 1)
    if not found:
        if "properties" in schema or "additionalProperties" in schema:
            found.append("object")
        elif "items" in schema:
            found.append("array")
    return list(dict.fromkeys(found))


def _subschema(document: dict[str, Any], schema: Any, key: str, name: str | None = None,
               depth: int = 0) -> Any:
    """`items`, or the schema of property `name`, looking through `$ref`s and branches."""
    schema, _ = deref(document, schema)
    if not isinstance(schema, dict) or depth > 20:
        return None
    if key == "items" and isinstance(schema.get("items"), dict):
        return schema["items"]
    if key == "properties":
        props = schema.get("properties")
        if isinstance(props, dict) and name in props:
            return props[name]
    for branch_key in ("allOf", "anyOf", "oneOf"):
        for branch in schema.get(branch_key) or []:
            found = _subschema(document, branch, key, name, depth + 1)
            if found is not None:
                return found
    if key == "properties" and isinstance(schema.get("additionalProperties"), dict):
        return schema["additionalProperties"]
    return None


def _scalars(raw: str, kinds: list[str]) -> list[Any]:
    out: list[Any] = []
    for kind in kinds or ["string"]:
        if kind == "integer" and _INTEGER.fullmatch(raw):
            out.append(int(raw))
        elif kind == "number" and _NUMBER.fullmatch(raw):
            number = float(raw)
            out.append(int(number) if number.is_integer() and _INTEGER.fullmatch(raw)
                       else number)
        elif kind == "boolean" and raw in ("true", "false"):
            out.append(raw == "true")
        elif kind == "null" and raw in ("", "null"):
            out.append(None)
        elif kind == "string":
            out.append(raw)
    return out


def readings(document: dict[str, Any], raw: Any, schema: Any, depth: int = 0) -> list[Any]:
    """The values a raw string / list of strings / dict of strings may stand for under
    `schema`, most likely first (the raw value itself last)."""
    kinds = _schema_types(document, schema)
    out: list[Any] = []
    if depth > 10:
        return [raw]
    if isinstance(raw, dict) and "array" in kinds and raw \
            and all(k.isdigit() or k == "" for k in raw):
        # `items[0]=a&items[1]=b`: an array written as an object with index keys
        ordered = [raw[k] for k in sorted(raw, key=lambda k: int(k) if k else 0)]
        items = _subschema(document, schema, "items")
        out.append([(readings(document, item, items, depth + 1) or [item])[0]
                    for item in ordered])
    if isinstance(raw, dict):
        if not kinds or "object" in kinds:
            value = {}
            for name, item in raw.items():
                sub = _subschema(document, schema, "properties", name)
                value[name] = (readings(document, item, sub, depth + 1) or [item])[0]
            out.append(value)
    elif isinstance(raw, list):
        if not kinds or "array" in kinds:
            items = _subschema(document, schema, "items")
            out.append([(readings(document, item, items, depth + 1) or [item])[0]
                        for item in raw])
        if len(raw) == 1:
            out += readings(document, raw[0], schema, depth + 1)
    elif isinstance(raw, str):
        out += _scalars(raw, [k for k in kinds if k not in ("array", "object")])
        if "array" in kinds:
            items = _subschema(document, schema, "items")
            parts = raw.split(",") if raw else []
            out.append([(readings(document, part, items, depth + 1) or [part])[0]
                        for part in parts])
        if "object" in kinds and "," in raw:
            parts = raw.split(",")
            if len(parts) % 2 == 0:
                out.append(readings(document, dict(zip(parts[::2], parts[1::2], strict=False)),
                                    schema, depth + 1)[0])
        if not kinds:
            out.append(raw)
    out.append(raw)
    return out


def media_matches(documented: str, actual: str) -> bool:
    documented = documented.split(";", 1)[0].strip().lower()
    actual = actual.split(";", 1)[0].strip().lower()
    if documented in ("*/*", actual):
        return True
    kind, _, sub = documented.partition("/")
    return sub == "*" and actual.startswith(f"{kind}/")


_LITERAL_BRACE = re.compile(r"(?<!\\){(?![0-9]+(,[0-9]*)?})")


def _undecidable(error: Any) -> bool:
    """Parameter errors the mock cannot stand behind: a `pattern` with a literal `{`, which
    regex dialects read differently, and objects inside arrays, which no parameter style
    defines a serialization for (clients send them in ways the spec cannot say are wrong)."""
    if isinstance(error, str):
        return False
    if error.validator == "pattern" and isinstance(error.validator_value, str):
        return bool(_LITERAL_BRACE.search(error.validator_value))
    if error.validator == "type" and isinstance(error.instance, str) and len(
            error.absolute_path) > 0:
        wanted = error.validator_value
        return "object" in (wanted if isinstance(wanted, list) else [wanted])
    return False


class RequestChecker:
    """Reads and judges requests for the operations of one document."""

    def __init__(self, document: dict[str, Any], validator: MockValidator, *,
                 auth_check: bool = True, credentials: tuple[str, ...] = ()):
        self.document = document
        self.validator = validator
        self.auth_check = auth_check
        self.credentials = frozenset(credentials)
        schemes = (document.get("components") or {}).get("securitySchemes") or {}
        self.schemes: dict[str, dict[str, Any]] = {}
        for name, raw in schemes.items() if isinstance(schemes, dict) else ():
            scheme, _ = deref(document, raw)
            if isinstance(scheme, dict):
                self.schemes[str(name)] = scheme

    # --- what an operation expects ------------------------------------------------------

    def describe(self, path: str, method: str) -> OperationRequest:
        item_pointer = f"/paths/{escape_pointer(path)}"
        item, item_pointer = deref(self.document, self.document["paths"][path], item_pointer)
        op = item[method]
        op_pointer = f"{item_pointer}/{method}"
        found: dict[tuple[str, str], Parameter] = {}
        for owner, owner_pointer in ((item, item_pointer), (op, op_pointer)):
            for index, raw in enumerate(owner.get("parameters") or []):
                param, pointer = deref(self.document, raw,
                                       f"{owner_pointer}/parameters/{index}")
                parsed = self._parameter(param, pointer)
                if parsed is not None:
                    found[(parsed.location, parsed.name.lower() if parsed.location == "header"
                           else parsed.name)] = parsed
        body_media: list[BodyMedia] = []
        body, body_pointer = deref(self.document, op.get("requestBody"),
                                   f"{op_pointer}/requestBody")
        body_required = False
        if isinstance(body, dict):
            body_required = body.get("required") is True
            for media_type, raw_media in (body.get("content") or {}).items():
                media, media_pointer = deref(
                    self.document, raw_media,
                    f"{body_pointer}/content/{escape_pointer(str(media_type))}")
                if not isinstance(media, dict):
                    media = {}
                has_schema = isinstance(media.get("schema"), (dict, bool))
                found_encoding = media.get("encoding")
                encoding: dict[str, Any] = found_encoding if isinstance(found_encoding,
                                                                        dict) else {}
                body_media.append(BodyMedia(str(media_type),
                                            f"{media_pointer}/schema" if has_schema else None,
                                            media.get("schema"), encoding))
        security = op.get("security", self.document.get("security"))
        requirements = [r for r in security if isinstance(r, dict)] \
            if isinstance(security, list) else []
        if isinstance(security, list) and any(r == {} for r in security):
            requirements = []
        parameters = list(found.values())
        return OperationRequest(parameters, body_media, body_required, requirements,
                                self._closed_query(parameters, op))

    def _closed_query(self, parameters: list[Parameter], op: dict[str, Any]) -> bool:
        """Whether a query parameter the operation does not define is refused: when it defines
        query parameters of its own (none an exploded `form` object, whose members arrive
        under their own names) and documents an error response to refuse it with."""
        query = [p for p in parameters if p.location == "query"]
        if not query or any(
                p.style == "form" and p.explode and (
                    not _schema_types(self.document, p.schema)
                    or "object" in _schema_types(self.document, p.schema))
                for p in query):
            return False
        keys = [str(k).upper() for k in (op.get("responses") or {})]
        return any(k in ("4XX", "DEFAULT") or (k.isdigit() and 400 <= int(k) < 500)
                   for k in keys)

    def _parameter(self, param: Any, pointer: str) -> Parameter | None:
        if not isinstance(param, dict):
            return None
        name, location = param.get("name"), param.get("in")
        if not isinstance(name, str) or location not in ("path", "query", "header", "cookie"):
            return None
        if location == "header" and name.lower() in _IGNORED_HEADERS:
            return None
        style = param.get("style") or ("form" if location in ("query", "cookie")
                                       else "simple")
        explode = param.get("explode")
        explode = (style == "form") if not isinstance(explode, bool) else explode
        schema_pointer, schema, json_content = f"{pointer}/schema", param.get("schema"), False
        content = param.get("content")
        if schema is None and isinstance(content, dict) and content:
            media_type = next(iter(content))
            media, media_pointer = deref(self.document, content[media_type],
                                         f"{pointer}/content/{escape_pointer(str(media_type))}")
            schema = media.get("schema") if isinstance(media, dict) else None
            schema_pointer = f"{media_pointer}/schema"
            json_content = "json" in str(media_type)
        if schema is None:
            schema_pointer = ""
        return Parameter(name, location, schema_pointer, schema,
                         param.get("required") is True or location == "path", style, explode,
                         json_content,
                         location == "query" and param.get("allowEmptyValue") is True)

    # --- judging a request ----------------------------------------------------------------

    def check(self, expected: OperationRequest, *, path_values: dict[str, str],
              query: str, headers: dict[str, str], cookies: dict[str, str],
              content_type: str | None, body: bytes) -> tuple[list[Violation], Any]:
        """The violations found (auth first), and the body as read (None without one)."""
        if self.auth_check and expected.security:
            problem = self.security_problem(expected.security, query, headers, cookies)
            if problem is not None:
                return [problem], None
        violations: list[Violation] = []
        pairs = parse_qsl(query, keep_blank_values=True)
        for param in expected.parameters:
            raw = self._raw(param, path_values, pairs, headers, cookies)
            if raw is None:
                if param.required:
                    violations.append(Violation(
                        "parameter", f"{param.location} parameter {param.name} is required"))
                continue
            if param.allow_empty and raw in ("", [""]):
                continue
            reason = self._judge(param, raw)
            if reason is not None:
                violations.append(Violation(
                    "parameter", f"{param.location} parameter {param.name}: {reason}"))
        if expected.closed_query:
            defined = {p.name for p in expected.parameters if p.location == "query"} | {
                str(s.get("name")) for s in self.schemes.values()
                if s.get("type") == "apiKey" and s.get("in") == "query"}
            for name in dict.fromkeys(key.split("[", 1)[0] for key, _ in pairs):
                if name not in defined:
                    violations.append(Violation(
                        "parameter", f"query parameter {name} is not one this operation "
                                     "defines"))
        read, body_violations = self._body(expected, content_type, body)
        return violations + body_violations, read

    def _raw(self, param: Parameter, path_values: dict[str, str], pairs: list[tuple[str, str]],
             headers: dict[str, str], cookies: dict[str, str]) -> Any:
        name = param.name
        if param.location == "path":
            value = path_values.get(name)
            if value is None:
                return None
            value = unquote(value)
            if param.style == "label":
                parts = value[1:].split("." if param.explode else ",") \
                    if value.startswith(".") else [value]
                return self._shape(param, parts, exploded_pairs=param.explode)
            if param.style == "matrix":
                segments = [s for s in value.split(";") if s]
                pairs_found = [s.partition("=") for s in segments]
                if param.explode:
                    if _schema_kinds_object(self.document, param.schema):
                        return {k: v for k, _, v in pairs_found}
                    return [v for k, _, v in pairs_found if k == name] or [""]
                values = [v for k, _, v in pairs_found if k == name]
                return self._shape(param, values[0].split(",") if values else [""])
            return self._shape(param, value.split(",") if value else [""],
                               exploded_pairs=param.explode)
        if param.location == "header":
            value = headers.get(name.lower())
            if value is None:
                return None
            return self._shape(param, value.split(","), exploded_pairs=param.explode,
                               strip=True)
        if param.location == "cookie":
            value = cookies.get(name)
            return None if value is None else self._shape(param, value.split(","))
        # query
        if param.json_content:
            values = [v for k, v in pairs if k == name]
            return values[0] if values else None
        if param.style == "deepObject":
            deep: dict[str, Any] = {}
            prefix = f"{name}["
            for key, value in pairs:
                if key.startswith(prefix) and key.endswith("]"):
                    parts = key[len(name):].strip("[]").split("][")
                    node = deep
                    for part in parts[:-1]:
                        nested = node.setdefault(part, {})
                        node = nested if isinstance(nested, dict) else {}
                    node[parts[-1]] = value
            if deep:
                return deep
            plain = [v for k, v in pairs if k == name]
            return plain[0] if len(plain) == 1 else (plain or None)
        values = [v for k, v in pairs if k == name]
        kinds = _schema_types(self.document, param.schema)
        if "object" in kinds and param.style == "form" and param.explode:
            known = {p for p, _ in pairs if p == name}
            if not values and not known:
                props = self._object_names(param.schema)
                found = {k: v for k, v in pairs if k in props} if props else {}
                return found or None
        if not values:
            return None
        separator = {"spaceDelimited": " ", "pipeDelimited": "|"}.get(param.style)
        if separator is not None or (param.style == "form" and not param.explode):
            split = [part for value in values for part in value.split(separator or ",")]
            if "array" in kinds:
                return split
            if "object" in kinds and split == [""]:
                return {}
            if "object" in kinds and len(split) > 1:
                return dict(zip(split[::2], split[1::2], strict=False))
            return values[0] if len(values) == 1 else values
        return values if len(values) > 1 or "array" in kinds else values[0]

    def _object_names(self, schema: Any) -> set[str]:
        names: set[str] = set()
        resolved, _ = deref(self.document, schema)
        if isinstance(resolved, dict):
            props = resolved.get("properties")
            if isinstance(props, dict):
                names |= set(props)
            for key in ("allOf", "anyOf", "oneOf"):
                for branch in resolved.get(key) or []:
                    names |= self._object_names(branch)
        return names

    def _shape(self, param: Parameter, parts: list[str], *, exploded_pairs: bool = False,
               strip: bool = False) -> Any:
        """`simple`-like values: a list of strings as the schema's kind wants it."""
        if strip:
            parts = [p.strip() for p in parts]
        kinds = _schema_types(self.document, param.schema)
        if "object" in kinds and not ("array" in kinds and not exploded_pairs):
            if parts == [""]:
                return {}
            if exploded_pairs and all("=" in p for p in parts):
                return dict(p.partition("=")[::2] for p in parts)
            if len(parts) > 1:  # name,value pairs (an odd one out is dropped)
                return dict(zip(parts[::2], parts[1::2], strict=False))
        if "array" in kinds:
            return parts
        return ",".join(parts)

    def _judge(self, param: Parameter, raw: Any) -> str | None:
        if not param.pointer:
            return None
        if param.json_content and isinstance(raw, str):
            try:
                candidates: list[Any] = [orjson.loads(raw)]
            except orjson.JSONDecodeError:
                return "is not valid JSON"
        else:
            candidates = readings(self.document, raw, param.schema)
        first: Any = None
        for candidate in candidates:
            error = self.validator.best_error(param.pointer, candidate)
            if error is None or _undecidable(error):
                return None
            first = first or error
        return describe_error(first) if not isinstance(first, str) else first

    def _body(self, expected: OperationRequest, content_type: str | None,
              body: bytes) -> tuple[Any, list[Violation]]:
        if not expected.body:
            return None, []
        form = (content_type or "").split(";", 1)[0].strip().lower() in _FORMS
        if not body and not form:  # an empty form is a form without fields
            if expected.body_required:
                return None, [Violation("body", "a request body is required")]
            return None, []
        actual = content_type or "application/json"
        media = next((m for m in expected.body if media_matches(m.media_type, actual)), None)
        if media is None:
            documented = ", ".join(m.media_type for m in expected.body)
            return None, [Violation("media", f"the body is {actual.split(';')[0]}; this "
                                             f"operation accepts {documented}")]
        base = actual.split(";", 1)[0].strip().lower()
        try:
            value = self._read_body(media, base, actual, body)
        except ValueError as exc:
            return None, [Violation("body", f"the body cannot be read as {base}: {exc}")]
        if media.pointer is None or value is _UNCHECKED:
            return value if value is not _UNCHECKED else body, []
        error = self.validator.best_error(media.pointer, value)
        if error is None:
            return value, []
        return value, [Violation("body", f"body: {describe_error(error)}"
                                 if not isinstance(error, str) else error)]

    def _read_body(self, media: BodyMedia, base: str, full_type: str, body: bytes) -> Any:
        if base == "application/json" or base.endswith("+json") or (
                "json" in media.media_type and base in ("*/*", "application/*")):
            try:  # the standard parser keeps big integers exact (orjson rounds them)
                return json.loads(body.decode("utf-8"), parse_constant=_no_constant)
            except UnicodeDecodeError:
                raise ValueError("not UTF-8") from None
            except (json.JSONDecodeError, RecursionError) as exc:
                raise ValueError(str(exc).split(":", 1)[0]) from None
        if base in ("application/xml", "text/xml") or base.endswith("+xml"):
            try:
                root = ElementTree.fromstring(body)
            except ElementTree.ParseError as exc:
                raise ValueError(f"not well-formed XML ({exc})") from None
            return self._xml(root, media.schema, 0)
        if base == "application/x-www-form-urlencoded":
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                raise ValueError("not UTF-8") from None
            return self._form(media, parse_qsl(text, keep_blank_values=True))
        if base == "multipart/form-data":
            return self._form(media, _multipart(full_type, body) if body else [])
        if base.startswith("text/"):
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                raise ValueError("not UTF-8") from None
            kinds = _schema_types(self.document, media.schema)
            if kinds and "string" not in kinds:
                return readings(self.document, text, media.schema)[0]
            return text
        return _UNCHECKED

    def _xml(self, element: Any, schema: Any, depth: int) -> Any:
        """An XML element as the JSON value its schema describes (tags as property names,
        repeated or wrapped elements as arrays, text read as the property's type)."""
        kinds = _schema_types(self.document, schema)
        children = list(element)
        if depth > 32:
            return element.text or ""
        if "array" in kinds and "object" not in kinds:
            items = _subschema(self.document, schema, "items")
            return [self._xml(child, items, depth + 1) for child in children]
        text = (element.text or "").strip()
        # an element holding only text is that text, even where an object is expected
        if children or ("object" in kinds and not text):
            groups: dict[str, list[Any]] = {}
            for child in children:
                groups.setdefault(child.tag, []).append(child)
            out: dict[str, Any] = {}
            names = self._xml_names(schema)
            for tag, group in groups.items():
                name, wrapped = names.get(tag, (tag, None))
                sub = _subschema(self.document, schema, "properties", name)
                sub_kinds = _schema_types(self.document, sub)
                if "array" in sub_kinds:
                    items = _subschema(self.document, sub, "items")
                    inner = list(group[0])
                    if wrapped is None:
                        wrapped = len(group) == 1 and bool(inner) \
                            and len({c.tag for c in inner}) == 1
                    members = inner if wrapped else group
                    out[name] = [self._xml(m, items, depth + 1) for m in members]
                else:
                    out[name] = self._xml(group[0], sub, depth + 1)
            return out
        text = element.text or ""
        return readings(self.document, text, schema)[0] if kinds else text

    def _xml_names(self, schema: Any, depth: int = 0) -> dict[str, tuple[str, bool | None]]:
        """XML element name -> (property name, whether the array is wrapped), from `xml`."""
        resolved, _ = deref(self.document, schema)
        names: dict[str, tuple[str, bool | None]] = {}
        if not isinstance(resolved, dict) or depth > 8:
            return names
        for branch in resolved.get("allOf") or []:
            names.update(self._xml_names(branch, depth + 1))
        for name, raw in (resolved.get("properties") or {}).items():
            target, _ = deref(self.document, raw)
            xml = (raw.get("xml") if isinstance(raw, dict) else None) \
                or (target.get("xml") if isinstance(target, dict) else None) or {}
            element = xml.get("name") if isinstance(xml, dict) else None
            wrapped = xml.get("wrapped") if isinstance(xml, dict) else None
            names[str(element or name)] = (str(name), wrapped if isinstance(wrapped, bool)
                                           else None)
        return names

    def _form(self, media: BodyMedia, pairs: list[tuple[str, Any]]) -> Any:
        grouped: dict[str, list[Any]] = {}
        for key, value in pairs:
            grouped.setdefault(key, []).append(value)
        deep: dict[str, dict[str, Any]] = {}
        for key in list(grouped):
            if "[" in key and key.endswith("]"):
                name, _, rest = key.partition("[")
                parts = rest[:-1].split("][")
                node = deep.setdefault(name, {})
                for part in parts[:-1]:
                    nested = node.setdefault(part, {})
                    node = nested if isinstance(nested, dict) else {}
                node[parts[-1]] = grouped.pop(key)[-1]
        out: dict[str, Any] = {}
        for name, values in grouped.items():
            schema = _subschema(self.document, media.schema, "properties", name)
            found = media.encoding.get(name)
            encoding: dict[str, Any] = found if isinstance(found, dict) else {}
            if encoding and "json" in str(encoding.get("contentType", "")):
                try:
                    out[name] = orjson.loads(values[-1])
                    continue
                except (orjson.JSONDecodeError, TypeError):
                    pass
            kinds = _schema_types(self.document, schema)
            raw: Any = values if len(values) > 1 or "array" in kinds else values[0]
            if isinstance(raw, bytes):
                raw = raw.decode("utf-8", "replace")
            if isinstance(raw, list):
                raw = [v.decode("utf-8", "replace") if isinstance(v, bytes) else v
                       for v in raw]
                style = encoding.get("style") if encoding else None
                if len(raw) == 1 and "array" in kinds and (
                        style in ("spaceDelimited", "pipeDelimited")
                        or encoding.get("explode") is False):
                    separator = {"spaceDelimited": " ", "pipeDelimited": "|"}.get(
                        str(style), ",")
                    raw = raw[0].split(separator)
            candidates = readings(self.document, raw, schema) if schema is not None else [raw]
            out[name] = next((c for c in candidates if not isinstance(c, str)
                              or "string" in kinds or not kinds), candidates[0])
        for name, members in deep.items():
            schema = _subschema(self.document, media.schema, "properties", name)
            out[name] = readings(self.document, members, schema)[0]
        self._empty_containers(out, media.schema, 0)
        return out

    def _empty_containers(self, value: Any, schema: Any, depth: int) -> None:
        """A form cannot carry an empty object or array (`deepObject` writes nothing for
        one): a required object or array property that is absent is read as empty."""
        resolved, _ = deref(self.document, schema)
        if depth > 16 or not isinstance(value, dict) or not isinstance(resolved, dict):
            return
        required: list[str] = []
        for branch in [resolved, *(resolved.get("allOf") or [])]:
            branch, _ = deref(self.document, branch)
            if isinstance(branch, dict) and isinstance(branch.get("required"), list):
                required += [r for r in branch["required"] if isinstance(r, str)]
        for name in required:
            if name in value:
                continue
            kinds = _schema_types(self.document,
                                  _subschema(self.document, resolved, "properties", name))
            if kinds and kinds[0] == "object":
                value[name] = {}
            elif kinds and kinds[0] == "array":
                value[name] = []
        for name, member in value.items():
            if isinstance(member, dict):
                self._empty_containers(
                    member, _subschema(self.document, resolved, "properties", name), depth + 1)

    def security_problem(self, requirements: list[dict[str, list[str]]], query: str,
                         headers: dict[str, str], cookies: dict[str, str]) -> Violation | None:
        """None when one requirement is met by credentials of the right shape."""
        missing: list[str] = []
        challenges: list[str] = []
        query_names = {k for k, _ in parse_qsl(query, keep_blank_values=True)}
        for requirement in requirements:
            unmet = [name for name in requirement
                     if not self._has_credentials(name, query_names, headers, cookies, query)]
            if not unmet:
                return None
            missing += unmet
            challenges += [self._challenge(name) for name in unmet]
        names = ", ".join(dict.fromkeys(missing))
        return Violation("auth", f"credentials missing or malformed for {names}",
                         ", ".join(dict.fromkeys(challenges)))

    def _has_credentials(self, name: str, query_names: set[str], headers: dict[str, str],
                         cookies: dict[str, str], query: str = "") -> bool:
        scheme = self.schemes.get(name)
        if scheme is None:
            return True  # an undefined scheme cannot be checked
        kind = str(scheme.get("type", "")).lower()
        authorization = headers.get("authorization", "")
        if kind == "apikey":
            key, where = str(scheme.get("name", "")), scheme.get("in")
            if where == "header":
                value = headers.get(key.lower())
            elif where == "query":
                value = next((v for k, v in parse_qsl(query, keep_blank_values=True)
                              if k == key), None) if key in query_names else None
            elif where == "cookie":
                value = cookies.get(key)
            else:
                return True
            return value is not None and self._known(value)
        if kind == "http":
            wanted = str(scheme.get("scheme", "")).lower()
            token, _, credentials = authorization.partition(" ")
            if token.lower() != wanted or not credentials.strip():
                return False
            if wanted == "basic":
                try:
                    decoded = base64.b64decode(credentials.strip(), validate=True)
                except ValueError:
                    return False
                return b":" in decoded and self._known(
                    authorization, credentials.strip(), decoded.decode("utf-8", "replace"))
            return self._known(authorization, credentials.strip())
        if kind in ("oauth2", "openidconnect"):
            token, _, credentials = authorization.partition(" ")
            return token.lower() == "bearer" and bool(credentials.strip()) \
                and self._known(authorization, credentials.strip())
        return True  # mutualTLS: nothing to see at this level

    def _known(self, *forms: str) -> bool:
        """Any value has the right shape; with `credentials` configured, only those."""
        return not self.credentials or any(form in self.credentials for form in forms)

    def _challenge(self, name: str) -> str:
        scheme = self.schemes.get(name) or {}
        kind = str(scheme.get("type", "")).lower()
        if kind == "http":
            wanted = str(scheme.get("scheme", "Bearer"))
            word = wanted[:1].upper() + wanted[1:]
            return f'{word} realm="mock"' if wanted.lower() == "basic" else word
        if kind == "apikey":
            return f'ApiKey realm="mock", name="{scheme.get("name", "")}", ' \
                   f'in="{scheme.get("in", "")}"'
        return "Bearer"


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class _Unchecked:
    pass


_UNCHECKED: Any = _Unchecked()


def _schema_kinds_object(document: dict[str, Any], schema: Any) -> bool:
    return "object" in _schema_types(document, schema)


def _multipart(content_type: str, body: bytes) -> list[tuple[str, Any]]:
    """The fields of a multipart/form-data body (files as their bytes)."""
    if "boundary=" not in content_type:
        raise ValueError("no boundary in Content-Type")
    if body.strip().startswith(b"--") and body.strip().endswith(b"--") \
            and body.count(b"\r\n") <= 1 and b"content-disposition" not in body.lower():
        return []  # only the closing delimiter: a form without fields
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body)
    if not message.is_multipart():
        raise ValueError("not a multipart body")
    fields: list[tuple[str, Any]] = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if part.get_filename() is not None:
            fields.append((name, data.decode("utf-8", "replace")))
        else:
            fields.append((name, data.decode(part.get_content_charset() or "utf-8",
                                             "replace")))
    return fields


def check_request(checker: RequestChecker, expected: OperationRequest,
                  **request: Any) -> tuple[list[Violation], Any]:
    """`checker.check(expected, ...)`, for callers that hold both."""
    return checker.check(expected, **request)
