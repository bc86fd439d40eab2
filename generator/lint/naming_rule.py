"""The shared shape of the naming-style rules: one style per category of names across a spec."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from specfirst.generator.lint.casing import STYLES, convert, dominant_style, matches
from specfirst.generator.lint.finding import Finding
from specfirst.generator.lint.rule import LintContext, Rule

__all__ = ["NamingRule"]


class NamingRule(Rule):
    """Names of one category must share one style: the configured `style`, else the dominant one.

    Subclasses list `(name, pointer, key)` triples in `names()`; `key` says whether the pointer
    is of a mapping key (a property name) rather than of a value (an operationId).
    """

    category = "consistency"
    what: ClassVar[str] = "name"
    candidates: ClassVar[tuple[str, ...]] = ("snake", "camel", "kebab", "pascal")
    defaults: ClassVar[dict[str, Any]] = {"style": None}

    def names(self, ctx: LintContext) -> Iterator[tuple[str, str, bool]]:
        raise NotImplementedError

    def normalise(self, name: str) -> str:
        return name

    def style(self, names: list[str]) -> str | None:
        configured = self.options.get("style")
        if configured:
            if configured not in STYLES:
                raise ValueError(f"unknown naming style {configured!r}")
            return str(configured)
        return dominant_style(names, self.candidates)

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        entries = [(self.normalise(n), n, p, k) for n, p, k in self.names(ctx)]
        entries = [e for e in entries if e[0]]
        style = self.style([e[0] for e in entries])
        if style is None:
            return
        reported: set[str] = set()
        for checked, name, pointer, key in entries:
            if matches(checked, style) or (style != "flat" and matches(checked, "flat")
                                           and style in ("snake", "camel", "kebab")):
                continue
            if pointer in reported:
                continue
            reported.add(pointer)
            yield self.finding(
                ctx, pointer,
                f"{self.what} {name!r} is not {style} case like the others in this spec",
                f"rename to {self.suggest(name, checked, style)!r}", key=key)

    def suggest(self, name: str, checked: str, style: str) -> str:
        return name.replace(checked, convert(checked, style)) if checked else name
