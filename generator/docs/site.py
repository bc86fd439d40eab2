"""A `Spec` → one `SiteView`: tags, operations, parameters, bodies, responses, schemas, security.

This is the only module of the docs package that reads the spec document; everything after it
(templates, Postman export) works from the views it builds. Operations come from one walk,
`Spec.operations(webhooks=True, callbacks=True)`: paths, 3.1 webhooks, and the callbacks each
operation declares (through `$ref`s, nested), which become views under their operation.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from specfirst.generator.docs.examples import ExampleGenerator, dump_example
from specfirst.generator.docs.samples import RequestSketch, code_samples
from specfirst.generator.docs.schemas import SchemaBuilder
from specfirst.generator.docs.views import (
    BodyView,
    CallbackView,
    ExampleView,
    ExternalDocsView,
    HeaderView,
    InfoView,
    LinkView,
    NamedSchemaView,
    OperationView,
    ParameterView,
    ResponseView,
    SecuritySchemeView,
    SecurityView,
    ServerView,
    SiteView,
    TagEntryView,
    TagView,
)
from specfirst.generator.loader import HTTP_METHODS, Spec
from specfirst.generator.operations import OperationRef

__all__ = ["HTTP_METHODS", "build_site", "slug"]

log = logging.getLogger(__name__)

DEFAULT_TAG = "default"
MAX_EXAMPLE_CHARS = 20_000
_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """An id-safe slug: lowercase ASCII letters, digits and dashes (never empty)."""
    return _SLUG.sub("-", text.lower()).strip("-") or "x"


class _Anchors:
    def __init__(self) -> None:
        self.taken: set[str] = set()

    def make(self, prefix: str, text: str) -> str:
        base = f"{prefix}-{slug(text)}"
        candidate, counter = base, 2
        while candidate in self.taken:
            candidate = f"{base}-{counter}"
            counter += 1
        self.taken.add(candidate)
        return candidate


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


class SiteBuilder:
    def __init__(self, spec: Spec, source: str):
        self.spec = spec
        self.document = spec.document
        self.source = source
        self.anchors = _Anchors()
        self.schema_anchor: dict[str, str] = {}
        for name in _dict(_dict(self.document.get("components")).get("schemas")):
            self.schema_anchor[str(name)] = self.anchors.make("schema", str(name))
        self.schemas = SchemaBuilder(self.document, self._anchor_for)
        self.examples = ExampleGenerator(self.schemas.resolve)
        self.security_schemes = {
            str(name): _dict(self.spec.resolve(scheme))
            for name, scheme in _dict(_dict(self.document.get("components"))
                                      .get("securitySchemes")).items()
        }
        self.base_url = self._base_url()
        self.op_anchor: dict[tuple[str, str], str] = {}
        self.op_anchor_by_id: dict[str, str] = {}
        self.ref_anchor: dict[tuple[str, ...], str] = {}

    def _anchor_for(self, name: str) -> str:
        return self.schema_anchor.get(name) or self.anchors.make("schema", name)

    def resolve(self, node: Any) -> dict[str, Any]:
        return _dict(self.spec.resolve(node))

    # -- site ------------------------------------------------------------------------------------

    def build(self) -> SiteView:
        info = _dict(self.document.get("info"))
        contact = _dict(info.get("contact"))
        license_ = _dict(info.get("license"))
        declared = [_dict(t) for t in self.document.get("tags") or [] if isinstance(t, dict)]
        found = self.spec.operations(webhooks=True, callbacks=True)
        self._name_operations(found)
        children: dict[tuple[str, ...], list[OperationRef]] = {}
        for ref in found:
            if ref.kind == "callback" and ref.parent is not None:
                children.setdefault(_key(ref.parent), []).append(ref)
        by_tag: dict[str, list[OperationView]] = {_text(t.get("name")): [] for t in declared}
        webhooks: list[OperationView] = []
        count = 0
        for ref in found:
            if ref.kind == "callback":
                continue
            view = self.operation(ref, children)
            if ref.kind == "webhook":
                webhooks.append(view)
                continue
            for tag in view.tags or (DEFAULT_TAG,):
                by_tag.setdefault(tag, []).append(view)
            count += 1
        descriptions = {_text(t.get("name")): _text(t.get("description")) for t in declared}
        tag_docs = {_text(t.get("name")): ExternalDocsView.from_spec(t.get("externalDocs"))
                    for t in declared}
        tag_anchors = {name: self.anchors.make("tag", name) for name, ops in by_tag.items() if ops}
        tag_views = tuple(
            self._tag(name, tag_anchors[name], descriptions.get(name, ""), tag_docs.get(name),
                      ops)
            for name, ops in by_tag.items() if ops
        )
        schemas = tuple(
            NamedSchemaView(name=name, anchor=anchor, schema=self.schemas.named(name))
            for name, anchor in self.schema_anchor.items()
        )
        return SiteView(
            source=self.source,
            info=InfoView(
                title=_text(info.get("title")) or "API reference",
                version=_text(info.get("version")),
                description=_text(info.get("description")),
                openapi=self.spec.version,
                contact=tuple((k, _text(contact[k])) for k in ("name", "url", "email")
                              if k in contact),
                license=_text(license_.get("name")),
            ),
            servers=tuple(ServerView(_text(s.get("url")), _text(s.get("description")))
                          for s in self._servers()),
            tags=tag_views,
            schemas=schemas,
            security_schemes=tuple(self._scheme_view(n, s)
                                   for n, s in self.security_schemes.items()),
            operation_count=count,
            webhooks=tuple(webhooks),
            external_docs=ExternalDocsView.from_spec(self.document.get("externalDocs")),
        )

    def _name_operations(self, found: list[OperationRef]) -> None:
        """An anchor for every operation: paths first, then webhooks, then callbacks (so adding
        a webhook or a callback never renames an operation's anchor)."""
        for ref in found:
            if ref.kind == "path":
                anchor = self.anchors.make("op", ref.operation_id or f"{ref.method}-{ref.path}")
                self.op_anchor[(ref.path, ref.method)] = anchor
                self.ref_anchor[_key(ref)] = anchor
                if ref.operation_id is not None:
                    self.op_anchor_by_id.setdefault(ref.operation_id, anchor)
        for ref in found:
            if ref.kind == "webhook":
                self.ref_anchor[_key(ref)] = self.anchors.make("webhook",
                                                               f"{ref.path}-{ref.method}")
        for ref in found:
            if ref.kind == "callback" and ref.parent is not None:
                owner = self.ref_anchor[_key(ref.parent)].split("-", 1)[-1]
                self.ref_anchor[_key(ref)] = self.anchors.make(
                    "cb", f"{owner}-{ref.callback}-{ref.method}")

    def _tag(self, name: str, anchor: str, description: str, docs: ExternalDocsView | None,
             operations: list[OperationView]) -> TagView:
        entries = []
        for op in operations:
            if (op.tags[0] if op.tags else DEFAULT_TAG) == name:
                entries.append(TagEntryView(operation=op, anchor=op.anchor, primary=True))
            else:
                entries.append(TagEntryView(operation=op, primary=False,
                                            anchor=self.anchors.make(op.anchor, f"in-{name}")))
        return TagView(name=name, anchor=anchor, description=description,
                       operations=tuple(e.operation for e in entries if e.primary),
                       entries=tuple(entries), external_docs=docs)

    def _servers(self) -> list[dict[str, Any]]:
        return [_dict(s) for s in self.document.get("servers") or [] if isinstance(s, dict)]

    def _base_url(self) -> str:
        for server in self._servers():
            url = _text(server.get("url"))
            for name, variable in _dict(server.get("variables")).items():
                url = url.replace("{" + str(name) + "}", _text(_dict(variable).get("default")))
            if url.startswith(("http://", "https://")):
                return url.rstrip("/")
            if url.startswith("/"):
                return "http://localhost" + url.rstrip("/")
        return "http://localhost"

    def _scheme_view(self, name: str, scheme: dict[str, Any]) -> SecuritySchemeView:
        kind = _text(scheme.get("type"))
        details: list[tuple[str, str]] = []
        for key in ("scheme", "bearerFormat", "in", "name", "openIdConnectUrl"):
            if key in scheme:
                details.append((_DETAIL_LABELS[key], _text(scheme[key])))
        for flow_name, flow in _dict(scheme.get("flows")).items():
            flow = _dict(flow)
            # The flow on a line of its own, then each of its URLs and its scopes.
            details.append((_FLOW_LABELS.get(str(flow_name), str(flow_name)) + " flow", ""))
            for key in ("authorizationUrl", "tokenUrl", "refreshUrl"):
                if key in flow:
                    details.append((_DETAIL_LABELS[key], _text(flow[key])))
            if flow.get("scopes"):
                scopes = ", ".join(map(str, _dict(flow["scopes"])))
                details.append(("Scopes", scopes))
        return SecuritySchemeView(name=name, kind=kind,
                                  description=_text(scheme.get("description")),
                                  details=tuple(details))

    # -- operations --------------------------------------------------------------------------------

    def operation(self, ref: OperationRef,
                  children: dict[tuple[str, ...], list[OperationRef]]) -> OperationView:
        """The view of one operation, with the callbacks it declares (and theirs, nested)."""
        operation, method, path = ref.node, ref.method, ref.path
        tags = tuple(dict.fromkeys(_text(t) for t in operation.get("tags") or []
                                   if isinstance(t, str | int)))
        parameters = self._parameters(ref.item, operation)
        body = self.resolve(operation.get("requestBody"))
        request_bodies = tuple(self._body(media, content, "request")
                               for media, content in _dict(body.get("content")).items())
        responses = tuple(self._response(str(status), response)
                          for status, response in _dict(operation.get("responses")).items())
        # Webhooks and callbacks are requests the API sends: its own security does not apply.
        inherited = self.document.get("security") if ref.kind == "path" else None
        security_raw = operation.get("security", inherited)
        security = tuple(
            SecurityView(tuple((str(name), _text(self.security_schemes.get(str(name), {})
                                                 .get("type")), tuple(map(str, scopes or ())))
                               for name, scopes in _dict(requirement).items()))
            for requirement in (security_raw if isinstance(security_raw, list) else [])
        )
        request_body = request_bodies[0] if request_bodies else None
        sketch = self._sketch(method, path, parameters, request_body, security)
        callbacks: dict[str, list[OperationView]] = {}
        for child in children.get(_key(ref), []):
            callbacks.setdefault(child.callback or "", []).append(self.operation(child, children))
        return OperationView(
            anchor=self.ref_anchor[_key(ref)],
            method=method.upper(),
            path=path,
            operation_id=_text(operation.get("operationId")),
            summary=_text(operation.get("summary")),
            description=_text(operation.get("description")),
            deprecated=bool(operation.get("deprecated")),
            tags=tags,
            parameters=parameters,
            request_body=request_body,
            request_body_required=bool(body.get("required")),
            request_bodies=request_bodies,
            responses=responses,
            security=security,
            samples=code_samples(sketch) if ref.kind == "path" else (),
            request=sketch,
            status_codes=tuple(r.status for r in responses),
            kind=ref.kind,
            external_docs=ExternalDocsView.from_spec(operation.get("externalDocs")),
            callbacks=tuple(CallbackView(name, tuple(ops)) for name, ops in callbacks.items()),
        )

    def _parameters(self, path_item: dict[str, Any],
                    operation: dict[str, Any]) -> tuple[ParameterView, ...]:
        merged: dict[tuple[str, str], dict[str, Any]] = {}
        for raw in [*(path_item.get("parameters") or []), *(operation.get("parameters") or [])]:
            parameter = self.resolve(raw)
            if parameter:
                merged[(_text(parameter.get("name")), _text(parameter.get("in")))] = parameter
        order = {"path": 0, "query": 1, "header": 2, "cookie": 3}
        views = []
        for (name, location), parameter in sorted(merged.items(),
                                                  key=lambda kv: order.get(kv[0][1], 4)):
            schema = parameter.get("schema")
            if schema is None:
                content = _dict(parameter.get("content"))
                schema = _dict(next(iter(content.values()), {})).get("schema")
            example = self._parameter_example(parameter, schema)
            views.append(ParameterView(
                name=name, location=location,
                required=bool(parameter.get("required")) or location == "path",
                deprecated=bool(parameter.get("deprecated")),
                description=_text(parameter.get("description")),
                schema=self.schemas.build(schema, expand=False),
                example=None if example is None else dump_example(example),
            ))
        return tuple(views)

    def _parameter_example(self, parameter: dict[str, Any], schema: Any) -> Any:
        if "example" in parameter:
            return parameter["example"]
        for example in _dict(parameter.get("examples")).values():
            value = self.resolve(example)
            if "value" in value:
                return value["value"]
        return self.examples.generate(schema, "request") if schema is not None else None

    def _body(self, media_type: str, content: Any, direction: str) -> BodyView:
        content = _dict(content)
        schema = content.get("schema")
        examples: list[ExampleView] = []
        if "example" in content:
            examples.append(ExampleView("example", "", _clip(dump_example(content["example"]))))
        for name, example in _dict(content.get("examples")).items():
            value = self.resolve(example)
            if "value" in value:
                text = dump_example(value["value"])
            elif "externalValue" in value:
                text = _text(value["externalValue"])
            else:
                continue
            examples.append(ExampleView(str(name), _text(value.get("summary")), _clip(text)))
        if not examples and schema is not None:
            generated = self.examples.generate(schema, direction)
            if generated is not None:
                examples.append(ExampleView("example", "", _clip(dump_example(generated)),
                                            generated=True))
        return BodyView(media_type=media_type,
                        schema=None if schema is None else self.schemas.build(schema),
                        examples=tuple(examples))

    def _response(self, status: str, raw: Any) -> ResponseView:
        response = self.resolve(raw)
        headers = tuple(
            HeaderView(str(name), _text(self.resolve(header).get("description")),
                       self.schemas.build(self.resolve(header).get("schema"), expand=False))
            for name, header in _dict(response.get("headers")).items()
        )
        return ResponseView(
            status=status,
            description=_text(response.get("description")),
            bodies=tuple(self._body(media, content, "response")
                         for media, content in _dict(response.get("content")).items()),
            headers=headers,
            links=tuple(self._link(str(name), self.resolve(link))
                        for name, link in _dict(response.get("links")).items()),
        )

    def _link(self, name: str, link: dict[str, Any]) -> LinkView:
        """A response link: the operation it leads to, and where its parameters come from."""
        target = _text(link.get("operationId") or link.get("operationRef"))
        anchor = self.op_anchor_by_id.get(target)
        ref = link.get("operationRef")
        if anchor is None and isinstance(ref, str) and ref.startswith("#/paths/"):
            tokens = ref[len("#/paths/"):].split("/")
            if len(tokens) == 2:
                path = tokens[0].replace("~1", "/").replace("~0", "~")
                anchor = self.op_anchor.get((path, tokens[1].lower()))
        return LinkView(
            name=name, target=target, anchor=anchor,
            parameters=tuple((str(k), v if isinstance(v, str) else json.dumps(v))
                             for k, v in _dict(link.get("parameters")).items()),
            description=_text(link.get("description")),
        )

    def _sketch(self, method: str, path: str, parameters: tuple[ParameterView, ...],
                body: BodyView | None, security: tuple[SecurityView, ...]) -> RequestSketch:
        def value(parameter: ParameterView) -> Any:
            return parameter.example if parameter.example is not None else "value"

        path_params = {p.name: value(p) for p in parameters if p.location == "path"}
        query = {p.name: value(p) for p in parameters if p.location == "query" and p.required}
        headers = {p.name: str(value(p)) for p in parameters
                   if p.location == "header" and p.required
                   and p.name.lower() not in ("authorization", "content-type", "accept")}
        bearer = False
        secrets: list[tuple[str, str]] = []
        first = security[0] if security else None
        for name, kind, _ in first.schemes if first else ():
            scheme = self.security_schemes.get(name, {})
            if kind in ("oauth2", "openIdConnect") or (
                    kind == "http" and _text(scheme.get("scheme")).lower() == "bearer"):
                bearer = True
            elif kind == "http" and _text(scheme.get("scheme")).lower() == "basic":
                secrets.append(("basic", ""))
            elif kind == "apiKey" and scheme.get("in") in ("header", "query", "cookie"):
                secrets.append((_text(scheme.get("in")), _text(scheme.get("name"))))
        body_value: Any = None
        media_type = None
        if body is not None:
            media_type = body.media_type
            text = body.examples[0].text if body.examples else None
            if text is not None:
                try:
                    body_value = json.loads(text) if "json" in media_type else text
                except ValueError:
                    body_value = text
        return RequestSketch(method=method.upper(), base_url=self.base_url, path=path,
                             path_params=path_params, query=query, headers=headers,
                             media_type=media_type, body=body_value, bearer=bearer,
                             secrets=tuple(dict.fromkeys(secrets)))


_DETAIL_LABELS = {
    "scheme": "Scheme", "bearerFormat": "Bearer format", "in": "In", "name": "Name",
    "openIdConnectUrl": "OpenID Connect URL", "authorizationUrl": "Authorization URL",
    "tokenUrl": "Token URL", "refreshUrl": "Refresh URL",
}
_FLOW_LABELS = {
    "authorizationCode": "Authorization code", "clientCredentials": "Client credentials",
    "implicit": "Implicit", "password": "Password",
}


def _key(ref: OperationRef) -> tuple[str, ...]:
    """What tells operations apart: a callback declared once under `components/callbacks` and
    used by two operations is two operations, one under each."""
    return (*(_key(ref.parent) if ref.parent is not None else ()), ref.pointer)


def _clip(text: str) -> str:
    if len(text) <= MAX_EXAMPLE_CHARS:
        return text
    return text[:MAX_EXAMPLE_CHARS] + "\n… (example shortened for display)"


def build_site(spec: Spec, source: str | None = None) -> SiteView:
    """The views for one spec; `source` is the spec's path as output should name it."""
    return SiteBuilder(spec, source or spec.display_path(spec.path)).build()
