"""The built-in emulator from the shell: the `bulkload emulator` command (`--emulator` of run, validate
and retry is `bulkload.launch`'s).

The emulator package is imported only when the command runs, so that a run against AWS starts without
loading the emulator's server.
"""

from __future__ import annotations

from typing import Any

import click

from bulkload.cli.output import fail


@click.command("emulator")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8800, show_default=True, help="Port (0: any free)."
)
@click.option(
    "--rate",
    type=click.FloatRange(min=0, min_open=True),
    default=2.0,
    show_default=True,
    help="Account-wide StartTaskContact quota, requests per second.",
)
@click.option("--burst", type=click.IntRange(min=1), default=5, show_default=True, help="Quota burst.")
@click.option(
    "--latency-ms",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    help="Added latency per call.",
)
@click.option(
    "--jitter-ms", type=click.FloatRange(min=0), default=0.0, show_default=True, help="Random extra latency."
)
@click.option(
    "--fail-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Fraction of calls answered 500 InternalServiceException (nothing created).",
)
@click.option(
    "--reset-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Fraction of calls whose connection is dropped before the task is created.",
)
@click.option(
    "--drop-after-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Fraction of calls whose task is created, then the connection dropped with no answer.",
)
@click.option(
    "--instance-id",
    "instance_ids",
    multiple=True,
    help="A known instance (repeatable; default: the samples'). Unknown ones get ResourceNotFoundException.",
)
@click.option("--flow-id", "flow_ids", multiple=True, help="A known contact flow (repeatable).")
@click.option(
    "--template-id", "template_ids", multiple=True, help="A known task template with a flow (repeatable)."
)
@click.option(
    "--quick-connect-id", "quick_connect_ids", multiple=True, help="A known quick connect (repeatable)."
)
@click.option(
    "--template-without-flow",
    "templates_without_flow",
    multiple=True,
    help="A known task template with no flow.",
)
@click.option(
    "--inactive-template", "inactive_templates", multiple=True, help="A known task template that is INACTIVE."
)
@click.option(
    "--stop-rate", type=click.FloatRange(min=0, min_open=True), help="StopContact quota (default 2/s)."
)
@click.option("--stop-burst", type=click.IntRange(min=1), help="StopContact quota burst (default 5).")
@click.option(
    "--deny-access-key",
    "denied_access_keys",
    multiple=True,
    help="Answer calls signed with this access key id 403 AccessDeniedException, as for a caller "
    "without permission (repeatable).",
)
@click.option(
    "--active-task-quota",
    type=click.IntRange(min=1),
    default=2500,
    show_default=True,
    help="Concurrent active tasks per instance.",
)
@click.option("--seed", type=int, default=None, help="Seed for fault injection, for repeatable runs.")
def emulator_command(**params: Any) -> None:
    """Serve a local stand-in for Amazon Connect's StartTaskContact, StopContact and the look-ups a preflight
    makes (for demos, tests and benchmarks).

    Point bulkload (or any AWS SDK) at it with --endpoint-url http://HOST:PORT and any credentials.
    GET /_emulator/tasks and /_emulator/stats show what it did.
    """
    from bulkload.emulator import EmulatorConfig, serve_forever  # noqa: PLC0415 - only for this command

    fields = {k: v for k, v in params.items() if v not in ((), None)}  # unset: the emulator's default
    try:
        config = EmulatorConfig(**fields)
    except (TypeError, ValueError) as exc:
        fail(str(exc))

    def ready(url: str) -> None:
        click.echo(f"bulkload emulator serving Amazon Connect at {url} (Ctrl-C to stop)", err=True)

    try:
        serve_forever(config, on_ready=ready)
    except OSError as exc:  # the port is taken, the address is not this machine's...
        fail(f"cannot listen on {params['host']}:{params['port']}: {exc.strerror or exc}")
