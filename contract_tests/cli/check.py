"""`specfirst check`: the CI pipeline on one spec, with one summary table and one exit code."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click
from rich.console import Console
from specfirst.contract_tests.cli.options import load_spec_arg, settings_from
from specfirst.contract_tests.pipeline import CheckOptions, CheckPipeline
from specfirst.contract_tests.pipeline.check import CHECK_MAX_EXAMPLES
from specfirst.contract_tests.pipeline.signals import sigterm_unwinds
from specfirst.contract_tests.pipeline.summary import print_step, print_summary_table
from specfirst.contract_tests.runner import PHASES, RunOptions, available_checks, parse_list
from specfirst.contract_tests.runner.console import LiveProgress, print_coverage, print_summary
from specfirst.contract_tests.runner.defaults import contract_defaults
from specfirst.contract_tests.runner.results import operations_of
from specfirst.generator.errors import UsageError
from specfirst.generator.lint.config import LintConfig

__all__ = ["check"]


@click.command()
@click.argument("spec", required=False)
@click.option("--handlers", "handlers_package", metavar="PACKAGE",
              help="Handler package to serve SPEC with (default: handlers-package, for the "
                   "configured spec).")
@click.option("--handlers-dir", type=click.Path(file_okay=False),
              help="Folder of that package, for the drift check (default: handlers-dir).")
@click.option("--db", "db_url", metavar="URL",
              help="Database for the server (default: a fresh temporary SQLite file).")
@click.option("--baseline", metavar="REF",
              help="Also fail on breaking changes since this version (file or git:REF:path).")
@click.option("--junit", type=click.Path(dir_okay=False), help="Contract-test JUnit XML to FILE.")
@click.option("--report", "report_dir", type=click.Path(file_okay=False),
              help="Contract-test index.html and coverage.json to DIR.")
@click.option("--max-examples", type=click.IntRange(min=1),
              help=f"Generated cases per operation and phase (default {CHECK_MAX_EXAMPLES}).")
@click.option("--seed", type=int, help="Seed of the contract test, for a repeatable run.")
@click.option("--phases", metavar="LIST", help=f"Contract-test phases [{','.join(PHASES)}].")
@click.option("--checks", metavar="LIST",
              help="Comma-separated contract checks to run (default: all).")
@click.option("--require-success/--no-require-success", default=None,
              help="Fail when an operation documenting a 2xx never got one (default: on).")
def check(spec: str | None, handlers_package: str | None, handlers_dir: str | None,
          db_url: str | None, baseline: str | None, junit: str | None, report_dir: str | None,
          max_examples: int | None, seed: int | None, phases: str | None, checks: str | None,
          require_success: bool | None) -> None:
    """Run the CI pipeline on SPEC (default: the configured spec).

    lint → stubs --check → docs → serve SPEC on 127.0.0.1 with a fresh temporary SQLite
    database (or --db) → create a token (and a narrower read-only token; another tenant's
    token when the API declares tenants) → specfirst test → stop the server. The token is
    sent the way each operation's security scheme asks. With --baseline, also the
    breaking-change diff. [tool.specfirst.test] sets the contract test's defaults; flags win.
    An operation that documents a 2xx and never got one fails the test step (unless
    --no-require-success). Prints one table (step, status, duration, detail); exits 0 when
    every step passed or was skipped, 1 when any failed. The server is always stopped, also
    on Ctrl-C.
    """
    settings = settings_from()
    defaults = contract_defaults(settings.get("test") or {})
    if checks:
        defaults = replace(defaults, checks=parse_list(checks))
    if require_success is None:
        require_success = True if defaults.require_success is None else defaults.require_success
    loaded = load_spec_arg(spec, settings)
    is_configured = loaded.path.resolve() == settings.path("spec").resolve()
    package = handlers_package or (settings["handlers-package"] if is_configured else None)
    folder = (Path(handlers_dir) if handlers_dir
              else settings.path("handlers-dir") if is_configured else None)
    err = Console(stderr=True)
    progress = LiveProgress(err, total_operations=len(operations_of(loaded.document)))
    options = CheckOptions(
        handlers_package=package,
        handlers_dir=folder,
        docs_out=settings.path("docs-out") if is_configured else None,
        limits=settings.limits,
        lint_config=LintConfig.from_settings(settings),
        db_url=db_url,
        baseline=baseline,
        junit=Path(junit) if junit else None,
        report_dir=Path(report_dir) if report_dir else None,
        max_examples=max_examples or (defaults.max_examples if "max-examples" in
                                      (settings.get("test") or {}) else CHECK_MAX_EXAMPLES),
        seed=seed if seed is not None else defaults.seed,
        phases=parse_list(phases) or defaults.phases or PHASES,
        contract=defaults,
        require_success=require_success,
        on_step=lambda result: print_step(err, result),
        on_event=progress,
    )
    _validate(options.phases, defaults.checks)
    pipeline = CheckPipeline(loaded, options)
    with sigterm_unwinds(), progress.running():
        results = pipeline.run()
    out = Console()
    if pipeline.contract is not None and (pipeline.contract.failed or (
            pipeline.coverage is not None and pipeline.coverage.failed)):
        print_summary(out, pipeline.contract)
    if pipeline.coverage is not None:
        print_coverage(out, pipeline.coverage)
    print_summary_table(out, results)
    if any(result.failed for result in results):
        raise SystemExit(1)


def _validate(phases: tuple[str, ...], checks: tuple[str, ...]) -> None:
    """Wrong phases or checks (flags or [tool.specfirst.test]) are usage errors before any step
    runs, not a failed test step after a server was started."""
    RunOptions(url="http://127.0.0.1", phases=phases)
    known = set(available_checks())
    unknown = [name for name in checks if name not in known]
    if unknown:
        raise UsageError(f"unknown check {unknown[0]!r}",
                         hint=f"choose from: {', '.join(sorted(known))}")
