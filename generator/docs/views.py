"""The small frozen view objects that docs templates receive instead of the raw spec.

Every decision about what a reader sees (which type label, which constraints, which example,
which status codes) is made in Python while building these, so it can be unit-tested; templates
only lay them out. Strings here are spec text: data, escaped by the templates, never compiled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from specfirst.generator.docs.markdown import is_safe_url
from specfirst.generator.docs.samples import CodeSampleView, RequestSketch

__all__ = [
    "BodyView",
    "CallbackView",
    "CodeSampleView",
    "ExampleView",
    "ExternalDocsView",
    "HeaderView",
    "InfoView",
    "LinkView",
    "NamedSchemaView",
    "OperationView",
    "ParameterView",
    "PropertyView",
    "ResponseView",
    "SchemaView",
    "SecuritySchemeView",
    "SecurityView",
    "ServerView",
    "SiteView",
    "TagEntryView",
    "TagView",
]


@dataclass(frozen=True)
class ExternalDocsView:
    """An `externalDocs` object: a link to documentation elsewhere.

    `safe` is false when the URL's scheme is not http, https, mailto or relative
    (`javascript:`, `data:`, ...): templates then show the text and the URL inertly, without a
    link.
    """

    url: str
    description: str
    safe: bool

    @classmethod
    def from_spec(cls, value: Any) -> ExternalDocsView | None:
        """The view of an `externalDocs` value; None when it is absent or has no URL."""
        if not isinstance(value, dict) or not isinstance(value.get("url"), str):
            return None
        url = value["url"].strip()
        if not url:
            return None
        description = value.get("description")
        return cls(url=url, description=description if isinstance(description, str) else "",
                   safe=is_safe_url(url))

    @property
    def label(self) -> str:
        """The link text: the description on one line, else the URL."""
        return " ".join(self.description.split()) or self.url


@dataclass(frozen=True)
class PropertyView:
    """One property of an object schema."""

    name: str
    required: bool
    schema: SchemaView


@dataclass(frozen=True)
class SchemaView:
    """A schema as a reader sees it.

    `ref` names a component schema that is shown as a link (and, in HTML, expanded on demand)
    instead of inline: this is how circular and deeply nested schemas stay finite. `cut` marks a
    node not expanded because the nesting limit was reached.
    """

    type: str = ""
    ref: str | None = None
    ref_anchor: str | None = None
    title: str = ""
    description: str = ""
    format: str = ""
    nullable: bool = False
    read_only: bool = False
    write_only: bool = False
    deprecated: bool = False
    enum: tuple[str, ...] = ()
    default: str | None = None
    constraints: tuple[str, ...] = ()
    properties: tuple[PropertyView, ...] = ()
    additional: SchemaView | None = None
    closed: bool = False
    items: SchemaView | None = None
    variant_kind: str = ""
    variants: tuple[SchemaView, ...] = ()
    discriminator: str = ""
    extends: tuple[tuple[str, str], ...] = ()
    cut: bool = False
    named: str | None = None
    named_anchor: str | None = None
    external_docs: ExternalDocsView | None = None

    @property
    def is_ref(self) -> bool:
        return self.ref is not None

    @property
    def has_children(self) -> bool:
        return bool(self.properties or self.items is not None or self.variants
                    or self.additional is not None)


@dataclass(frozen=True)
class ExampleView:
    """An example value, already serialised for display (`text`), and where it came from."""

    name: str
    summary: str
    text: str
    generated: bool = False


@dataclass(frozen=True)
class ParameterView:
    name: str
    location: str
    required: bool
    deprecated: bool
    description: str
    schema: SchemaView
    example: str | None = None


@dataclass(frozen=True)
class BodyView:
    """A request body or one media type of a response."""

    media_type: str
    schema: SchemaView | None
    examples: tuple[ExampleView, ...] = ()


@dataclass(frozen=True)
class HeaderView:
    name: str
    description: str
    schema: SchemaView


@dataclass(frozen=True)
class LinkView:
    """A response link: `target` is the operationId (or operationRef) it leads to; `anchor`
    that operation's anchor when it is in this spec."""

    name: str
    target: str
    anchor: str | None
    parameters: tuple[tuple[str, str], ...] = ()
    description: str = ""


@dataclass(frozen=True)
class ResponseView:
    status: str
    description: str
    bodies: tuple[BodyView, ...] = ()
    headers: tuple[HeaderView, ...] = ()
    links: tuple[LinkView, ...] = ()

    @property
    def kind(self) -> str:
        """`success`, `redirect`, `client`, `server` or `default`: for styling."""
        first = self.status[:1]
        return {"1": "info", "2": "success", "3": "redirect", "4": "client",
                "5": "server"}.get(first, "default")


@dataclass(frozen=True)
class SecurityView:
    """One alternative of an operation's security: every scheme in it must be satisfied."""

    schemes: tuple[tuple[str, str, tuple[str, ...]], ...]

    @property
    def is_anonymous(self) -> bool:
        return not self.schemes


@dataclass(frozen=True)
class CallbackView:
    """A named callback of an operation: the requests the API sends back, each at the URL its
    runtime expression gives (`OperationView.path` of each operation is that expression)."""

    name: str
    operations: tuple[OperationView, ...]


@dataclass(frozen=True)
class OperationView:
    """One operation. `kind` is `path` (a request a client sends), `webhook` or `callback` (a
    request the API sends); webhooks and callbacks have no code samples."""

    anchor: str
    method: str
    path: str
    operation_id: str
    summary: str
    description: str
    deprecated: bool
    tags: tuple[str, ...]
    parameters: tuple[ParameterView, ...]
    request_body: BodyView | None
    request_body_required: bool
    request_bodies: tuple[BodyView, ...]
    responses: tuple[ResponseView, ...]
    security: tuple[SecurityView, ...]
    samples: tuple[CodeSampleView, ...]
    request: RequestSketch
    status_codes: tuple[str, ...] = ()
    kind: str = "path"
    external_docs: ExternalDocsView | None = None
    callbacks: tuple[CallbackView, ...] = ()

    @property
    def title(self) -> str:
        return self.summary or self.operation_id or f"{self.method} {self.path}"

    @property
    def search_text(self) -> str:
        """What the page's search box matches: method, path, operationId, summary, tags, the
        names of its callbacks; a webhook also matches the word `webhook`."""
        words = ("webhook",) if self.kind == "webhook" else ()
        return " ".join((*words, self.method, self.path, self.operation_id, self.summary,
                         *self.tags, *(callback.name for callback in self.callbacks))).lower()


@dataclass(frozen=True)
class TagEntryView:
    """An operation as listed under one of its tags.

    An operation with several tags is listed under each. Its first tag holds its section
    (`primary`, `anchor` is the operation's own); under the other tags `anchor` is a distinct
    id for the copy of that section (as Redocly does), which the page fills from the primary's
    body and leaves out of search results.
    """

    operation: OperationView
    anchor: str
    primary: bool


@dataclass(frozen=True)
class TagView:
    """A tag. `operations` are those whose first tag it is (each operation is in exactly one
    tag's `operations`: what the Postman collection and API Blueprint group by); `entries`
    lists every operation carrying the tag, in document order."""

    name: str
    anchor: str
    description: str
    operations: tuple[OperationView, ...]
    entries: tuple[TagEntryView, ...] = ()
    external_docs: ExternalDocsView | None = None


@dataclass(frozen=True)
class ServerView:
    url: str
    description: str


@dataclass(frozen=True)
class SecuritySchemeView:
    name: str
    kind: str
    description: str
    details: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class InfoView:
    title: str
    version: str
    description: str
    openapi: str
    contact: tuple[tuple[str, str], ...] = ()
    license: str = ""


@dataclass(frozen=True)
class NamedSchemaView:
    name: str
    anchor: str
    schema: SchemaView


@dataclass(frozen=True)
class SiteView:
    """Everything one docs build shows: the root object every template receives as `site`."""

    source: str
    info: InfoView
    servers: tuple[ServerView, ...]
    tags: tuple[TagView, ...]
    schemas: tuple[NamedSchemaView, ...]
    security_schemes: tuple[SecuritySchemeView, ...]
    operation_count: int = 0
    webhooks: tuple[OperationView, ...] = ()
    extra: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    external_docs: ExternalDocsView | None = None

    @property
    def operations(self) -> tuple[OperationView, ...]:
        return tuple(op for tag in self.tags for op in tag.operations)
