"""`specfirst check` as a pipeline: steps, verdict, reasons, and no server left running."""

from __future__ import annotations

import socket
import sys
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

import pytest
import xmlschema
import yaml
from click.testing import CliRunner
from specfirst.contract_tests.cli import cli
from specfirst.contract_tests.pipeline import CheckOptions, CheckPipeline, StepOutcome, StepResult
from specfirst.contract_tests.tests.conftest import NOTES_SPEC, notes_server_command
from specfirst.generator.loader import Spec

JUNIT_XSD = Path(__file__).with_name("junit.xsd")


def fixed_tokens(tenant: str, scopes: Sequence[str], db_url: str) -> str:
    """The Notes API's tokens, chosen as `specfirst admin token create` would scope them."""
    if tenant.endswith("-other"):
        return "other-token"
    return "read-token" if list(scopes) == ["notes:read"] else "good-token"


class Served:
    """Serves the Notes app named by the handlers option and remembers the port."""

    def __init__(self) -> None:
        self.ports: list[int] = []

    def __call__(self, spec: Path, handlers: str, db_url: str, port: int) -> list[str]:
        self.ports.append(port)
        return notes_server_command(handlers, port)


def listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def run_pipeline(spec: Spec, handlers: str | None = "specfirst.contract_tests.tests.apps.notes_app:"
                 "create_app", **overrides: object) -> tuple[dict[str, StepResult], Served,
                                                          CheckPipeline]:
    served = Served()
    options = CheckOptions(handlers_package=handlers, handlers_dir=None, server_command=served,
                           token_factory=fixed_tokens, seed=5, max_examples=5,
                           start_timeout=30)
    for key, value in overrides.items():
        setattr(options, key, value)
    pipeline = CheckPipeline(spec, options)
    results = pipeline.run()
    return {result.name: result for result in results}, served, pipeline


def test_a_correct_api_passes_every_step(notes_spec: Spec, tmp_path: Path) -> None:
    steps, served, pipeline = run_pipeline(notes_spec, junit=tmp_path / "j.xml",
                                           report_dir=tmp_path / "report")
    assert list(steps) == ["lint", "stubs --check", "docs", "server", "tokens", "test",
                           "stop server"]
    outcomes = {name: step.outcome for name, step in steps.items()}
    assert outcomes["stubs --check"] is StepOutcome.SKIPPED
    assert all(outcome is StepOutcome.OK for name, outcome in outcomes.items()
               if name != "stubs --check"), steps
    assert "second token with notes:read" in steps["tokens"].detail
    assert pipeline.contract is not None and not pipeline.contract.failed
    assert (tmp_path / "report" / "index.html").is_file()
    xmlschema.XMLSchema(JUNIT_XSD).validate(str(tmp_path / "j.xml"))
    suites = ET.parse(tmp_path / "j.xml").getroot().findall("testsuite")
    assert [suite.get("name") for suite in suites] == ["specfirst check",
                                                       "specfirst contract tests"]
    assert [case.get("name") for case in suites[0].iter("testcase")] == list(steps)
    assert not listening(served.ports[0])


def test_a_broken_api_fails_the_test_step_and_says_why(notes_spec: Spec) -> None:
    steps, served, _ = run_pipeline(notes_spec, "specfirst.contract_tests.tests.apps.broken_app:"
                                                "tenant_leak_app")
    assert steps["test"].outcome is StepOutcome.FAILED
    assert "tenant_isolation: GET /notes/{id}" in steps["test"].report
    assert steps["stop server"].outcome is StepOutcome.OK
    assert not listening(served.ports[0])


def test_a_server_that_does_not_start_fails_its_step(notes_spec: Spec) -> None:
    def crashing(spec: Path, handlers: str, db_url: str, port: int) -> list[str]:
        return [sys.executable, "-c", "import sys; print('no handlers here'); sys.exit(3)"]

    steps, _, _ = run_pipeline(notes_spec, server_command=crashing)
    assert steps["server"].outcome is StepOutcome.FAILED
    assert "exited with code 3" in steps["server"].detail
    assert "no handlers here" in steps["server"].detail
    assert steps["test"].outcome is StepOutcome.SKIPPED


def test_ctrl_c_during_the_test_still_stops_the_server(notes_spec: Spec) -> None:
    def interrupt(event: object) -> None:
        raise KeyboardInterrupt

    served = Served()
    options = CheckOptions(
                           handlers_package="specfirst.contract_tests.tests.apps.notes_app:create_app",
                           handlers_dir=None, server_command=served, token_factory=fixed_tokens,
                           max_examples=5, on_event=interrupt, start_timeout=30)
    with pytest.raises(KeyboardInterrupt):
        CheckPipeline(notes_spec, options).run()
    assert served.ports and not listening(served.ports[0])


def _variant(tmp_path: Path, name: str, change: object) -> Path:
    document = yaml.safe_load(NOTES_SPEC.read_text(encoding="utf-8"))
    assert callable(change)
    change(document)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def test_lint_errors_and_breaking_changes_fail_their_steps(tmp_path: Path) -> None:
    def breaking(document: dict) -> None:  # type: ignore[type-arg]
        del document["paths"]["/notes/{id}"]["delete"]
        document["paths"]["/health"]["get"]["responses"] = {}

    spec = Spec.from_path(_variant(tmp_path, "new.yaml", breaking))
    steps, _, _ = run_pipeline(spec, handlers=None, baseline=str(NOTES_SPEC),
                               junit=tmp_path / "j.xml")
    root = ET.parse(tmp_path / "j.xml").getroot()
    failed = [case.get("name") for case in root.iter("testcase")
              if case.find("failure") is not None]
    assert failed == ["lint", "diff"]
    assert len(root.findall("testsuite")) == 1  # no contract test ran
    assert steps["lint"].outcome is StepOutcome.FAILED
    assert "error" in steps["lint"].detail
    assert steps["diff"].outcome is StepOutcome.FAILED
    assert "breaking" in steps["diff"].detail
    assert steps["server"].outcome is StepOutcome.SKIPPED
    assert "--handlers" in steps["server"].detail


def test_stale_committed_docs_fail_the_docs_step(notes_spec: Spec, tmp_path: Path) -> None:
    committed = tmp_path / "reference"
    committed.mkdir()
    (committed / "reference.md").write_text("old\n", encoding="utf-8")
    steps, _, _ = run_pipeline(notes_spec, handlers=None, docs_out=committed)
    assert steps["docs"].outcome is StepOutcome.FAILED
    assert "out of date" in steps["docs"].detail


def test_check_cli_prints_one_table_and_one_exit_code(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["check", str(NOTES_SPEC)])
    assert result.exit_code == 0, result.output
    for step in ("lint", "stubs --check", "docs", "server", "test"):
        assert step in result.output
    assert "PASSED" in result.output
    broken = _variant(tmp_path, "broken.yaml",
                      lambda d: d["paths"]["/health"]["get"].update(responses={}))
    result = CliRunner().invoke(cli, ["check", str(broken)])
    assert result.exit_code == 1, result.output
    assert "FAILED: lint" in result.output


SIGTERM_SCRIPT = """
import sys
from specfirst.contract_tests.pipeline import CheckOptions, CheckPipeline
from specfirst.contract_tests.pipeline.signals import sigterm_unwinds
from specfirst.contract_tests.tests.conftest import notes_server_command
from specfirst.contract_tests.tests.test_check_pipeline import fixed_tokens
from specfirst.generator.loader import Spec

def serve(spec, handlers, db_url, port):
    print(port, flush=True)
    return notes_server_command(handlers, port)

def started(step):
    if step.name == "tokens":
        print("testing", flush=True)

options = CheckOptions(handlers_package="specfirst.contract_tests.tests.apps.notes_app:create_app",
                       handlers_dir=None, server_command=serve, token_factory=fixed_tokens,
                       max_examples=200, start_timeout=30, on_step=started)
with sigterm_unwinds():
    CheckPipeline(Spec.from_path(sys.argv[1]), options).run()
"""


def test_sigterm_during_the_test_still_stops_the_server(tmp_path: Path) -> None:
    import signal
    import subprocess

    script = tmp_path / "run.py"
    script.write_text(SIGTERM_SCRIPT, encoding="utf-8")
    process = subprocess.Popen([sys.executable, str(script), str(NOTES_SPEC)],
                               stdout=subprocess.PIPE, text=True, cwd=Path.cwd())
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        assert process.stdout.readline().strip() == "testing"
        assert listening(port)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 143
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert not listening(port)


def test_tenant_isolation_runs_only_for_an_api_that_declares_tenants(tmp_path: Path) -> None:
    from specfirst.contract_tests.runner.defaults import ContractDefaults

    single = Spec.from_path(_variant(tmp_path, "single.yaml",
                                     lambda d: d.pop("x-specfirst-tenants")))
    leak = "specfirst.contract_tests.tests.apps.broken_app:tenant_leak_app"
    steps, _, _ = run_pipeline(single, leak)
    assert "another tenant" not in steps["tokens"].detail
    assert steps["test"].outcome is StepOutcome.OK, steps["test"].report
    steps, _, _ = run_pipeline(single, leak, contract=ContractDefaults(tenants=True))
    assert "another tenant's token" in steps["tokens"].detail
    assert steps["test"].outcome is StepOutcome.FAILED
    assert "tenant_isolation" in steps["test"].report


def test_check_reads_its_defaults_from_the_project(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.specfirst]\nspec = "notes.yaml"\n\n[tool.specfirst.test]\nphases = ["nope"]\n',
        encoding="utf-8")
    (tmp_path / "notes.yaml").write_text(NOTES_SPEC.read_text(encoding="utf-8"),
                                         encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", "--handlers",
                                      "specfirst.contract_tests.tests.apps.notes_app:create_app"])
    assert result.exit_code == 2, result.output
    assert "unknown phase 'nope'" in result.output
