"""`specfirst lint`: validate specs and apply the style rules."""

from __future__ import annotations

import click

from contract_tests.cli.options import load_spec_arg, settings_from, write_output
from generator.lint import FORMATS, lint_spec, merge_results, render

__all__ = ["lint"]


@click.command()
@click.argument("specs", nargs=-1, metavar="SPEC...")
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default="text",
              show_default=True, help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to FILE, not stdout.")
def lint(specs: tuple[str, ...], fmt: str, output: str | None) -> None:
    """Validate OpenAPI 3.0/3.1 specs and apply the style rules.

    Every finding is reported at once, with file:line:col (in the file where it is, through
    $refs), the JSON pointer, the rule id and a hint. Without SPEC, lints the configured spec.
    Exits 1 when any finding is an error.
    """
    settings = settings_from()
    results = []
    for spec_arg in specs or (None,):
        spec = load_spec_arg(spec_arg, settings)
        results.append((spec.display_path(spec.path), lint_spec(spec)))
    result = merge_results(results)
    write_output(render(result, fmt), output)
    if result.failed:
        raise SystemExit(1)
