"""Mock conformance against Prism: plain Schemathesis 4 on public specs, both mocks side by side.

For each spec, `specfirst mock` and Prism 5 (`@stoplight/prism-cli`, installed from npm into
the test cache) are started in turn on a free loopback port; start-up is the time from the
process start to its first HTTP answer. Schemathesis then runs against it with its default
checks and phases (examples, coverage, fuzzing; positive and negative data), a fixed seed and
the credentials of a client holding a token: `-H "Authorization: Bearer <token>"` and the same
token in every API-key header the spec defines (the mock is told, with `--credential`, that this
token is the valid one, so Schemathesis' probes with made-up credentials are refused; Prism has
no such option and accepts any). An operation conforms when Schemathesis
reports no failure for it; operations Schemathesis cannot test (errors, skips) and operations
that document no response at all are counted apart, the same for both mocks. A second count
keeps only the response checks (failure codes ST1xx: status code, content type, headers,
schema), the measure of the three conformance checks alone.

Specs: eleven from `@readme/oas-examples` and `@octokit/openapi` (npm), and Stripe's from
`/work/shared/data/stripe` (or `--stripe PATH`). The two large ones (GitHub, Stripe) are cut
to their first `--sample` paths (sorted), the same cut for both mocks, so a run ends in
reasonable time; `--sample 0` keeps them whole.

    python -m specfirst.contract_tests.benchmarks.mock_conformance [--only NAME] [-n 5]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml
from specfirst.contract_tests.pipeline import free_port
from specfirst.server.mock.app import base_path

__all__ = ["Outcome", "SPECS", "main", "run_one"]

REPO = Path(__file__).resolve().parents[2]
PRISM = "@stoplight/prism-cli@5"
TOKEN = "benchmark-token"
STRIPE = Path("/work/shared/data/stripe/spec3-63a6746.yaml.gz")
SPECS = [
    ("petstore-3.0", "oas", "3.0/json/petstore.json"),
    ("petstore-3.1", "oas", "3.1/json/petstore.json"),
    ("train-travel-3.1", "oas", "3.1/json/train-travel.json"),
    ("star-trek", "oas", "3.0/json/star-trek.json"),
    ("uspto", "oas", "3.0/json/uspto.json"),
    ("readme-3.1", "oas", "3.1/json/readme.json"),
    ("parameters-style", "oas", "3.0/json/parameters-style.json"),
    ("readme-legacy", "oas", "3.0/json/readme-legacy.json"),
    ("security", "oas", "3.0/json/security.json"),
    ("polymorphism", "oas", "3.0/json/polymorphism.json"),
    ("github", "github", "generated/api.github.com.json"),
    ("stripe", "stripe", ""),
]


@dataclass
class Outcome:
    spec: str
    server: str
    operations: int = 0  # tested by Schemathesis
    conforming: int = 0  # no failure of any default check
    answers_conforming: int = 0  # no failure of the response checks (ST1xx: status code,
    # content type, headers, schema), the measure of the three conformance checks alone
    untestable: int = 0  # Schemathesis errors and skips; operations documenting no response
    startup_seconds: float | None = None
    seconds: float = 0.0
    failures: dict[str, str] = field(default_factory=dict)  # operation -> first failure

    @property
    def rate(self) -> float:
        return self.conforming / self.operations if self.operations else 0.0


def _npm(package: str) -> Path:
    sys.path.insert(0, str(REPO))
    from conftest import npm_install  # the root conftest's helper (cached install)

    return npm_install(package)


def _spec_file(kind: str, relative: str, folder: Path, sample: int,
               stripe: Path) -> Path:
    if kind == "oas":
        from conftest import OAS_EXAMPLES  # noqa: I001 - after _npm put the repo on sys.path

        return _npm(OAS_EXAMPLES) / relative
    if kind == "github":
        from conftest import OCTOKIT_OPENAPI

        document = json.loads((_npm(OCTOKIT_OPENAPI) / relative).read_text())
    else:
        document = yaml.safe_load(gzip.decompress(stripe.read_bytes()))
    if sample:
        kept = sorted(document.get("paths") or {})[:sample]
        document["paths"] = {path: document["paths"][path] for path in kept}
    target = folder / f"{kind}.json"
    target.write_text(json.dumps(document))
    return target


def _wait_http(url: str, process: subprocess.Popen[bytes], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except urllib.error.HTTPError:
            return True  # any HTTP answer means it is serving
        except OSError:
            time.sleep(0.05)
    return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _server(server: str, spec: Path, port: int, prism: Path) -> list[str]:
    if server == "prism":
        return [str(prism), "mock", "-h", "127.0.0.1", "-p", str(port), str(spec)]
    specfirst = Path(sys.executable).with_name("specfirst")
    return [str(specfirst), "mock", str(spec), "--host", "127.0.0.1", "--port", str(port),
            "--seed", "1", "--callbacks", "off", "--credential", TOKEN]


def credential_headers(document: dict[str, Any]) -> list[str]:
    """`-H` options carrying the token: `Authorization: Bearer`, and every API key header."""
    headers = [f"Authorization: Bearer {TOKEN}"]
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    for scheme in schemes.values() if isinstance(schemes, dict) else ():
        if isinstance(scheme, dict) and scheme.get("type") == "apiKey" \
                and scheme.get("in") == "header" and isinstance(scheme.get("name"), str) \
                and scheme["name"].lower() != "authorization":
            headers.append(f"{scheme['name']}: {TOKEN}")
    return list(dict.fromkeys(headers))


def undocumented(document: dict[str, Any]) -> set[str]:
    """Operations that document no response at all: nothing can conform to them."""
    found = set()
    for path, item in (document.get("paths") or {}).items():
        for method, operation in item.items() if isinstance(item, dict) else ():
            if isinstance(operation, dict) and method in (
                    "get", "put", "post", "delete", "patch", "head", "options", "trace") \
                    and not operation.get("responses"):
                found.add(f"{method.upper()} {path}")
    return found


def _junit(path: Path, outcome: Outcome, skip: set[str]) -> None:
    if not path.exists():
        return
    for case in ET.parse(path).getroot().iter("testcase"):
        name = case.get("name") or "?"
        failure = case.find("failure")
        if case.find("error") is not None or case.find("skipped") is not None \
                or name in skip:
            outcome.untestable += 1
            continue
        outcome.operations += 1
        if failure is None:
            outcome.conforming += 1
            outcome.answers_conforming += 1
        else:
            text = f"{failure.get('message') or ''} {failure.text or ''}".strip()
            if not any(code.startswith("1") for code in re.findall(r"\bST(\d{3})\b", text)):
                outcome.answers_conforming += 1
            outcome.failures[name] = " ".join(text.split())[:300]


def run_one(name: str, spec: Path, server: str, *, examples: int, seed: int,
            prism: Path, folder: Path, workers: int) -> Outcome:
    outcome = Outcome(name, server)
    port = free_port()
    with open(folder / f"{name}-{server}.log", "wb") as log:
        started = time.monotonic()
        process = subprocess.Popen(_server(server, spec, port, prism), stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        try:
            document = json.loads(spec.read_text()) if spec.suffix == ".json" \
                else yaml.safe_load(spec.read_text())
            prefix = base_path(document) if server == "mock" else ""
            if not _wait_http(f"http://127.0.0.1:{port}{prefix}/", process, 600):
                outcome.failures["start-up"] = "did not start"
                return outcome
            outcome.startup_seconds = round(time.monotonic() - started, 2)
            report = folder / f"{name}-{server}.xml"
            command = [str(Path(sys.executable).with_name("schemathesis")), "run", str(spec),
                       "--url", f"http://127.0.0.1:{port}{prefix}",
                       "--phases", "examples,coverage,fuzzing", "-n", str(examples),
                       "--seed", str(seed), "--workers", str(workers),
                       *[option for header in credential_headers(document)
                         for option in ("-H", header)],
                       "--request-timeout", "20", "--report", "junit",
                       "--report-junit-path", str(report)]
            began = time.monotonic()
            subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, check=False,
                           env={**os.environ, "NO_COLOR": "1"})
            outcome.seconds = round(time.monotonic() - began, 1)
            _junit(report, outcome, undocumented(document))
        finally:
            _stop(process)
    return outcome


def _say(text: str, *, err: bool = True) -> None:
    stream = sys.stderr if err else sys.stdout
    stream.write(text + "\n")
    stream.flush()


def table(outcomes: list[Outcome]) -> str:
    by_spec: dict[str, dict[str, Outcome]] = {}
    for outcome in outcomes:
        by_spec.setdefault(outcome.spec, {})[outcome.server] = outcome
    lines = ["| spec | operations | mock: all checks | Prism 5: all checks | "
             "mock: response checks | Prism 5: response checks | start-up mock / Prism (s) |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for spec, found in by_spec.items():
        mock, prism = found.get("mock"), found.get("prism")

        def cell(o: Outcome | None, answers: bool = False) -> str:
            if o is None or not o.operations:
                return "—"
            count = o.answers_conforming if answers else o.conforming
            return f"{count}/{o.operations} ({count / o.operations:.0%})"

        tested = max((o.operations for o in found.values()), default=0)
        starts = " / ".join("—" if o is None or o.startup_seconds is None
                            else f"{o.startup_seconds:.2f}" for o in (mock, prism))
        lines.append(f"| {spec} | {tested} | {cell(mock)} | {cell(prism)} | "
                     f"{cell(mock, True)} | {cell(prism, True)} | {starts} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m specfirst.contract_tests.benchmarks.mock_conformance",
        description="Schemathesis conformance of `specfirst mock` and Prism 5 on public specs.")
    parser.add_argument("--only", action="append", default=[], metavar="NAME",
                        help="run only this spec (repeatable): "
                             + ", ".join(name for name, _, _ in SPECS))
    parser.add_argument("--servers", default="mock,prism", help="mock, prism or both")
    parser.add_argument("-n", "--max-examples", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sample", type=int, default=40,
                        help="paths kept of the GitHub and Stripe specs (0: all)")
    parser.add_argument("--stripe", type=Path, default=STRIPE)
    parser.add_argument("--json", type=Path, help="write every outcome here")
    parser.add_argument("--keep", action="store_true",
                        help="keep the logs and JUnit reports (their folder is printed)")
    args = parser.parse_args(argv)
    servers = [s.strip() for s in args.servers.split(",") if s.strip()]
    prism = Path("prism")
    if "prism" in servers:
        installed = _npm(PRISM)
        modules = next(p for p in installed.parents if p.name == "node_modules")
        prism = modules / ".bin" / "prism"
    folder = Path(tempfile.mkdtemp(prefix="specfirst-mock-conformance-"))
    outcomes: list[Outcome] = []
    try:
        for name, kind, relative in SPECS:
            if args.only and name not in args.only:
                continue
            if kind == "stripe" and not args.stripe.exists():
                _say(f"{name}: {args.stripe} not found; skipped")
                continue
            spec = _spec_file(kind, relative, folder, args.sample, args.stripe)
            for server in servers:
                outcome = run_one(name, spec, server, examples=args.max_examples,
                                  seed=args.seed, prism=prism, folder=folder,
                                  workers=args.workers)
                outcomes.append(outcome)
                _say(f"{name} {server}: {outcome.conforming}/{outcome.operations} conform "
                     f"({outcome.untestable} untestable), start-up {outcome.startup_seconds}s,"
                     f" run {outcome.seconds}s")
                for operation, failure in list(outcome.failures.items())[:5]:
                    _say(f"  {operation}: {failure}")
        _say(table(outcomes), err=False)
        if args.json:
            args.json.write_text(json.dumps(
                [{**asdict(o), "rate": o.rate} for o in outcomes], indent=2))
    finally:
        if args.keep:
            _say(f"logs and reports: {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
