"""uvicorn's HTTP/1.1 protocol (httptools) with each answer's head and body in one write.

uvicorn writes the status line and headers of an answer to the socket when the application
sends `http.response.start`, and the body in a second write when it sends the body: two
`send()` system calls and, with `TCP_NODELAY`, two TCP segments for every answer that fits in
one. Each such call costs the event loop about as much as validating the answer's body
(docs/performance.md). `CoalescingHttpToolsProtocol` hands uvicorn a transport that holds a
written head back until the next write — the body, sent in the same step of the request's task
— and writes both at once. A head that nothing follows in that step (a streamed answer whose
first chunk comes later) is written at the end of the event loop's current iteration, so no
client waits on it; the order of the bytes on the connection never changes.

This is the one place that relies on uvicorn's internals (its httptools protocol class, and
that it writes an answer's head with a single `transport.write` of its own); the tests in
`server/tests/test_uvicorn_compat.py` hold it to both.

    uvicorn.run(app, http=PROTOCOL)
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["PROTOCOL", "CoalescingHttpToolsProtocol", "CoalescingTransport"]

#: The import string of the protocol, for `uvicorn.Config(http=...)` (picklable for workers).
PROTOCOL = "specfirst.server.uvicorn_compat:CoalescingHttpToolsProtocol"

_HEAD_END = b"\r\n\r\n"


class CoalescingTransport:
    """A transport that holds back a written answer head until the next write (or the end of
    the loop's iteration) and writes the two together; everything else is the real transport."""

    __slots__ = ("_held", "_loop", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: bytes | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        held = self._held
        if held is not None:
            self._held = None
            self._transport.write(held + bytes(data))
        elif type(data) is bytes and data.startswith(b"HTTP/") and data.endswith(_HEAD_END):
            self._held = data
            self._loop.call_soon(self.flush)
        else:
            self._transport.write(data)

    def flush(self) -> None:
        """Write what is held back, if anything."""
        held = self._held
        if held is not None:
            self._held = None
            if not self._transport.is_closing():
                self._transport.write(held)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class CoalescingHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol writing an answer's head and body in one write."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(CoalescingTransport(transport, self.loop))  # type: ignore[arg-type]
