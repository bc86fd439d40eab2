"""A minimal HTTP/1.1 keep-alive client on asyncio streams, for load generation.

httpx costs several times more CPU per request than the servers we measure, so a load
generator built on it saturates its own core first. This client does only what a benchmark
needs: one persistent connection per virtual user, a request written in one `write`, the status
line and headers parsed by hand, the body read by `Content-Length` or chunked encoding and then
discarded. A response with `Connection: close` makes the connection reopen.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from specfirst.generator.errors import UsageError

__all__ = ["Connection", "HTTPResponseError", "Target", "parse_target"]

_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


class HTTPResponseError(Exception):
    """The server's answer could not be parsed as HTTP/1.1."""


@dataclass(frozen=True)
class Target:
    """Where and what to send: everything except the (possibly templated) body."""

    method: str
    scheme: str
    host: str
    port: int
    path: str  # with the query string
    headers: tuple[tuple[str, str], ...] = ()

    def head(self, body_length: int | None) -> bytes:
        """The request line and headers, ending with the blank line."""
        lines = [f"{self.method} {self.path} HTTP/1.1", f"Host: {self.authority}"]
        names = {name.lower() for name, _ in self.headers}
        lines.extend(f"{name}: {value}" for name, value in self.headers)
        if body_length is not None:
            lines.append(f"Content-Length: {body_length}")
            if "content-type" not in names:
                lines.append("Content-Type: application/json")
        if "user-agent" not in names:
            lines.append("User-Agent: specfirst-bench")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    @property
    def authority(self) -> str:
        default = 443 if self.scheme == "https" else 80
        return self.host if self.port == default else f"{self.host}:{self.port}"


def parse_target(url: str, method: str = "GET",
                 headers: dict[str, str] | None = None) -> Target:
    """Check and split a URL; a bad one is a usage error."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"URL {url!r} must be an absolute http:// or https:// URL")
    verb = method.upper()
    if verb not in _METHODS:
        raise UsageError(f"--method {method!r} is not one of {', '.join(sorted(_METHODS))}")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UsageError(f"URL {url!r} has an invalid port") from None
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    for name, value in (headers or {}).items():
        if any(c in name + value for c in "\r\n"):
            raise UsageError(f"header {name!r} must not contain line breaks")
    return Target(verb, parts.scheme, parts.hostname, port, path,
                  tuple((headers or {}).items()))


class Connection:
    """One keep-alive connection; `request` returns the status code."""

    def __init__(self, target: Target):
        self.target = target
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        context = ssl.create_default_context() if self.target.scheme == "https" else None
        self._reader, self._writer = await asyncio.open_connection(
            self.target.host, self.target.port, ssl=context)

    async def request(self, head: bytes, body: bytes) -> int:
        if self._writer is None:
            await self._open()
        assert self._reader is not None and self._writer is not None
        self._writer.write(head + body if body else head)
        try:
            return await self._read_response(self._reader)
        except BaseException:
            self.close()
            raise

    async def _read_response(self, reader: asyncio.StreamReader) -> int:
        raw = await reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status_line = lines[0].split(" ", 2)
        if len(status_line) < 2 or not status_line[0].startswith("HTTP/1."):
            raise HTTPResponseError(f"not an HTTP/1.1 status line: {lines[0][:80]!r}")
        status = int(status_line[1])
        length: int | None = None
        chunked = False
        close = status_line[0] == "HTTP/1.0"
        for line in lines[1:]:
            name, _, value = line.partition(":")
            lowered = name.strip().lower()
            if lowered == "content-length":
                length = int(value.strip())
            elif lowered == "transfer-encoding":
                chunked = "chunked" in value.lower()
            elif lowered == "connection":
                close = "close" in value.lower()
        if status == 304 or status == 204 or 100 <= status < 200 or self.target.method == "HEAD":
            pass
        elif chunked:
            await _read_chunked(reader)
        elif length is not None:
            await reader.readexactly(length)
        else:
            await reader.read()  # body delimited by the end of the connection
            close = True
        if close:
            self.close()
        return status

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


async def _read_chunked(reader: asyncio.StreamReader) -> None:
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";", 1)[0].strip(), 16)
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":
                pass  # trailer fields, ignored
            return
        await reader.readexactly(size + 2)
