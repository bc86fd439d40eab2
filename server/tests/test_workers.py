"""`serve --workers N`: each worker listens on the port with a socket of its own (SO_REUSEPORT),
so the kernel spreads keep-alive connections opened at once over the workers."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import httpx
import pytest
from specfirst.server.tests.live import LiveServer, fresh_database_url
from specfirst.server.workers import _free_port


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _server_side_owners(port: int, pids: list[int]) -> dict[int, int]:
    """pid -> number of established connections it holds on local port `port`."""
    inodes: dict[str, int] = {}
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(name).read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "01" and int(local.rsplit(":", 1)[1], 16) == port:
                inodes[f"socket:[{inode}]"] = 0
    owners: dict[int, int] = {}
    for pid in pids:
        try:
            links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
        except OSError:
            continue
        held = sum(1 for link in links if link in inodes)
        if held:
            owners[pid] = held
    return owners


def test_keep_alive_connections_opened_at_once_reach_both_workers(tmp_path: Path) -> None:
    url = fresh_database_url("sqlite", tmp_path)
    with LiveServer.start(url, workers=2) as server:
        clients = [httpx.Client(base_url=server.url, timeout=30) for _ in range(20)]
        try:
            for client in clients:
                assert client.get("/api/v1/health/live").status_code == 200
            owners = _server_side_owners(server.port, _descendants(server.process.pid))
        finally:
            for client in clients:
                client.close()
    # 20 connections hashed over two sockets: all on one would happen once in 2**19 runs
    assert len(owners) == 2, owners
    assert sum(owners.values()) == 20


def test_a_port_in_use_is_refused_before_any_worker_starts() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError):
            _free_port("127.0.0.1", taken.getsockname()[1])
