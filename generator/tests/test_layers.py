"""Arrows point one way: generator imports nothing of ours; server never imports contract_tests."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FORBIDDEN = {"generator": {"server", "contract_tests"}, "server": {"contract_tests"}}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


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


@pytest.mark.parametrize("package", ["generator", "server", "contract_tests"])
def test_public_api_is_sorted_and_importable(package: str) -> None:
    module = __import__(package)
    exported = list(module.__all__)
    assert exported == sorted(exported)
    for name in exported:
        assert hasattr(module, name), name
