"""The distinct instances and routing ids a file's rows use, collected while the rows are validated.

Preflight checks each of them once. A row adds its parameters in a few dictionary lookups; the number of
distinct ids kept is bounded, so a file naming a different flow on every row costs neither memory nor
an hour of Describe calls: past the bound, rows are counted but their new ids are not checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bulkload.connect.targets import Target, targets_of

MAX_IDS = 1_000


class UsedIds:
    """Each distinct instance and (instance, routing id) pair that rows use, and how many rows use each."""

    def __init__(self, limit: int = MAX_IDS) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.rows = 0
        self.unchecked_rows = 0  # rows that named an id past the limit
        # A row's targets (its instance, then its routing id) -> how many rows name exactly these.
        self.uses: dict[tuple[Target, ...], int] = {}
        self._targets: dict[Target, None] = {}  # insertion-ordered: the first ids met are checked

    def add(self, params: Mapping[str, Any]) -> None:
        """Count one row that will be sent, with its StartTaskContact parameters."""
        self.rows += 1
        targets = targets_of(params)
        count = self.uses.get(targets)
        if count is not None:
            self.uses[targets] = count + 1
            return
        new = [target for target in targets if target not in self._targets]
        if len(self._targets) + len(new) > self.limit:
            self.unchecked_rows += 1
            return
        self._targets.update(dict.fromkeys(new))
        self.uses[targets] = 1

    @property
    def truncated(self) -> bool:
        """Whether some rows named ids past the limit, which are not checked."""
        return self.unchecked_rows > 0

    @property
    def targets(self) -> tuple[Target, ...]:
        """Every distinct instance and routing target kept, in the order rows first named them."""
        return tuple(self._targets)
