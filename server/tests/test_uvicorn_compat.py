"""`server.uvicorn_compat`: an answer's head and body reach the socket in one write; a head that
no body follows in the same step is written anyway, and the bytes never change order."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn
from specfirst.contract_tests.pipeline import free_port
from specfirst.server.uvicorn_compat import PROTOCOL, CoalescingTransport

DEADLINE_S = 30.0


class _Recording:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return ("127.0.0.1", 1) if name == "peername" else default


HEAD = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n"


def test_a_head_and_the_body_after_it_are_one_write() -> None:
    async def main() -> list[bytes]:
        real = _Recording()
        transport = CoalescingTransport(real, asyncio.get_running_loop())  # type: ignore[arg-type]
        transport.write(HEAD)
        assert real.writes == []
        transport.write(b"{}")
        transport.write(b"more")  # not a head: straight through
        await asyncio.sleep(0)
        return real.writes

    assert asyncio.run(main()) == [HEAD + b"{}", b"more"]


def test_a_head_alone_is_written_at_the_end_of_the_loop_iteration_and_before_a_close() -> None:
    async def main() -> tuple[list[bytes], list[bytes], bool, Any]:
        loop = asyncio.get_running_loop()
        real = _Recording()
        transport = CoalescingTransport(real, loop)  # type: ignore[arg-type]
        transport.write(HEAD)
        await asyncio.sleep(0)  # one iteration: nothing followed the head
        after_iteration = list(real.writes)
        other = _Recording()
        closing = CoalescingTransport(other, loop)  # type: ignore[arg-type]
        closing.write(HEAD)
        closing.close()
        return after_iteration, other.writes, other.closed, transport.get_extra_info("peername")

    after_iteration, before_close, closed, peer = asyncio.run(main())
    assert after_iteration == [HEAD]
    assert before_close == [HEAD] and closed
    assert peer == ("127.0.0.1", 1)  # everything else is the real transport's


async def _app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """`/plain`: an answer in two messages; `/stream`: the head, then a body only once the
    client confirmed it has the head (`GATE`)."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain")]})
    if scope["path"] == "/stream":
        confirmed = await asyncio.get_running_loop().run_in_executor(None, GATE.wait,
                                                                     DEADLINE_S)
        await send({"type": "http.response.body", "body": b"first " if confirmed else
                    b"(the client never had the head) ", "more_body": True})
    await send({"type": "http.response.body", "body": b"body"})


GATE = threading.Event()


@contextmanager
def _serving() -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(_app, host="127.0.0.1", port=port, http=PROTOCOL, lifespan="off",
                            log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:  # set once the socket listens
        assert thread.is_alive(), "the server did not start"
        thread.join(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(DEADLINE_S)


def test_a_real_server_answers_whole_and_streams_its_head_before_the_first_chunk() -> None:
    GATE.clear()
    with _serving() as url:
        with httpx.Client(base_url=url, timeout=DEADLINE_S) as client:
            for _ in range(3):  # keep-alive: several answers on one connection
                plain = client.get("/plain")
                assert (plain.status_code, plain.text) == (200, "body")
            with client.stream("GET", "/stream") as streamed:
                # the head arrived although the body waits for this very line
                assert streamed.status_code == 200
                GATE.set()
                assert streamed.read() == b"first body"
