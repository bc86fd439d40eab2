"""`specfirst mock`: serve any spec with no handlers, answers from its examples and schemas."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
from specfirst.contract_tests.cli.options import load_spec_arg, settings_from

if TYPE_CHECKING:
    from specfirst.server.mock import AllowedHost, CallbackOutcome

__all__ = ["mock"]


def _allowed_hosts(ctx: click.Context, param: click.Parameter,
                   values: tuple[str, ...]) -> tuple[AllowedHost, ...]:
    from specfirst.server.mock import AllowedHost

    try:
        return tuple(AllowedHost.parse(value) for value in values)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _echo_outcome(outcome: CallbackOutcome) -> None:
    click.echo(f"mock: {outcome.line}", err=True)


@click.command()
@click.argument("spec")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", "-p", type=click.IntRange(0, 65535), default=4010, show_default=True,
              help="Port to listen on.")
@click.option("--seed", type=int, default=None,
              help="Make generated answers repeatable (same requests, same answers).")
@click.option("--stateful", is_flag=True,
              help="Remember POSTed resources: read, update and delete them by id.")
@click.option("--callbacks", "callbacks", type=click.Choice(["on", "off"]), default="on",
              show_default=True,
              help="Send the callbacks an operation declares after each 2xx answer.")
@click.option("--callback-allow", "callback_allow", metavar="HOST[:PORT]", multiple=True,
              callback=_allowed_hosts,
              help="Send callbacks only to this host (any port unless given); repeatable. "
                   "Without it, callbacks go wherever their URL points.")
@click.option("--no-auth-check", "no_auth_check", is_flag=True,
              help="Do not check credentials (by default a secured operation called without "
                   "the credentials its security schemes name answers its documented 401).")
@click.option("--credential", "credentials", metavar="VALUE", multiple=True,
              help="Accept only this credential (an API key, a bearer token, a basic "
                   "user:password, or a whole Authorization value); repeatable. Without it "
                   "any credential of the right shape is accepted.")
def mock(spec: str, host: str, port: int, seed: int | None, stateful: bool, callbacks: str,
         callback_allow: tuple[AllowedHost, ...], no_auth_check: bool,
         credentials: tuple[str, ...]) -> None:
    """Serve SPEC as a mock: requests are validated, answers come from the spec.

    Answers use the spec's examples (those valid against their schema), else values generated
    from the response schema and validated against it. Request headers steer the answer:
    `Prefer: code=404` picks a documented status, `Prefer: example=NAME` a named example,
    `Prefer: dynamic=true` generates even when examples exist. Operations that cannot be
    mocked are listed on stderr at start-up.

    A request the operation would refuse (invalid parameters or body, an unsupported media
    type, missing credentials) gets the error response the operation documents (401/403,
    415, 422, 400, then 4XX, then default), its body from the spec; each violation is a
    `Mock-Violation` header line. Credentials are checked for presence and shape only.

    After a 2xx answer, the callbacks the operation declares are sent to the URLs their runtime
    expressions name (`{$request.body#/callbackUrl}`), in the background; each one's outcome,
    and whether the receiver's answer is documented, is a line on stderr.
    """
    import threading
    import time

    import uvicorn
    from specfirst.server.mock import CallbackPolicy, create_mock_app
    from specfirst.server.mock.app import SERVER_OPTIONS

    settings = settings_from()
    loaded = load_spec_arg(spec, settings)
    policy = CallbackPolicy(enabled=callbacks == "on", allow=callback_allow,
                            report=_echo_outcome)
    mocked = create_mock_app(loaded, seed=seed, stateful=stateful, callbacks=policy,
                             auth_check=not no_auth_check, credentials=credentials,
                             trial=False)
    for line in mocked.report.lines():
        click.echo(line, err=True)
    click.echo(f"mock: listening on http://{host}:{port}{mocked.report.base_path}", err=True)
    server = uvicorn.Server(uvicorn.Config(mocked.app, host=host, port=port,
                                           log_level="warning", **SERVER_OPTIONS))

    def try_each_operation() -> None:
        # once the server answers: one trial answer per operation finds what cannot be mocked
        while not server.started and not server.should_exit:
            time.sleep(0.05)
        found = mocked.run_trials()
        if found:
            click.echo(f"mock: cannot mock {len(found)} operation(s); they answer 501 or 500 "
                       f"problem+json:", err=True)
            for key, reason in found:
                click.echo(f"  {key}: {reason}", err=True)

    threading.Thread(target=try_each_operation, name="mock-trials", daemon=True).start()
    server.run()
