"""One `bulkload run` at a time per results file.

Two runs on one results file (last night's cron job still going when someone re-runs the failed rows)
would each rewrite the ledger under the other. Their tokens would keep the service from creating a task
twice, but the results file would no longer say which rows were created. So a run holds an exclusive
`flock` on `<results>.lock` for as long as it runs. The kernel releases the lock when the process ends,
however it ends (a kill -9 included), so a stale lock file never blocks the next run.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from types import TracebackType

from bulkload.errors import ResultsFileError
from bulkload.ledger.paths import lock_path

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows: runs are not locked there
    fcntl = None  # type: ignore[assignment]


class ResultsLock:
    """`with ResultsLock(results):` holds the results file for this process, or raises ResultsFileError.

    `advice` ends the error's message: what to do while another process holds the file.
    """

    def __init__(
        self,
        results: Path,
        *,
        advice: str = "wait for it to finish (a re-run then continues where it stopped), or use another --results",
    ) -> None:
        self.results = results
        self.advice = advice
        self.path = lock_path(results)
        self._fd: int | None = None

    def __enter__(self) -> ResultsLock:
        if not self.results.parent.is_dir():
            raise ResultsFileError(f"the directory of the results file {self.results} does not exist")
        if fcntl is None:  # pragma: no cover
            return self
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise ResultsFileError(f"cannot create {self.path}: {exc.strerror}") from exc
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.read(fd, 64).decode("ascii", "replace").strip() or "?"
                os.close(fd)
                raise ResultsFileError(
                    f"another bulkload (pid {holder}) is running with {self.results}; {self.advice}"
                ) from None
            # The holder before us may have removed the file between our open and our lock: then we hold
            # a lock on a file nobody else will open. Try again on the file that is there now.
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        self._fd = fd
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._fd is None:
            return
        # Remove the file while still holding the lock, so that no one can lock the old file after us.
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        os.close(self._fd)
        self._fd = None
