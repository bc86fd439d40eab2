"""The Connexion app factory, the reference CRM service, and the mock server for any spec."""

__all__: list[str] = []
