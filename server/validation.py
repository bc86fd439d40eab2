"""Additions to Connexion's request validation.

- Formats that Connexion's Draft 4 checker leaves unchecked (`uuid`, `date`, `uri`) are
  checked, so a malformed id or date is a 400, never a value that reaches the database.
- A missing required `If-Match` header is 428 Precondition Required (RFC 6585), not 400.
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

from connexion.validators.parameter import ParameterValidator
from jsonschema import Draft4Validator
from specfirst.server.fast_validation import validate_parameter as compiled_validate_parameter
from specfirst.server.problems import PreconditionRequired

__all__ = ["PreconditionParameterValidator", "install_format_checks"]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_installed = False


def _is_uuid(value: Any) -> bool:
    if not isinstance(value, str):
        return True
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return len(value) == 36


def _is_date(value: Any) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*\Z")


def _is_uri(value: Any) -> bool:
    """RFC 3986 `URI`: a scheme, then anything without spaces or control characters.

    Deliberately no stricter than the RFC, so that what a client may legitimately send (and a
    contract tester generates) is a 400 only when it is not a URI at all; an operation refusing
    a well-formed URI (a webhook target on a private network, say) answers 422 itself.
    """
    if not isinstance(value, str):
        return True
    scheme, colon, _ = value.partition(":")
    if not colon or not _SCHEME.match(scheme):
        return False
    return not any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in value)


def install_format_checks() -> None:
    """Register the extra formats on the checker Connexion uses (idempotent)."""
    global _installed
    if _installed:
        return
    checker = Draft4Validator.FORMAT_CHECKER
    checker.checks("uuid")(_is_uuid)
    checker.checks("date")(_is_date)
    checker.checks("uri")(_is_uri)
    _installed = True


class PreconditionParameterValidator(ParameterValidator):  # type: ignore[misc]
    validate_parameter = staticmethod(compiled_validate_parameter)

    def validate_header_parameter(self, param: dict[str, Any], request: Any) -> Any:
        if (param.get("required") and param.get("name", "").lower() == "if-match"
                and request.headers.get(param["name"]) is None):
            raise PreconditionRequired()
        return super().validate_header_parameter(param, request)
