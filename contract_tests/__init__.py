"""Contract testing with Schemathesis, reports, load benchmarks, and the command line."""

__all__: list[str] = []
