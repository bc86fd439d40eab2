"""Timestamps as stored and served: UTC RFC 3339 strings of fixed width, so they sort as text."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["format_ts", "now_iso", "parse_ts"]

_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def format_ts(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime(_FORMAT)


def now_iso() -> str:
    return format_ts(datetime.now(UTC))


def parse_ts(value: str) -> datetime:
    """An RFC 3339 date-time (as validated by the spec) as an aware datetime; ValueError if not."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text.replace("t", "T"))
    if moment.tzinfo is None:
        raise ValueError("a date-time needs a time zone offset")
    return moment
