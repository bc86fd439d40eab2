"""The one table `specfirst check` ends with: step, status, duration, detail."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from contract_tests.pipeline.steps import StepOutcome, StepResult

__all__ = ["print_step", "print_summary_table"]

_STYLE = {StepOutcome.OK: "green", StepOutcome.FAILED: "bold red", StepOutcome.SKIPPED: "yellow"}


def print_step(console: Console, result: StepResult) -> None:
    """One line as each step ends, and why a failed one failed."""
    style = _STYLE[result.outcome]
    console.print(f"[{style}]{result.outcome.value:>7}[/] {escape(result.name)} "
                  f"({result.duration:.1f} s): {escape(result.detail)}", highlight=False)
    if result.failed and result.report:
        console.print(result.report.rstrip(), markup=False, highlight=False)


def print_summary_table(console: Console, results: Sequence[StepResult]) -> None:
    table = Table(title="specfirst check", title_justify="left")
    table.add_column("step")
    table.add_column("status")
    table.add_column("duration", justify="right")
    table.add_column("detail", overflow="fold")
    for result in results:
        style = _STYLE[result.outcome]
        table.add_row(escape(result.name), f"[{style}]{result.outcome.value}[/]",
                      f"{result.duration:.1f} s", escape(result.detail))
    console.print(table)
    failed = [result.name for result in results if result.failed]
    if failed:
        console.print(f"[bold red]FAILED[/]: {escape(', '.join(failed))}", highlight=False)
    else:
        console.print("[bold green]PASSED[/]", highlight=False)
