"""docs/reference/ is the reference CRM spec's docs, regenerated: it must match the spec."""

from __future__ import annotations

from pathlib import Path

from specfirst.generator.docs import OUTPUTS, build_site, render_outputs
from specfirst.generator.loader import Spec

REPO = Path(__file__).resolve().parents[2]
REFRESH = "specfirst docs openapi/crm.yaml --out docs/reference"


def test_docs_reference_is_current() -> None:
    rendered = render_outputs(build_site(Spec.from_path(REPO / "openapi" / "crm.yaml"),
                                         "openapi/crm.yaml"))
    folder = REPO / "docs" / "reference"
    stale = [name for name in OUTPUTS
             if not (folder / name).exists()
             or (folder / name).read_text(encoding="utf-8") != rendered[name]]
    assert not stale, (f"docs/reference is out of date with openapi/crm.yaml ({', '.join(stale)}); "
                       f"refresh it with `{REFRESH}` from the repository root")
