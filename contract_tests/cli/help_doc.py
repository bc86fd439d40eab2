"""Render the command-line reference (docs/cli.md) from the real `--help` of every command.

`python -m contract_tests.cli.help_doc > docs/cli.md` regenerates it; a test keeps them equal.
"""

from __future__ import annotations

import sys

import click
from specfirst.contract_tests.cli import cli

__all__ = ["render_cli_reference"]


def _walk(command: click.Command, path: list[str], parent: click.Context | None,
          out: list[str]) -> None:
    ctx = click.Context(command, info_name=path[-1], parent=parent, terminal_width=100,
                        help_option_names=["-h", "--help"],
                        max_content_width=100)
    title = " ".join(path)
    level = "#" * min(len(path) + 1, 4)
    out.append(f"{level} `{title}`\n\n```text\n{command.get_help(ctx)}\n```\n")
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                _walk(sub, [*path, name], ctx, out)


def render_cli_reference() -> str:
    out = [
        "# Command-line reference\n",
        "Generated from the real `--help` of every command "
        "(`python -m specfirst.contract_tests.cli.help_doc > docs/cli.md`); "
        "a test keeps it current.\n",
    ]
    _walk(cli, ["specfirst"], None, out)
    return "\n".join(out)


if __name__ == "__main__":
    sys.stdout.write(render_cli_reference())
