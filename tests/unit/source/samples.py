"""Small input files for the source tests, and reading one back as rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from bulkload.records import SourceRow
from bulkload.source import SourceOptions, open_source


def write(tmp_path: Path, data: bytes | str, name: str = "in.csv") -> Path:
    """A file of these bytes (text as UTF-8) in `tmp_path`."""
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def write_table(tmp_path: Path, table: pa.Table, name: str = "in.parquet", **kwargs: Any) -> Path:
    """A Parquet file of `table` in `tmp_path`; `kwargs` go to `pq.write_table`."""
    path = tmp_path / name
    pq.write_table(table, path, **kwargs)
    return path


def read(path: Path, **options: Any) -> list[SourceRow]:
    """Every row of the input, read with these `SourceOptions`."""
    with open_source(path, SourceOptions(**options)) as source:
        return [row for chunk in source.chunks() for row in chunk]


def make_csv(path: Path, rows: int) -> Path:
    """A CSV file of `rows` rows of Name and a zero-padded Account."""
    path.write_text("Name,Account\n" + "".join(f"n{i},{i:05d}\n" for i in range(rows)))
    return path


def make_parquet(path: Path, rows: int) -> Path:
    """`make_csv` as a Parquet file."""
    table = pa.table({"Name": [f"n{i}" for i in range(rows)], "Account": [f"{i:05d}" for i in range(rows)]})
    pq.write_table(table, path, row_group_size=7)  # chunks must not follow the row groups
    return path


def make_xlsx(path: Path, rows: int) -> Path:
    """`make_csv` as an Excel workbook."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Account"])
    for i in range(rows):
        sheet.append([f"n{i}", f"{i:05d}"])
    workbook.save(path)
    return path


def every_dtype(rows: int = 6) -> pd.DataFrame:
    """A frame with a column of each dtype the text rules name, some of each missing, a named index."""
    frame = pd.DataFrame(
        {
            "Name": [f"task {i}" for i in range(rows)],
            "count": np.arange(rows, dtype="int64") * 7,
            "maybe": pd.array([i if i % 3 else None for i in range(rows)], dtype="Int64"),
            "amount": [float("nan") if i % 4 == 1 else i / 4 for i in range(rows)],
            "flag": pd.array([None if i % 5 == 2 else bool(i % 2) for i in range(rows)], dtype="boolean"),
            "plain": [i % 2 == 0 for i in range(rows)],
            "note": pd.array([None if i == 3 else f"00{i}" for i in range(rows)], dtype="string"),
            "text": pd.Series([None if i == 4 else f" x{i} " for i in range(rows)], dtype=object),
            "tier": pd.Categorical([["gold", "silver", None][i % 3] for i in range(rows)]),
            "size": pd.Categorical([[10, 20][i % 2] for i in range(rows)]),
            "due": pd.to_datetime([f"2026-11-{24 + i % 3} 09:30" for i in range(rows)]).tz_localize(
                "Europe/Berlin"
            ),
            "when": pd.Series(
                [
                    pd.NaT if i == 2 else pd.Timestamp("2026-11-25 08:00") + pd.Timedelta(hours=i)
                    for i in range(rows)
                ]
            ),
            "Key": [f"K{i:03d}" for i in range(rows)],
        }
    )
    return frame.set_index("Key")


# The same rows in each format, by file name.
MAKERS = {"in.csv": make_csv, "in.parquet": make_parquet, "in.xlsx": make_xlsx}
