"""The mock server for any spec: validated requests, answers from examples or schemas."""

from server.mock.app import MockApp, MockReport, create_mock_app

__all__ = ["MockApp", "MockReport", "create_mock_app"]
