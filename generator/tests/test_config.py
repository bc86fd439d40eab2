from __future__ import annotations

from pathlib import Path

import pytest
from specfirst.generator.config import load_settings
from specfirst.generator.errors import ConfigError


def project(tmp_path: Path, body: str) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "pyproject.toml").write_text(f"[tool.specfirst]\n{body}\n")
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    return sub


def test_nearest_pyproject_is_found_from_a_subfolder(tmp_path: Path) -> None:
    sub = project(tmp_path, 'spec = "api/openapi.yaml"\nmax-depth = 64')
    settings = load_settings(start=sub, environ={})
    assert settings["max-depth"] == 64
    assert settings.path("spec") == tmp_path / "api" / "openapi.yaml"
    assert settings.source == tmp_path / "pyproject.toml"


def test_precedence_flag_over_env_over_pyproject(tmp_path: Path) -> None:
    sub = project(tmp_path, "max-depth = 64")
    env = {"SPECFIRST_MAX_DEPTH": "32"}
    assert load_settings(start=sub, environ=env)["max-depth"] == 32
    assert load_settings({"max-depth": 16}, start=sub, environ=env)["max-depth"] == 16
    assert load_settings({"max-depth": None}, start=sub, environ=env)["max-depth"] == 32


def test_unknown_key_suggests_the_closest(tmp_path: Path) -> None:
    sub = project(tmp_path, 'handler-package = "x"')
    with pytest.raises(ConfigError, match="did you mean 'handlers-package'"):
        load_settings(start=sub, environ={})


def test_unknown_environment_variable_and_bad_types(tmp_path: Path) -> None:
    sub = project(tmp_path, "")
    with pytest.raises(ConfigError, match="did you mean 'max-depth'"):
        load_settings(start=sub, environ={"SPECFIRST_MAX_DEPHT": "3"})
    with pytest.raises(ConfigError, match="must be an integer"):
        load_settings(start=sub, environ={"SPECFIRST_MAX_DEPTH": "deep"})
    bad = project(tmp_path / "bad", 'max-depth = [64]')
    with pytest.raises(ConfigError, match="must be of type int, not list"):
        load_settings(start=bad, environ={})


def test_invalid_toml_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.specfirst\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_settings(start=tmp_path, environ={})
