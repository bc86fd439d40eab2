"""`specfirst check`: the CI pipeline on one spec, with one summary table and one exit code."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from specfirst.contract_tests.cli.options import load_spec_arg, settings_from
from specfirst.contract_tests.pipeline import CheckOptions, CheckPipeline
from specfirst.contract_tests.pipeline.check import CHECK_MAX_EXAMPLES
from specfirst.contract_tests.pipeline.signals import sigterm_unwinds
from specfirst.contract_tests.pipeline.summary import print_step, print_summary_table
from specfirst.contract_tests.runner import PHASES, parse_list
from specfirst.contract_tests.runner.console import LiveProgress, print_summary
from specfirst.contract_tests.runner.results import operations_of
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
@click.option("--max-examples", type=click.IntRange(min=1), default=CHECK_MAX_EXAMPLES,
              show_default=True, help="Generated cases per operation and phase.")
@click.option("--seed", type=int, help="Seed of the contract test, for a repeatable run.")
@click.option("--phases", metavar="LIST", help=f"Contract-test phases [{','.join(PHASES)}].")
def check(spec: str | None, handlers_package: str | None, handlers_dir: str | None,
          db_url: str | None, baseline: str | None, junit: str | None, report_dir: str | None,
          max_examples: int, seed: int | None, phases: str | None) -> None:
    """Run the CI pipeline on SPEC (default: the configured spec).

    lint → stubs --check → docs → serve SPEC on 127.0.0.1 with a fresh temporary SQLite
    database (or --db) → create a token, a narrower read-only token and another tenant's
    token → specfirst test → stop the server. With --baseline, also the breaking-change diff.
    Prints one table (step, status, duration, detail); exits 0 when every step passed or was
    skipped, 1 when any failed. The server is always stopped, also on Ctrl-C.
    """
    settings = settings_from()
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
        max_examples=max_examples,
        seed=seed,
        phases=parse_list(phases) or PHASES,
        on_step=lambda result: print_step(err, result),
        on_event=progress,
    )
    pipeline = CheckPipeline(loaded, options)
    with sigterm_unwinds(), progress.running():
        results = pipeline.run()
    out = Console()
    if pipeline.contract is not None and pipeline.contract.failed:
        print_summary(out, pipeline.contract)
    print_summary_table(out, results)
    if any(result.failed for result in results):
        raise SystemExit(1)
