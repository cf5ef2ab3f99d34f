"""Rules only the whole file shows: repeated keys and ClientTokens, over-long PreviousContactId chains."""

from __future__ import annotations

from bulkload.connect import model
from bulkload.records import MappedRow, Problem

__all__ = ["FileRules"]


class FileRules:
    """Rules that span the file: repeated --key values and ClientTokens, the PreviousContactId chain limit."""

    def __init__(
        self,
        *,
        check_duplicate_keys: bool,
        chain_limit: int = model.PREVIOUS_CONTACT_CHAIN_LIMIT,
    ) -> None:
        """`check_duplicate_keys` is for a --key column; row numbers never repeat."""
        self._check_duplicate_keys = check_duplicate_keys
        self._chain_limit = chain_limit
        # 64-bit hash of a key -> the row it was first seen on: ~100 bytes a row, keys themselves not kept.
        # Python's str hash is 64-bit SipHash; a false "appears again" needs a collision, about 1 in
        # 30 million for a file of a million keys.
        self._first_row: dict[int, int] = {}
        self._first_token: dict[int, int] = {}  # the same, for ClientTokens given in a column
        self._chains: dict[str, int] = {}

    def check_key(self, row: MappedRow) -> tuple[Problem, ...]:
        """A repeat of an earlier row's key; call for every row, valid or not, carried over or not.

        Every row counts, because a key names one row of the results file: a repeat of an invalid row's
        key, or of a row created in an earlier run, would make two outcomes for one key.
        """
        if not self._check_duplicate_keys or not row.key:  # an empty key is reported by mapping
            return ()
        first = self._first_row.setdefault(hash(row.key), row.row)
        if first != row.row:
            return (Problem(None, f"key {row.key!r} appears again (first on row {first})", Problem.ROW),)
        return ()

    def check(self, row: MappedRow) -> tuple[Problem, ...]:
        """Problems of `row` given the rows before it; call in input order, once per otherwise-valid row."""
        repeated = self.check_key(row)
        if repeated:
            return repeated  # a repeated row is never sent, so it does not count towards a chain
        token = row.params.get("ClientToken")
        if token is not None:
            first = self._first_token.setdefault(hash(token), row.row)
            if first != row.row:
                return (
                    Problem.at(
                        "ClientToken",
                        f"ClientToken {token!r} appears again (first on row {first}): the service would "
                        "answer this row with that row's task and create nothing",
                    ),
                )
        return self._add_to_chain(row)

    def count_created(self, row: MappedRow) -> None:
        """Count a row created in an earlier run towards its PreviousContactId chain (the service does)."""
        previous = row.params.get("PreviousContactId")
        if previous is not None:
            self._chains[previous] = self._chains.get(previous, 0) + 1

    def _add_to_chain(self, row: MappedRow) -> tuple[Problem, ...]:
        previous = row.params.get("PreviousContactId")
        if previous is None:
            return ()
        count = self._chains.get(previous, 0) + 1
        if count > self._chain_limit:
            return (
                Problem.at(
                    "PreviousContactId",
                    f"more than {self._chain_limit} tasks would share {previous!r} "
                    f"(the service allows {self._chain_limit})",
                ),
            )
        self._chains[previous] = count
        return ()
