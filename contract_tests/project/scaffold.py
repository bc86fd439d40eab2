"""The project `specfirst init` writes: a starter spec, its handlers, tests, config and CI.

The spec (`openapi/openapi.yaml`, a small notes API in OpenAPI 3.1 with bearer auth and
problem+json errors) is clean under `specfirst lint --ruleset strict`. The handler package is
written by the stubs generator, exactly as `specfirst stubs` would, and the generated bodies are
then replaced by a small in-memory implementation, so `specfirst stubs --check` agrees and
`specfirst check` passes at once. The reference docs are rendered into `docs/reference`, which
`check` and the pre-commit hook keep fresh.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml
from specfirst.generator.errors import SpecfirstError, UsageError
from specfirst.generator.loader import Spec

__all__ = ["HANDLERS_PACKAGE", "InitResult", "SPEC_PATH", "create_project"]

SPEC_PATH = "openapi/openapi.yaml"
HANDLERS_PACKAGE = "api.handlers"
_HANDLERS_DIR = "api/handlers"
_STUB_BODY = re.compile(r"^(?P<indent>[ ]+)return not_implemented\('(?P<label>[^']+)'\)\n",
                        re.MULTILINE)
# generated import -> what the implementation needs with it
_IMPORTS = {
    "from typing import Any\n": "import uuid\nfrom typing import Any\n\n"
                                "from specfirst.server.problems import Problem\n",
    "from . import _models as models\n": "from ..store import NOTES\n"
                                         "from . import _models as models\n",
}
_UNUSED = "from ._operations import not_implemented\n"


@dataclass
class InitResult:
    """What `create_project` wrote, relative to the project folder, in order."""

    root: Path
    written: list[str] = field(default_factory=list)


def _template(name: str) -> str:
    return (resources.files("specfirst.contract_tests.project") / name).read_text(
        encoding="utf-8")


def _project_name(root: Path) -> str:
    name = re.sub(r"[^a-z0-9]+", "-", root.resolve().name.lower()).strip("-")
    return name or "api"


def _fill_handlers(module: Path) -> None:
    """Put the in-memory implementation where the generator left `not_implemented(...)`."""
    bodies = yaml.safe_load(_template("handler_bodies.yaml"))
    text = module.read_text(encoding="utf-8")

    def body(match: re.Match[str]) -> str:
        code = bodies.get(match.group("label"))
        if code is None:
            return match.group(0)
        indent = match.group("indent")
        return "".join(f"{indent}{line}\n" if line else "\n"
                       for line in str(code).rstrip("\n").split("\n"))

    text = _STUB_BODY.sub(body, text)
    for generated, wanted in _IMPORTS.items():
        if generated not in text:
            raise SpecfirstError(f"{module}: the generated module has no {generated.strip()!r}")
        text = text.replace(generated, wanted, 1)
    if "not_implemented(" not in text:
        text = text.replace(_UNUSED, "", 1)
    module.write_text(text, encoding="utf-8")


def create_project(root: Path) -> InitResult:
    """Write the project into `root`, which must be missing or empty (else a usage error)."""
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} is a file, not a folder")
    if root.is_dir() and any(root.iterdir()):
        entries = sorted(path.name for path in root.iterdir())
        shown = ", ".join(entries[:5]) + (", ..." if len(entries) > 5 else "")
        raise UsageError(f"{root} is not empty ({shown}); specfirst init never overwrites files",
                         hint="choose a new or empty folder: specfirst init DIR")
    result = InitResult(root)

    def write(relative: str, text: str) -> Path:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        result.written.append(relative)
        return path

    write(SPEC_PATH, _template("openapi.yaml"))
    from specfirst.generator.stubs import generate_stubs

    # The generated files name the spec relative to the project, as `specfirst stubs` run there
    # does; otherwise `stubs --check` would find them out of date.
    with contextlib.chdir(root):
        spec = Spec.from_path(SPEC_PATH)
        generate_stubs(spec, Path(_HANDLERS_DIR))
    write("api/__init__.py", '"""The API\'s implementation."""\n')
    write("api/store.py", _template("store.py.txt"))
    for module in sorted((root / _HANDLERS_DIR).glob("*.py")):
        relative = module.relative_to(root).as_posix()
        if not module.name.startswith("_"):
            _fill_handlers(module)
        result.written.append(relative)
    values = {"name": _project_name(root), "spec": SPEC_PATH,
              "handlers_package": HANDLERS_PACKAGE, "handlers_dir": _HANDLERS_DIR,
              "title": str(spec.document.get("info", {}).get("title", "API"))}
    write("pyproject.toml", _format(_template("pyproject.toml.txt"), values))
    write("tests/test_contract.py", _template("test_contract.py.txt"))
    write(".pre-commit-config.yaml", _format(_template("pre-commit-config.yaml.txt"), values))
    write(".github/workflows/api.yml", _template("api.yml.txt"))
    write(".gitignore", _template("gitignore.txt"))
    write("README.md", _format(_template("README.md.txt"), values))
    from specfirst.generator.docs import render_docs

    for path in render_docs(spec, root / "docs" / "reference", source=SPEC_PATH):
        result.written.append(path.relative_to(root).as_posix())
    return result


def _format(template: str, values: dict[str, str]) -> str:
    """`{name}` placeholders only; other braces are left as they are."""
    return re.sub(r"\{([a-z_]+)\}", lambda m: values.get(m.group(1), m.group(0)), template)
