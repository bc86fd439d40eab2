"""SF205 allof-closed: `allOf` combined with `additionalProperties: false` rejects valid objects.

`additionalProperties` only sees the `properties` of the schema it is written in. Closing one
branch of an `allOf` (or the schema that holds the `allOf`) therefore refuses every property
that another branch declares: if any of them is required, no object can satisfy the schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from specfirst.generator.lint.finding import Finding, Severity
from specfirst.generator.lint.rule import MINIMAL, LintContext, Rule

__all__ = ["AllOfClosed"]


def _props(ctx: LintContext, schema: Any, depth: int = 0) -> tuple[set[str], set[str]]:
    """Property names a schema declares, and those it requires, through nested allOf."""
    schema, _ = ctx.deref(schema, "")
    if not isinstance(schema, dict) or depth > 20:
        return set(), set()
    names = set(schema.get("properties") or {}) if isinstance(schema.get("properties"),
                                                               dict) else set()
    required = set(r for r in schema.get("required") or [] if isinstance(r, str)) \
        if isinstance(schema.get("required"), list) else set()
    for branch in schema.get("allOf") or []:
        more, more_required = _props(ctx, branch, depth + 1)
        names |= more
        required |= more_required
    return names, required


class AllOfClosed(Rule):
    id = "SF205"
    name = "allof-closed"
    summary = "`allOf` with `additionalProperties: false` refuses the other branches' properties."
    severity = Severity.ERROR
    category = "simplicity"
    rulesets = MINIMAL

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for schema, pointer in ctx.schemas():
            branches = schema.get("allOf")
            if not isinstance(branches, list) or len(branches) < 1:
                continue
            holders: list[tuple[Any, str]] = [(schema, pointer)]
            holders += [ctx.deref(b, f"{pointer}/allOf/{i}") for i, b in enumerate(branches)]
            for index, (holder, where) in enumerate(holders):
                if not isinstance(holder, dict) or holder.get("additionalProperties") is not False:
                    continue
                own = set(holder.get("properties") or {}) \
                    if isinstance(holder.get("properties"), dict) else set()
                others: set[str] = set()
                required: set[str] = set()
                for other_index, (other, _) in enumerate(holders):
                    if other_index == index:
                        continue
                    if other_index == 0:
                        names = set(other.get("properties") or {}) \
                            if isinstance(other.get("properties"), dict) else set()
                        required |= set(other.get("required") or []) if isinstance(
                            other.get("required"), list) else set()
                    else:
                        names, more = _props(ctx, other)
                        required |= more
                    others |= names
                refused = sorted(others - own)
                if not refused:
                    continue
                blocked = sorted(required & set(refused))
                consequence = (f"no object can satisfy it (required: {', '.join(blocked)})"
                               if blocked else "those properties can never be sent")
                yield self.finding(
                    ctx, f"{where}/additionalProperties",
                    f"additionalProperties: false here refuses {', '.join(refused[:5])}"
                    f"{' and more' if len(refused) > 5 else ''} declared by another allOf "
                    f"branch, so {consequence}",
                    "use unevaluatedProperties: false (OpenAPI 3.1) on the combined schema, or "
                    "write the combined properties out in one closed schema")
