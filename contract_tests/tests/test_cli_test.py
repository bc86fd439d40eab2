"""`specfirst test` from the command line: in-process, over HTTP, reports, exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
import xmlschema
from click.testing import CliRunner
from specfirst.contract_tests.cli import cli
from specfirst.contract_tests.pipeline import ServerProcess, free_port
from specfirst.contract_tests.tests.conftest import NOTES_SPEC, notes_server_command

JUNIT_XSD = Path(__file__).with_name("junit.xsd")
FAST = ["--max-examples", "5", "--seed", "11"]


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["test", str(NOTES_SPEC), *args])
    return result.exit_code, result.output


def test_app_in_process_passes_and_writes_reports(tmp_path: Path) -> None:
    code, output = invoke("--app", "specfirst.contract_tests.tests.apps.notes_app:app",
                          "--token", "good-token", *FAST, "--junit", str(tmp_path / "j.xml"),
                          "--report", str(tmp_path / "report"))
    assert code == 0, output
    assert "PASSED" in output
    xmlschema.XMLSchema(JUNIT_XSD).validate(str(tmp_path / "j.xml"))
    assert (tmp_path / "report" / "index.html").is_file()
    assert (tmp_path / "report" / "coverage.json").is_file()


def test_failures_exit_1_with_a_summary_by_check_and_operation() -> None:
    code, output = invoke("--app", "specfirst.contract_tests.tests.apps.notes_app:create_app()",
                          "--token", "good-token", *FAST, "--header", "X-Trace: 1",
                          "--phases", "coverage")
    assert code == 0, output
    code, output = invoke("--app", "specfirst.contract_tests.tests.apps.broken_app:app",
                          "--token", "good-token", *FAST)
    assert code == 1, output
    assert "Failures by check and operation" in output
    assert "status_code_conformance" in output
    assert "DELETE /notes/{id}" in output
    assert "FAILED" in output


def test_url_over_loopback_with_authorization_checks(notes_server: ServerProcess) -> None:
    code, output = invoke("--url", notes_server.base_url, "--token", "good-token",
                          "--second-token", "read-token", "--second-token-scopes", "notes:read",
                          "--other-tenant-token", "other-token", *FAST)
    assert code == 0, output
    assert "PASSED" in output


def test_url_finds_a_tenant_leak_over_http() -> None:
    port = free_port()
    command = notes_server_command(
        "specfirst.contract_tests.tests.apps.broken_app:tenant_leak_app", port)
    with ServerProcess(command, port=port, start_timeout=30) as server:
        code, output = invoke("--url", server.base_url, "--token", "good-token",
                              "--other-tenant-token", "other-token", *FAST)
    assert code == 1, output
    assert "tenant_isolation" in output


@pytest.mark.parametrize("args, message", [
    ([], "exactly one of --url URL or --app"),
    (["--url", "http://127.0.0.1:9", "--app", "x:y"], "exactly one of"),
    (["--app", "nonexistent_module_xyz:app"], "cannot import"),
    (["--app", "specfirst.contract_tests.tests.apps.notes_app:nope"], "no attribute 'nope'"),
    (["--app", "specfirst.contract_tests.tests.apps.notes_app"], "MODULE:ATTR"),
    (["--app", "specfirst.contract_tests.tests.apps.notes_app:app", "--phases", "fuzing"],
     "unknown phase"),
    (["--app", "specfirst.contract_tests.tests.apps.notes_app:app", "--checks", "nope"],
     "unknown check"),
    (["--app", "specfirst.contract_tests.tests.apps.notes_app:app", "-H", "no-colon"],
     "must look like"),
])
def test_usage_errors_exit_2_without_a_traceback(args: list[str], message: str) -> None:
    code, output = invoke(*args)
    assert code == 2, output
    assert message in output
    assert "Traceback" not in output


def test_unreadable_spec_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["test", str(tmp_path / "missing.yaml"), "--url",
                                      "http://127.0.0.1:9"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_an_unreachable_api_fails_with_the_reason() -> None:
    port = free_port()
    code, output = invoke("--url", f"http://127.0.0.1:{port}", "--phases", "coverage", *FAST)
    assert code == 1, output
    assert "error (5 operations)" in output
    assert "Network Error" in output and "Connection refused" in output


def test_a_run_that_tests_nothing_fails() -> None:
    # the Notes spec has no examples, so the examples phase alone generates no test case
    code, output = invoke("--app", "specfirst.contract_tests.tests.apps.notes_app:app", "--phases",
                          "examples", *FAST)
    assert code == 1, output
    assert "no test case was run" in output


def test_a_wrong_base_url_is_named(notes_server: ServerProcess) -> None:
    # --no-require-success: the repository's own [tool.specfirst.test] requires success
    code, output = invoke("--url", notes_server.base_url + "/nowhere", "--token", "good-token",
                          "--phases", "coverage", "--no-require-success", *FAST)
    assert "likely wrong" in output, output
    assert f"{notes_server.base_url}/nowhere" in output
    assert "http://localhost:8000" in output  # the spec's server URL
    assert "warning: GET /notes: documents a 2xx and never got one" in output
    # without it, `test` reports it; --require-success makes it a failure
    code, output = invoke("--url", notes_server.base_url + "/nowhere", "--token", "good-token",
                          "--phases", "coverage", "--require-success", *FAST)
    assert code == 1, output
    assert "error: GET /notes: documents a 2xx and never got one" in output


def test_project_defaults_feed_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.specfirst]\nspec = "notes.yaml"\n\n[tool.specfirst.test]\n'
        'phases = ["coverage"]\nrequire-success = true\nmax-examples = 3\nseed = 4321\n'
        'headers = { "X-Trace" = "1" }\n', encoding="utf-8")
    (tmp_path / "notes.yaml").write_text(NOTES_SPEC.read_text(encoding="utf-8"),
                                         encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["test", "--app",
                                      "specfirst.contract_tests.tests.apps.notes_app:app"])
    # no token: every protected operation answers 401, which require-success refuses
    assert result.exit_code == 1, result.output
    assert "GET /notes: documents a 2xx and never got one" in result.output
    assert "seed 4321" in result.output
    result = CliRunner().invoke(cli, ["test", "--app",
                                      "specfirst.contract_tests.tests.apps.notes_app:app",
                                      "--token", "good-token"])
    assert result.exit_code == 0, result.output
