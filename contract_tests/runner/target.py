"""`--app MODULE:ATTR`: the ASGI application to test in-process."""

from __future__ import annotations

import importlib
import os
import sys
import warnings
from typing import Any

from specfirst.generator.errors import UsageError

__all__ = ["load_app"]


def load_app(reference: str) -> Any:
    """`module:attr` is an ASGI app; `module:factory()` calls a factory without arguments.

    The working directory is importable, as with uvicorn.
    """
    module_name, sep, attribute = reference.partition(":")
    if not sep or not module_name or not attribute:
        raise UsageError(f"--app {reference!r} must look like MODULE:ATTR or MODULE:FACTORY()")
    call = attribute.endswith("()")
    attribute = attribute.removesuffix("()")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            module = importlib.import_module(module_name)
        for warning in caught:
            # deprecation notices of the app's dependencies are not the question here
            if not type(warning.message).__name__.endswith("DeprecationWarning"):
                warnings.warn_explicit(warning.message, warning.category, warning.filename,
                                       warning.lineno)
    except ImportError as exc:
        raise UsageError(f"--app: cannot import {module_name!r}: {exc}") from None
    try:
        app = getattr(module, attribute)
    except AttributeError:
        raise UsageError(f"--app: module {module_name!r} has no attribute {attribute!r}") from None
    if call:
        app = app()
    if not callable(app):
        raise UsageError(f"--app {reference!r} is not an ASGI application")
    return app
