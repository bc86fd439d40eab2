"""A handler's answer before it becomes an HTTP response, and the HTTP conditionals on ETags."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson
from connexion.lifecycle import ConnexionResponse

__all__ = ["Reply", "etag", "if_match_versions", "none_match"]


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def response(self) -> ConnexionResponse:
        if self.body is None:
            return ConnexionResponse(status_code=self.status, headers=self.headers, body=b"")
        return ConnexionResponse(status_code=self.status, mimetype="application/json",
                                 content_type="application/json", headers=self.headers,
                                 body=orjson.dumps(self.body))


def etag(version: int) -> str:
    return f'"{version}"'


def _tags(header: str) -> list[str]:
    return [part.strip() for part in header.split(",") if part.strip()]


def if_match_versions(header: str) -> set[int] | None:
    """The versions an `If-Match` accepts (strong comparison: weak tags never match);
    None for `*`."""
    versions: set[int] = set()
    for tag in _tags(header):
        if tag == "*":
            return None
        if tag.startswith('"') and tag.endswith('"') and len(tag) >= 2:
            inner = tag[1:-1]
            if inner.isdigit() and len(inner) < 19:
                versions.add(int(inner))
    return versions


def none_match(header: str | None, version: int) -> bool:
    """True when `If-None-Match` names the current version (weak comparison, RFC 9110)."""
    if not header:
        return False
    for tag in _tags(header):
        if tag == "*":
            return True
        if tag.startswith("W/"):
            tag = tag[2:]
        if tag == etag(version):
            return True
    return False
