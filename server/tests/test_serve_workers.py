"""`specfirst serve --workers N`: each worker listens on the port itself, so connections opened
at once are spread across the workers; a worker that dies is replaced; SIGTERM stops them all;
a port another program holds is refused before anything starts."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from specfirst.server.tests.live import REPO, LiveServer, fresh_database_url
from specfirst.server.tests.test_sync_support import wait_for
from specfirst.server.workers import reuse_port_supported

pytestmark = pytest.mark.skipif(not reuse_port_supported(),
                                reason="connections are balanced by SO_REUSEPORT on Linux only")

CONNECTIONS = 32


def workers_of(parent: int) -> list[int]:
    """The worker processes `parent` started (multiprocessing's spawned children)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == parent and b"spawn_main" in command:
            found.append(int(entry.name))
    return sorted(found)


def _socket_inodes(pid: int) -> set[int]:
    inodes = set()
    folder = Path(f"/proc/{pid}/fd")
    for fd in folder.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    return inodes


def established_on(port: int) -> set[int]:
    """Inodes of the server ends of established TCP connections on `port` (/proc/net/tcp)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == "01":  # 01: ESTABLISHED
                inodes.add(int(fields[9]))
    return inodes


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[LiveServer]:
    with LiveServer.start(fresh_database_url("sqlite", tmp_path), workers=2) as live:
        wait_for(lambda: len(workers_of(live.process.pid)) == 2)
        yield live


def open_connections(port: int, count: int) -> list[socket.socket]:
    """`count` keep-alive connections opened at once, each having had one answer."""
    connections = [socket.create_connection(("127.0.0.1", port), timeout=60)
                   for _ in range(count)]
    for sock in connections:
        sock.sendall(b"GET /api/v1/health/live HTTP/1.1\r\nHost: localhost\r\n\r\n")
    for sock in connections:
        assert sock.recv(65536).startswith(b"HTTP/1.1 200"), "no answer on a connection"
    return connections


def test_connections_opened_at_once_are_spread_across_the_workers(server: LiveServer) -> None:
    connections = open_connections(server.port, CONNECTIONS)
    try:
        held = {pid: len(_socket_inodes(pid) & established_on(server.port))
                for pid in workers_of(server.process.pid)}
        # each connection is held by exactly one worker; a worker left without any happens
        # with probability 2 * 2**-32 when the kernel balances them
        assert sum(held.values()) == CONNECTIONS, held
        assert all(count > 0 for count in held.values()), held
    finally:
        for sock in connections:
            sock.close()


def test_a_worker_that_dies_is_replaced(server: LiveServer) -> None:
    first, second = workers_of(server.process.pid)
    os.kill(first, signal.SIGKILL)
    wait_for(lambda: first not in workers_of(server.process.pid)
             and len(workers_of(server.process.pid)) == 2)
    replacement = (set(workers_of(server.process.pid)) - {second}).pop()

    def replacement_takes_connections() -> bool:
        connections = open_connections(server.port, 8)
        try:
            return bool(_socket_inodes(replacement) & established_on(server.port))
        finally:
            for sock in connections:
                sock.close()

    # the new worker accepts connections too (each try misses it with probability 2**-8)
    wait_for(replacement_takes_connections)


def test_sigterm_stops_every_worker(server: LiveServer) -> None:
    workers = workers_of(server.process.pid)
    os.kill(server.process.pid, signal.SIGTERM)  # the supervisor only, not its group
    assert server.process.wait(timeout=60) == 0
    for pid in workers:
        assert not Path(f"/proc/{pid}").exists(), f"worker {pid} outlived the server"


def test_a_port_held_by_another_program_is_refused(tmp_path: Path) -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-c", "from specfirst.contract_tests.cli import main; main()",
             "serve", "--db", f"sqlite:///{tmp_path / 'x.db'}", "--port", str(port),
             "--workers", "2"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert f"127.0.0.1:{port} is in use" in done.stderr
    assert "Traceback" not in done.stderr
