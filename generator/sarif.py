"""SARIF 2.1.0, the envelope every specfirst report in that format shares (lint, diff)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any
from urllib.parse import quote

__all__ = ["SARIF_SCHEMA", "artifact", "sarif_log", "tool_version"]

SARIF_SCHEMA = ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
                "sarif-schema-2.1.0.json")


def tool_version() -> str:
    try:
        return version("specfirst")
    except PackageNotFoundError:
        return "0.0.0"


def artifact(file: str) -> dict[str, str]:
    """A relative path under %SRCROOT% (the working directory), else an absolute file URI."""
    path = Path(file)
    if not path.is_absolute() and ".." not in path.parts:
        return {"uri": quote(path.as_posix()), "uriBaseId": "%SRCROOT%"}
    return {"uri": path.resolve().as_uri()}


def sarif_log(tool: str, rules: Sequence[dict[str, Any]],
              results: Sequence[dict[str, Any]]) -> str:
    """One run of `tool` with its rule descriptors and results, as SARIF 2.1.0 text."""
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": tool,
                "version": tool_version(),
                "informationUri": "https://pypi.org/project/specfirst/",
                "rules": list(rules),
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().as_uri() + "/"}},
            "columnKind": "unicodeCodePoints",
            "results": list(results),
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
