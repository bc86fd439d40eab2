"""The built-in lint rules, one module each, listed in `ALL_RULES` in id order."""

from __future__ import annotations

from generator.lint.rules.sf001_valid_openapi import ValidOpenAPI
from generator.lint.rules.sf002_duplicate_key import DuplicateKey

__all__ = ["ALL_RULES", "DuplicateKey", "ValidOpenAPI"]

ALL_RULES = (ValidOpenAPI, DuplicateKey)
