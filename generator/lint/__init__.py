"""Validation and style rules for OpenAPI documents, and renderers of their findings."""

from generator.lint.config import RULESETS, LintConfig
from generator.lint.finding import Finding, Severity
from generator.lint.renderers import FORMATS, render
from generator.lint.rule import LintContext, Rule
from generator.lint.runner import LintResult, lint_spec, merge_results

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
