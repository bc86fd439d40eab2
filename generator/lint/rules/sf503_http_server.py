"""SF503 http-server: servers are reached over HTTPS (plain HTTP only for local development)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from specfirst.generator.lint.finding import Finding, Severity
from specfirst.generator.lint.rule import RECOMMENDED, LintContext, Rule

__all__ = ["HttpServer"]

_LOCAL = ("localhost", "127.0.0.1", "::1", "0.0.0.0")


def _is_local(host: str) -> bool:
    return host in _LOCAL or host.endswith(".localhost") or host.startswith("127.")


class HttpServer(Rule):
    id = "SF503"
    name = "http-server"
    summary = "Server URLs use https; http is accepted for localhost only."
    severity = Severity.ERROR
    category = "security"
    rulesets = RECOMMENDED

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        places: list[tuple[Any, str]] = [(ctx.document.get("servers"), "/servers")]
        for op in self.operations(ctx):
            places.append((op.item.get("servers"), f"{op.item_pointer}/servers"))
            places.append((op.node.get("servers"), f"{op.pointer}/servers"))
        seen: set[str] = set()
        for servers, base in places:
            if not isinstance(servers, list) or base in seen:
                continue
            seen.add(base)
            for index, server in enumerate(servers):
                url = server.get("url") if isinstance(server, dict) else None
                if not isinstance(url, str) or not url.lower().startswith("http://"):
                    continue
                host = (urlsplit(url).hostname or "").lower()
                if not _is_local(host):
                    yield self.finding(ctx, f"{base}/{index}/url",
                                       f"server {url!r} is plain HTTP: credentials and data "
                                       "travel unencrypted", "use https://")
