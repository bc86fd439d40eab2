"""Timestamps as stored and served: UTC RFC 3339 strings of fixed width, so they sort as text."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["format_ts", "now_iso", "parse_ts"]

def format_ts(moment: datetime) -> str:
    """Always four-digit years (strftime does not pad years before 1000 on every platform)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    m = moment.astimezone(UTC)
    return (f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:"
            f"{m.second:02d}.{m.microsecond:06d}Z")


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
    try:
        moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("the date-time is out of range") from None
    return moment
