"""`specfirst completion`: the shell completion script (Click's) for bash, zsh or fish."""

from __future__ import annotations

import click

__all__ = ["completion"]

SHELLS = ("bash", "zsh", "fish")


@click.command()
@click.argument("shell", type=click.Choice(SHELLS))
def completion(shell: str) -> None:
    """Print the completion script for SHELL (bash, zsh or fish).

    Commands, options, and choices complete; files complete where a path is expected.

    \b
    bash:  specfirst completion bash > ~/.local/share/bash-completion/completions/specfirst
    zsh:   specfirst completion zsh > "${fpath[1]}/_specfirst"
    fish:  specfirst completion fish > ~/.config/fish/completions/specfirst.fish

    Or, without a file, in ~/.bashrc: eval "$(specfirst completion bash)".
    """
    from click.shell_completion import get_completion_class
    from specfirst.contract_tests.cli import cli

    cls = get_completion_class(shell)
    assert cls is not None  # every name in SHELLS is one of Click's
    script = cls(cli, {}, "specfirst", "_SPECFIRST_COMPLETE").source()
    click.echo(script)
