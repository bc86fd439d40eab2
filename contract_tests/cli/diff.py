"""`specfirst diff`: classify every change between two versions of a spec."""

from __future__ import annotations

import click
from specfirst.contract_tests.cli.options import settings_from, write_output
from specfirst.generator.diff import FORMATS, Level, compare, load_version, render

__all__ = ["diff"]


@click.command()
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default="text",
              show_default=True,
              help="Output format: markdown is a changelog section grouped by resource; github "
                   "prints workflow annotations at the change's line; junit and sarif (2.1.0) "
                   "are for CI test and code-scanning reports.")
@click.option("--fail-on", type=click.Choice(["breaking", "warning"]), default=None,
              help="Exit 1 when a change at this level or worse is found.")
@click.option("--include-descriptions", is_flag=True,
              help="Also report changed summaries and descriptions (info).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to FILE, not stdout.")
def diff(old: str, new: str, fmt: str, fail_on: str | None, include_descriptions: bool,
         output: str | None) -> None:
    """Classify every change from OLD to NEW as breaking, warning or info.

    OLD and NEW are spec files, or git:REF:path to read a version from git history
    (e.g. git:main:openapi/crm.yaml; the path is relative to the repository's top folder, or to
    the current folder when it starts with ./). Moved or renamed $ref targets that mean the same
    are not changes. Each change is reported once, where it was made (the schema component,
    or the operation when written in place), with the operations it affects; its level is
    decided per use (request or response side). Every change id and its level is listed in
    docs/diff.md.
    """
    settings = settings_from()
    old_spec = load_version(old, settings.limits)
    new_spec = load_version(new, settings.limits)
    result = compare(old_spec, new_spec, include_descriptions=include_descriptions)
    write_output(render(result, fmt), output)
    if fail_on is not None and result.at_least(Level.parse(fail_on)):
        raise SystemExit(1)
