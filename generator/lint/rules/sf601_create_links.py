"""SF601 create-links: a create operation links to the operations on what it created.

OpenAPI links let a contract tester (Schemathesis' stateful phase) chain calls: create a
customer, then read, update and delete that very customer. Without them, those operations are
only ever tested with made-up ids.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from specfirst.generator.lint.finding import Finding
from specfirst.generator.lint.rule import PATH_OPERATIONS, RECOMMENDED, LintContext, Operation, Rule

__all__ = ["CreateLinks"]


def _linked(links: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(links, dict):
        for link in links.values():
            if isinstance(link, dict):
                if isinstance(link.get("operationId"), str):
                    found.add(link["operationId"])
                if isinstance(link.get("operationRef"), str):
                    found.add(link["operationRef"])
    return found


class CreateLinks(Rule):
    id = "SF601"
    name = "create-links"
    summary = "A create operation's 201 response links to the get, update and delete of the item."
    category = "testability"
    rulesets = RECOMMENDED
    operation_kinds = PATH_OPERATIONS

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        ops = self.operations(ctx)
        by_path: dict[str, list[Operation]] = {}
        for op in ops:
            by_path.setdefault(op.path.rstrip("/"), []).append(op)
        for op in ops:
            if op.method != "post" or op.path.rstrip("/").endswith("}"):
                continue
            targets = self._item_operations(op, by_path)
            if not targets:
                continue
            created = self._created_response(ctx, op)
            if created is None:
                continue
            response, pointer = created
            linked = _linked(ctx.deref(response.get("links"), "")[0])
            missing = []
            for target in targets:
                ref = f"#{target.pointer}"
                if target.operation_id not in linked and ref not in linked:
                    missing.append(target.operation_id or target.label())
            if missing:
                yield self.finding(
                    ctx, pointer,
                    f"{op.label()} creates an item but its response does not link to "
                    f"{', '.join(missing)}",
                    "add `links` (operationId plus the id from $response.body) so a stateful "
                    "contract test can follow them", key=True)

    @staticmethod
    def _item_operations(op: Operation, by_path: dict[str, list[Operation]]) -> list[Operation]:
        base = op.path.rstrip("/") + "/{"
        for path, candidates in by_path.items():
            if path.startswith(base) and path.endswith("}") and "/" not in path[len(base):]:
                return [c for c in candidates if c.method in ("get", "put", "patch", "delete")]
        return []

    @staticmethod
    def _created_response(ctx: LintContext, op: Operation) -> tuple[dict[str, Any], str] | None:
        for status, response, pointer in ctx.responses(op):
            if status == "201":
                return response, pointer
        return None
