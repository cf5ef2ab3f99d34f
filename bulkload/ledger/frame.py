"""The results file as a pandas DataFrame, typed, to join back to the data that was loaded.

Imported only when asked for: importing it imports pandas.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from bulkload.ledger.reader import read_outcomes
from bulkload.ledger.writer import COLUMNS
from bulkload.records import RowOutcome, Status

__all__ = ["STATUS_DTYPE", "outcomes_frame"]

STATUS_DTYPE = pd.CategoricalDtype([status.value for status in Status])
"""The `status` column's dtype: the four statuses, in the order `Status` lists them."""

_DTYPES: dict[str, str | pd.CategoricalDtype] = {
    "row": "Int64",
    "line": "Int64",
    "attempts": "Int64",
    "status": STATUS_DTYPE,
}  # every other column: "string"


def outcomes_frame(results_path: str | Path) -> pd.DataFrame:
    """The results file, one row per line (one per input row), columns as the file's, typed.

    `row`, `line` and `attempts` are `Int64` (`line` is NA where the file does not record it); `status`
    is a categorical of the four statuses; the other columns are `string`, NA where the file's field is
    empty. Raises `ResultsFileError` as reading the file does.

    To join it back to the data loaded: on the key column (`key`), or for data in memory by position,
    as the record at position (`iloc`) i is on line i + 2.
    """
    outcomes = list(read_outcomes(Path(results_path)))
    frame = pd.DataFrame({name: [_field(outcome, name) for outcome in outcomes] for name in COLUMNS})
    return frame.astype({name: _DTYPES.get(name, "string") for name in COLUMNS})


def _field(outcome: RowOutcome, name: str) -> object:
    value: object = getattr(outcome, name)
    if isinstance(value, Status):
        return value.value
    if name == "line" and value == 0:  # a results file without the column
        return None
    return value if value != "" else None
