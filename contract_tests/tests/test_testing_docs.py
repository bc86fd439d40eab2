"""docs/testing.md and docs/ci.md stay true to the code they describe."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from specfirst.contract_tests.cli import cli
from specfirst.contract_tests.runner import CUSTOM_CHECKS
from specfirst.contract_tests.runner.defaults import _KEYS as TEST_KEYS
from specfirst.contract_tests.runner.options import (
    MISSING_HEADER_STATUSES,
    NEGATIVE_DATA_STATUSES,
    POSITIVE_DATA_STATUSES,
)

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _options(command: str) -> set[str]:
    output = CliRunner().invoke(cli, [command, "-h"], terminal_width=200).output
    return set(re.findall(r"(--[a-z][a-z-]+)", output))


def test_testing_md_documents_every_check_key_and_option() -> None:
    text = (DOCS / "testing.md").read_text(encoding="utf-8")
    for check in CUSTOM_CHECKS:
        assert f"| `{check}` |" in text, check
    for key in TEST_KEYS:
        assert f"\n{key} = " in text, key
    for option in _options("test") - {"--help", "--verbose"}:  # every command's; docs/ci.md
        assert f"`{option}" in text, option
    for name, statuses in (("positive-data-statuses", POSITIVE_DATA_STATUSES),
                           ("negative-data-statuses", NEGATIVE_DATA_STATUSES),
                           ("missing-header-statuses", MISSING_HEADER_STATUSES)):
        assert f'{name} = {list(statuses)}'.replace("'", '"') in text, name


def test_ci_md_documents_every_step_and_option() -> None:
    text = (DOCS / "ci.md").read_text(encoding="utf-8")
    for step in ("lint", "stubs --check", "docs", "diff", "server", "tokens", "test",
                 "stop server"):
        assert f"| `{step}` |" in text, step
    for option in _options("check") - {"--help"}:
        assert option in text, option
