"""SF502 api-key-in-query: credentials do not travel in the query string."""

from __future__ import annotations

import re
from collections.abc import Iterator

from specfirst.generator.lint.finding import Finding, Severity
from specfirst.generator.lint.rule import RECOMMENDED, LintContext, Rule
from specfirst.generator.loader import escape_pointer

__all__ = ["ApiKeyInQuery"]

_SECRET = re.compile(r"^(api[-_]?key|apikey|access[-_]?token|token|auth|password|secret|"
                     r"client[-_]?secret|key)$", re.IGNORECASE)
_HINT = "send credentials in a header (Authorization or X-API-Key): query strings end up in logs"


class ApiKeyInQuery(Rule):
    id = "SF502"
    name = "api-key-in-query"
    summary = "API keys and tokens are sent in headers, never in the URL."
    severity = Severity.ERROR
    category = "security"
    rulesets = RECOMMENDED

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        components = ctx.document.get("components")
        schemes = components.get("securitySchemes") if isinstance(components, dict) else None
        if isinstance(schemes, dict):
            for name, scheme in schemes.items():
                pointer = f"/components/securitySchemes/{escape_pointer(name)}"
                scheme, where = ctx.deref(scheme, pointer)
                if isinstance(scheme, dict) and scheme.get("type") == "apiKey" \
                        and scheme.get("in") == "query":
                    yield self.finding(ctx, f"{where}/in",
                                       f"security scheme {name!r} reads its key from the query",
                                       _HINT)
        seen: set[str] = set()
        for op in self.operations(ctx):
            for param, where in ctx.parameters(op):
                if where in seen or param.get("in") != "query":
                    continue
                seen.add(where)
                if _SECRET.match(str(param.get("name", ""))):
                    yield self.finding(ctx, f"{where}/name",
                                       f"query parameter {param.get('name')!r} carries a "
                                       "credential", _HINT)
