"""SF402 info-version: the document says which version of the API it describes."""

from __future__ import annotations

from collections.abc import Iterator

from specfirst.generator.lint.finding import Finding
from specfirst.generator.lint.rule import MINIMAL, LintContext, Rule

__all__ = ["InfoVersion"]


class InfoVersion(Rule):
    id = "SF402"
    name = "info-version"
    summary = "`info.version` is set, so clients and the changelog can tell versions apart."
    category = "extensibility"
    rulesets = MINIMAL

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        info = ctx.document.get("info")
        version = info.get("version") if isinstance(info, dict) else None
        if isinstance(version, str) and version.strip():
            return
        pointer = "/info/version" if isinstance(info, dict) and "version" in info else "/info"
        yield self.finding(ctx, pointer, "info.version is missing or empty",
                           "set info.version, e.g. `version: 1.0.0`, and bump it on each release")
