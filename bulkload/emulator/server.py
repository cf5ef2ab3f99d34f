"""Running the emulator: in the current event loop, on a thread of its own, or in the foreground.

`Emulator` is for async tests (same loop as the client), `ThreadedEmulator` for sync code, CLI tests and
benchmarks (its own loop, so a blocking caller cannot starve it), `serve_forever` for `bulkload emulator`.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any

from aiohttp import web

from bulkload.emulator.app import create_app
from bulkload.emulator.config import EmulatorConfig
from bulkload.emulator.snapshot import EmulatorSnapshot
from bulkload.emulator.state import EmulatorState
from bulkload.emulator.throttle import Clock

# Seconds stop() waits for requests still in flight (an injected latency) before closing them.
_SHUTDOWN_TIMEOUT = 1.0


class Emulator:
    """An emulator served from the running event loop: `async with Emulator(config) as emu: ...`.

    `clock` (epoch seconds) drives the throttle and the ScheduledTime checks; tests pass a fake one.
    """

    def __init__(self, config: EmulatorConfig | None = None, *, clock: Clock | None = None) -> None:
        self._initial = config if config is not None else EmulatorConfig()
        self.state = (
            EmulatorState(self._initial) if clock is None else EmulatorState(self._initial, clock=clock)
        )
        self._runner: web.AppRunner | None = None
        self._url: str | None = None

    @property
    def config(self) -> EmulatorConfig:
        """The settings in force now."""
        return self.state.config

    @property
    def endpoint_url(self) -> str:
        """Where the emulator listens, e.g. `http://127.0.0.1:54321`; set once started."""
        if self._url is None:
            raise RuntimeError("the emulator is not running")
        return self._url

    def snapshot(self) -> EmulatorSnapshot:
        """A consistent copy of the state (tasks, counts, chains, settings)."""
        return self.state.snapshot()

    async def start(self) -> Emulator:
        """Bind config.host:config.port (0 picks a free port) and serve."""
        if self._runner is not None:
            raise RuntimeError("the emulator is already running")
        runner = web.AppRunner(
            create_app(self.state), access_log=None, handle_signals=False, shutdown_timeout=_SHUTDOWN_TIMEOUT
        )
        await runner.setup()
        try:
            site = web.TCPSite(runner, self._initial.host, self._initial.port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        host, port = runner.addresses[0][:2]
        self._runner = runner
        self._url = f"http://{_url_host(host)}:{port}"
        return self

    async def stop(self) -> None:
        """Stop serving and close every connection; the state stays readable. Safe to call twice."""
        runner, self._runner = self._runner, None
        self._url = None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Emulator:
        return await self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()


class ThreadedEmulator:
    """An emulator on its own thread and event loop: `with ThreadedEmulator(config) as emu: ...`.

    Read its state with `snapshot()`; `state` itself may be called from any thread (it locks), but its
    attributes are live.
    """

    def __init__(self, config: EmulatorConfig | None = None, *, clock: Clock | None = None) -> None:
        self._emulator = Emulator(config, clock=clock)
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    @property
    def state(self) -> EmulatorState:
        """The live state (thread-safe methods; prefer `snapshot()` for reading)."""
        return self._emulator.state

    @property
    def config(self) -> EmulatorConfig:
        """The settings in force now."""
        return self._emulator.config

    @property
    def endpoint_url(self) -> str:
        """Where the emulator listens; set once started."""
        return self._emulator.endpoint_url

    def snapshot(self) -> EmulatorSnapshot:
        """A consistent copy of the state, taken under the state's lock."""
        return self._emulator.state.snapshot()

    def start(self, timeout: float = 10.0) -> ThreadedEmulator:
        """Start the thread and wait until the emulator listens; startup errors are raised here."""
        if self._thread is not None:
            raise RuntimeError("the emulator is already running")
        self._ready.clear()
        self._error = None
        self._thread = threading.Thread(target=self._run, name="bulkload-emulator", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError(f"the emulator did not start within {timeout} s")
        if self._error is not None:
            self._thread.join()
            self._thread = None
            raise self._error
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving and join the thread. Safe to call twice."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        if self._loop is not None and self._stopping is not None:
            with contextlib.suppress(RuntimeError):  # the loop already closed
                self._loop.call_soon_threadsafe(self._stopping.set)
        thread.join(timeout)
        if thread.is_alive():
            raise TimeoutError(f"the emulator thread did not stop within {timeout} s")

    def _run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        try:
            await self._emulator.start()
        except Exception as exc:  # noqa: BLE001 - not swallowed: start() re-raises it in the caller's thread
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            await self._stopping.wait()
        finally:
            await self._emulator.stop()

    def __enter__(self) -> ThreadedEmulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def serve_forever(config: EmulatorConfig, *, on_ready: Callable[[str], None] | None = None) -> None:
    """Serve in the foreground until SIGINT or SIGTERM, then shut down cleanly and return.

    Prints nothing: `on_ready` receives the endpoint URL once the emulator listens, for the caller to show.
    """
    asyncio.run(_serve_until_signalled(config, on_ready))


async def _serve_until_signalled(config: EmulatorConfig, on_ready: Callable[[str], None] | None) -> None:
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    installed: list[signal.Signals] = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Not available off the main thread or on Windows; Ctrl-C then arrives as KeyboardInterrupt.
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, stopping.set)
            installed.append(signum)
    try:
        async with Emulator(config) as emulator:
            if on_ready is not None:
                on_ready(emulator.endpoint_url)
            await stopping.wait()
    finally:
        for signum in installed:
            loop.remove_signal_handler(signum)


def _url_host(host: Any) -> str:
    text = str(host)
    return f"[{text}]" if ":" in text else text
