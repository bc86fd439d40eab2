"""Docs from a spec: a self-contained HTML reference, Markdown, Postman v2.1 and API Blueprint."""

from __future__ import annotations

from pathlib import Path

from specfirst.generator.docs.render import OUTPUTS, TEMPLATES_DIR, render_outputs, write_outputs
from specfirst.generator.docs.site import build_site
from specfirst.generator.docs.views import OperationView, SchemaView, SiteView
from specfirst.generator.loader import Spec

__all__ = [
    "OUTPUTS",
    "OperationView",
    "SchemaView",
    "SiteView",
    "TEMPLATES_DIR",
    "build_site",
    "render_docs",
    "render_outputs",
    "write_outputs",
]


def render_docs(spec: Spec, out: Path, templates: Path | None = None,
                source: str | None = None) -> list[Path]:
    """Render every output for `spec` into `out`; returns the files written."""
    site = build_site(spec, source)
    return write_outputs(render_outputs(site, templates), out)
