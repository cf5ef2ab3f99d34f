"""Stand-ins shared by the emulator's unit tests."""

from __future__ import annotations


class FakeClock:
    """Seconds that move only when a test says so."""

    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
