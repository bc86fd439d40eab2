"""`specfirst lint`: validate specs and apply the style rules."""

from __future__ import annotations

from pathlib import Path

import click
from specfirst.contract_tests.cli.options import settings_from, write_output
from specfirst.generator.config import Settings
from specfirst.generator.lint import FORMATS, lint_spec, merge_results, render
from specfirst.generator.lint.config import RULESETS, LintConfig
from specfirst.generator.lint.finding import Severity
from specfirst.generator.lint.fix import apply_fixes, plan_fixes
from specfirst.generator.loader import Spec

__all__ = ["lint"]


def load_spec_arg(spec: str | None, settings: Settings) -> Spec:
    """The SPEC argument (or the configured spec), with unresolved `$ref`s kept as findings."""
    path = Path(spec) if spec else settings.path("spec")
    return Spec.from_path(path, settings.limits, strict_refs=False)


def _rule_table(config: LintConfig) -> str:
    lines = []
    for rule in config.build():
        lines.append(f"{rule.id:<8} {rule.name:<28} {str(rule.effective_severity):<8} "
                     f"{'fix ' if rule.fixable else '    '}{rule.summary}")
    return "\n".join(lines) + "\n"


@click.command()
@click.argument("specs", nargs=-1, metavar="SPEC...")
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default="text",
              show_default=True, help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to FILE, not stdout.")
@click.option("--ruleset", type=click.Choice(RULESETS), default=None,
              help="Ruleset to apply (overrides `extends` in [tool.specfirst.lint]; "
              "default: recommended).")
@click.option("--fix", is_flag=True,
              help="Rewrite what is safe to fix (operationId style, missing summaries), keeping "
              "comments and layout; then report what is left.")
@click.option("--fail-severity", type=click.Choice(["error", "warn", "info", "hint", "off"]),
              default="error", show_default=True,
              help="Exit 1 when a finding is at least this severe; `off` exits 0 whatever is "
              "found (exit 2 still means the spec could not be read).")
@click.option("--max-problems", type=click.IntRange(min=0), default=None, metavar="N",
              help="Report at most N findings (the most severe first); the summary and the "
              "exit code still count every finding.")
@click.option("--list-rules", is_flag=True, help="List the rules with their effective severity.")
def lint(specs: tuple[str, ...], fmt: str, output: str | None, ruleset: str | None, fix: bool,
         fail_severity: str, max_problems: int | None, list_rules: bool) -> None:
    """Validate OpenAPI 3.0/3.1 specs and apply the style rules.

    Every finding is reported at once, with file:line:col (in the file where it is, through
    $refs), the JSON pointer, the rule id and a hint. Without SPEC, lints the configured spec.
    Rules and rulesets are configured in [tool.specfirst.lint] (see docs/lint.md); a node can
    opt out of rules with `x-specfirst-ignore: [rule-id, ...]`. Exits 1 when any finding is at
    least as severe as --fail-severity (default: an error), 2 when a spec cannot be read.
    """
    settings = settings_from()
    config = LintConfig.from_settings(settings, ruleset=ruleset)
    if list_rules:
        write_output(_rule_table(config), output)
        return
    results = []
    for spec_arg in specs or (None,):
        spec = load_spec_arg(spec_arg, settings)
        findings = lint_spec(spec, config=config)
        if fix:
            report = apply_fixes(spec, plan_fixes(spec, findings))
            for file, reason in report.skipped.items():
                click.echo(f"not fixed: {file}: {reason}", err=True)
            if report.fixed:
                click.echo(f"fixed {len(report.fixed)} problem(s) in "
                           f"{spec.display_path(spec.path)}", err=True)
                spec = load_spec_arg(spec_arg, settings)
                findings = lint_spec(spec, config=config)
        results.append((spec.display_path(spec.path), findings))
    result = merge_results(results).limited(max_problems)
    write_output(render(result, fmt), output)
    if result.fails(Severity.parse(fail_severity)):
        raise SystemExit(1)
