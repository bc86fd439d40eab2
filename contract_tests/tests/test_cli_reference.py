from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from specfirst.contract_tests.cli import COMMANDS, cli
from specfirst.contract_tests.cli.help_doc import render_cli_reference

REPO = Path(__file__).resolve().parents[2]


def test_docs_cli_md_equals_the_real_help() -> None:
    expected = render_cli_reference()
    actual = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert actual == expected, (
        "docs/cli.md is out of date: run "
        "`python -m specfirst.contract_tests.cli.help_doc > docs/cli.md`"
    )


def test_every_command_answers_dash_h() -> None:
    runner = CliRunner()
    for name in COMMANDS:
        result = runner.invoke(cli, [name, "-h"])
        assert result.exit_code == 0, (name, result.output)
        assert "Usage: " in result.output


def test_version_and_unknown_command() -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["--version"]).output.startswith("specfirst, version ")
    result = runner.invoke(cli, ["no-such-command"])
    assert result.exit_code == 2
