"""Writing a handler package, and checking one against the spec (the drift gate).

Handler modules belong to people: a missing module is scaffolded, an existing one only ever gets
functions for new operations appended after its last byte. `_models.py` and `_operations.py`
belong to the generator and are rewritten (only when their text changes, so a second run writes
nothing). `__init__.py` is written once.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from specfirst.generator.errors import Location, RegenerationConflict, UsageError
from specfirst.generator.loader import Spec
from specfirst.generator.stubs.existing import ExistingModule, read_module
from specfirst.generator.stubs.models import TypeNamer, build_models
from specfirst.generator.stubs.plan import (
    CONTEXT_PARAMETERS,
    HandlerPlan,
    OperationView,
    plan_handlers,
)
from specfirst.generator.stubs.render import (
    GENERATED_MARK,
    handler_view,
    header_line,
    render_function,
    render_init,
    render_models,
    render_module,
    render_operations,
)

__all__ = ["Drift", "StubsResult", "check_stubs", "generate_stubs"]

log = logging.getLogger(__name__)

GENERATED_FILES = ("_models.py", "_operations.py")
# Names a stub function uses, and the import that binds each when a module lacks it.
_STUB_IMPORTS = {
    "Any": "from typing import Any",
    "models": "from . import _models as models",
    "not_implemented": "from ._operations import not_implemented",
}


@dataclass(frozen=True)
class Drift:
    """One disagreement between the package and the spec."""

    kind: str  # missing | parameters | removed | not-a-function | generated
    file: str
    message: str
    location: Location | None = None

    def __str__(self) -> str:
        where = f" (spec {self.location})" if self.location else ""
        return f"{self.file}: {self.kind}: {self.message}{where}"


@dataclass
class StubsResult:
    written: list[str] = field(default_factory=list)
    appended: dict[str, list[str]] = field(default_factory=dict)
    drift: list[Drift] = field(default_factory=list)

    @property
    def removed(self) -> list[Drift]:
        return [d for d in self.drift if d.kind == "removed"]


class _Package:
    """The output folder, with every path checked to stay inside it."""

    def __init__(self, out_dir: Path):
        if out_dir.exists() and not out_dir.is_dir():
            raise UsageError("--out must be a folder", Location(str(out_dir)))
        self.dir = out_dir
        self.display = os.path.relpath(out_dir) if not out_dir.is_absolute() else str(out_dir)

    def file(self, name: str) -> Path:
        path = self.dir / name
        if path.is_symlink() or path.name != name or os.sep in name:
            raise RegenerationConflict("refusing to write through a symbolic link or outside "
                                       "the package folder", Location(self.show(name)))
        return path

    def show(self, name: str) -> str:
        return os.path.join(self.display, name)

    def write(self, name: str, text: str) -> None:
        path = self.file(name)
        self.dir.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{name}.specfirst-tmp")
        temporary.write_bytes(text.encode("utf-8"))
        os.replace(temporary, path)

    def handler_modules(self) -> list[str]:
        if not self.dir.is_dir():
            return []
        return sorted(p.stem for p in self.dir.glob("*.py")
                      if not p.name.startswith("_") and p.is_file() and not p.is_symlink())


def _without_header(text: str) -> str:
    return text.split("\n", 1)[1] if text.startswith(GENERATED_MARK) else text


def _generated_files(spec: Spec, plan: HandlerPlan) -> dict[str, str]:
    display = spec.display_path(spec.path).replace(os.sep, "/")
    if display.startswith("../") or os.path.isabs(display):
        display = spec.path.name  # keep the output the same wherever the spec lives
    header = header_line(display)
    return {
        "_models.py": render_models(header, plan.title, build_models(spec)),
        "_operations.py": render_operations(header, display, plan),
    }


def _parameter_drift(op: OperationView, names: frozenset[str], has_kwargs: bool) -> str | None:
    actual = {n for n in names if n not in CONTEXT_PARAMETERS and not n.startswith("*")}
    expected = set(op.parameter_names)
    missing = sorted(expected - actual) if not has_kwargs else []
    extra = sorted(actual - expected)
    if op.needs_kwargs and not has_kwargs:
        missing.append("**kwargs")
    if not missing and not extra:
        return None
    parts = []
    if missing:
        parts.append("lacks " + ", ".join(missing))
    if extra:
        parts.append("has " + ", ".join(extra) + " that Connexion never passes")
    return f"{op.function}() for {op.key} " + " and ".join(parts) + \
        f"; expected ({', '.join(p.name for p in op.parameters)})"


class _Run:
    def __init__(self, spec: Spec, out_dir: Path, *, check: bool):
        self.spec = spec
        self.plan = plan_handlers(spec)
        self.namer = TypeNamer(spec, prefix="models.", literals=False)
        self.package = _Package(out_dir)
        self.check = check
        self.result = StubsResult()

    def locate(self, op: OperationView) -> Location | None:
        try:
            return self.spec.locate(op.pointer)
        except (KeyError, ValueError):
            return None

    def run(self) -> StubsResult:
        planned = self.plan.modules
        existing = {name: read_module(self.package.file(f"{name}.py"), self.package.show(
            f"{name}.py")) for name in self.package.handler_modules()}
        for module, operations in planned.items():
            self.module(module, operations, existing.get(module))
        for module, current in existing.items():
            self.report_removed(module, current, planned.get(module, []))
        self.generated()
        return self.result

    def module(self, module: str, operations: list[OperationView],
               current: ExistingModule | None) -> None:
        name = f"{module}.py"
        if current is None:
            for op in operations:
                self.result.drift.append(Drift("missing", self.package.show(name),
                                               f"no handler {op.function}() for {op.key}",
                                               self.locate(op)))
            if not self.check:
                views = [handler_view(op, self.namer) for op in operations]
                self.package.write(name, render_module(module, self.plan, views))
                self.result.written.append(self.package.show(name))
                self.result.appended[module] = [op.function for op in operations]
            return
        new_ops = []
        for op in operations:
            found = current.functions.get(op.function)
            if found is None:
                if op.function in current.bindings:
                    self.result.drift.append(Drift(
                        "not-a-function", self.package.show(name),
                        f"{op.function} is bound to something other than a function; "
                        f"{op.key} needs it to be its handler", self.locate(op)))
                    continue
                self.result.drift.append(Drift("missing", self.package.show(name),
                                               f"no handler {op.function}() for {op.key}",
                                               self.locate(op)))
                new_ops.append(op)
                continue
            mismatch = _parameter_drift(op, found.arguments, found.has_kwargs)
            if mismatch:
                self.result.drift.append(Drift(
                    "parameters", f"{self.package.show(name)}:{found.first_line}", mismatch,
                    self.locate(op)))
        conflicts = [d for d in self.result.drift
                     if d.kind == "not-a-function" and d.file == self.package.show(name)]
        if conflicts and not self.check:
            raise RegenerationConflict(conflicts[0].message, Location(conflicts[0].file),
                                       hint="rename the variable, or the operation")
        if new_ops and not self.check:
            self.append(module, current, new_ops)

    def append(self, module: str, current: ExistingModule, ops: list[OperationView]) -> None:
        functions = [render_function(handler_view(op, self.namer)) for op in ops]
        used = "".join(functions)
        imports = [line for bound, line in _STUB_IMPORTS.items()
                   if bound not in current.bindings and re.search(rf"\b{bound}\b", used)]
        text = current.text
        if text and not text.endswith("\n"):
            text += "\n"
        if imports:
            text += "\n" + "\n".join(imports) + "\n"
        for function in functions:
            text += "\n\n" + function
        self.package.write(f"{module}.py", text)
        self.result.written.append(self.package.show(f"{module}.py"))
        self.result.appended[module] = [op.function for op in ops]

    def report_removed(self, module: str, current: ExistingModule,
                       operations: list[OperationView]) -> None:
        names = {op.function for op in operations}
        for function in current.functions.values():
            if function.public and function.name not in names:
                self.result.drift.append(Drift(
                    "removed", f"{self.package.show(module + '.py')}:{function.first_line}",
                    f"{function.name}() handles no operation of the spec (kept; delete it, or "
                    f"mark it a helper with a leading underscore or `# specfirst: helper`)"))

    def generated(self) -> None:
        files = _generated_files(self.spec, self.plan)
        init = self.package.dir / "__init__.py"
        if not init.exists():
            if self.check:
                self.result.drift.append(Drift("generated", self.package.show("__init__.py"),
                                               "missing: the folder is not a package"))
            else:
                self.package.write("__init__.py", render_init(self.plan))
                self.result.written.append(self.package.show("__init__.py"))
        for name, text in files.items():
            path = self.package.file(name)
            old = path.read_bytes().decode("utf-8", "replace") if path.exists() else None
            if old is not None and not old.startswith(GENERATED_MARK):
                raise RegenerationConflict(
                    f"{name} belongs to the generator but its first line is not "
                    f"'{GENERATED_MARK}...'", Location(self.package.show(name), 1, 1),
                    hint="move what you wrote to another module, then delete this file")
            if self.check:
                # A package written by hand to the convention needs neither file; a stale one
                # misleads readers and type checkers, so it is drift.
                if old is not None and _without_header(old) != _without_header(text):
                    self.result.drift.append(Drift(
                        "generated", self.package.show(name),
                        "out of date with the spec: run `specfirst stubs` to rewrite it"))
            elif old != text:
                self.package.write(name, text)
                self.result.written.append(self.package.show(name))


def generate_stubs(spec: Spec, out_dir: Path) -> StubsResult:
    """Write or extend the handler package in `out_dir`; never changes what a person wrote."""
    result = _Run(spec, out_dir, check=False).run()
    for drift in result.removed:
        log.warning("%s", drift)
    return result


def check_stubs(spec: Spec, out_dir: Path) -> StubsResult:
    """Compare the package in `out_dir` with the spec; writes nothing."""
    return _Run(spec, out_dir, check=True).run()
