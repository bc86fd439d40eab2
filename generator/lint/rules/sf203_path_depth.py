"""SF203 path-depth: paths nested deeper than a reader can follow."""

from __future__ import annotations

import re
from collections.abc import Iterator

from specfirst.generator.lint.finding import Finding
from specfirst.generator.lint.rule import PATH_OPERATIONS, RECOMMENDED, LintContext, Rule
from specfirst.generator.lint.walk import path_pointer

__all__ = ["PathDepth"]

_PREFIX = re.compile(r"^(api|rest|v\d+(?:\.\d+)*|\d{4}-\d{2}-\d{2})$", re.IGNORECASE)


class PathDepth(Rule):
    id = "SF203"
    name = "path-depth"
    summary = "Paths have at most `max-segments` segments after the base (default 6)."
    category = "simplicity"
    rulesets = RECOMMENDED
    operation_kinds = PATH_OPERATIONS
    defaults = {"max-segments": 6}

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        paths = ctx.document.get("paths")
        if not isinstance(paths, dict):
            return
        limit = int(self.options["max-segments"])
        for path in paths:
            segments = [s for s in str(path).strip("/").split("/") if s]
            while segments and _PREFIX.match(segments[0]):
                segments.pop(0)
            if len(segments) > limit:
                yield self.finding(
                    ctx, path_pointer(path),
                    f"{path!r} has {len(segments)} segments after the base path (limit {limit})",
                    "flatten it: address nested resources by their own id at a shallower path",
                    key=True)
