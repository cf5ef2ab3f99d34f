"""Which tasks a stop sends: the created rows, narrowed by keys or schedule, less those the ledger has done."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulkload.errors import InputError, ResultsFileError
from bulkload.ledger import COLUMNS, pending_path, prev_path, stop_ledger_path, write_job_file
from bulkload.records import Status
from bulkload.undo.ledger import rewrite
from bulkload.undo.plan import make_plan, read_keys
from bulkload.undo.records import StopStatus
from tests.unit.undo.helpers import INSTANCE, created, results_file, stop_outcome

NOW = 1_900_000_000.0


def mixed(tmp_path: Path) -> Path:
    """Rows 1-5 created (3 scheduled ahead, 4 scheduled in the past), 6 invalid, 7 failed."""
    return results_file(
        tmp_path / "r.csv",
        [
            created(1),
            created(2),
            created(3, scheduled_time=int(NOW) + 3600),
            created(4, scheduled_time=int(NOW) - 60),
            created(5),
            created(6, status=Status.INVALID, contact_id="", instance_id=""),
            created(7, status=Status.FAILED, contact_id=""),
        ],
    )


def test_every_created_row_is_stopped_in_row_order_in_its_instance(tmp_path: Path) -> None:
    plan = make_plan(mixed(tmp_path), now=NOW)

    assert [t.row for t in plan.targets] == [1, 2, 3, 4, 5]
    assert [t.contact_id for t in plan.targets] == [f"c-{row}" for row in range(1, 6)]
    assert plan.instances == {INSTANCE: 5}
    assert (plan.selected, plan.done_earlier, plan.not_scheduled, plan.without_task) == (5, 0, 0, 0)
    assert plan.ledger == stop_ledger_path(tmp_path / "r.csv")
    assert not any(t.maybe_stopped for t in plan.targets)


def test_keys_narrow_it_to_those_rows(tmp_path: Path) -> None:
    plan = make_plan(mixed(tmp_path), keys={"2", "4", "6"}, now=NOW)

    assert [t.row for t in plan.targets] == [2, 4]
    assert (plan.selected, plan.without_task) == (2, 1)  # row 6 created no task


def test_a_key_that_is_no_row_is_an_error_naming_up_to_ten(tmp_path: Path) -> None:
    keys = {"1", *(f"x{i:02d}" for i in range(12))}
    with pytest.raises(InputError) as info:
        make_plan(mixed(tmp_path), keys=keys, now=NOW)
    message = str(info.value)
    assert message.startswith(f"12 of the keys to stop are no row of {tmp_path / 'r.csv'}: 'x00', 'x01'")
    assert "'x09' and 2 more" in message
    assert "'x10'" not in message
    assert "\n" not in message


def test_only_scheduled_keeps_the_tasks_scheduled_ahead(tmp_path: Path) -> None:
    plan = make_plan(mixed(tmp_path), only_scheduled=True, now=NOW)

    assert [t.row for t in plan.targets] == [3]
    assert plan.targets[0].scheduled_time == int(NOW) + 3600
    assert (plan.selected, plan.not_scheduled) == (5, 4)


def test_only_scheduled_on_a_file_that_does_not_record_schedules_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    older = ",".join(COLUMNS[: COLUMNS.index("request_hash") + 1])
    path.write_text(older + "\n1,2,1,created,c-1,t,,,1,j,h\n2,3,2,created,c-2,t,,,1,j,h\n", encoding="utf-8")

    with pytest.raises(InputError) as info:
        make_plan(path, only_scheduled=True, now=NOW)
    assert str(info.value) == (
        f"{path}: 2 created rows (rows 1, 2) were recorded by an older bulkload, which did not keep their "
        "ScheduledTime: stop without --only-scheduled, or name the rows to stop with --keys"
    )


def test_rows_that_record_no_instance_take_the_given_one_else_the_jobs(tmp_path: Path) -> None:
    path = results_file(tmp_path / "r.csv", [created(1, instance_id=""), created(2)])
    with pytest.raises(ResultsFileError, match=r"1 created rows \(rows 1\) do not record their instance"):
        make_plan(path)

    assert [t.instance_id for t in make_plan(path, instance_id="i-given").targets] == ["i-given", INSTANCE]
    options = {"mapping": {"instance_id": "i-job"}, "client": {}, "source": {}, "pool": {}}
    write_job_file(path, input_path=tmp_path / "in.csv", fingerprint="f", job_id="job-1", options=options)
    assert [t.instance_id for t in make_plan(path).targets] == ["i-job", INSTANCE]


def test_tasks_the_ledger_has_stopped_or_seen_ended_are_left_alone(tmp_path: Path) -> None:
    path = mixed(tmp_path)
    rewrite(
        stop_ledger_path(path),
        [
            stop_outcome(1),
            stop_outcome(2, StopStatus.ALREADY_ENDED),
            stop_outcome(3, StopStatus.REJECTED),
            stop_outcome(4, StopStatus.FAILED),
            stop_outcome(5, StopStatus.SENDING),
        ],
    )

    plan = make_plan(path, now=NOW)

    assert [(t.row, t.maybe_stopped) for t in plan.targets] == [(3, False), (4, True), (5, True)]
    assert plan.done_earlier == 2


def test_the_rows_of_a_run_that_died_mid_rewrite_are_all_found(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    results_file(prev_path(path), [created(1), created(2, status=Status.FAILED, contact_id=""), created(3)])
    results_file(path, [created(1)])  # the run that died had rewritten row 1 ...
    results_file(pending_path(path), [created(2)])  # ... and created row 2, waiting for an earlier row

    assert [t.row for t in make_plan(path).targets] == [1, 2, 3]


def test_a_missing_results_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ResultsFileError, match="no results file at"):
        make_plan(tmp_path / "none.csv")


def test_a_file_of_keys_is_one_key_a_line(tmp_path: Path) -> None:
    path = tmp_path / "keys.txt"
    path.write_bytes("\ufeffT-1\r\n\r\nT 2 \n  \nT-3".encode())
    assert read_keys(path) == ["T-1", "T 2 ", "T-3"]
    with pytest.raises(InputError, match="cannot read the keys file"):
        read_keys(tmp_path / "none.txt")
