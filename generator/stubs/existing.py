"""Reading a handler module a person owns: its functions, their arguments and exact lines.

The module is parsed with `ast` and never rewritten: regeneration only appends text after its
last byte, so everything already there survives byte for byte.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from specfirst.generator.errors import Location, RegenerationConflict

__all__ = ["ExistingFunction", "ExistingModule", "HELPER_MARK", "read_module"]

HELPER_MARK = re.compile(r"#\s*specfirst:\s*helper\b")


@dataclass(frozen=True)
class ExistingFunction:
    """A top-level function: its argument names and where it is (1-based, inclusive lines)."""

    name: str
    arguments: frozenset[str]
    has_kwargs: bool
    first_line: int
    last_line: int
    helper: bool

    @property
    def public(self) -> bool:
        return not self.name.startswith("_") and not self.helper


@dataclass(frozen=True)
class ExistingModule:
    path: Path
    text: str
    functions: dict[str, ExistingFunction]
    bindings: frozenset[str]  # every top-level name: imports, assignments, classes, functions


def _is_helper(lines: list[str], node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    start = min([node.lineno] + [d.lineno for d in node.decorator_list])
    if HELPER_MARK.search(lines[node.lineno - 1]):
        return True
    index = start - 2
    while index >= 0 and lines[index].lstrip().startswith("#"):
        if HELPER_MARK.search(lines[index]):
            return True
        index -= 1
    return False


def _bound_names(node: ast.stmt) -> set[str]:
    names: set[str] = set()
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        names.add(node.name)
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        for alias in node.names:
            names.add((alias.asname or alias.name).split(".")[0])
    elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    elif isinstance(node, (ast.If, ast.Try)):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                names.update(_bound_names(child))
    return names


def read_module(path: Path, display: str) -> ExistingModule:
    """Parse a handler module; one that cannot be read is a regeneration conflict."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RegenerationConflict(
            f"handler module is not UTF-8 ({exc.reason} at byte {exc.start})",
            Location(display), hint="fix the file, then run `specfirst stubs` again") from None
    except OSError as exc:
        raise RegenerationConflict(f"cannot read handler module: {exc.strerror}",
                                   Location(display)) from None
    try:
        tree = ast.parse(text, filename=display)
    except SyntaxError as exc:
        raise RegenerationConflict(
            f"handler module does not parse: {exc.msg}",
            Location(display, exc.lineno or 0, exc.offset or 0),
            hint="fix the syntax error; stubs only appends to modules it can read") from None
    lines = text.splitlines()
    functions: dict[str, ExistingFunction] = {}
    bindings: set[str] = set()
    for node in tree.body:
        bindings.update(_bound_names(node))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args
            names = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
            if args.vararg is not None:
                names.append("*" + args.vararg.arg)
            functions[node.name] = ExistingFunction(
                name=node.name,
                arguments=frozenset(names),
                has_kwargs=args.kwarg is not None,
                first_line=min([node.lineno] + [d.lineno for d in node.decorator_list]),
                last_line=node.end_lineno or node.lineno,
                helper=_is_helper(lines, node),
            )
    return ExistingModule(path, text, functions, frozenset(bindings))
