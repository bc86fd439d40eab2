"""A server started as a child process on loopback, always stopped (also on Ctrl-C or error)."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

import httpx
from specfirst.generator.errors import SpecfirstError

__all__ = ["ServerProcess", "ServerStartError", "free_port"]

log = logging.getLogger(__name__)


class ServerStartError(SpecfirstError):
    """The server did not come up; carries the end of its output."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    """Run `command` (which must listen on `port`) until the context ends.

    Ready means: the process is alive and `ready_path` answers any HTTP status. Output goes to a
    temporary log file whose tail explains a failed start.
    """

    def __init__(self, command: Sequence[str], *, port: int, host: str = "127.0.0.1",
                 ready_path: str = "/", env: Mapping[str, str] | None = None,
                 cwd: str | os.PathLike[str] | None = None, start_timeout: float = 60.0,
                 stop_timeout: float = 10.0):
        self.command = list(command)
        self.host = host
        self.port = port
        self.ready_path = ready_path
        self.env = dict(os.environ if env is None else env)
        self.cwd = cwd
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self.final_output = ""
        self._log = tempfile.NamedTemporaryFile(prefix="specfirst-server-", suffix=".log",
                                                delete=False)
        self.log_path = Path(self._log.name)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> ServerProcess:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def output_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.strip().splitlines()[-lines:])

    def start(self) -> None:
        log.info("starting %s", " ".join(self.command))
        self.process = subprocess.Popen(
            self.command, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=self.env, cwd=self.cwd, start_new_session=True,
        )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.start_timeout
        url = self.base_url + self.ready_path
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerStartError(
                    f"the server exited with code {self.process.returncode} before answering:\n"
                    f"{self.output_tail()}")
            try:
                httpx.get(url, timeout=2.0)
                return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise ServerStartError(f"the server did not answer {url} within {self.start_timeout:.0f} s:"
                               f"\n{self.output_tail()}")

    def stop(self) -> None:
        """Stop the process group: SIGTERM, then SIGKILL after `stop_timeout` seconds."""
        process = self.process
        if process is not None and process.poll() is None:
            self._signal(process, signal.SIGTERM)
            try:
                process.wait(self.stop_timeout)
            except subprocess.TimeoutExpired:
                self._signal(process, signal.SIGKILL)
                process.wait(self.stop_timeout)
        self._log.close()
        if self.log_path.exists():
            self.final_output = self.output_tail(40)
            self.log_path.unlink()

    @staticmethod
    def _signal(process: subprocess.Popen[bytes], signum: int) -> None:
        try:
            os.killpg(process.pid, signum)
        except ProcessLookupError:
            pass

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None
