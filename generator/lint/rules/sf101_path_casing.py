"""SF101 path-casing: the static segments of every path share one naming style."""

from __future__ import annotations

import re
from collections.abc import Iterator

from specfirst.generator.lint.naming_rule import NamingRule
from specfirst.generator.lint.rule import PATH_OPERATIONS, RECOMMENDED, LintContext
from specfirst.generator.lint.walk import path_pointer

__all__ = ["PathCasing"]

_PARAM = re.compile(r"\{[^}]*\}")
_VERSION = re.compile(r"^v\d+(?:\.\d+)*$|^\d{4}-\d{2}-\d{2}$")


class PathCasing(NamingRule):
    id = "SF101"
    name = "path-casing"
    summary = "Path segments use one naming style (kebab-case by default when mixed)."
    rulesets = RECOMMENDED
    operation_kinds = PATH_OPERATIONS
    what = "path segment"
    candidates = ("kebab", "snake", "camel")

    def names(self, ctx: LintContext) -> Iterator[tuple[str, str, bool]]:
        paths = ctx.document.get("paths")
        if not isinstance(paths, dict):
            return
        for path in paths:
            for segment in str(path).split("/"):
                text = _PARAM.sub("", segment).split(".", 1)[0].strip("-_")
                if text and not _VERSION.match(text) and not text.startswith("$"):
                    yield text, path_pointer(path), True
