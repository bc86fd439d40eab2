"""The generated Postman collection, run with newman against the running CRM server.

The server is started the way a user starts it (`specfirst serve` on 127.0.0.1, a free port, a
temporary SQLite file) and given a token with `specfirst admin token create`; the collection's
tests assert that each response's status is one the spec documents for that operation.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from specfirst.generator.docs import render_docs
from specfirst.generator.loader import Spec

from conftest import npm_bin

REPO = Path(__file__).resolve().parents[2]
NEWMAN = "newman@6"

pytestmark = pytest.mark.network_tools


def specfirst(*args: str) -> list[str]:
    return [sys.executable, "-c", "from specfirst.contract_tests.cli import main; main()", *args]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def crm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(base URL, token) of a CRM server started for this module, stopped afterwards."""
    folder = tmp_path_factory.mktemp("newman-crm")
    db = f"sqlite:///{folder / 'crm.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPECFIRST_SERVER_")}
    env["PYTHONUNBUFFERED"] = "1"
    port = free_port()
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(
        specfirst("serve", "--db", db, "--host", "127.0.0.1", "--port", str(port)),
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (folder / "server.log").read_text(errors="replace")
            try:
                if httpx.get(url + "/api/v1/health/live", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the CRM server did not start in 60 s"
            time.sleep(0.2)
        created = subprocess.run(
            specfirst("admin", "token", "create", "--tenant", "docs-newman", "--db", db),
            cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=True)
        yield url, created.stdout.strip()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        log.close()


def test_newman_runs_the_collection_against_the_crm_server(
        crm_server: tuple[str, str], tmp_path: Path) -> None:
    url, token = crm_server
    assert token
    render_docs(Spec.from_path(REPO / "openapi" / "crm.yaml"), tmp_path / "docs")
    collection = tmp_path / "docs" / "postman_collection.json"
    report = tmp_path / "newman.json"
    newman = npm_bin(NEWMAN, "newman")
    result = subprocess.run(
        [str(newman), "run", str(collection), "--env-var", f"baseUrl={url}",
         "--env-var", f"token={token}", "--reporters", "cli,json",
         "--reporter-json-export", str(report), "--timeout-request", "20000",
         "--disable-unicode", "--color", "off"],
        capture_output=True, text=True, timeout=300)
    assert report.exists(), result.stdout[-3000:] + result.stderr[-2000:]
    run = json.loads(report.read_text())["run"]
    failures = [f"{f['source']['name']}: {f['error']['message']}" for f in run["failures"]]
    assert result.returncode == 0 and not failures, "\n".join(failures[:20])

    items = [i for folder in json.loads(collection.read_text())["item"] for i in folder["item"]]
    operations = len(items)
    top_level_lists = {i["name"] for i in items if i["request"]["method"] == "GET"
                       and i["name"].startswith("List ")
                       and not any(p.startswith(":") for p in i["request"]["url"]["path"])}
    stats = run["stats"]
    assert stats["requests"]["total"] == operations
    assert stats["assertions"]["total"] == operations and stats["assertions"]["failed"] == 0
    codes = {e["item"]["name"]: e["response"]["code"] for e in run["executions"]}
    # The token works and the example requests are real requests, not only documented errors.
    lists = {name: code for name, code in codes.items() if name in top_level_lists}
    assert len(lists) >= 8 and set(lists.values()) == {200}, lists
    assert sum(200 <= code < 300 for code in codes.values()) > len(lists)
    assert 401 not in codes.values()
    assert not [name for name, code in codes.items() if code >= 500]
