"""The Connexion app factory, the reference CRM service, and the mock server for any spec."""

import warnings

# Connexion imports Starlette's test client at import time, which warns about httpx; the
# warning concerns test tooling, not this package.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

__all__: list[str] = []
