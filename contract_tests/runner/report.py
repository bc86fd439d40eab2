"""Write what a run was asked for: JUnit XML, and a folder with index.html and coverage.json."""

from __future__ import annotations

import json
from pathlib import Path

from specfirst.contract_tests.runner.html import render_html
from specfirst.contract_tests.runner.junit import render_junit
from specfirst.contract_tests.runner.results import RunResult
from specfirst.generator.errors import UsageError

__all__ = ["write_junit", "write_report_dir", "write_text"]


def write_text(path: Path, text: str) -> None:
    """Write a report file, creating its folder; a failure is a usage error with the reason."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None


def write_junit(result: RunResult, path: Path) -> None:
    write_text(path, render_junit(result))


def write_report_dir(result: RunResult, folder: Path, title: str) -> list[Path]:
    """`folder/index.html` and `folder/coverage.json`; returns the paths written."""
    html = folder / "index.html"
    coverage = folder / "coverage.json"
    write_text(html, render_html(result, title))
    write_text(coverage, json.dumps(result.coverage(), indent=2) + "\n")
    return [html, coverage]
