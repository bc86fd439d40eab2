"""`specfirst docs`: the HTML reference, Markdown, Postman collection and API Blueprint."""

from __future__ import annotations

import filecmp
import tempfile
from pathlib import Path

import click
from specfirst.contract_tests.cli.options import load_spec_arg, settings_from
from specfirst.generator.docs import render_docs

__all__ = ["docs"]


@click.command()
@click.argument("spec", required=False, metavar="SPEC")
@click.option("--out", "-o", "out", type=click.Path(file_okay=False),
              help="Folder to write into (default: docs-out from [tool.specfirst], "
                   "docs/reference).")
@click.option("--templates", type=click.Path(file_okay=False),
              help="Folder of templates that override the built-in ones by file name.")
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 listing the files of OUT that are missing or differ "
              "from what the spec renders to (a stale committed reference).")
def docs(spec: str | None, out: str | None, templates: str | None, check: bool) -> None:
    """Render reference docs for SPEC (default: the configured spec).

    Writes OUT/index.html (one self-contained page: no network needed to view it),
    OUT/reference.md, OUT/postman_collection.json (Postman v2.1) and OUT/api.apib
    (API Blueprint). Output is reproducible byte for byte, so a committed copy can be checked
    for freshness with --check.
    """
    settings = settings_from()
    loaded = load_spec_arg(spec, settings)
    target = Path(out) if out else settings.path("docs-out")
    template_dir = Path(templates) if templates else None
    source = loaded.display_path(loaded.path)
    if not check:
        for path in render_docs(loaded, target, template_dir, source=source):
            click.echo(f"wrote {path}")
        return
    with tempfile.TemporaryDirectory(prefix="specfirst-docs-") as tmp:
        written = render_docs(loaded, Path(tmp), template_dir, source=source)
        stale = []
        for path in written:
            committed = target / path.relative_to(tmp)
            if not committed.is_file():
                stale.append(f"{committed}: missing")
            elif not filecmp.cmp(path, committed, shallow=False):
                stale.append(f"{committed}: differs from what the spec renders to")
    if stale:
        for line in stale:
            click.echo(line)
        click.echo(f"{target} is out of date; regenerate with: specfirst docs {source} "
                   f"--out {target}", err=True)
        raise SystemExit(1)
    click.echo(f"{target} is up to date ({len(written)} files)")
