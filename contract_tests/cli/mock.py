"""`specfirst mock`: serve any spec with no handlers, answers from its examples and schemas."""

from __future__ import annotations

import click

from contract_tests.cli.options import load_spec_arg, settings_from

__all__ = ["mock"]


@click.command()
@click.argument("spec")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", "-p", type=click.IntRange(0, 65535), default=4010, show_default=True,
              help="Port to listen on.")
@click.option("--seed", type=int, default=None,
              help="Make generated answers repeatable (same requests, same answers).")
@click.option("--stateful", is_flag=True,
              help="Remember POSTed resources: read, update and delete them by id.")
def mock(spec: str, host: str, port: int, seed: int | None, stateful: bool) -> None:
    """Serve SPEC as a mock: requests are validated, answers come from the spec.

    Answers use the spec's examples (those valid against their schema), else values generated
    from the response schema and validated against it. Request headers steer the answer:
    `Prefer: code=404` picks a documented status, `Prefer: example=NAME` a named example,
    `Prefer: dynamic=true` generates even when examples exist. Credentials are not checked.
    Operations that cannot be mocked are listed on stderr at start-up.
    """
    import uvicorn

    from server.mock import create_mock_app

    settings = settings_from()
    loaded = load_spec_arg(spec, settings)
    mocked = create_mock_app(loaded, seed=seed, stateful=stateful)
    for line in mocked.report.lines():
        click.echo(line, err=True)
    click.echo(f"mock: listening on http://{host}:{port}{mocked.report.base_path}", err=True)
    uvicorn.run(mocked.app, host=host, port=port, log_level="warning")
