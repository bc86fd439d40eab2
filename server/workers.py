"""Several worker processes on one port, each with a listening socket of its own (SO_REUSEPORT).

uvicorn's `workers=N` shares one listening socket between its processes: the first one awake
accepts every connection waiting, so a burst of keep-alive connections (a load generator, a
load balancer's pool) lands on one worker and stays there (docs/performance.md: 32 connections
opened at once all went to one of two workers). Here each worker binds its own socket with
`SO_REUSEPORT`, and the kernel spreads new connections over the workers' sockets by a hash of
the connection's addresses and ports.

    run_workers("pkg.app:create_app", host="127.0.0.1", port=8000, workers=2)

One worker, or a system without `SO_REUSEPORT`, is served by `uvicorn.run` as before. The port
is checked free (bound once without `SO_REUSEPORT`) before the workers start, so a second server
on a port already taken fails instead of silently sharing its connections. A worker that dies is
started again; SIGINT or SIGTERM stops them all, each finishing the requests it holds.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import time
from typing import Any

__all__ = ["run_workers"]

log = logging.getLogger(__name__)

_BACKLOG = 2048  # uvicorn's default


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _free_port(host: str, port: int) -> int:
    """`port` (or a free one for 0), checked bindable without `SO_REUSEPORT`."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
        return int(probe.getsockname()[1])


def _serve_one(app: str, host: str, port: int, options: dict[str, Any]) -> None:
    """One worker process: its own socket on the shared port, one uvicorn server."""
    import uvicorn

    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(_BACKLOG)
    uvicorn.Server(uvicorn.Config(app, factory=True, **options)).run(sockets=[sock])


def run_workers(app: str, *, host: str, port: int, workers: int, **options: Any) -> None:
    """Serve the app factory `app` ("module:function") on `host:port` with `workers`
    processes; `options` are `uvicorn.Config`'s (log_level, access_log, ...)."""
    import uvicorn

    if workers <= 1 or not hasattr(socket, "SO_REUSEPORT"):
        uvicorn.run(app, factory=True, host=host, port=port, workers=workers, **options)
        return
    port = _free_port(host, port)
    context = multiprocessing.get_context("spawn")
    stopping = False

    def start(number: int) -> Any:
        process = context.Process(target=_serve_one, args=(app, host, port, options),
                                  name=f"specfirst-worker-{number}")
        process.start()
        return process

    def stop(_signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    processes = [start(number) for number in range(workers)]
    try:
        while not stopping:
            for number, process in enumerate(processes):
                if not process.is_alive() and not stopping:
                    log.warning("worker %d exited (code %s); starting it again", number,
                                process.exitcode)
                    processes[number] = start(number)
            time.sleep(0.5)
    finally:
        for process in processes:
            if process.is_alive() and process.pid is not None:
                process.terminate()  # SIGTERM: uvicorn finishes the requests it holds
        for process in processes:
            process.join(timeout=float(options.get("timeout_graceful_shutdown") or 5) + 5)
            if process.is_alive():
                process.kill()
                process.join()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
