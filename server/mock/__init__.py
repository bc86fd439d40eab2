"""The mock server for any spec: validated requests, answers from examples or schemas."""

from server.mock.app import MockApp, MockReport, create_mock_app
from server.mock.dispatch import AllowedHost, CallbackOutcome, CallbackPolicy

__all__ = ["AllowedHost", "CallbackOutcome", "CallbackPolicy", "MockApp", "MockReport",
           "create_mock_app"]
