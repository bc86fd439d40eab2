"""The small frozen view objects that docs templates receive instead of the raw spec.

Every decision about what a reader sees (which type label, which constraints, which example,
which status codes) is made in Python while building these, so it can be unit-tested; templates
only lay them out. Strings here are spec text: data, escaped by the templates, never compiled.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.docs.samples import CodeSampleView, RequestSketch

__all__ = [
    "BodyView",
    "CodeSampleView",
    "ExampleView",
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
    "TagView",
]


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
class OperationView:
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

    @property
    def title(self) -> str:
        return self.summary or self.operation_id or f"{self.method} {self.path}"

    @property
    def search_text(self) -> str:
        """What the page's search box matches: method, path, operationId, summary, tags."""
        return " ".join((self.method, self.path, self.operation_id, self.summary,
                         *self.tags)).lower()


@dataclass(frozen=True)
class TagView:
    name: str
    anchor: str
    description: str
    operations: tuple[OperationView, ...]


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

    @property
    def operations(self) -> tuple[OperationView, ...]:
        return tuple(op for tag in self.tags for op in tag.operations)
