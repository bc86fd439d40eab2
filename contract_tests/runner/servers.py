"""The base URL requests go to: `--url` with the spec's server URL resolved against it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

__all__ = ["resolve_base_url", "server_url"]

_VARIABLE = re.compile(r"\{([^{}]+)\}")


def server_url(document: Mapping[str, Any]) -> str:
    """The spec's first server URL with its variables at their defaults ("" when none)."""
    servers = document.get("servers") or []
    if not servers or not isinstance(servers[0], Mapping):
        return ""
    server = servers[0]
    variables = server.get("variables") or {}

    def default(match: re.Match[str]) -> str:
        variable = variables.get(match.group(1))
        if isinstance(variable, Mapping) and "default" in variable:
            return str(variable["default"])
        return match.group(0)

    return _VARIABLE.sub(default, str(server.get("url") or ""))


def resolve_base_url(url: str, document: Mapping[str, Any]) -> str:
    """Where the spec's paths are appended, given the URL the API answers on.

    A relative server URL (`/v1`, `v1`) is resolved against `url` as RFC 3986 says
    (`http://127.0.0.1:8000` + `/v1` → `http://127.0.0.1:8000/v1`), so a run never silently
    leaves out the base path. An absolute server URL names where the API is deployed, not where
    it is tested: `url` is used as given. No trailing slash, so paths join cleanly.
    """
    server = server_url(document)
    parts = urlsplit(server)
    if not server or parts.scheme or parts.netloc:
        return url.rstrip("/")
    base = url if url.endswith("/") or server.startswith("/") else url + "/"
    return urljoin(base, server).rstrip("/")
