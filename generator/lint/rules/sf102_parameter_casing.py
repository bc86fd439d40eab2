"""SF102 parameter-casing: path, query and cookie parameter names share one naming style."""

from __future__ import annotations

from collections.abc import Iterator

from specfirst.generator.lint.naming_rule import NamingRule
from specfirst.generator.lint.rule import RECOMMENDED, LintContext

__all__ = ["ParameterCasing"]


class ParameterCasing(NamingRule):
    id = "SF102"
    name = "parameter-casing"
    summary = "Path, query and cookie parameters use one naming style."
    rulesets = RECOMMENDED
    what = "parameter"

    def names(self, ctx: LintContext) -> Iterator[tuple[str, str, bool]]:
        seen: set[str] = set()
        for op in self.operations(ctx):
            for param, pointer in ctx.parameters(op):
                name = param.get("name")
                if pointer in seen or not isinstance(name, str) or param.get("in") == "header":
                    continue
                seen.add(pointer)
                yield name, f"{pointer}/name", False

    def normalise(self, name: str) -> str:
        # `filter[status]` and `page.size` style names are checked word by word.
        for mark in "[].":
            name = name.replace(mark, "_" if mark == "." else "")
        return name.lstrip("$")
