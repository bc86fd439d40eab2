"""The command line as CI and shells see it: -v on every command, completion, --version."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from specfirst.contract_tests.cli import COMMANDS, cli

REPO = Path(__file__).resolve().parents[2]
SPECFIRST = Path(sys.executable).parent / "specfirst"
SPEC = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n"


def every_command() -> list[list[str]]:
    """The path of every command, groups' subcommands included (admin token create, ...)."""
    found: list[list[str]] = []

    def walk(command: click.Command, path: list[str]) -> None:
        found.append(path)
        if isinstance(command, click.Group):
            ctx = click.Context(command)
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None
                walk(sub, [*path, name])

    ctx = click.Context(cli)
    for name in sorted(COMMANDS):
        command = cli.get_command(ctx, name)
        assert command is not None
        walk(command, [name])
    return found


def test_verbose_is_accepted_by_every_command() -> None:
    paths = every_command()
    assert ["mock"] in paths and ["admin", "token", "create"] in paths
    for path in paths:
        for flag in ("-v", "-vv", "--verbose"):
            result = CliRunner().invoke(cli, [*path, flag, "--help"])
            assert result.exit_code == 0, (path, flag, result.output)
            assert "--verbose" in result.stdout, path


def _debug_lines(*args: str, cwd: Path) -> list[str]:
    result = subprocess.run([str(SPECFIRST), *args], cwd=cwd, capture_output=True, text=True,
                            timeout=300, env={**os.environ, "NO_COLOR": "1"})
    assert result.returncode in (0, 1), result.stderr
    return [line for line in result.stderr.splitlines() if line.startswith("DEBUG ")]


def test_verbose_counts_before_and_after_the_command(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(SPEC)
    assert _debug_lines("lint", "spec.yaml", cwd=tmp_path) == []
    assert _debug_lines("lint", "-v", "spec.yaml", cwd=tmp_path) == []  # -v is info
    for args in (["-vv", "lint"], ["lint", "-vv"], ["-v", "lint", "-v"]):
        lines = _debug_lines(*args, "spec.yaml", cwd=tmp_path)
        assert any("specfirst.generator.loader: read" in line for line in lines), args


def test_mock_takes_verbose_after_the_command() -> None:
    result = CliRunner().invoke(cli, ["mock", "-v", "--port", "not-a-port"])
    assert result.exit_code == 2
    assert "No such option" not in result.output and "not-a-port" in result.output


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_the_script(shell: str) -> None:
    result = CliRunner().invoke(cli, ["completion", shell])
    assert result.exit_code == 0, result.output
    assert "_SPECFIRST_COMPLETE" in result.stdout
    assert f"{shell}_complete" in result.stdout
    if shell == "bash":
        assert "complete -o nosort -F _specfirst_completion specfirst" in result.stdout


def test_completion_refuses_other_shells() -> None:
    result = CliRunner().invoke(cli, ["completion", "tcsh"])
    assert result.exit_code == 2 and "tcsh" in result.stderr


def _complete(words: str) -> list[str]:
    env = {**os.environ, "_SPECFIRST_COMPLETE": "bash_complete", "COMP_WORDS": words,
           "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1))}
    result = subprocess.run([str(SPECFIRST)], env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return [line.split(",", 1)[1] for line in result.stdout.splitlines()]


def test_the_script_completes_commands_options_and_choices() -> None:
    """What the shell gets when it calls back with the printed script's protocol."""
    assert {"bundle", "completion", "lint", "mock"} <= set(_complete("specfirst "))
    assert _complete("specfirst bun") == ["bundle"]
    assert "--verbose" in _complete("specfirst mock --")
    assert set(_complete("specfirst completion ")) == {"bash", "zsh", "fish"}
    assert "github" in _complete("specfirst lint --format ")


def test_version_is_the_distribution_version() -> None:
    result = subprocess.run([str(SPECFIRST), "--version"], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0
    assert result.stdout.strip() == f"specfirst, version {version('specfirst')}"
