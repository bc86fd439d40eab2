"""wrk, the external load generator of the comparison: found or installed, scripted, read back.

wrk (a C load generator: a few threads, an event loop each, keep-alive connections) loads the
same two operations as `specfirst bench`, so the figures do not rest on our own client alone. A
Lua script sets the bearer token, and for creates builds a body per request with a unique
e-mail (the `{{seq}}`/`{{uuid}}`/`{{worker}}` placeholders of `specfirst bench` body templates,
rendered in Lua); its `done` hook prints the figures as one JSON line. wrk has no warm-up of its
own: a first, unmeasured run of `warmup_s` comes before the measured one, and it takes whole
seconds, so durations are rounded up.

When `wrk` is not on PATH, `ensure_wrk` installs the Debian package with apt-get (as root, or
through `sudo -n`) and says so; elsewhere it names what to install.
"""

from __future__ import annotations

import math
import os
import re
import resource
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

__all__ = ["LoadGeneratorMissing", "ensure_wrk", "lua_script", "run_wrk", "wrk_version"]

_MARK = "SPECFIRST-WRK "
_PLACEHOLDER = re.compile(r"\{\{(seq|uuid|worker)\}\}")
_LUA_VALUES = {"seq": "worker .. '-' .. seq", "uuid": "uid", "worker": "worker"}

_DONE = r"""
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '%s{"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,' ..
    '"timeout":%d,"mean_us":%.3f,"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    "__MARK__", summary.requests, summary.duration, e.connect, e.read, e.write, e.status,
    e.timeout, latency.mean, latency:percentile(50), latency:percentile(99), latency.max))
end
"""

_REQUEST = r"""
local next_worker = 1
function setup(thread)
  thread:set("worker", next_worker)
  next_worker = next_worker + 1
end

local seq = 0
function init(args)
  math.randomseed(os.time() * 1000 + (worker or 0))
end

function request()
  seq = seq + 1
  local uid = string.format("%08x%08x", math.random(0, 2147483647), math.random(0, 2147483647))
  return wrk.format(nil, nil, nil, __BODY__)
end
"""


class LoadGeneratorMissing(RuntimeError):
    """wrk is not installed and could not be installed here."""


def ensure_wrk(say: Callable[[str], None] = print) -> str:
    """The path of `wrk`, installing the Debian package `wrk` with apt-get when it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    apt = shutil.which("apt-get")
    if apt is None:
        raise LoadGeneratorMissing(
            "the benchmark needs the load generator wrk: install it (Debian/Ubuntu: apt-get "
            "install wrk; macOS: brew install wrk) and run again")
    if os.geteuid() == 0:
        prefix: list[str] = []
    elif shutil.which("sudo"):
        prefix = ["sudo", "-n"]
    else:
        raise LoadGeneratorMissing(
            "the benchmark needs the load generator wrk: run `apt-get install wrk` as root")
    say("wrk not found: installing the Debian package wrk with apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [*prefix, apt, "install", "-y", "-q", "wrk"]
    for attempt in (install, [*prefix, apt, "update", "-q"], install):
        done = subprocess.run(attempt, env=env, capture_output=True, text=True, check=False)
        if attempt is install and done.returncode == 0:
            break
    found = shutil.which("wrk")
    if found is None:
        raise LoadGeneratorMissing(
            f"installing wrk with apt-get failed: {(done.stderr or done.stdout).strip()[-500:]}")
    say(f"installed {wrk_version(found)}")
    return found


def wrk_version(wrk: str) -> str:
    """wrk's version line, e.g. `wrk debian/4.1.0-3+b2 [epoll]`."""
    done = subprocess.run([wrk, "--version"], capture_output=True, text=True, check=False)
    first = (done.stdout or done.stderr).strip().splitlines()
    return first[0].split(" Copyright")[0].strip() if first else "wrk"


def _lua_string(text: str) -> str:
    """A Lua string literal: printable ASCII as is, every other byte (UTF-8) as `\\ddd`."""
    return '"' + "".join(chr(b) if 32 <= b < 127 and b not in (34, 92) else f"\\{b:03d}"
                         for b in text.encode()) + '"'


def _lua_body(template: str) -> str:
    parts: list[str] = []
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        if match.start() > position:
            parts.append(_lua_string(template[position:match.start()]))
        parts.append(f"({_LUA_VALUES[match.group(1)]})")
        position = match.end()
    if position < len(template):
        parts.append(_lua_string(template[position:]))
    return " .. ".join(parts) or '""'


def lua_script(method: str, headers: dict[str, str], body_template: str | None = None) -> str:
    """The Lua script for one operation: method, headers, a body per request, the JSON report."""
    lines = ["-- written by specfirst.contract_tests.benchmarks.wrk",
             f"wrk.method = {_lua_string(method.upper())}"]
    lines += [f"wrk.headers[{_lua_string(name)}] = {_lua_string(value)}"
              for name, value in headers.items()]
    script = "\n".join(lines) + "\n"
    if body_template is not None:
        script += _REQUEST.replace("__BODY__", _lua_body(body_template))
    return script + _DONE.replace("__MARK__", _MARK)


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(wrk: str, script: Path, url: str, concurrency: int, threads: int, seconds: int,
         timeout_s: float) -> str:
    command = [wrk, "-t", str(threads), "-c", str(concurrency), "-d", f"{seconds}s",
               "--timeout", f"{math.ceil(timeout_s)}s", "-s", str(script), url]
    done = subprocess.run(command, capture_output=True, text=True, check=False,
                          timeout=seconds + timeout_s + 60)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {(done.stderr or done.stdout)[-800:]}")
    return done.stdout


def parse_report(output: str, concurrency: int) -> dict[str, Any]:
    """wrk's output (with the script's JSON line) as the figures `specfirst bench` reports."""
    line = next((line for line in output.splitlines() if line.startswith(_MARK)), None)
    if line is None:
        raise RuntimeError(f"wrk printed no report line: {output[-800:]}")
    raw = orjson.loads(line[len(_MARK):])
    duration_s = raw["duration_us"] / 1e6
    by_kind = {kind: raw[kind] for kind in ("status", "connect", "read", "write", "timeout")
               if raw[kind]}
    throughput = raw["requests"] / duration_s if duration_s else 0.0
    mean_ms = raw["mean_us"] / 1000
    return {
        "concurrency": concurrency,
        "requests": raw["requests"],
        "errors": sum(by_kind.values()),
        "errors_by_status": {("non-2xx/3xx" if k == "status" else k): v
                             for k, v in sorted(by_kind.items())},
        "duration_s": round(duration_s, 3),
        "throughput_rps": round(throughput, 2),
        "latency_ms": {"p50": round(raw["p50_us"] / 1000, 3),
                       "p99": round(raw["p99_us"] / 1000, 3),
                       "max": round(raw["max_us"] / 1000, 3)},
        "mean_ms": round(mean_ms, 3),
        "queue_length": round(throughput * mean_ms / 1000, 3),
    }


def run_wrk(wrk: str, url: str, method: str, headers: dict[str, str], body_template: str | None,
            concurrency: int, duration_s: float, warmup_s: float, threads: int = 2,
            timeout_s: float = 30.0) -> dict[str, Any]:
    """One closed-loop level: an unmeasured warm-up run, then the measured run; its figures, in
    the shape of `specfirst bench`'s `LevelResult.to_json()` (plus wrk's CPU use)."""
    threads = max(1, min(threads, concurrency))
    with tempfile.TemporaryDirectory(prefix="specfirst-wrk-") as tmp:
        script = Path(tmp) / "load.lua"
        script.write_text(lua_script(method, headers, body_template), encoding="utf-8")
        if warmup_s > 0:
            _run(wrk, script, url, concurrency, threads, math.ceil(warmup_s), timeout_s)
        cpu_before, wall_before = _children_cpu_s(), time.perf_counter()
        output = _run(wrk, script, url, concurrency, threads, max(1, math.ceil(duration_s)),
                      timeout_s)
        client_cpu = (_children_cpu_s() - cpu_before) / (time.perf_counter() - wall_before)
    result = parse_report(output, concurrency)
    result.update(client_cpu=round(client_cpu, 3), client_bound=client_cpu >= 0.9 * threads,
                  threads=threads)
    return result
