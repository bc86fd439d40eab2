"""SF306 tags-declared: every tag an operation uses is declared in the top-level `tags`."""

from __future__ import annotations

from collections.abc import Iterator

from specfirst.generator.lint.finding import Finding
from specfirst.generator.lint.rule import RECOMMENDED, LintContext, Rule

__all__ = ["TagsDeclared"]


class TagsDeclared(Rule):
    id = "SF306"
    name = "tags-declared"
    summary = "Operation tags are declared (and so ordered and described) in the top-level tags."
    category = "readability"
    rulesets = RECOMMENDED

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        top = ctx.document.get("tags")
        declared = {str(t.get("name")) for t in top if isinstance(t, dict)} \
            if isinstance(top, list) else set()
        for op in self.operations(ctx):
            tags = op.node.get("tags")
            if not isinstance(tags, list):
                continue
            for index, tag in enumerate(tags):
                if str(tag) not in declared:
                    yield self.finding(ctx, f"{op.pointer}/tags/{index}",
                                       f"tag {tag!r} is not declared in the top-level tags",
                                       f"add `- name: {tag}` with a description to `tags`")
