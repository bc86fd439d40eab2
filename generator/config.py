"""Configuration: one frozen settings object from `[tool.specfirst]`, the environment and flags.

Precedence, highest first: command-line flag > `SPECFIRST_<KEY>` environment variable >
`[tool.specfirst]` in the nearest pyproject.toml (searched upwards from the working directory) >
the default below. Keys are kebab-case; an unknown key is an error that suggests the closest one.
Tables (such as `[tool.specfirst.lint]`) are passed through to the command that owns them, which
validates them itself.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from specfirst.generator.document import Limits
from specfirst.generator.errors import ConfigError, Location

__all__ = ["KEYS", "Key", "Settings", "default_database_url", "find_pyproject", "load_settings",
           "project_name"]


@dataclass(frozen=True)
class Key:
    """One configuration key: its type, default and a line of help."""

    type: type
    default: Any
    help: str


KEYS: dict[str, Key] = {
    "spec": Key(str, "openapi.yaml", "the spec commands use when none is given"),
    "max-spec-size": Key(int, 50 * 1024 * 1024, "largest spec file accepted, in bytes"),
    "max-depth": Key(int, 256, "deepest nesting accepted in a spec file"),
    "handlers-package": Key(str, "handlers", "Python package of the handler modules"),
    "handlers-dir": Key(str, "handlers", "folder of the handler package, for stubs"),
    "docs-out": Key(str, "docs/reference", "where `specfirst docs` writes by default"),
    "lint": Key(dict, {}, "lint rules and rulesets: see docs/lint.md"),
    "test": Key(dict, {}, "contract-test defaults: see docs/testing.md"),
    "mock": Key(dict, {}, "mock server defaults"),
    "diff": Key(dict, {}, "breaking-change gate defaults"),
    "bench": Key(dict, {}, "load-test defaults"),
}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class Settings:
    """The effective configuration; `source` says where the pyproject values came from."""

    values: Mapping[str, Any]
    source: Path | None = None
    base_dir: Path = field(default_factory=Path.cwd)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def path(self, key: str) -> Path:
        """A path setting, relative to the pyproject.toml it came from."""
        value = Path(self.values[key])
        return value if value.is_absolute() else self.base_dir / value

    @property
    def limits(self) -> Limits:
        return Limits(max_bytes=self.values["max-spec-size"], max_depth=self.values["max-depth"])


def find_pyproject(start: Path | None = None) -> Path | None:
    current = (start or Path.cwd()).resolve()
    for folder in (current, *current.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def project_name(start: Path | None = None) -> str:
    """The project's name: `[project] name` of the nearest pyproject.toml, else the name of its
    folder (or of the working directory), reduced to letters, digits, `.`, `_` and `-`."""
    pyproject = find_pyproject(start)
    name = ""
    if pyproject is not None:
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError):
            data = {}
        project = data.get("project")
        if isinstance(project, dict) and isinstance(project.get("name"), str):
            name = project["name"]
    folder = pyproject.parent if pyproject is not None else (start or Path.cwd()).resolve()
    cleaned = _UNSAFE.sub("-", name.strip() or folder.name).strip(".-")
    return cleaned or "app"


def default_database_url(start: Path | None = None) -> str:
    """`sqlite:///<project folder>/.specfirst/<project name>.db`: the database `specfirst serve`
    and `specfirst admin` use when neither `--db` nor `DATABASE_URL` names one."""
    pyproject = find_pyproject(start)
    folder = pyproject.parent if pyproject is not None else (start or Path.cwd()).resolve()
    return f"sqlite:///{(folder / '.specfirst' / (project_name(start) + '.db')).as_posix()}"


def _suggest(name: str) -> str:
    close = difflib.get_close_matches(name, KEYS, n=1)
    return f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(sorted(KEYS))}"


def _coerce(name: str, value: Any, where: str) -> Any:
    expected = KEYS[name].type
    if expected is int and isinstance(value, str):
        try:
            return int(value.replace("_", ""))
        except ValueError:
            raise ConfigError(f"{where}: {name} must be an integer, not {value!r}") from None
    if expected is bool and isinstance(value, str):
        lowered = value.lower()
        if lowered in _TRUE | _FALSE:
            return lowered in _TRUE
        raise ConfigError(f"{where}: {name} must be true or false, not {value!r}")
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise ConfigError(
            f"{where}: {name} must be of type {expected.__name__}, not {type(value).__name__}"
        )
    return value


def _read_pyproject(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", Location(str(path))) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", Location(str(path))) from None
    section = data.get("tool", {}).get("specfirst", {})
    if not isinstance(section, dict):
        raise ConfigError("[tool.specfirst] must be a table", Location(str(path)))
    return section


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    start: Path | None = None,
    environ: Mapping[str, str] | None = None,
    validators: Mapping[str, Callable[[Any], None]] | None = None,
) -> Settings:
    """Build the effective settings. `overrides` are flag values (None means "not given")."""
    environ = os.environ if environ is None else environ
    values = {name: key.default for name, key in KEYS.items()}
    pyproject = find_pyproject(start)
    base_dir = pyproject.parent if pyproject else (start or Path.cwd())
    if pyproject is not None:
        for name, value in _read_pyproject(pyproject).items():
            if name not in KEYS:
                raise ConfigError(f"unknown key {name!r} in [tool.specfirst]{_suggest(name)}",
                                  Location(str(pyproject)))
            values[name] = _coerce(name, value, f"{pyproject} [tool.specfirst]")
    for name in KEYS:
        env_name = "SPECFIRST_" + name.upper().replace("-", "_")
        if env_name in environ and KEYS[name].type is not dict:
            values[name] = _coerce(name, environ[env_name], env_name)
    for variable in environ:
        if variable.startswith("SPECFIRST_") and variable not in _KNOWN_ENV:
            name = variable[len("SPECFIRST_"):].lower().replace("_", "-")
            if name not in KEYS and not name.startswith(_ENV_PASSTHROUGH):
                raise ConfigError(f"unknown environment variable {variable}{_suggest(name)}")
    for name, value in (overrides or {}).items():
        if value is None:
            continue
        if name not in KEYS:
            raise ConfigError(f"unknown setting {name!r}{_suggest(name)}")
        values[name] = _coerce(name, value, f"--{name}")
    for name, check in (validators or {}).items():
        check(values[name])
    return Settings(values=MappingProxyType(values), source=pyproject, base_dir=base_dir)


# Variables read directly by the parts that own them (test fixtures, server runtime).
_KNOWN_ENV = frozenset({"SPECFIRST_TEST_CACHE", "SPECFIRST_PREPARE"})
_ENV_PASSTHROUGH = ("server-", "test-", "bench-")
