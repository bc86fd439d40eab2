"""Several server processes on one port, each with a listening socket of its own.

uvicorn's `--workers N` shares one listening socket among its workers: the first worker awake
accepts every connection waiting, and a keep-alive connection stays with the worker that took
it, so a client that opens its connections at once (a load balancer, a load generator, a
connection pool) can feed a single worker while the others idle. Here each worker binds the
port itself with `SO_REUSEPORT` (Linux), and the kernel spreads new connections across the
workers' sockets by a hash of each connection's addresses.

The supervisor (the process that ran `specfirst serve`) holds the port, starts the workers,
starts another when one dies (and gives up when workers keep dying at start-up), and on SIGINT
or SIGTERM stops them — each finishes its requests in flight — before it exits.
"""

from __future__ import annotations

import errno
import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from typing import Any

__all__ = ["PortInUse", "WorkerPool", "reuse_port_supported"]

log = logging.getLogger(__name__)

# A worker that dies this soon after its start counts as failing at start-up; after this many in
# a row the supervisor stops instead of starting them again and again.
EARLY_EXIT_S = 10.0
EARLY_EXITS_TOLERATED = 3
# After SIGTERM a worker has its graceful shutdown and this much more before it is killed.
STOP_GRACE_S = 10.0
BACKLOG = 2048


class PortInUse(OSError):
    """Another program listens on the address."""


def reuse_port_supported() -> bool:
    """Whether the kernel balances connections across sockets bound with `SO_REUSEPORT`
    (Linux does; on other systems the option exists with other meanings)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def _address(host: str, port: int) -> tuple[socket.AddressFamily, Any]:
    family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                  flags=socket.AI_PASSIVE)[0]
    return family, address


def _socket(host: str, port: int, *, reuse_port: bool) -> socket.socket:
    family, address = _address(host, port)
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


def reserve_port(host: str, port: int) -> socket.socket:
    """A socket bound to the address with `SO_REUSEPORT` and not listening: it holds the port
    (port 0: a free one) for the workers' sockets and receives no connection itself. Raises
    `PortInUse` when another program listens there (a plain bind sees any listener; a
    `SO_REUSEPORT` one alone would join a group of another server of the same user)."""
    try:
        probe = _socket(host, port, reuse_port=False)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(exc.errno, f"{host}:{port} is in use by another program") from None
        raise
    with probe:
        port = probe.getsockname()[1]
        # the probe is closed before the reservation binds: without SO_REUSEPORT it would
        # refuse every socket after it
    return _socket(host, port, reuse_port=True)


def _serve(options: Mapping[str, Any], host: str, port: int) -> None:
    """A worker: its own listening socket on the port, then uvicorn on it."""
    import uvicorn

    # Ctrl-C reaches the whole process group: uvicorn's handler makes that a graceful stop
    sock = _socket(host, port, reuse_port=True)
    sock.listen(BACKLOG)
    uvicorn.Server(uvicorn.Config(**options)).run(sockets=[sock])


@dataclass
class _Worker:
    process: BaseProcess
    started: float = field(default_factory=time.monotonic)


class WorkerPool:
    """`count` uvicorn workers serving `options` (uvicorn.Config keywords) on host:port."""

    def __init__(self, options: Mapping[str, Any], host: str, port: int, count: int) -> None:
        self.options = dict(options)
        self.host = host
        self.count = count
        self._reservation = reserve_port(host, port)
        self.port = int(self._reservation.getsockname()[1])
        self.options.update(host=host, port=self.port)
        self._context = multiprocessing.get_context("spawn")
        self._stop = threading.Event()
        self.workers: list[_Worker] = []

    def _start_one(self) -> _Worker:
        process = self._context.Process(target=_serve, args=(self.options, self.host, self.port),
                                        name="specfirst-worker", daemon=False)
        process.start()
        log.info("worker %s started", process.pid)
        return _Worker(process)

    def _on_signal(self, signum: int, _frame: Any) -> None:
        self._stop.set()

    def run(self) -> int:
        """Serve until SIGINT or SIGTERM (exit status 0), or until workers keep dying at
        start-up (1)."""
        previous = {sig: signal.signal(sig, self._on_signal)
                    for sig in (signal.SIGINT, signal.SIGTERM)}
        status = 0
        try:
            self.workers = [self._start_one() for _ in range(self.count)]
            early_exits = 0
            while not self._stop.is_set():
                # a signal sets the event; the timeout bounds how long it waits to be seen
                wait([worker.process.sentinel for worker in self.workers], timeout=0.5)
                for index, worker in enumerate(self.workers):
                    if worker.process.is_alive() or self._stop.is_set():
                        continue
                    worker.process.join()
                    lived = time.monotonic() - worker.started
                    early_exits = early_exits + 1 if lived < EARLY_EXIT_S else 0
                    if early_exits >= EARLY_EXITS_TOLERATED:
                        log.error("workers keep exiting at start-up (the last with status %s); "
                                  "stopping", worker.process.exitcode)
                        status = 1
                        self._stop.set()
                        break
                    log.warning("worker %s exited with status %s; starting another",
                                worker.process.pid, worker.process.exitcode)
                    self.workers[index] = self._start_one()
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return status

    def stop(self) -> None:
        """SIGTERM every worker (a graceful stop), then SIGKILL what is left after the grace."""
        self._stop.set()
        for worker in self.workers:
            if worker.process.is_alive() and worker.process.pid is not None:
                try:
                    os.kill(worker.process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        grace = float(self.options.get("timeout_graceful_shutdown") or 0) + STOP_GRACE_S
        deadline = time.monotonic() + grace
        for worker in self.workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                log.warning("worker %s did not stop in %.0f s; killing it",
                            worker.process.pid, grace)
                worker.process.kill()
                worker.process.join()
        self._reservation.close()
