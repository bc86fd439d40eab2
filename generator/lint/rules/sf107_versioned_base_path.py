"""SF107 versioned-base-path: the API's major version is part of its base path."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from specfirst.generator.lint.casing import split_words
from specfirst.generator.lint.finding import Finding
from specfirst.generator.lint.rule import (
    PATH_OPERATIONS,
    RECOMMENDED,
    LintContext,
    Operation,
    Rule,
)
from specfirst.generator.lint.walk import path_pointer

__all__ = ["VersionedBasePath"]

# `/v1`, `/v2.1`, `/2.0` (Bitbucket), `/2024-01-15`, or a `{version}` path parameter.
_VERSION = re.compile(r"(^|/)(v\d+(?:\.\d+)*|\d+\.\d+|\d{4}-\d{2}-\d{2}|\{[a-z_]*version\})(/|$)",
                      re.IGNORECASE)

# The segments under which an API describes itself (`/meta/versions`, `/api/versions`).
_INDEX_SEGMENTS = frozenset({"api", "meta"})

# `application/json; version=2`, `application/vnd.acme.v2+json`.
_MEDIA_VERSION = re.compile(r";\s*(api-?)?version\s*=|/vnd\.[^;]*\bv\d+", re.IGNORECASE)


def _version_parameter(ctx: LintContext, op: Operation) -> bool:
    """A header or query parameter naming the version (`X-GitHub-Api-Version`, `Stripe-Version`,
    `api-version`) that every request carries: required, or sent with a default."""
    for param, _ in ctx.parameters(op):
        name = re.sub(r"[^a-z]", "", str(param.get("name")).lower())
        if param.get("in") not in ("header", "query") or not name.endswith("version"):
            continue
        schema = param.get("schema")
        if param.get("required") is True or (isinstance(schema, dict) and "default" in schema):
            return True
    return False


def _version_media_type(ctx: LintContext, op: Operation) -> bool:
    """Every media type of the request and success bodies carries a version."""
    types = [media for media, _, _ in ctx.request_media(op)]
    types += [media for status, media, _, _ in ctx.response_media(op) if status.startswith("2")]
    return bool(types) and all(_MEDIA_VERSION.search(media) for media in types)


def _lists_versions(ctx: LintContext) -> bool:
    """The API answers which versions it serves: a GET at its top level, with no parameter in
    the path, on a resource named `versions` (`/versions`, `/api-versions`, `/meta/versions`;
    GitHub's "Get all supported GitHub API versions"). Versions served side by side are what a
    version in the base path is for: the API is versioned, by a means its spec may not
    declare (a header described in prose)."""
    for op in ctx.operation_list(PATH_OPERATIONS):
        segments = op.path.strip("/").split("/")
        if op.method != "get" or "{" in op.path or len(segments) > 2:
            continue
        words = split_words(segments[-1])
        if words and words[-1].lower() == "versions" and (
                len(segments) == 1 or segments[0].lower() in _INDEX_SEGMENTS):
            return True
    return False


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
        # The root (`/`) is the API's index, which lists the versions: it need carry none.
        operations = [op for op in self.operations(ctx) if op.path != "/"]
        if operations and all(_version_parameter(ctx, op) or _version_media_type(ctx, op)
                              for op in operations):
            return  # versioned by a header, a query parameter or the media type instead
        missing = [p for p in paths if not _VERSION.search(str(p))]
        hint = "put the major version in the base path, e.g. /v1 or /api/v1"
        # A version in a few paths only (`/scim/v2/...` beside hundreds of unversioned paths)
        # is the version of what those paths speak, not of the API: its base carries none.
        if 2 * len(missing) > len(paths):
            if _lists_versions(ctx):
                return  # versioned otherwise: the API lists the versions it serves
            pointer = "/servers/0/url" if isinstance(servers, list) and servers else "/paths"
            message = ("neither the server URLs nor the paths carry a version segment"
                       if len(missing) == len(paths) else
                       f"neither the server URLs nor {len(missing)} of the {len(paths)} paths "
                       "carry a version segment")
            yield self.finding(ctx, pointer, message, hint)
            return
        for path in missing:
            if str(path) == "/":
                continue
            yield self.finding(ctx, path_pointer(path),
                               f"path {path!r} has no version segment, unlike the other paths",
                               hint, key=True)
