"""What `specfirst test` shows a person: live progress while it runs, then a summary."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
)
from rich.table import Table
from schemathesis.engine import events
from specfirst.contract_tests.runner.results import RunResult
from specfirst.contract_tests.runner.verdict import Coverage

__all__ = ["LiveProgress", "brief_error", "print_coverage", "print_summary"]

_UNIT_PHASES = {"examples", "coverage", "fuzzing"}


class LiveProgress:
    """A rich progress display fed by engine events: one bar per phase, failures counted."""

    def __init__(self, console: Console, total_operations: int):
        self.console = console
        self.total = total_operations
        self.failures = 0
        self.progress = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
            MofNCompleteColumn(), TextColumn("[red]{task.fields[failures]}"),
            console=console, transient=False,
        )
        self.tasks: dict[str, TaskID] = {}

    @contextmanager
    def running(self) -> Iterator[LiveProgress]:
        with self.progress:
            yield self

    def _failures_text(self) -> str:
        return f"{self.failures} failing" if self.failures else ""

    def __call__(self, event: events.EngineEvent) -> None:
        if isinstance(event, events.PhaseStarted):
            name = str(event.phase.name.value)
            if name in _UNIT_PHASES or name == "stateful":
                total = self.total if name in _UNIT_PHASES else None
                self.tasks[name] = self.progress.add_task(name, total=total,
                                                          failures=self._failures_text())
        elif isinstance(event, events.PhaseFinished):
            task = self.tasks.get(str(event.phase.name.value))
            if task is not None:
                current = self.progress.tasks[task]
                self.progress.update(task, total=current.completed or 1,
                                     completed=current.completed or 1)
        elif isinstance(event, (events.ScenarioFinished, events.FuzzScenarioFinished)):
            if event.status == "failure":
                self.failures += 1
            phase = getattr(event, "phase", None)
            task = self.tasks.get(str(phase.value)) if phase is not None else None
            if task is not None:
                self.progress.update(task, advance=1, failures=self._failures_text())


def brief_error(text: str) -> str:
    """An engine error in one line: its title and its most specific detail."""
    lines = [line.strip() for line in text.splitlines()
             if line.strip() and not line.strip().startswith("Tip:")]
    if not lines:
        return "error"
    return lines[0] if len(lines) == 1 else f"{lines[0]}: {lines[-1]}"


def print_summary(console: Console, result: RunResult) -> None:
    """Operations with what they exercised, failures by check and operation, the verdict."""
    table = Table(title="Operations", title_justify="left")
    for column in ("operation", "cases", "documented", "seen", "failures"):
        table.add_column(column, justify="right" if column in ("cases", "failures") else "left")
    for operation in result.operations.values():
        failures = len(operation.failures) + len(operation.errors)
        table.add_row(
            escape(operation.label), str(operation.cases), " ".join(operation.documented_statuses),
            " ".join(str(code) for code in sorted(operation.seen_statuses)),
            f"[red]{failures}[/]" if failures else "0",
        )
    console.print(table)
    counts = result.failure_counts()
    if counts:
        by_check = Table(title="Failures by check and operation", title_justify="left")
        by_check.add_column("check")
        by_check.add_column("operation")
        by_check.add_column("distinct failures", justify="right")
        for (check, label), count in sorted(counts.items()):
            by_check.add_row(check, label, str(count))
        console.print(by_check)
        for failure in result.failures:
            console.print(f"[bold red]✗[/] [bold]{escape(failure.operation)}[/] "
                          f"[cyan]{escape(failure.check)}[/]: {escape(failure.title)} "
                          f"(status {failure.status})", highlight=False)
            first = failure.message.strip().splitlines()[0] if failure.message.strip() else ""
            if first:
                console.print(f"    {first}", highlight=False, markup=False)
            if failure.chain:
                # a stateful failure: the whole chain, in the order it was sent
                steps = [*failure.chain, failure.curl]
                for number, curl in enumerate(steps, 1):
                    first_line = curl.splitlines()[0] if curl else ""
                    console.print(f"    {number}/{len(steps)} {first_line}", highlight=False,
                                  markup=False)
            else:
                console.print(f"    {failure.curl.splitlines()[0] if failure.curl else ''}",
                              highlight=False, markup=False)
    errors: dict[str, dict[str, None]] = {}
    for error in result.errors:
        errors.setdefault(brief_error(error), {})["run"] = None
    for operation in result.operations.values():
        for error in operation.errors:
            errors.setdefault(brief_error(error), {})[operation.label] = None
    for text, where in errors.items():
        place = next(iter(where)) if len(where) == 1 else f"{len(where)} operations"
        console.print(f"[bold red]error[/] ({escape(place)}): {escape(text)}", highlight=False)
    if result.cases == 0 and not errors:
        console.print("[bold red]error:[/] no test case was run (no examples, or every phase "
                      "was skipped)", highlight=False)
    if result.links:
        unfollowed = [link for link in result.links.values() if not link.followed]
        console.print(f"links: {result.links_followed} of {len(result.links)} followed, "
                      f"{sum(1 for link in result.links.values() if link.succeeded)} to a 2xx",
                      highlight=False)
        for link in unfollowed:
            console.print(f"[yellow]link not followed:[/] {escape(link.key)}", highlight=False)
    verdict = "[bold red]FAILED[/]" if result.failed else "[bold green]PASSED[/]"
    console.print(
        f"{verdict}: {len(result.operations)} operations, {result.cases} cases, "
        f"{len(result.failures)} distinct failures, seed {result.seed}, "
        f"{result.duration:.1f} s (stop: {result.stop_reason})", highlight=False,
    )


def print_coverage(console: Console, coverage: Coverage) -> None:
    """Operations that never reached a success, and a likely wrong base URL; red when they
    fail the run, yellow when they are a warning."""
    style = "bold red" if coverage.failed else "yellow"
    label = "error" if coverage.failed else "warning"
    for line in coverage.lines():
        console.print(f"[{style}]{label}:[/] {escape(line)}", highlight=False)
    for line in coverage.exempt_lines():
        console.print(f"note: {escape(line)}", highlight=False)
