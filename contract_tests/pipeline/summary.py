"""The one table `specfirst check` ends with: step, status, duration, detail."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from specfirst.contract_tests.pipeline.steps import StepOutcome, StepResult

__all__ = ["print_step", "print_summary_table", "steps_suite"]

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


def steps_suite(results: Sequence[StepResult]) -> ET.Element:
    """The steps of `specfirst check` as a JUnit `<testsuite>`, one test case per step."""
    suite = ET.Element("testsuite", {
        "name": "specfirst check",
        "tests": str(len(results)),
        "failures": str(sum(1 for result in results if result.failed)),
        "errors": "0",
        "skipped": str(sum(1 for result in results if result.outcome is StepOutcome.SKIPPED)),
        "time": f"{sum(result.duration for result in results):.3f}",
    })
    for result in results:
        case = ET.SubElement(suite, "testcase", {"classname": "specfirst.check",
                                                 "name": result.name,
                                                 "time": f"{result.duration:.3f}"})
        if result.failed:
            failure = ET.SubElement(case, "failure", {"message": result.detail[:500],
                                                      "type": "StepFailed"})
            failure.text = result.report or result.detail
        elif result.outcome is StepOutcome.SKIPPED:
            ET.SubElement(case, "skipped", {"message": result.detail[:500]})
    return suite
