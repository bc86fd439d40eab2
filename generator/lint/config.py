"""Lint configuration: `[tool.specfirst.lint]`, named rulesets, overrides and inline ignores.

```toml
[tool.specfirst.lint]
extends = "recommended"                 # or "strict", "minimal"
rules = { SF504 = "off", operation-description = "warning", SF204 = { max = 15 } }

[[tool.specfirst.lint.overrides]]
paths = ["/api/v1/health/*"]            # API path globs (fnmatch), or:
webhooks = ["legacy*"]                  # OpenAPI 3.1 webhook name globs, or:
files = ["openapi/legacy/*.yaml"]       # file globs
rules = { SF501 = "off" }
```
A node of the spec can also carry `x-specfirst-ignore: [SF504, unbounded-array]`, which turns
those rules off for that node and everything below it.
"""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from specfirst.generator.errors import ConfigError
from specfirst.generator.lint.custom import declarative_rule
from specfirst.generator.lint.finding import Finding, Severity
from specfirst.generator.lint.plugins import load_plugin_rules
from specfirst.generator.lint.rule import Rule
from specfirst.generator.lint.rules import ALL_RULES
from specfirst.generator.loader import unescape_pointer

__all__ = ["IGNORE_KEY", "RULESETS", "LintConfig", "Override", "RuleSetting", "apply_ignores",
           "collect_ignores"]

RULESETS = ("minimal", "recommended", "strict")
IGNORE_KEY = "x-specfirst-ignore"
_TABLE_KEYS = ("extends", "rules", "overrides", "custom-rules", "plugins")
_OVERRIDE_KEYS = ("paths", "webhooks", "files", "rules")


@dataclass(frozen=True)
class RuleSetting:
    severity: Severity | None = None
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Override:
    paths: tuple[str, ...]
    files: tuple[str, ...]
    rules: Mapping[str, RuleSetting]
    webhooks: tuple[str, ...] = ()

    def applies(self, finding: Finding) -> bool:
        if self.files and any(fnmatch.fnmatch(finding.file, g) for g in self.files):
            return True
        section, _, rest = finding.pointer.lstrip("/").partition("/")
        globs = {"paths": self.paths, "webhooks": self.webhooks}.get(section)
        if globs and rest:
            name = unescape_pointer(rest.split("/")[0])
            return any(fnmatch.fnmatchcase(name, g) for g in globs)
        return False


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.5)
    return f"; did you mean {close[0]!r}?" if close else ""


@dataclass(frozen=True)
class LintConfig:
    """The effective lint configuration: which rules run, at what severity, with what options."""

    extends: str = "recommended"
    rules: Mapping[str, RuleSetting] = field(default_factory=dict)
    overrides: tuple[Override, ...] = ()
    registry: tuple[type[Rule], ...] = ALL_RULES

    @classmethod
    def from_table(cls, table: Mapping[str, Any] | None, *, ruleset: str | None = None,
                   plugins: bool = True) -> LintConfig:
        """Validate `[tool.specfirst.lint]`; `ruleset` (the --ruleset flag) wins over `extends`."""
        table = dict(table or {})
        for key in table:
            if key not in _TABLE_KEYS:
                raise ConfigError(f"unknown key {key!r} in [tool.specfirst.lint]"
                                  f"{_suggest(key, _TABLE_KEYS)}")
        if not isinstance(table.get("plugins", True), bool):
            raise ConfigError("[tool.specfirst.lint] plugins must be true or false")
        if not isinstance(table.get("extends", ""), str):
            raise ConfigError("[tool.specfirst.lint] extends must be the name of a ruleset")
        registry: list[type[Rule]] = list(ALL_RULES)
        if table.get("plugins", True) and plugins:
            registry += load_plugin_rules()
        custom = table.get("custom-rules", {})
        if not isinstance(custom, dict):
            raise ConfigError("[tool.specfirst.lint.custom-rules] must be a table of rules")
        registry += [declarative_rule(name, spec) for name, spec in custom.items()]
        _check_unique(registry)
        extends = ruleset or str(table.get("extends", "recommended"))
        if extends not in RULESETS:
            raise ConfigError(f"unknown ruleset {extends!r}{_suggest(extends, RULESETS)}; "
                              f"known rulesets: {', '.join(RULESETS)}")
        config = cls(extends=extends, registry=tuple(registry))
        rules = config._settings(table.get("rules", {}), "[tool.specfirst.lint] rules")
        overrides = []
        raw_overrides = table.get("overrides", [])
        if not isinstance(raw_overrides, list):
            raise ConfigError("[[tool.specfirst.lint.overrides]] must be an array of tables")
        for index, entry in enumerate(raw_overrides):
            where = f"[[tool.specfirst.lint.overrides]] #{index + 1}"
            if not isinstance(entry, dict):
                raise ConfigError(f"{where} must be a table")
            for key in entry:
                if key not in _OVERRIDE_KEYS:
                    raise ConfigError(f"{where}: unknown key {key!r}"
                                      f"{_suggest(key, _OVERRIDE_KEYS)}")
            paths, files = _globs(entry.get("paths"), where), _globs(entry.get("files"), where)
            webhooks = _globs(entry.get("webhooks"), where)
            if not paths and not files and not webhooks:
                raise ConfigError(f"{where} needs `paths`, `webhooks` or `files` globs")
            overrides.append(Override(paths, files, config._settings(entry.get("rules", {}),
                                                                     f"{where} rules"), webhooks))
        return cls(extends=extends, rules=rules, overrides=tuple(overrides),
                   registry=tuple(registry))

    @classmethod
    def from_settings(cls, settings: Any, *, ruleset: str | None = None) -> LintConfig:
        """The configuration of `[tool.specfirst.lint]` in loaded `Settings` (for any command
        that lints, such as `specfirst check`)."""
        return cls.from_table(settings.get("lint"), ruleset=ruleset)

    def lookup(self, key: str) -> type[Rule]:
        """A rule by id (any case) or kebab-case name; ConfigError with a suggestion if none."""
        for rule in self.registry:
            if key.upper() == rule.id.upper() or key == rule.name:
                return rule
        names = [r.id for r in self.registry] + [r.name for r in self.registry]
        raise ConfigError(f"unknown lint rule {key!r}{_suggest(key, names)}",
                          hint="`specfirst lint --list-rules` shows every rule")

    def _settings(self, raw: Any, where: str) -> dict[str, RuleSetting]:
        if not isinstance(raw, dict):
            raise ConfigError(f"{where} must be a table of rule = severity")
        out: dict[str, RuleSetting] = {}
        for key, value in raw.items():
            rule = self.lookup(str(key))
            severity: Severity | None = None
            options: dict[str, Any] = {}
            if isinstance(value, str):
                severity = _severity(value, f"{where} {key}")
            elif isinstance(value, dict):
                for option, option_value in value.items():
                    if option == "severity":
                        severity = _severity(str(option_value), f"{where} {key}")
                    elif option in rule.defaults:
                        options[option] = option_value
                    else:
                        known = ", ".join(rule.defaults) or "none"
                        raise ConfigError(
                            f"{where}: rule {rule.id} {rule.name} has no option {option!r}"
                            f"{_suggest(option, rule.defaults)} (options: {known})")
            else:
                raise ConfigError(f"{where} {key}: use a severity or a table of options")
            out[rule.id] = RuleSetting(severity, options)
        return out

    def default_severity(self, rule: type[Rule]) -> Severity:
        """The severity a rule has in the chosen ruleset (OFF when the ruleset leaves it out)."""
        if self.extends not in rule.rulesets:
            return Severity.OFF
        if self.extends == "strict" and rule.severity < Severity.WARNING:
            return Severity.WARNING
        return rule.severity

    def build(self) -> list[Rule]:
        """The rule instances to run, configured."""
        out = []
        for rule_class in self.registry:
            setting = self.rules.get(rule_class.id, RuleSetting())
            severity = setting.severity if setting.severity is not None \
                else self.default_severity(rule_class)
            out.append(rule_class(severity, dict(setting.options)))
        return out

    def adjust(self, findings: Sequence[Finding]) -> list[Finding]:
        """Apply the per-path and per-file overrides to findings."""
        if not self.overrides:
            return list(findings)
        out = []
        for finding in findings:
            severity = finding.severity
            for override in self.overrides:
                setting = override.rules.get(finding.rule)
                if setting is not None and setting.severity is not None \
                        and override.applies(finding):
                    severity = setting.severity
            if severity != Severity.OFF:
                out.append(finding if severity == finding.severity
                           else _with_severity(finding, severity))
        return out


def _with_severity(finding: Finding, severity: Severity) -> Finding:
    return replace(finding, severity=severity)


def _severity(value: str, where: str) -> Severity:
    try:
        return Severity.parse(value)
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _globs(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ConfigError(f"{where}: globs must be a string or a list of strings")


def _check_unique(registry: Sequence[type[Rule]]) -> None:
    seen: dict[str, str] = {}
    for rule in registry:
        for key in (rule.id.upper(), rule.name):
            if key in seen and seen[key] != rule.__qualname__:
                raise ConfigError(f"two lint rules are both called {key!r}")
            seen[key] = rule.__qualname__


def collect_ignores(document: Any) -> dict[str, frozenset[str]]:
    """Pointer -> rule ids and names turned off there by `x-specfirst-ignore`."""
    found: dict[str, frozenset[str]] = {}
    stack: list[tuple[Any, str]] = [(document, "")]
    while stack:
        node, pointer = stack.pop()
        if isinstance(node, dict):
            marks = node.get(IGNORE_KEY)
            if isinstance(marks, str):
                marks = [marks]
            if isinstance(marks, list):
                found[pointer] = frozenset(str(m).upper() for m in marks)
            for key, value in node.items():
                if isinstance(value, (dict, list)):
                    stack.append((value, f"{pointer}/{key.replace('~', '~0').replace('/', '~1')}"))
        elif isinstance(node, list):
            stack.extend((v, f"{pointer}/{i}") for i, v in enumerate(node)
                         if isinstance(v, (dict, list)))
    return found


def apply_ignores(findings: Sequence[Finding], document: Any) -> list[Finding]:
    """Drop findings under a node whose `x-specfirst-ignore` names their rule."""
    ignores = collect_ignores(document)
    if not ignores:
        return list(findings)
    kept = []
    for finding in findings:
        tokens = finding.pointer.split("/") if finding.pointer else [""]
        ignored = False
        for cut in range(len(tokens), 0, -1):
            marks = ignores.get("/".join(tokens[:cut]))
            if marks and (finding.rule.upper() in marks or finding.name.upper() in marks
                          or "ALL" in marks):
                ignored = True
                break
        if not ignored:
            kept.append(finding)
    return kept
