"""The rule interface and the context a rule reports through."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from specfirst.generator.lint.finding import Finding, Severity
from specfirst.generator.lint.walk import (
    document_schemas,
    iter_schema,
    media_types,
)
from specfirst.generator.loader import OperationRef, Spec, resolve_pointer
from specfirst.generator.operations import OperationKind

__all__ = ["ALL_OPERATIONS", "CATEGORIES", "MINIMAL", "PATH_OPERATIONS", "RECOMMENDED", "STRICT",
           "LintContext", "Operation", "Rule", "is_json"]

T = TypeVar("T")
# The named rulesets a rule belongs to: each is a subset of the next.
MINIMAL = frozenset({"minimal", "recommended", "strict"})
RECOMMENDED = frozenset({"recommended", "strict"})
STRICT = frozenset({"strict"})
CATEGORIES = ("validity", "consistency", "simplicity", "readability", "extensibility",
              "security", "testability")
_JSON = ("application/json", "application/problem+json")
# Where an operation is declared: `paths`, 3.1 `webhooks`, or a callback of another operation.
ALL_OPERATIONS: frozenset[OperationKind] = frozenset({"path", "webhook", "callback"})
# The operations the API itself serves: those a client calls.
PATH_OPERATIONS: frozenset[OperationKind] = frozenset({"path"})


# One operation of the spec with what most rules ask about it.
Operation = OperationRef


@dataclass
class LintContext:
    """What a rule sees: the spec, and shared, cached views of it."""

    spec: Spec
    findings: list[Finding] = field(default_factory=list)
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def document(self) -> dict[str, Any]:
        return self.spec.document

    def cached(self, key: str, compute: Callable[[], T]) -> T:
        if key not in self.cache:
            self.cache[key] = compute()
        value: T = self.cache[key]
        return value

    def deref(self, node: Any, pointer: str) -> tuple[Any, str]:
        return self.spec.deref(node, pointer)

    def operations(self) -> Iterator[tuple[str, str, dict[str, Any], str]]:
        """(path, method, operation, pointer) for every operation, path items resolved."""
        for op in self.operation_list():
            yield op.path, op.method, op.node, op.pointer

    def operation_list(self, kinds: Collection[OperationKind] | None = None) -> list[Operation]:
        """Every operation (`paths`, `webhooks`, callbacks), or those of the given kinds.

        A callback declared once and reached from several operations (a shared
        `components/callbacks` entry) is listed once, under the first operation that uses it.
        """
        every = self.cached("operations", self._operations)
        return every if kinds is None else [op for op in every if op.kind in kinds]

    def _operations(self) -> list[Operation]:
        seen: set[str] = set()
        out: list[Operation] = []
        for op in self.spec.operations(webhooks=True, callbacks=True):
            if op.kind == "callback" and op.pointer in seen:
                continue
            seen.add(op.pointer)
            out.append(op)
        return out

    def parameters(self, op: Operation) -> list[tuple[dict[str, Any], str]]:
        """The operation's effective parameters (path-level ones overridden by its own)."""
        found: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
        for holder, base in ((op.item, op.item_pointer), (op.node, op.pointer)):
            params = holder.get("parameters")
            if not isinstance(params, list):
                continue
            for i, param in enumerate(params):
                param, pointer = self.deref(param, f"{base}/parameters/{i}")
                if isinstance(param, dict):
                    found[(str(param.get("name")), str(param.get("in")))] = (param, pointer)
        return list(found.values())

    def schemas(self) -> list[tuple[dict[str, Any], str]]:
        """Every schema object written in the document, once each."""
        return self.cached("schemas", lambda: list(document_schemas(self.spec)))

    def request_schemas(self) -> list[tuple[dict[str, Any], str]]:
        """Every schema a client sends the API (bodies and parameters of the operations under
        `paths`), through `$ref`s, once each. Webhook and callback requests are sent by the API."""
        return self.cached("request_schemas", self._request_schemas)

    def _request_schemas(self) -> list[tuple[dict[str, Any], str]]:
        seen: set[str] = set()
        out: list[tuple[dict[str, Any], str]] = []
        for op in self.operation_list(PATH_OPERATIONS):
            for _, media, pointer in self.request_media(op):
                out.extend(iter_schema(self.spec, media.get("schema"), f"{pointer}/schema",
                                       follow=True, seen=seen))
            for param, pointer in self.parameters(op):
                out.extend(iter_schema(self.spec, param.get("schema"), f"{pointer}/schema",
                                       follow=True, seen=seen))
        return out

    def request_media(self, op: Operation) -> list[tuple[str, dict[str, Any], str]]:
        body = op.node.get("requestBody")
        if body is None:
            return []
        return list(media_types(self.spec, body, f"{op.pointer}/requestBody"))

    def request_body_schemas(self, op: Operation) -> list[tuple[dict[str, Any], str]]:
        """The top-level schemas of the operation's JSON request bodies, dereferenced."""
        out = []
        for media, obj, pointer in self.request_media(op):
            if _is_json(media) and isinstance(obj.get("schema"), dict):
                schema, where = self.deref(obj["schema"], f"{pointer}/schema")
                if isinstance(schema, dict):
                    out.append((schema, where))
        return out

    def responses(self, op: Operation) -> list[tuple[str, dict[str, Any], str]]:
        """(status, response, pointer) of the operation, dereferenced."""
        responses = op.node.get("responses")
        if not isinstance(responses, dict):
            return []
        out = []
        for status, response in responses.items():
            response, pointer = self.deref(response,
                                           f"{op.pointer}/responses/{status}")
            if isinstance(response, dict):
                out.append((str(status), response, pointer))
        return out

    def response_media(self, op: Operation) -> list[tuple[str, str, dict[str, Any], str]]:
        """(status, media type, media type object, pointer) for every response body."""
        out = []
        for status, response, pointer in self.responses(op):
            for media, obj, where in media_types(self.spec, response, pointer):
                out.append((status, media, obj, where))
        return out


def _is_json(media: str) -> bool:
    base = media.split(";", 1)[0].strip().lower()
    return base in _JSON or base.endswith("+json")


class Rule:
    """A lint rule: one module per rule, named after its id (`sf104_operation_id_format.py`).

    `rulesets` lists the named rulesets that enable the rule; `options` are the rule's settings
    with their defaults (overridable in `[tool.specfirst.lint.rules]`). `operation_kinds` says
    which operations the rule is about: every one (the default), or only those under `paths`
    when the rule checks what the API serves (its URLs, its own responses and security), which
    a webhook or a callback, served by the subscriber, does not share.
    """

    id: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity] = Severity.WARNING
    summary: ClassVar[str] = ""
    category: ClassVar[str] = "validity"
    rulesets: ClassVar[frozenset[str]] = MINIMAL
    fixable: ClassVar[bool] = False
    defaults: ClassVar[dict[str, Any]] = {}
    operation_kinds: ClassVar[frozenset[OperationKind]] = ALL_OPERATIONS

    def __init__(self, severity: Severity | None = None, options: dict[str, Any] | None = None):
        self.effective_severity = severity if severity is not None else type(self).severity
        self.options = {**type(self).defaults, **(options or {})}

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        raise NotImplementedError

    def operations(self, ctx: LintContext) -> list[Operation]:
        """The operations this rule checks (see `operation_kinds`)."""
        return ctx.operation_list(type(self).operation_kinds)

    def finding(self, ctx: LintContext, pointer: str, message: str, hint: str | None = None,
                *, key: bool = False) -> Finding:
        """A finding of this rule at the node `pointer` (of the bundled document).

        A mapping or list is located at the key that introduces it (`schema:`), a scalar at
        its value, unless `key` asks for the key.
        """
        if not key:
            try:
                key = isinstance(resolve_pointer(ctx.document, pointer), (dict, list))
            except KeyError:
                pass
        where = ctx.spec.locate(pointer, key=key)
        return Finding(
            rule=self.id,
            name=self.name,
            severity=self.effective_severity,
            message=message,
            pointer=pointer,
            file=where.file,
            line=where.line,
            column=where.column,
            hint=hint,
        )


def is_json(media: str) -> bool:
    """Whether a media type carries JSON (`application/json`, `*/*+json`)."""
    return _is_json(media)
