"""`specfirst test`: contract-test an API against its spec with Schemathesis."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from specfirst.contract_tests.cli.options import load_spec_arg, parse_headers, settings_from
from specfirst.contract_tests.runner import (
    PHASES,
    RunOptions,
    load_app,
    parse_list,
    run_contract_tests,
    write_junit,
    write_report_dir,
)
from specfirst.contract_tests.runner.console import LiveProgress, print_coverage, print_summary
from specfirst.contract_tests.runner.defaults import contract_defaults
from specfirst.contract_tests.runner.results import operations_of
from specfirst.contract_tests.runner.verdict import coverage_of
from specfirst.generator.errors import UsageError

__all__ = ["test"]


@click.command()
@click.argument("spec", required=False)
@click.option("--url", help="Base URL of the running API (its paths are appended).")
@click.option("--app", "app_ref", metavar="MODULE:ATTR",
              help="Test an ASGI app in-process; MODULE:FACTORY() calls a factory.")
@click.option("--header", "-H", "headers", multiple=True, metavar="'K: V'",
              help="Send this header with every request (repeatable).")
@click.option("--token", envvar="SPECFIRST_TEST_TOKEN",
              help="Credential, sent the way each operation's security scheme asks (bearer, "
                   "Basic password, API key header/query/cookie) [env: SPECFIRST_TEST_TOKEN].")
@click.option("--basic-user", envvar="SPECFIRST_TEST_BASIC_USER",
              help="User name sent with the token under HTTP Basic (default: specfirst).")
@click.option("--max-examples", type=click.IntRange(min=1),
              help="Generated cases per operation and phase (default 25).")
@click.option("--seed", type=int, help="Seed for repeatable runs (printed when chosen at random).")
@click.option("--phases", metavar="LIST", help=f"Comma-separated phases [{','.join(PHASES)}].")
@click.option("--checks", metavar="LIST",
              help="Comma-separated checks to run (default: all; see docs/testing.md).")
@click.option("--junit", type=click.Path(dir_okay=False), help="Write JUnit XML to FILE.")
@click.option("--report", "report_dir", type=click.Path(file_okay=False),
              help="Write index.html and coverage.json to DIR.")
@click.option("--second-token", envvar="SPECFIRST_TEST_SECOND_TOKEN",
              help="A narrower token: operations needing scopes it lacks must answer 403.")
@click.option("--second-token-scopes", metavar="LIST", default="",
              help="Comma-separated scopes the second token holds (default: none).")
@click.option("--other-tenant-token", envvar="SPECFIRST_TEST_OTHER_TENANT_TOKEN",
              help="Another tenant's token: the main tenant's resources must answer it 404.")
@click.option("--operations", metavar="LIST",
              help="Comma-separated operationIds to test (default: every operation).")
@click.option("--max-failures", type=click.IntRange(min=1), help="Stop after N failures.")
@click.option("--require-success/--no-require-success", default=None,
              help="Fail when an operation documenting a 2xx never got one (default: off; "
                   "reported either way).")
def test(spec: str | None, url: str | None, app_ref: str | None, headers: tuple[str, ...],
         token: str | None, max_examples: int | None, seed: int | None, phases: str | None,
         checks: str | None, junit: str | None, report_dir: str | None,
         second_token: str | None, second_token_scopes: str, other_tenant_token: str | None,
         operations: str | None, max_failures: int | None, basic_user: str | None,
         require_success: bool | None) -> None:
    """Contract-test an API against SPEC with Schemathesis.

    Runs every phase (examples, coverage, fuzzing, stateful through OpenAPI links) and every
    Schemathesis check, plus specfirst's own: errors are application/problem+json, 201 has a
    Location, missing scopes answer 403 (--second-token), other tenants get 404
    (--other-tenant-token). A relative server URL of the spec (`/v1`) is resolved against
    --url. [tool.specfirst.test] sets defaults (headers, token, budgets, checks); flags win.
    Exits 0 when nothing failed, 1 with a summary of the failures by check and operation.
    """
    if (url is None) == (app_ref is None):
        raise UsageError("give exactly one of --url URL or --app MODULE:ATTR")
    settings = settings_from()
    defaults = contract_defaults(settings.get("test") or {})
    loaded = load_spec_arg(spec, settings)
    options = RunOptions(
        url=url,
        app=load_app(app_ref) if app_ref else None,
        headers={**defaults.headers, **parse_headers(headers)},
        token=token or defaults.token,
        basic_user=basic_user or defaults.basic_user,
        max_examples=max_examples or defaults.max_examples,
        seed=seed if seed is not None else defaults.seed,
        phases=parse_list(phases) or defaults.phases,
        checks=parse_list(checks) or defaults.checks,
        second_token=second_token,
        second_token_scopes=frozenset(parse_list(second_token_scopes)),
        other_tenant_token=other_tenant_token,
        max_failures=max_failures,
        operation_ids=parse_list(operations),
        request_timeout=defaults.request_timeout,
        workers=defaults.workers,
        positive_data_statuses=defaults.positive_data_statuses,
        missing_header_statuses=defaults.missing_header_statuses,
        negative_data_statuses=defaults.negative_data_statuses,
    )
    console = Console(stderr=True)
    progress = LiveProgress(console, total_operations=len(operations_of(loaded.document)))
    with progress.running():
        result = run_contract_tests(loaded, options, on_event=progress)
    out = Console()
    print_summary(out, result)
    required = require_success if require_success is not None else bool(defaults.require_success)
    coverage = coverage_of(result, loaded.document, required=required,
                           exempt=defaults.success_exempt)
    print_coverage(out, coverage)
    title = str(loaded.document.get("info", {}).get("title") or loaded.path.name)
    if junit:
        write_junit(result, Path(junit))
    if report_dir:
        write_report_dir(result, Path(report_dir), title)
    if result.failed or coverage.failed:
        raise SystemExit(1)
