"""A tiny HTTP/1.1 server on 127.0.0.1 for the load-generator tests, in a background thread.

Routes: `/ok` 200 with a JSON body; `/fail` 500; `/mixed` alternates 200 and 503; `/chunked`
answers with chunked encoding; `/close` answers with `Connection: close`; `/echo` stores each
request body in `bodies`. Anything else is 404.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["TinyServer", "tiny_server"]


class TinyServer:
    def __init__(self) -> None:
        self.port = 0
        self.bodies: list[bytes] = []
        self.connections = 0
        self._counter = itertools.count()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                _method, path, _version = lines[0].split(" ", 2)
                length = 0
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    if name.lower() == "content-length":
                        length = int(value)
                body = await reader.readexactly(length) if length else b""
                if not await self.answer(path, body, writer):
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def answer(self, path: str, body: bytes, writer: asyncio.StreamWriter) -> bool:
        keep = True
        extra = ""
        payload = b'{"ok": true}'
        status = "200 OK"
        if path == "/fail":
            status = "500 Internal Server Error"
        elif path == "/mixed":
            status = "200 OK" if next(self._counter) % 2 == 0 else "503 Service Unavailable"
        elif path == "/echo":
            self.bodies.append(body)
            status = "201 Created"
        elif path == "/close":
            keep = False
            extra = "Connection: close\r\n"
        elif path == "/chunked":
            writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                         b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
            await writer.drain()
            return True
        elif path != "/ok":
            status = "404 Not Found"
        writer.write(f"HTTP/1.1 {status}\r\nContent-Length: {len(payload)}\r\n{extra}"
                     "Content-Type: application/json\r\n\r\n".encode() + payload)
        await writer.drain()
        return keep


@contextmanager
def tiny_server() -> Iterator[TinyServer]:
    """Serve on an ephemeral 127.0.0.1 port until the block ends."""
    server = TinyServer()
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: dict[str, asyncio.Server] = {}

    async def start() -> None:
        holder["server"] = await asyncio.start_server(server.handle, "127.0.0.1", 0)
        server.port = holder["server"].sockets[0].getsockname()[1]
        ready.set()

    def run() -> None:
        loop.run_until_complete(start())
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(10), "the tiny server did not start"
    try:
        yield server
    finally:
        async def stop() -> None:
            holder["server"].close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
