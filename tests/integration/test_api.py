"""`bulkload.load` end to end, over HTTP against the emulator: a DataFrame of every common dtype loads
once, a second call sends nothing, fixed rows alone are sent again; a frame and its Parquet file send the
same requests; readers, dicts, files; whose results a frame may continue; the outcomes join back."""

from __future__ import annotations

import importlib.util
import pydoc
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

import bulkload
from bulkload.emulator import ThreadedEmulator
from bulkload.options import OPTION_NAMES
from tests.integration.api_helpers import FAST, created_once, local, mixed_frame, options, tasks_by_token

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def threaded() -> Iterator[ThreadedEmulator]:
    """An emulator on its own thread: `load` runs its own event loop in the test's thread."""
    with ThreadedEmulator(FAST) as emulator:
        yield emulator


@pytest.mark.slow
def test_a_frame_loads_once_and_its_fixed_rows_alone_are_sent_again(
    tmp_path: Path, threaded: ThreadedEmulator
) -> None:
    frame = mixed_frame(10_000)
    invalid = frame.index[::1000]  # 10 rows without a Name
    frame.loc[invalid, "Name"] = pd.NA
    results = tmp_path / "tasks.results.csv"
    first = bulkload.load(frame, results=results, **options(threaded.endpoint_url, key="ticket"))
    assert isinstance(first, bulkload.LoadSummary)
    assert (first.counts, first.sent, first.exit_code) == ({"created": 9_990, "invalid": 10}, 9_990, 1)
    assert first.in_memory
    assert first.retry_command is None  # no command can read the frame again: load it again
    assert created_once(threaded.snapshot(), 9_990)

    again = bulkload.load(frame, results=results, **options(threaded.endpoint_url, key="ticket"))
    assert (again.sent, again.carried_over, again.job_id) == (0, 9_990, first.job_id)
    assert len(threaded.snapshot().tasks) == 9_990

    frame.loc[invalid, "Name"] = "Fixed"
    fixed = bulkload.load(frame, results=results, **options(threaded.endpoint_url, key="ticket"))
    assert (fixed.counts, fixed.sent, fixed.exit_code) == ({"created": 10_000}, 10, 0)
    snapshot = threaded.snapshot()
    assert created_once(snapshot, 10_000)
    assert sorted(t.params["Attributes"]["count"] for t in snapshot.tasks if t.params["Name"] == "Fixed") == [
        str(i) for i in range(0, 10_000, 1000)
    ]


def test_a_frame_and_its_parquet_file_send_the_same_requests(tmp_path: Path) -> None:
    frame = mixed_frame(300)
    path = tmp_path / "tasks.parquet"
    frame.to_parquet(path)
    sent = []
    for data in (path, frame):
        with ThreadedEmulator(FAST) as emulator:
            summary = bulkload.load(
                data,
                results=tmp_path / f"{type(data).__name__}.results.csv",
                # The same job id, so that the ClientTokens, which cover the requests, match too.
                **options(emulator.endpoint_url, key="ticket", job_id="same-job"),
            )
            assert summary.counts == {"created": 300}
            sent.append(tasks_by_token(emulator.snapshot()))
    assert len(sent[0]) == 300
    assert sent[0] == sent[1]
    by_count = {int(params["Attributes"]["count"]): params["Attributes"] for params in sent[1].values()}
    assert by_count[0] == {  # NA, NaN and None absent; naive times without an offset
        "count": "0",
        "tier": "gold",
        "vip": "true",
        "seen": "2024-03-01T08:00:00",
        "due": "2024-03-01T08:00:00+01:00",
    }
    assert (by_count[4]["ratio"], by_count[4]["score"], by_count[4]["active"]) == ("1", "12", "false")


def test_the_outcomes_join_back_to_the_frame(tmp_path: Path) -> None:
    frame = mixed_frame(20)
    frame.loc[frame.index[[3, 7]], "Name"] = pd.NA
    summary = bulkload.load(frame, results=tmp_path / "r.csv", **local(key="ticket"))
    outcomes = summary.outcomes()
    joined = frame.join(outcomes.set_index("key"), how="left")
    assert (
        joined["status"].tolist()
        == ["created"] * 3 + ["invalid"] + ["created"] * 3 + ["invalid"] + ["created"] * 12
    )
    assert joined["contact_id"].notna().sum() == 18
    assert str(outcomes["row"].dtype) == "Int64"
    plain = frame.reset_index(drop=True)  # no key: rows join back by position, record i on line i + 2
    by_line = bulkload.load(plain, results=tmp_path / "plain.csv", **local()).outcomes()
    assert (plain.join(by_line.set_index(by_line["line"] - 2))["status"] == joined["status"].values).all()


def test_a_reader_needs_a_job_id(tmp_path: Path) -> None:
    table = pa.Table.from_pandas(mixed_frame(50))
    with pytest.raises(bulkload.ConfigError, match=r"can be read only once.*pass a job_id"):
        bulkload.load(table.to_reader(), results=tmp_path / "r.csv", **local(key="ticket"))
    summary = bulkload.load(
        table.to_reader(), results=tmp_path / "r.csv", **local(key="ticket", job_id="nightly-1")
    )
    assert (summary.counts, summary.job_id, summary.emulator) == ({"created": 50}, "nightly-1", True)
    assert bulkload.load(table, results=tmp_path / "t.csv", **local(key="ticket")).exit_code == 0


def test_dicts_load_as_rows(tmp_path: Path, threaded: ThreadedEmulator) -> None:
    records = [{"Name": f"Task {i}", "Attributes.n": i} for i in range(30)]
    summary = bulkload.load(records, results=tmp_path / "r.csv", **options(threaded.endpoint_url))
    assert (summary.counts, summary.input) == ({"created": 30}, "the list of 30 records")
    assert sorted(int(t.params["Attributes"]["n"]) for t in threaded.snapshot().tasks) == list(range(30))
    with pytest.raises(bulkload.ConfigError, match="the iterator of records can be read only once"):
        bulkload.load(iter(records), results=tmp_path / "i.csv", **options(threaded.endpoint_url))
    once = bulkload.load(
        iter(records), results=tmp_path / "i.csv", **options(threaded.endpoint_url, job_id="once")
    )
    assert (once.counts, once.job_id) == ({"created": 30}, "once")


def test_a_file_loads_as_bulkload_run_loads_it(tmp_path: Path, threaded: ThreadedEmulator) -> None:
    path = tmp_path / "tasks.csv"
    path.write_text("Name,Attributes.n\nA,1\n,2\n", encoding="utf-8")
    summary = bulkload.load(str(path), **options(threaded.endpoint_url))
    assert (summary.counts, summary.results) == (
        {"created": 1, "invalid": 1},
        str(tmp_path / "tasks.results.csv"),
    )
    assert summary.retry_command == f"bulkload retry {tmp_path / 'tasks.results.csv'}"
    assert not summary.in_memory


def test_other_data_is_refused_the_results_of_a_frame_unless_the_job_is_named(tmp_path: Path) -> None:
    results = tmp_path / "r.csv"
    first = bulkload.load(mixed_frame(5), results=results, **local(key="ticket"))
    with pytest.raises(bulkload.InputError, match=r"holds the results of other data .*job_id="):
        bulkload.load(mixed_frame(6), results=results, **local(key="ticket"))
    grown = bulkload.load(mixed_frame(6), results=results, **local(key="ticket", job_id=first.job_id))
    assert (grown.sent, grown.carried_over, grown.job_id) == (1, 5, first.job_id)


async def test_load_in_a_running_event_loop_points_to_aload(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match=r"use `await bulkload.aload\(...\)`"):
        bulkload.load(mixed_frame(1), results=tmp_path / "r.csv", **local(key="ticket"))
    summary = await bulkload.aload(mixed_frame(3), results=tmp_path / "r.csv", **local(key="ticket"))
    assert summary.counts == {"created": 3}


def test_the_api_is_exported_and_documented() -> None:
    for name in ("load", "aload", "LoadSummary", "LoadOptions", "ProgressSnapshot"):
        assert name in bulkload.__all__
    page = pydoc.render_doc(bulkload.load)
    for words in (
        "DataFrame",
        "RecordBatchReader",
        "results",
        "mapping",
        "job_id",
        "LoadSummary",
        "outcomes()",
    ):
        assert words in page
    assert "KeyboardInterrupt" in page
    assert "aload" in page
    assert "CancelledError" in pydoc.render_doc(bulkload.aload)
    doc = bulkload.load.__doc__ or ""
    for name in OPTION_NAMES:
        assert name in doc, name
    defaults = bulkload.PoolSettings()
    assert f"rate ({defaults.rate:g} calls/s), burst ({defaults.burst})" in doc
    assert f"max_attempts ({defaults.max_attempts}), adaptive ({defaults.adaptive})" in doc
    assert f'timezone ("{bulkload.MappingOptions().timezone}")' in doc


def test_the_python_sample_loads_fixes_and_loads_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = importlib.util.spec_from_file_location("from_python", REPO / "samples" / "from_python.py")
    assert spec is not None
    assert spec.loader is not None
    sample = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sample)
    summary = sample.main(tmp_path / "callbacks.results.csv")
    assert (summary.counts, summary.sent, summary.exit_code) == ({"created": 4}, 1, 0)
    assert "Name (column 'customer'): is required" in capsys.readouterr().out
