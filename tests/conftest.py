"""Fixtures shared by every test: a clean AWS environment, an emulator, and a real aioboto3 client for it."""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aioboto3
import pytest
from aiobotocore.session import AioSession
from botocore.config import Config
from botocore.loaders import Loader, create_loader

from bulkload.emulator import Emulator, EmulatorConfig

MakeEmulator = Callable[..., Awaitable[Emulator]]
MakeClient = Callable[..., Awaitable[Any]]


@functools.cache
def _shared_loader() -> Loader:
    # botocore's loader caches the parsed service model; sharing it across tests turns ~150 ms per
    # client into ~10 ms. It holds only data, nothing bound to an event loop.
    return create_loader()


@pytest.fixture(autouse=True)
def aws_environment(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Dummy credentials and no config files, so a developer's ~/.aws cannot change what tests see."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    empty = tmp_path_factory.mktemp("aws") / "empty"
    empty.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


@pytest.fixture
def cli_workdir(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The test's own directory as the current one, with no BULKLOAD_* setting from the developer's shell."""
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("BULKLOAD_")]:
        monkeypatch.delenv(name)


@pytest.fixture
async def make_emulator() -> AsyncIterator[MakeEmulator]:
    """Start emulators with custom settings: `await make_emulator(rate=1, burst=2)` or with a config.

    Keyword arguments override the fast test defaults (rate=1000, burst=1000, seed=1); `clock=` injects a
    clock. Every emulator started is stopped at teardown.
    """
    started: list[Emulator] = []

    async def make(config: EmulatorConfig | None = None, *, clock: Any = None, **changes: Any) -> Emulator:
        base = config if config is not None else EmulatorConfig(rate=1000, burst=1000, seed=1)
        emulator = Emulator(base.replace(**changes) if changes else base, clock=clock)
        await emulator.start()
        started.append(emulator)
        return emulator

    yield make
    for emulator in started:
        await emulator.stop()


@pytest.fixture
async def emulator(make_emulator: MakeEmulator) -> Emulator:
    """A started emulator with the fast test defaults (rate=1000, burst=1000, seed=1)."""
    return await make_emulator()


@pytest.fixture
async def make_connect_client() -> AsyncIterator[MakeClient]:
    """Open real aioboto3 Connect clients: `await make_connect_client(url, parameter_validation=False)`.

    Keyword arguments go to botocore's Config; botocore's own retries are off unless overridden, so each
    call is exactly one request. Clients are closed at teardown.
    """
    async with contextlib.AsyncExitStack() as stack:

        async def make(endpoint_url: str, **config: Any) -> Any:
            settings: dict[str, Any] = {"retries": {"total_max_attempts": 1}, **config}
            botocore_session = AioSession()
            botocore_session.register_component("data_loader", _shared_loader())
            session = aioboto3.Session(botocore_session=botocore_session)
            return await stack.enter_async_context(
                session.client("connect", endpoint_url=endpoint_url, config=Config(**settings))
            )

        yield make


@pytest.fixture
async def connect_client(emulator: Emulator, make_connect_client: MakeClient) -> Any:
    """A real aioboto3 "connect" client pointed at the `emulator` fixture, botocore retries off."""
    return await make_connect_client(emulator.endpoint_url)
