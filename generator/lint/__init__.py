"""Validation and style rules for OpenAPI documents, and renderers of their findings."""

from specfirst.generator.lint.config import RULESETS, LintConfig
from specfirst.generator.lint.finding import Finding, Severity
from specfirst.generator.lint.renderers import FORMATS, render
from specfirst.generator.lint.rule import LintContext, Rule
from specfirst.generator.lint.runner import LintResult, lint_spec, merge_results

__all__ = [
    "FORMATS",
    "Finding",
    "LintConfig",
    "LintContext",
    "LintResult",
    "RULESETS",
    "Rule",
    "Severity",
    "lint_spec",
    "merge_results",
    "render",
]
