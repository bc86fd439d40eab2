"""`specfirst check`: lint → stubs --check → docs → serve → tokens → test → stop, one verdict."""

from __future__ import annotations

import filecmp
import logging
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from specfirst.contract_tests.pipeline.server_process import ServerProcess, free_port
from specfirst.contract_tests.pipeline.steps import StepFailed, StepResult, StepSkipped, run_step
from specfirst.contract_tests.pipeline.summary import steps_suite
from specfirst.contract_tests.pipeline.tokens import (
    CheckIdentities,
    TokenFactory,
    admin_cli_tokens,
    create_identities,
)
from specfirst.contract_tests.runner import RunOptions, RunResult, run_contract_tests
from specfirst.contract_tests.runner.credentials import auth_config
from specfirst.contract_tests.runner.defaults import ContractDefaults
from specfirst.contract_tests.runner.engine import EventCallback
from specfirst.contract_tests.runner.junit import contract_suite, render_suites
from specfirst.contract_tests.runner.report import write_report_dir, write_text
from specfirst.contract_tests.runner.servers import server_url
from specfirst.contract_tests.runner.verdict import Coverage, coverage_of
from specfirst.generator.document import Limits
from specfirst.generator.lint.config import LintConfig
from specfirst.generator.loader import Spec

__all__ = ["TENANTS_EXTENSION", "CheckOptions", "CheckPipeline", "ServerCommand",
           "declares_tenants", "serve_command"]

log = logging.getLogger(__name__)

# (spec path, handlers package, database URL, port) -> the command that serves it
ServerCommand = Callable[[Path, str, str, int], Sequence[str]]

# Budgets that keep the reference spec's run to a few minutes on two cores.
CHECK_MAX_EXAMPLES = 10
# At the spec's root, `x-specfirst-tenants: true` says the API keeps tenants apart.
TENANTS_EXTENSION = "x-specfirst-tenants"


def declares_tenants(document: Any, configured: bool) -> bool:
    """Whether the API declares tenants: `tenants = true` in `[tool.specfirst.test]`, or
    `x-specfirst-tenants: true` at the spec's root."""
    return configured or document.get(TENANTS_EXTENSION) is True


def serve_command(spec: Path, handlers: str, db_url: str, port: int) -> list[str]:
    return [sys.executable, "-m", "specfirst.contract_tests.cli", "serve", str(spec), "--handlers",
            handlers, "--db", db_url, "--host", "127.0.0.1", "--port", str(port)]


@dataclass
class CheckOptions:
    """What `specfirst check` was asked; `handlers_*` None means "no handler package"."""

    handlers_package: str | None
    handlers_dir: Path | None
    limits: Limits = field(default_factory=Limits)
    lint_config: LintConfig | None = None
    docs_out: Path | None = None
    db_url: str | None = None
    baseline: str | None = None
    junit: Path | None = None
    report_dir: Path | None = None
    max_examples: int = CHECK_MAX_EXAMPLES
    seed: int | None = None
    phases: tuple[str, ...] = ("examples", "coverage", "fuzzing", "stateful")
    # `[tool.specfirst.test]`: checks, headers, credentials, budgets, tenants, require-success
    contract: ContractDefaults = field(default_factory=ContractDefaults)
    require_success: bool = True
    server_command: ServerCommand = serve_command
    token_factory: TokenFactory = admin_cli_tokens
    start_timeout: float = 60.0
    on_event: EventCallback | None = None
    on_step: Callable[[StepResult], None] | None = None
    results: list[StepResult] = field(default_factory=list)


class CheckPipeline:
    """Runs the steps in order; a failed step does not stop the independent ones after it."""

    def __init__(self, spec: Spec, options: CheckOptions):
        self.spec = spec
        self.options = options
        self.contract: RunResult | None = None
        self.coverage: Coverage | None = None

    def _step(self, name: str, action: Callable[[], str]) -> StepResult:
        result = run_step(name, action)
        self.options.results.append(result)
        if self.options.on_step is not None:
            self.options.on_step(result)
        return result

    def run(self) -> list[StepResult]:
        self._step("lint", self.lint)
        self._step("stubs --check", self.stubs)
        self._step("docs", self.docs)
        if self.options.baseline:
            self._step("diff", self.diff)
        try:
            with tempfile.TemporaryDirectory(prefix="specfirst-check-") as workdir:
                self._serve_and_test(Path(workdir))
        finally:
            self._write_reports()
        return self.options.results

    def _write_reports(self) -> None:
        """JUnit with a suite of the steps and, when the test ran, the contract suite."""
        if self.options.junit:
            suites = [steps_suite(self.options.results)]
            if self.contract is not None:
                suites.append(contract_suite(self.contract))
            write_text(self.options.junit, render_suites(suites))
        if self.options.report_dir and self.contract is not None:
            title = str(self.spec.document.get("info", {}).get("title") or self.spec.path.name)
            write_report_dir(self.contract, self.options.report_dir, title)

    # -- static steps --------------------------------------------------------------------------
    def lint(self) -> str:
        from specfirst.generator.lint import lint_spec, merge_results, render

        findings = lint_spec(self.spec, config=self.options.lint_config)
        result = merge_results([(self.spec.display_path(self.spec.path), findings)])
        summary = ", ".join(f"{count} {name}" for name, count in result.summary().items()
                            if count and name != "files") or "no findings"
        if result.failed:
            raise StepFailed(summary, render(result, "text"))
        return summary

    def stubs(self) -> str:
        folder = self.options.handlers_dir
        if folder is None:
            raise StepSkipped("no handler package for this spec (pass --handlers-dir)")
        if not folder.is_dir():
            raise StepSkipped(f"no handler package at {folder}")
        from specfirst.generator.stubs import check_stubs

        result = check_stubs(self.spec, folder)
        if result.drift:
            raise StepFailed(f"{len(result.drift)} disagreement(s) between {folder} and the spec",
                             "\n".join(str(drift) for drift in result.drift))
        return f"{folder} matches the spec"

    def docs(self) -> str:
        from specfirst.generator.docs import render_docs

        with tempfile.TemporaryDirectory(prefix="specfirst-docs-") as tmp:
            written = render_docs(self.spec, Path(tmp),
                                  source=self.spec.display_path(self.spec.path))
            committed = self.options.docs_out
            if committed is None or not committed.is_dir():
                return f"rendered {len(written)} files"
            stale = [path.name for path in written
                     if not (committed / path.relative_to(tmp)).is_file()
                     or not filecmp.cmp(path, committed / path.relative_to(tmp), shallow=False)]
            if stale:
                raise StepFailed(f"{committed} is out of date: {', '.join(sorted(stale))}",
                                 f"regenerate with: specfirst docs --out {committed}")
            return f"rendered {len(written)} files; {committed} is up to date"

    def diff(self) -> str:
        from specfirst.generator.diff import Level, compare, load_version, render

        old = load_version(str(self.options.baseline), self.options.limits)
        result = compare(old, self.spec)
        breaking = [change for change in result.changes if change.level is Level.BREAKING]
        if result.breaking:
            raise StepFailed(f"{len(breaking)} breaking change(s) since {self.options.baseline}",
                             render(result, "text"))
        return f"{len(result.changes)} change(s), none breaking"

    # -- server and contract test --------------------------------------------------------------
    def _serve_and_test(self, workdir: Path) -> None:
        package = self.options.handlers_package
        if package is None:
            reason = "no handler package to serve this spec with (pass --handlers)"
            self._step("server", lambda: _skip(reason))
            self._step("test", lambda: _skip("no server"))
            return
        db_url = self.options.db_url or f"sqlite:///{workdir / 'check.db'}"
        port = free_port()
        command = self.options.server_command(self.spec.path, package, db_url, port)
        server = ServerProcess(command, port=port, start_timeout=self.options.start_timeout,
                               cwd=Path.cwd())
        try:
            started = self._step("server", lambda: self._start(server, db_url))
            if started.failed:
                self._step("test", lambda: _skip("the server did not start"))
                return
            identities: list[CheckIdentities] = []
            tokens = self._step("tokens", lambda: self._tokens(db_url, identities))
            if tokens.failed:
                self._step("test", lambda: _skip("no token"))
                return
            self._step("test", lambda: self._test(server, identities[0] if identities else None))
        finally:
            server.stop()
            self._step("stop server", lambda: self._stopped(server))

    def _start(self, server: ServerProcess, db_url: str) -> str:
        server.start()
        return f"{server.base_url} ({_describe_db(db_url)})"

    @property
    def tenants(self) -> bool:
        return declares_tenants(self.spec.document, self.options.contract.tenants)

    def _tokens(self, db_url: str, out: list[CheckIdentities]) -> str:
        if not auth_config(self.spec.document, "token"):
            raise StepSkipped("the spec declares no security scheme a token can be sent in")
        identities = create_identities(self.spec.document, db_url, self.options.token_factory,
                                       other_tenant=self.tenants)
        out.append(identities)
        second = (f"second token with {', '.join(sorted(identities.second_token_scopes))}"
                  if identities.second_token else "no narrower scope set")
        other = ", another tenant's token" if identities.other_tenant_token else ""
        return f"main token, {second}{other}"

    def _test(self, server: ServerProcess, identities: CheckIdentities | None) -> str:
        contract = self.options.contract
        options = RunOptions(
            url=server.base_url + _servers_path(self.spec),
            headers=dict(contract.headers),
            token=identities.token if identities else None,
            second_token=identities.second_token if identities else None,
            second_token_scopes=identities.second_token_scopes if identities else frozenset(),
            other_tenant_token=identities.other_tenant_token if identities else None,
            max_examples=self.options.max_examples,
            seed=self.options.seed,
            phases=self.options.phases,
            checks=contract.checks,
            request_timeout=contract.request_timeout,
            workers=contract.workers,
            positive_data_statuses=contract.positive_data_statuses,
            missing_header_statuses=contract.missing_header_statuses,
            negative_data_statuses=contract.negative_data_statuses,
        )
        result = run_contract_tests(self.spec, options, on_event=self.options.on_event)
        self.contract = result
        coverage = coverage_of(result, self.spec.document, required=self.options.require_success,
                               exempt=self.options.contract.success_exempt)
        self.coverage = coverage
        reached = len(result.operations) - len(coverage.unreached) - len(coverage.exempt)
        exempt = f", {len(coverage.exempt)} exempt" if coverage.exempt else ""
        links = (f", {result.links_followed} of {len(result.links)} links followed"
                 if result.links else "")
        detail = (f"{len(result.operations)} operations ({reached} reached a 2xx{exempt}), "
                  f"{result.cases} cases{links}, {len(result.failures)} failures, "
                  f"seed {result.seed}")
        if result.failed or coverage.failed:
            counts = result.failure_counts()
            lines = [f"{check}: {operation} ({count})"
                     for (check, operation), count in sorted(counts.items())]
            lines += result.errors
            if coverage.failed or coverage.base_url_note:
                lines += coverage.lines()
            raise StepFailed(detail, "\n".join(lines))
        return detail

    def _stopped(self, server: ServerProcess) -> str:
        if server.running:
            raise StepFailed(f"the server (pid {server.process.pid if server.process else '?'}) "
                             "is still running")
        return "stopped"


def _skip(reason: str) -> str:
    raise StepSkipped(reason)


def _servers_path(spec: Spec) -> str:
    """The path of an absolute server URL (a relative one is resolved by the runner)."""
    url = server_url(spec.document)
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return parts.path.rstrip("/")
    return ""


def _describe_db(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme.startswith("sqlite"):
        return "temporary SQLite database" if "specfirst-check-" in url else "SQLite"
    return f"{parts.scheme} database {parts.path.lstrip('/')}"

