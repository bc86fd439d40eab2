"""SF307 tag-description: every declared tag has a description."""

from __future__ import annotations

from collections.abc import Iterator

from specfirst.generator.lint.finding import Finding
from specfirst.generator.lint.rule import RECOMMENDED, LintContext, Rule

__all__ = ["TagDescription"]


class TagDescription(Rule):
    id = "SF307"
    name = "tag-description"
    summary = "Declared tags have a description: they are the chapters of the reference docs."
    category = "readability"
    rulesets = RECOMMENDED

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        tags = ctx.document.get("tags")
        if not isinstance(tags, list):
            return
        for index, tag in enumerate(tags):
            if not isinstance(tag, dict):
                continue
            text = tag.get("description")
            if not (isinstance(text, str) and text.strip()):
                yield self.finding(ctx, f"/tags/{index}",
                                   f"tag {tag.get('name')!r} has no description",
                                   "say in a sentence what the operations of this tag are about")
