"""Handlers of the reference CRM API: one module per tag, one function per operation.

`SERVICES` plugs the rest of the CRM into the runtime (`specfirst.server.Service`): its
migrations, its problem types, its webhook delivery and jobs.
"""

from specfirst.server.crm import SERVICES

__all__ = ["SERVICES"]
