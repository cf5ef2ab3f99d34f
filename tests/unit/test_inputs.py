"""What a job reads: a path goes to the file readers, anything else is data in memory."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bulkload.errors import ConfigError
from bulkload.inputs import default_results_path, input_label, is_path, open_input
from bulkload.source import SourceOptions


def test_a_path_is_a_file_and_anything_else_data_in_memory() -> None:
    assert is_path("tasks.csv")
    assert is_path(Path("tasks.csv"))
    assert not is_path(pd.DataFrame())
    assert not is_path([{"Name": "A"}])
    assert input_label(Path("in/tasks.csv")) == "in/tasks.csv"
    assert input_label([{"Name": "A"}]) == "data in memory"


def test_results_go_beside_a_file_and_data_in_memory_has_no_default() -> None:
    assert default_results_path("in/tasks.csv") == Path("in/tasks.results.csv")
    with pytest.raises(ConfigError, match="pass results= a path for the results file"):
        default_results_path(pd.DataFrame())


def test_open_input_reads_files_and_data_in_memory_alike(tmp_path: Path) -> None:
    path = tmp_path / "tasks.csv"
    path.write_text("Name,Count\nA,1\n", encoding="utf-8")
    frame = pd.DataFrame({"Name": ["A"], "Count": [1]})
    read = []
    for data in (str(path), frame):
        with open_input(data, SourceOptions()) as source:
            read.append([row.cells for chunk in source.chunks() for row in chunk])
            assert source.info.fingerprint
    assert read[0] == read[1] == [{"Name": "A", "Count": "1"}]
    with open_input(frame, SourceOptions(), fingerprint=False) as source:
        assert source.info.fingerprint == ""
