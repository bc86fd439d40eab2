"""Handlers of the reference CRM API: one module per tag, one function per operation."""

__all__: list[str] = []
