"""`specfirst bundle`: a multi-file spec as one self-contained document."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from specfirst.contract_tests.cli.options import load_spec_arg, settings_from, write_output
from specfirst.generator.errors import UsageError

__all__ = ["bundle", "dump_document"]

_BY_SUFFIX = {".json": "json", ".yaml": "yaml", ".yml": "yaml"}


def dump_document(document: dict[str, Any], fmt: str) -> str:
    """The document as YAML (block style, keys in document order) or as indented JSON."""
    text = json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"
    if fmt == "json":
        return text
    import yaml

    # Through JSON: no node is shared any more, so YAML writes no anchors or aliases (&id001).
    return str(yaml.safe_dump(json.loads(text), sort_keys=False, allow_unicode=True,
                              default_flow_style=False, width=100))


@click.command()
@click.argument("spec", required=False)
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write to FILE (its extension, .yaml/.yml or .json, sets the format); "
              "default: stdout.")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default=None,
              help="Output format (default: from the extension of --output, else yaml).")
def bundle(spec: str | None, output: str | None, fmt: str | None) -> None:
    """Write SPEC and every file it references as one self-contained document.

    References to other files are replaced by their content where first used; every `$ref` in
    the result is local (`#/...`), and schemas and other components referenced from the root's
    `components` keep their names. The spec is read through the same safe loader as every
    command (no remote or out-of-folder references), so `specfirst lint` of the result reports
    the same findings at the same JSON pointers. Without SPEC, bundles the configured spec.
    """
    settings = settings_from()
    if fmt is None:
        suffix = Path(output).suffix.lower() if output else ""
        if output and suffix not in _BY_SUFFIX:
            raise UsageError(f"--output {output!r}: cannot tell the format from {suffix or 'no'}"
                             " extension; use .yaml, .yml or .json, or pass --format")
        fmt = _BY_SUFFIX.get(suffix, "yaml")
    loaded = load_spec_arg(spec, settings)
    if output and Path(output).resolve() in loaded.files:
        raise UsageError(f"--output {output!r} is one of the spec's own files; "
                         "write the bundle elsewhere")
    write_output(dump_document(loaded.document, fmt), output)
    if output:
        click.echo(f"bundled {len(loaded.files)} file(s) into {output}", err=True)
