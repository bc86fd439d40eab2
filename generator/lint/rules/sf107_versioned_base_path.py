"""SF107 versioned-base-path: the API's major version is part of its base path."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from specfirst.generator.lint.finding import Finding
from specfirst.generator.lint.rule import PATH_OPERATIONS, RECOMMENDED, LintContext, Rule
from specfirst.generator.lint.walk import path_pointer

__all__ = ["VersionedBasePath"]

# `/v1`, `/v2.1`, `/2.0` (Bitbucket), `/2024-01-15`, or a `{version}` path parameter.
_VERSION = re.compile(r"(^|/)(v\d+(?:\.\d+)*|\d+\.\d+|\d{4}-\d{2}-\d{2}|\{[a-z_]*version\})(/|$)",
                      re.IGNORECASE)


class VersionedBasePath(Rule):
    id = "SF107"
    name = "versioned-base-path"
    summary = "A version segment (such as /v1) appears in the server URL or in every path."
    category = "consistency"
    rulesets = RECOMMENDED
    operation_kinds = PATH_OPERATIONS

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        servers = ctx.document.get("servers")
        if isinstance(servers, list):
            for server in servers:
                url = server.get("url") if isinstance(server, dict) else None
                if isinstance(url, str) and _VERSION.search(urlsplit(url).path or url):
                    return
        paths = ctx.document.get("paths")
        if not isinstance(paths, dict) or not paths:
            return
        missing = [p for p in paths if not _VERSION.search(str(p))]
        hint = "put the major version in the base path, e.g. /v1 or /api/v1"
        if len(missing) == len(paths):
            pointer = "/servers/0/url" if isinstance(servers, list) and servers else "/paths"
            yield self.finding(ctx, pointer,
                               "neither the server URLs nor the paths carry a version segment",
                               hint)
            return
        for path in missing:
            yield self.finding(ctx, path_pointer(path),
                               f"path {path!r} has no version segment, unlike the other paths",
                               hint, key=True)
