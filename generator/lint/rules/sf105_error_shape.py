"""SF105 error-shape: every error response body has the same schema."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

from specfirst.generator.lint.finding import Finding
from specfirst.generator.lint.rule import PATH_OPERATIONS, RECOMMENDED, LintContext, Rule, is_json

__all__ = ["ErrorShape"]


def shape_of(schema: Any) -> str:
    """A key that is equal for equal error schemas: the `$ref` target, else the schema itself."""
    if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        return str(schema["$ref"])
    return json.dumps(schema, sort_keys=True, default=str)


def is_error_status(status: str) -> bool:
    return status[:1] in ("4", "5") or status == "default"


class ErrorShape(Rule):
    id = "SF105"
    name = "error-shape"
    summary = "All error responses (4xx, 5xx, default) share one body schema."
    category = "consistency"
    rulesets = RECOMMENDED
    operation_kinds = PATH_OPERATIONS

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        entries: list[tuple[str, str]] = []
        seen: set[str] = set()
        for op in self.operations(ctx):
            for status, media, obj, pointer in ctx.response_media(op):
                if not is_error_status(status) or not is_json(media) or pointer in seen:
                    continue
                seen.add(pointer)
                if "schema" in obj:
                    entries.append((shape_of(obj["schema"]), f"{pointer}/schema"))
        if not entries:
            return
        counts = Counter(shape for shape, _ in entries)
        common, _ = counts.most_common(1)[0]
        if len(counts) == 1:
            return
        described = common if common.startswith("#") else "the schema used by most errors"
        for shape, pointer in entries:
            if shape != common:
                yield self.finding(
                    ctx, pointer,
                    f"this error body differs from the one used by {counts[common]} other "
                    "error responses",
                    f"use {described} here too, so clients handle every error the same way")
