"""Options and helpers shared by several commands."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
from specfirst.generator.config import Settings, load_settings
from specfirst.generator.errors import UsageError
from specfirst.generator.loader import Spec

__all__ = ["load_spec_arg", "parse_headers", "settings_from", "write_output"]


def settings_from(overrides: Mapping[str, Any] | None = None) -> Settings:
    return load_settings(overrides)


def load_spec_arg(spec: str | None, settings: Settings) -> Spec:
    """The SPEC argument, or the configured default, read through the safe loader."""
    path = Path(spec) if spec else settings.path("spec")
    return Spec.from_path(path, settings.limits)


def parse_headers(values: tuple[str, ...]) -> dict[str, str]:
    """`--header 'K: V'` values as a dict; a malformed one is a usage error."""
    headers: dict[str, str] = {}
    for value in values:
        name, sep, content = value.partition(":")
        if not sep or not name.strip():
            raise UsageError(f"--header {value!r} must look like 'Name: value'")
        headers[name.strip()] = content.strip()
    return headers


def write_output(text: str, output: str | None) -> None:
    """Write to `--output FILE`, or to stdout."""
    if output:
        path = Path(output)
        if path.parent and not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
