"""The mock server for any spec: validated requests, answers from examples or schemas."""

from specfirst.server.mock.app import MockApp, MockReport, create_mock_app
from specfirst.server.mock.dispatch import AllowedHost, CallbackOutcome, CallbackPolicy

__all__ = ["AllowedHost", "CallbackOutcome", "CallbackPolicy", "MockApp", "MockReport",
           "create_mock_app"]
