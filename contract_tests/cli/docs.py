"""`specfirst docs`: the HTML reference, Markdown, Postman collection and API Blueprint."""

from __future__ import annotations

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
def docs(spec: str | None, out: str | None, templates: str | None) -> None:
    """Render reference docs for SPEC (default: the configured spec).

    Writes OUT/index.html (one self-contained page: no network needed to view it),
    OUT/reference.md, OUT/postman_collection.json (Postman v2.1) and OUT/api.apib
    (API Blueprint). Output is reproducible byte for byte.
    """
    settings = settings_from()
    loaded = load_spec_arg(spec, settings)
    target = Path(out) if out else settings.path("docs-out")
    written = render_docs(loaded, target, Path(templates) if templates else None,
                          source=loaded.display_path(loaded.path))
    for path in written:
        click.echo(f"wrote {path}")
