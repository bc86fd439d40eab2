"""`[tool.specfirst.lint]`: rulesets, severities, options, overrides, inline ignores."""

from __future__ import annotations

from pathlib import Path

import pytest
from specfirst.generator.errors import ConfigError
from specfirst.generator.lint import lint_spec
from specfirst.generator.lint.config import LintConfig
from specfirst.generator.lint.finding import Severity
from specfirst.generator.loader import Spec

CASES = Path(__file__).parent / "lint_cases"

SPEC = """\
openapi: 3.0.3
info: {title: Shop, version: '1'}
paths:
  /v1/orders:
    get:
      operationId: list_orders
      summary: List orders
      parameters:
        - {name: q, in: query, schema: {type: string}}
      responses: {'200': {description: ok}}
  /v1/health:
    get:
      operationId: get_health
      summary: Health
      parameters:
        - {name: probe, in: query, schema: {type: string}}
      responses: {'200': {description: ok}}
"""


def write(tmp_path: Path, text: str = SPEC) -> Spec:
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    return Spec.from_path(path)


def rules_of(spec: Spec, table: dict[str, object] | None = None, **kw: object) -> list[str]:
    config = LintConfig.from_table(table or {}, plugins=False, **kw)  # type: ignore[arg-type]
    return [f.rule for f in lint_spec(spec, config=config)]


def test_rulesets_are_nested_and_recommended_is_the_default() -> None:
    active = {}
    for name in ("minimal", "recommended", "strict"):
        config = LintConfig.from_table({"extends": name}, plugins=False)
        active[name] = {r.id for r in config.build() if r.effective_severity != Severity.OFF}
    assert active["minimal"] < active["recommended"] < active["strict"]
    default = LintConfig.from_table({}, plugins=False)
    assert {r.id for r in default.build() if r.effective_severity} == active["recommended"]
    assert {"SF001", "SF002", "SF305", "SF507"} <= active["minimal"]


def test_strict_raises_info_to_warning() -> None:
    strict = {r.id: r.effective_severity
              for r in LintConfig.from_table({}, ruleset="strict", plugins=False).build()}
    recommended = {r.id: r.effective_severity
                   for r in LintConfig.from_table({}, plugins=False).build()}
    assert recommended["SF302"] == Severity.INFO
    assert strict["SF302"] == Severity.WARNING


def test_the_ruleset_flag_wins_over_extends(tmp_path: Path) -> None:
    spec = write(tmp_path)
    assert "SF509" not in rules_of(spec, {"extends": "recommended"})
    assert "SF509" in rules_of(spec, {"extends": "minimal"}, ruleset="strict")


def test_rules_by_id_or_name_turn_off_or_change_severity(tmp_path: Path) -> None:
    spec = write(tmp_path)
    assert "SF504" in rules_of(spec)
    assert "SF504" not in rules_of(spec, {"rules": {"SF504": "off"}})
    assert "SF504" not in rules_of(spec, {"rules": {"unbounded-string": "off"}})
    config = LintConfig.from_table({"rules": {"sf504": "error"}}, plugins=False)
    severities = {f.severity for f in lint_spec(spec, config=config) if f.rule == "SF504"}
    assert severities == {Severity.ERROR}


def test_rule_options(tmp_path: Path) -> None:
    spec = write(tmp_path)
    assert "SF204" not in rules_of(spec)
    assert "SF204" in rules_of(spec, {"rules": {"too-many-parameters": {"max": 0}}})
    both = {"SF204": {"max": 0, "severity": "error"}}
    config = LintConfig.from_table({"rules": both}, plugins=False)
    assert {f.severity for f in lint_spec(spec, config=config) if f.rule == "SF204"} == \
        {Severity.ERROR}


@pytest.mark.parametrize(("table", "message"), [
    ({"rules": {"operation-sumary": "off"}}, "did you mean 'operation-summary'"),
    ({"rules": {"SF9999": "off"}}, "unknown lint rule 'SF9999'"),
    ({"rules": {"SF204": {"maximum": 3}}}, "did you mean 'max'"),
    ({"rules": {"SF204": "loud"}}, "unknown severity 'loud'"),
    ({"extend": "strict"}, "did you mean 'extends'"),
    ({"extends": "strickt"}, "did you mean 'strict'"),
    ({"overrides": [{"path": ["/x"], "rules": {}}]}, "did you mean 'paths'"),
    ({"overrides": [{"rules": {"SF504": "off"}}]}, "needs `paths`, `webhooks` or `files`"),
    ({"plugins": "no"}, "plugins must be true or false"),
    ({"extends": ["strict"]}, "extends must be the name of a ruleset"),
    ({"rules": ["SF504"]}, "must be a table"),
    ({"custom-rules": {"x": "truthy"}}, "must be a table with `given` and `then`"),
])
def test_bad_configuration_is_a_config_error_with_a_suggestion(table: dict[str, object],
                                                                message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        LintConfig.from_table(table, plugins=False)
    assert message in str(caught.value)
    assert caught.value.exit_code == 2


def test_overrides_by_api_path_glob(tmp_path: Path) -> None:
    spec = write(tmp_path)
    table = {"overrides": [{"paths": ["/v1/health*"], "rules": {"SF504": "off"}}]}
    config = LintConfig.from_table(table, plugins=False)
    pointers = [f.pointer for f in lint_spec(spec, config=config) if f.rule == "SF504"]
    assert pointers and all("health" not in p for p in pointers)
    assert any("orders" in p for p in pointers)


WEBHOOKS_SPEC = """\
openapi: 3.1.0
info: {title: Hooks, version: "1", description: Hooks.}
paths: {}
webhooks:
  legacyOrderShipped:
    post:
      operationId: legacy_order_shipped
      responses: {"200": {description: ok}}
  orderPaid:
    post:
      operationId: order_paid
      responses: {"200": {description: ok}}
"""


def test_overrides_by_webhook_name_glob(tmp_path: Path) -> None:
    spec = write(tmp_path, WEBHOOKS_SPEC)
    plain = {f.pointer.split("/")[2] for f in lint_spec(spec) if f.rule == "SF301"}
    assert plain == {"legacyOrderShipped", "orderPaid"}  # operation-summary on both
    table = {"overrides": [{"webhooks": ["legacy*"], "rules": {"SF301": "off"}}]}
    config = LintConfig.from_table(table, plugins=False)
    found = {f.pointer.split("/")[2] for f in lint_spec(spec, config=config) if f.rule == "SF301"}
    assert found == {"orderPaid"}


def test_overrides_by_file_glob(tmp_path: Path) -> None:
    spec = write(tmp_path)
    table = {"overrides": [{"files": ["*spec.yaml"], "rules": {"SF504": "hint"}}]}
    config = LintConfig.from_table(table, plugins=False)
    assert {f.severity for f in lint_spec(spec, config=config) if f.rule == "SF504"} == \
        {Severity.HINT}


def test_inline_ignore_applies_to_the_node_and_below(tmp_path: Path) -> None:
    text = SPEC.replace(
        "  /v1/health:\n",
        "  /v1/health:\n    x-specfirst-ignore: [unbounded-string, SF102]\n")
    spec = write(tmp_path, text)
    pointers = [f.pointer for f in lint_spec(spec) if f.rule == "SF504"]
    assert len(pointers) == 1 and "orders" in pointers[0]


def test_inline_ignore_of_a_component(tmp_path: Path) -> None:
    text = SPEC + """components:
  schemas:
    Unused:
      x-specfirst-ignore: [SF201]
      type: object
    AlsoUnused:
      type: object
"""
    found = [f.pointer for f in lint_spec(write(tmp_path, text)) if f.rule == "SF201"]
    assert found == ["/components/schemas/AlsoUnused"]


def test_from_settings_reads_the_lint_table(chdir_tmp: Path) -> None:
    from specfirst.generator.config import load_settings

    (chdir_tmp / "pyproject.toml").write_text(
        "[tool.specfirst.lint]\nextends = 'minimal'\nrules = { SF504 = 'error' }\n",
        encoding="utf-8")
    config = LintConfig.from_settings(load_settings(), ruleset=None)
    assert config.extends == "minimal"
    assert {r.id: r.effective_severity for r in config.build()}["SF504"] == Severity.ERROR


def test_inline_ignore_all(tmp_path: Path) -> None:
    text = SPEC.replace("  /v1/health:\n", "  /v1/health:\n    x-specfirst-ignore: all\n")
    pointers = [f.pointer for f in lint_spec(write(tmp_path, text))]
    assert pointers and not [p for p in pointers if "health" in p]
