"""Control flow inside the pool: exceptions raised and caught within it, never seen by its callers.

They derive from `errors.PoolSignal`, so the one tree in `bulkload.errors` shows them; one that escaped
the pool would be a bug.
"""

from __future__ import annotations

from bulkload.connect.classify import ClassifiedError
from bulkload.errors import PoolSignal


class Stopped(PoolSignal):
    """The job is stopping: no new attempt starts."""


class AttemptFailed(PoolSignal):
    """One attempt failed; carries the classification so tenacity can decide."""

    def __init__(self, error: ClassifiedError) -> None:
        super().__init__(f"{error.code}: {error.message}")
        self.error = error


class Retry(AttemptFailed):
    """A failure worth another attempt."""


class Unreachable(PoolSignal):
    """No call of the job was ever answered for `within` seconds: the sender stops and says so."""

    def __init__(self, error: ClassifiedError, within: float) -> None:
        super().__init__(f"{error.code}: {error.message}")
        self.error = error
        self.within = within
