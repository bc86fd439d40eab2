"""`specfirst stubs`: scaffold and extend Connexion handler modules, or check them (drift gate)."""

from __future__ import annotations

from pathlib import Path

import click
from specfirst.contract_tests.cli.options import load_spec_arg, settings_from
from specfirst.generator.stubs import check_stubs, generate_stubs

__all__ = ["stubs"]


@click.command()
@click.argument("spec", required=False)
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Handler package folder (default: the `handlers-dir` setting).")
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 listing every disagreement between package and spec.")
def stubs(spec: str | None, out_dir: str | None, check: bool) -> None:
    """Write a Connexion handler module per tag with a function per operation.

    Handler modules are yours: a later run only appends functions for operations the spec
    gained, and never changes a line already there. Functions whose operation was removed are
    reported, never deleted. `_models.py` (TypedDicts of the schemas) and `_operations.py`
    (the operation-to-handler table) are the generator's and are rewritten. A module that does
    not parse stops the run (exit 3). With --check, exits 1 when a handler is missing, its
    parameters no longer match the spec, or it handles an operation that no longer exists.
    """
    settings = settings_from()
    loaded = load_spec_arg(spec, settings)
    target = Path(out_dir) if out_dir else settings.path("handlers-dir")
    if check:
        result = check_stubs(loaded, target)
        for drift in result.drift:
            click.echo(str(drift))
        if result.drift:
            click.echo(f"{len(result.drift)} disagreement(s) between {target} and the spec",
                       err=True)
            raise SystemExit(1)
        click.echo(f"{target}: handlers match the spec", err=True)
        return
    result = generate_stubs(loaded, target)
    for module, functions in result.appended.items():
        click.echo(f"{module}: added {', '.join(functions)}")
    for drift in result.removed:
        click.echo(f"kept: {drift}")
    if not result.written:
        click.echo(f"{target}: up to date", err=True)
