"""The `specfirst` command line: a click group whose commands are imported when used."""

from __future__ import annotations

import importlib
import logging
import sys
from typing import Any

import click
from specfirst.generator.errors import SpecfirstError

__all__ = ["main"]

# command name -> "module:attribute"; modules are imported only when their command runs.
COMMANDS: dict[str, str] = {
    "admin": "specfirst.contract_tests.cli.admin:admin",
    "bench": "specfirst.contract_tests.cli.bench:bench",
    "bundle": "specfirst.contract_tests.cli.bundle:bundle",
    "check": "specfirst.contract_tests.cli.check:check",
    "completion": "specfirst.contract_tests.cli.completion:completion",
    "diff": "specfirst.contract_tests.cli.diff:diff",
    "docs": "specfirst.contract_tests.cli.docs:docs",
    "init": "specfirst.contract_tests.cli.init:init",
    "lint": "specfirst.contract_tests.cli.lint:lint",
    "mock": "specfirst.contract_tests.cli.mock:mock",
    "serve": "specfirst.contract_tests.cli.serve:serve",
    "stubs": "specfirst.contract_tests.cli.stubs:stubs",
    "test": "specfirst.contract_tests.cli.test:test",
}

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class LazyGroup(click.Group):
    """A group that imports a command's module only when that command is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        assert isinstance(command, click.Command)
        return with_verbose(command)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SpecfirstError as exc:
            report_error(exc)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)


def _set_verbosity(ctx: click.Context, verbose: int) -> int:
    """Add `verbose` to what the parent commands counted; set the log level; return the total."""
    parent = ctx.parent.meta.get("specfirst.verbose", 0) if ctx.parent is not None else 0
    total = int(parent) + verbose
    ctx.meta["specfirst.verbose"] = total
    logging.getLogger().setLevel(logging.WARNING - 10 * min(total, 2))
    return total


def _verbose_callback(ctx: click.Context, _param: click.Parameter, value: int) -> int:
    return _set_verbosity(ctx, value or 0)


def verbose_option() -> click.Option:
    return click.Option(["-v", "--verbose"], count=True, expose_value=False,
                        callback=_verbose_callback,
                        help="Log what happens (-vv for debug); also accepted before the command.")


def with_verbose(command: click.Command) -> click.Command:
    """`-v/--verbose` on the command and, for a group, on every command under it (once)."""
    if not any(isinstance(p, click.Option) and "--verbose" in p.opts for p in command.params):
        command.params.append(verbose_option())
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            with_verbose(sub)
    return command


def report_error(exc: SpecfirstError) -> None:
    """The one place a toolkit error becomes text for a person."""
    click.secho(f"error: {exc}", fg="red", err=True)
    if exc.hint:
        click.echo(f"  hint: {exc.hint}", err=True)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("specfirst")
    except PackageNotFoundError:
        return "0.0.0"


@click.group(cls=LazyGroup, context_settings=CONTEXT)
@click.version_option(_version(), "--version", prog_name="specfirst")
@click.option("-v", "--verbose", count=True, help="Log what happens (-vv for debug).")
@click.pass_context
def cli(ctx: click.Context, verbose: int) -> None:
    """Design-first OpenAPI toolkit: the spec is the source of truth.

    Exit codes: 0 ok; 1 findings (lint errors, drift, contract failures, breaking changes);
    2 usage, configuration or unreadable input; 3 regeneration conflict.
    """
    logging.basicConfig(format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    _set_verbosity(ctx, verbose)
    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose


def main() -> None:
    """Console-script entry point."""
    try:
        cli.main(prog_name="specfirst", standalone_mode=True)
    except SpecfirstError as exc:  # raised while parsing, before a command runs
        report_error(exc)
        sys.exit(exc.exit_code)
