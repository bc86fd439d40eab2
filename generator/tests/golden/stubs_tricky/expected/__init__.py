"""Connexion handlers for Tricky "stubs" \\ test

One module per tag, one function per operation (see `_operations.HANDLERS`). Scaffolded by
`specfirst stubs`; the handler modules are yours, `_models.py` and `_operations.py` are rewritten.
"""
