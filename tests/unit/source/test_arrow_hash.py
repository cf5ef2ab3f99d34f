"""The content fingerprint of data in memory: the same values give the same digest, in any process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

from bulkload.source.arrow_hash import ContentHash
from bulkload.source.memory import MemoryData, open_data
from tests.unit.source.samples import every_dtype

ROOT = Path(__file__).resolve().parents[3]


def fingerprint(data: MemoryData) -> str:
    with open_data(data) as source:
        return source.info.fingerprint


def digest(table: pa.Table, batch_rows: int | None = None) -> str:
    content = ContentHash(table.schema.names)
    for batch in table.to_batches(max_chunksize=batch_rows):
        content.update(batch)
    return content.hexdigest()


def test_the_same_frame_has_the_same_fingerprint_and_another_a_different_one() -> None:
    frame = every_dtype(30)
    assert fingerprint(frame) == fingerprint(frame.copy()) == fingerprint(every_dtype(30))
    changed = frame.copy()
    changed.loc["K003", "count"] = 1
    renamed = frame.rename(columns={"count": "Count"})
    one_less = frame.iloc[:-1]
    assert len({fingerprint(frame), fingerprint(changed), fingerprint(renamed), fingerprint(one_less)}) == 4


def test_a_new_process_gives_the_same_fingerprint() -> None:
    code = (
        "from bulkload.source.memory import open_data\n"
        "from tests.unit.source.samples import every_dtype\n"
        "print(open_data(every_dtype(30)).info.fingerprint)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    env["PYTHONHASHSEED"] = "12345"  # not the seed of this process: a digest must not depend on it
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.strip() == fingerprint(every_dtype(30))


def test_the_fingerprint_is_pinned() -> None:
    # A job id derives from it: a change here gives every frame loaded before a new job id, and its rows
    # new tokens. Change it only on purpose.
    frame = pd.DataFrame({"Name": ["a", None], "n": pd.array([1, None], dtype="Int64")})
    assert fingerprint(frame) == "7c9d547d2978924ff9cdab407a28911f"


def test_values_behind_nulls_do_not_count() -> None:
    stale = pd.DataFrame({"n": pd.Series([5, 6], dtype="Int64").where(pd.Series([True, False]))})
    fresh = pd.DataFrame({"n": pd.Series([5, None], dtype="Int64")})
    assert stale["n"].array._data[1] != fresh["n"].array._data[1]  # the stale value
    assert fingerprint(stale) == fingerprint(fresh)


@pytest.mark.parametrize(
    "dtype", [object, "string", "str", pd.ArrowDtype(pa.string()), pd.ArrowDtype(pa.large_string())]
)
def test_every_string_dtype_gives_the_same_fingerprint(dtype: Any) -> None:
    frame = pd.DataFrame({"s": pd.Series(["a", None, "bc"], dtype=dtype)})
    assert fingerprint(frame) == fingerprint(pd.DataFrame({"s": ["a", None, "bc"]}))


def test_a_categorical_has_the_fingerprint_of_its_values() -> None:
    values = ["b", "a", None, "b"]
    categorical = pd.Categorical(values, categories=["b", "a", "unused"])
    assert fingerprint(pd.DataFrame({"c": categorical})) == fingerprint(pd.DataFrame({"c": values}))


def test_timestamp_units_do_not_count_but_their_values_and_zones_do() -> None:
    moments = pd.to_datetime(pd.Series(["2026-01-02 03:04:05", None]))
    assert fingerprint(pd.DataFrame({"t": moments.astype("datetime64[ns]")})) == fingerprint(
        pd.DataFrame({"t": moments.astype("datetime64[s]")})
    )
    zoned = moments.dt.tz_localize("UTC")
    assert fingerprint(pd.DataFrame({"t": moments})) != fingerprint(pd.DataFrame({"t": zoned}))


def test_metadata_chunks_and_batches_do_not_count() -> None:
    table = pa.Table.from_pandas(every_dtype(30))
    assert table.schema.metadata
    plain = table.replace_schema_metadata(None)
    rechunked = pa.concat_tables([table.slice(0, 7), table.slice(7)])
    assert digest(table) == digest(plain) == digest(rechunked) == digest(table, 4) == digest(table, 1)


def test_nested_and_other_values_are_hashed_by_their_text() -> None:
    table = pa.table({"l": [[1, 2], None, []], "m": [{"a": 1}, {"a": None}, None]})
    assert digest(table) == digest(table, 1)
    assert digest(table) != digest(pa.table({"l": [[1, 2], None, None], "m": [{"a": 1}, {"a": None}, None]}))


def test_a_list_of_dicts_has_a_fingerprint_and_the_same_records_the_same_one() -> None:
    records: list[dict[str, Any]] = [{"Name": "a", "n": 1}, {"Name": "b", "n": None}]
    assert fingerprint(records) == fingerprint([dict(r) for r in records])
    assert fingerprint(records) != fingerprint(records[:1])
