"""The bulkload command's start-up: SIGINT or SIGTERM before a job takes over exits 130 at once.

Until a job installs its own handlers (from then on a first signal asks it to stop cleanly), the command
has sent nothing and written nothing: it is importing its modules (most of a second), parsing options,
reading settings. A signal then should end it as a stop does, with exit 130 and one line, not with a
traceback (SIGINT's KeyboardInterrupt) or by the signal itself (SIGTERM). So this module is imported
first by the package, and when the process is the bulkload command (its script, or `python -m
bulkload`) it handles both signals by exiting at once. Importing bulkload as a library arms nothing.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType
from typing import Final

EXIT_INTERRUPTED: Final = 130
"""The exit code of a stop by a signal (the CLI's, defined here for the start-up's light imports)."""
_SIGNALS: Final = (signal.SIGINT, signal.SIGTERM)
_before: dict[signal.Signals, object] = {}  # the handlers `arm` replaced, while armed


def _exit_at_once(signum: int, _frame: FrameType | None) -> None:
    name = signal.Signals(signum).name
    os.write(2, f"\n{name} while starting: stopped before sending anything\n".encode())
    os._exit(EXIT_INTERRUPTED)


def arm() -> None:
    """From now until `disarm` (or a job's own handlers), SIGINT and SIGTERM exit 130 at once."""
    for sig in _SIGNALS:
        try:
            previous = signal.signal(sig, _exit_at_once)
        except ValueError:  # not the main thread: signals are not ours to handle
            return
        _before.setdefault(sig, previous)


def disarm() -> None:
    """Give SIGINT and SIGTERM back the handlers they had before `arm` (for commands that are no job)."""
    for sig, previous in list(_before.items()):
        if signal.getsignal(sig) is _exit_at_once:
            # None: a handler not set from Python, which cannot be set back; the default is closest.
            signal.signal(sig, signal.SIG_DFL if previous is None else previous)  # type: ignore[arg-type]
        del _before[sig]


def is_command() -> bool:
    """Whether this process is the bulkload command: its script, or `python -m bulkload` being imported."""
    first = sys.argv[0] if sys.argv else ""
    if first == "-m":  # how Python names the module it is still importing for `python -m`
        args = sys.orig_argv
        return "-m" in args and args[args.index("-m") + 1 :][:1] == ["bulkload"]
    return os.path.basename(first) == "bulkload"


if is_command():
    arm()
