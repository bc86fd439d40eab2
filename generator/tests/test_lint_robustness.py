"""Lint never crashes: real specs with random nodes replaced by values of the wrong type."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from specfirst.generator.errors import SpecfirstError
from specfirst.generator.lint import lint_spec
from specfirst.generator.lint.config import LintConfig
from specfirst.generator.lint.runner import INTERNAL_ERROR
from specfirst.generator.loader import Spec

WRONG: list[Any] = [None, "x", [], {}, 5, True, [1, "a"], {"$ref": "#/nope"}, {"type": "array"},
         {"properties": []}, {"allOf": True}, {"enum": {}}, {"pattern": 7}]
MUTANTS = 120


def _slots(node: Any, out: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            out.append((node, key))
            _slots(value, out)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out.append((node, index))
            _slots(value, out)
    return out


def test_mutated_public_specs_never_crash_a_rule(public_specs: list[Path],
                                                 tmp_path: Path) -> None:
    rng = random.Random(20261129)
    sources = [p for p in public_specs if p.suffix == ".json"]
    config = LintConfig.from_table({}, ruleset="strict", plugins=False)
    linted = 0
    for number in range(MUTANTS):
        document = json.loads(rng.choice(sources).read_text(encoding="utf-8"))
        for _ in range(4):
            parent, key = rng.choice(_slots(document, []))
            parent[key] = rng.choice(WRONG)
        path = tmp_path / f"mutant{number}.json"
        path.write_text(json.dumps(document, indent=1), encoding="utf-8")
        try:
            spec = Spec.from_path(path)
        except SpecfirstError:
            continue  # refused by the loader with a located error: fine
        crashed = [f.message for f in lint_spec(spec, config=config) if f.rule == INTERNAL_ERROR]
        assert crashed == [], path.read_text(encoding="utf-8")[:2000]
        linted += 1
    assert linted > MUTANTS // 2
