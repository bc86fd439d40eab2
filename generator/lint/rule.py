"""The rule interface and the context a rule reports through."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from generator.lint.finding import Finding, Severity
from generator.loader import Spec

__all__ = ["LintContext", "Rule"]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass
class LintContext:
    """What a rule sees: the spec, and a way to report findings located through `$ref`s."""

    spec: Spec
    findings: list[Finding] = field(default_factory=list)

    @property
    def document(self) -> dict[str, Any]:
        return self.spec.document

    def operations(self) -> Iterator[tuple[str, str, dict[str, Any], str]]:
        """(path, method, operation, pointer) for every operation, path items resolved."""
        paths = self.document.get("paths")
        if not isinstance(paths, dict):
            return
        for path, item in paths.items():
            item = self.spec.resolve(item)
            if not isinstance(item, dict):
                continue
            base = "/paths/" + path.replace("~", "~0").replace("/", "~1")
            for method in HTTP_METHODS:
                operation = item.get(method)
                if isinstance(operation, dict):
                    yield path, method, operation, f"{base}/{method}"


class Rule:
    """A lint rule: one module per rule, named after its id (`sf104_operation_id_format.py`)."""

    id: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity] = Severity.WARNING
    summary: ClassVar[str] = ""

    def __init__(self, severity: Severity | None = None, options: dict[str, Any] | None = None):
        self.effective_severity = severity if severity is not None else type(self).severity
        self.options = options or {}

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        raise NotImplementedError

    def finding(self, ctx: LintContext, pointer: str, message: str, hint: str | None = None,
                *, key: bool = False) -> Finding:
        """A finding of this rule at the node `pointer` (of the bundled document)."""
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
