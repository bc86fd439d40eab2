"""Arrows point one way: generator imports nothing of ours; server never imports contract_tests;
no toolkit module imports the reference CRM application (`specfirst.server.crm`), which is
built on the toolkit's public API like any user's application and is not part of the wheel.

Imports are read from the code, including the ones made from strings (`importlib.import_module`,
`__import__`, and "module:attr" or dotted names in string literals that name one of our modules,
as passed to uvicorn factories or handler settings).
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("generator", "server", "contract_tests")
FORBIDDEN = {"generator": {"server", "contract_tests"}, "server": {"contract_tests"}}
CRM = "specfirst.server.crm"
CRM_FOLDER = ("server", "crm")
_DOTTED = re.compile(r"^(?:specfirst\.)?(generator|server|contract_tests)(?:\.[A-Za-z_]\w*)+"
                     r"(?::[A-Za-z_]\w*)?$")


def _ours(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] == "specfirst" and len(parts) > 1:
        parts = parts[1:]
    return parts[0] if parts[0] in PACKAGES else None


def imported_packages(path: Path) -> set[str]:
    """Our packages a module imports, by statement or from a string."""
    return set(filter(None, (_ours(m) for m in imported_modules(path))))


def imported_modules(path: Path) -> set[str]:
    """The modules of ours a module imports, by statement or from a string, as
    `specfirst.<package>...` (for `from X import Y`, both X and X.Y)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = _DOTTED.match(node.value.strip())
            if match and _module_exists(node.value.strip()):
                modules = [node.value.strip().split(":")[0]]
        names.update(_qualified(m) for m in modules if _ours(m))
    return names


def _qualified(module: str) -> str:
    return module if module.startswith("specfirst.") else f"specfirst.{module}"


def _is_crm(module: str) -> bool:
    return module == CRM or module.startswith(CRM + ".")


def _module_exists(dotted: str) -> bool:
    parts = dotted.split(":")[0].split(".")
    if parts[0] == "specfirst":
        parts = parts[1:]
    for n in range(len(parts), 1, -1):
        base = REPO.joinpath(*parts[:n])
        if base.with_suffix(".py").exists() or (base / "__init__.py").exists():
            return True
    return False


def test_string_imports_are_seen(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import importlib\n"
                      "importlib.import_module('specfirst.server.app')\n"
                      "FACTORY = 'contract_tests.cli:main'\n"
                      "NOT_A_MODULE = 'server.log'\n")
    assert imported_packages(module) == {"server", "contract_tests"}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_follow_the_layers(package: str) -> None:
    offenders = []
    for path in sorted((REPO / package).rglob("*.py")):
        if "tests" in path.relative_to(REPO).parts:
            continue
        bad = imported_packages(path) & FORBIDDEN[package]
        if bad:
            offenders.append(f"{path.relative_to(REPO)} imports {sorted(bad)}")
    assert offenders == []


def test_crm_imports_are_seen(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from specfirst.server import crm\n"
                      "HANDLERS = 'specfirst.server.crm.handlers'\n")
    assert {m for m in imported_modules(module) if _is_crm(m)} == {
        "specfirst.server.crm", "specfirst.server.crm.handlers"}


def _toolkit_modules() -> list[Path]:
    found = []
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            parts = path.relative_to(REPO).parts
            if "tests" in parts or "benchmarks" in parts or parts[:2] == CRM_FOLDER:
                continue
            found.append(path)
    return found


def test_no_toolkit_module_imports_the_crm() -> None:
    """Outside server/crm/ (and the tests and benchmarks, which exercise the CRM and are not
    shipped), nothing names the CRM's modules, in code or strings."""
    offenders = [f"{path.relative_to(REPO)} imports {sorted(crm)}"
                 for path in _toolkit_modules()
                 if (crm := {m for m in imported_modules(path) if _is_crm(m)})]
    assert len(_toolkit_modules()) > 100
    assert offenders == []


@pytest.mark.parametrize("package", PACKAGES)
def test_public_api_is_sorted_and_importable(package: str) -> None:
    module = __import__(f"specfirst.{package}", fromlist=["__all__"])
    exported = list(module.__all__)
    assert exported == sorted(exported)
    for name in exported:
        assert hasattr(module, name), name


def test_the_distribution_lists_every_product_package_and_nothing_else() -> None:
    """The wheel holds the product only, under the one import name `specfirst`: not the tests,
    the benchmarks, nor the reference CRM application."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"]
    assert config["package-dir"] == {f"specfirst.{p}": p for p in PACKAGES}
    found = set()
    for package in PACKAGES:
        for init in (REPO / package).rglob("__init__.py"):
            parts = init.parent.relative_to(REPO).parts
            if "tests" in parts or "benchmarks" in parts or parts[:2] == CRM_FOLDER:
                continue
            found.add(".".join(("specfirst", *parts)))
    assert sorted(config["packages"]) == sorted(found)
    assert not any(_is_crm(package) for package in config["packages"])
