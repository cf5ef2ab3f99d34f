"""The command's start-up guard: armed only for the bulkload command, handed back when disarmed."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator

import pytest

from bulkload import startup


@pytest.fixture
def handlers() -> Iterator[None]:
    """Whatever the test arms, SIGINT and SIGTERM get their handlers back."""
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    startup.disarm()
    for sig, handler in before.items():
        signal.signal(sig, handler)


@pytest.mark.parametrize(
    ("argv", "orig_argv", "command"),
    [
        (["/venv/bin/bulkload", "run", "x.csv"], ["/venv/bin/python3", "/venv/bin/bulkload", "run"], True),
        (["-m", "run", "x.csv"], ["python", "-m", "bulkload", "run", "x.csv"], True),
        (["-m", "x"], ["python", "-X", "importtime", "-m", "bulkload", "x"], True),
        (["-m", "x"], ["python", "-m", "pytest", "x"], False),
        (["-c"], ["python", "-c", "import bulkload"], False),
        (["/venv/bin/pytest", "tests"], ["python", "/venv/bin/pytest", "tests"], False),
        ([], [], False),
    ],
)
def test_only_the_bulkload_command_is_guarded(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], orig_argv: list[str], command: bool
) -> None:
    monkeypatch.setattr(sys, "argv", argv)
    monkeypatch.setattr(sys, "orig_argv", orig_argv)
    assert startup.is_command() is command


@pytest.mark.usefixtures("handlers")
def test_arming_handles_both_signals_and_disarming_gives_them_back() -> None:
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    startup.arm()
    armed = {sig: signal.getsignal(sig) for sig in before}
    assert all(handler not in (before[sig], signal.SIG_DFL) for sig, handler in armed.items())
    startup.disarm()
    assert {sig: signal.getsignal(sig) for sig in before} == before


@pytest.mark.usefixtures("handlers")
def test_disarming_leaves_a_handler_installed_since_in_place() -> None:
    startup.arm()

    def own(_signum: int, _frame: object) -> None:
        """A handler the job installed after the guard."""

    signal.signal(signal.SIGTERM, own)
    startup.disarm()
    assert signal.getsignal(signal.SIGTERM) is own


def test_importing_the_library_arms_nothing() -> None:
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
