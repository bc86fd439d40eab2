"""The run as one self-contained HTML page: failures grouped by operation and check, each with a
`curl` reproduction, then the coverage matrix of documented and seen status codes."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import jinja2
from specfirst.contract_tests.runner.results import (
    FailureRecord,
    LinkResult,
    OperationResult,
    RunResult,
)

__all__ = ["ReportView", "render_html"]

_TEMPLATES = Path(__file__).with_name("templates")


@dataclass(frozen=True)
class StatusView:
    code: str
    missing: bool = False
    undocumented: bool = False


@dataclass(frozen=True)
class CheckGroupView:
    check: str
    failures: tuple[FailureRecord, ...]


@dataclass(frozen=True)
class OperationView:
    label: str
    anchor: str
    documented: tuple[StatusView, ...]
    seen: tuple[StatusView, ...]
    cases: int
    failures: int
    errors: tuple[str, ...]
    groups: tuple[CheckGroupView, ...]


@dataclass(frozen=True)
class ReportView:
    title: str
    failed: bool
    seed: int | None
    duration: str
    base_url: str
    cases: int
    failure_count: int
    errors: tuple[str, ...]
    operations: tuple[OperationView, ...]
    links: tuple[LinkResult, ...] = ()

    @property
    def links_followed(self) -> int:
        return sum(1 for link in self.links if link.followed)

    @property
    def failing_operations(self) -> tuple[OperationView, ...]:
        return tuple(op for op in self.operations if op.failures or op.errors)


def _documents(documented: list[str], status: int) -> bool:
    code = str(status)
    return any(item in (code, f"{code[0]}XX", f"{code[0]}xx", "default") for item in documented)


def _operation_view(operation: OperationResult) -> OperationView:
    seen_codes = {str(code) for code in operation.seen_statuses}
    documented = tuple(
        StatusView(code, missing=(code.isdigit() and code not in seen_codes))
        for code in operation.documented_statuses
    )
    seen = tuple(
        StatusView(str(code), undocumented=not _documents(operation.documented_statuses, code))
        for code in sorted(operation.seen_statuses)
    )
    grouped: dict[str, list[FailureRecord]] = defaultdict(list)
    for failure in operation.failures:
        grouped[failure.check].append(failure)
    return OperationView(
        label=operation.label,
        anchor=re.sub(r"[^a-z0-9]+", "-", operation.label.lower()).strip("-"),
        documented=documented,
        seen=seen,
        cases=operation.cases,
        failures=len(operation.failures),
        errors=tuple(operation.errors),
        groups=tuple(CheckGroupView(check, tuple(items))
                     for check, items in sorted(grouped.items())),
    )


def report_view(result: RunResult, title: str) -> ReportView:
    return ReportView(
        title=title,
        failed=result.failed,
        seed=result.seed,
        duration=f"{result.duration:.1f}",
        base_url=result.base_url,
        cases=result.cases,
        failure_count=len(result.failures),
        errors=tuple(result.errors),
        operations=tuple(_operation_view(op) for op in result.operations.values()),
        links=tuple(result.links.values()),
    )


def render_html(result: RunResult, title: str) -> str:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    return environment.get_template("index.html.jinja").render(report=report_view(result, title))
