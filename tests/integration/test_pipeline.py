"""`bulkload run` end to end: the real aioboto3 client over HTTP against the emulator on loopback."""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook

from bulkload.emulator import Emulator
from bulkload.emulator.defaults import (
    DEFAULT_FLOW_ID,
    DEFAULT_INSTANCE_ID,
    DEFAULT_QUICK_CONNECT_ID,
    DEFAULT_TEMPLATE_ID,
)
from bulkload.errors import InputError, ServiceAccessError
from bulkload.job import Job
from bulkload.ledger import read_outcomes
from bulkload.mapping import MappingOptions
from bulkload.pool import PoolSettings, RowSender
from bulkload.prepare import Prepared, RowPreparer
from bulkload.records import RowOutcome, SourceRow, Status, TaskRequest
from bulkload.tokens import TOKEN_PREFIX
from tests.conftest import MakeEmulator
from tests.integration.helpers import FAST_POOL, run, settings_for, simple_rows, write_csv


def by_token(emulator: Emulator) -> dict[str, dict[str, object]]:
    return {str(t.client_token): t.params for t in emulator.snapshot().tasks}


async def test_every_member_reaches_the_service_intact(tmp_path: Path, emulator: Emulator) -> None:
    when = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    segment = {"connect:ContactExpiry": {"ValueMap": {"ExpiryDuration": {"ValueInteger": 135}}}}
    rows = [
        {
            "Name": "Call back Ada",
            "Description": "Refund 00123, line two",
            "ContactFlowId": "",
            "TaskTemplateId": "",
            "QuickConnectId": "",
            "PreviousContactId": "prev-1",
            "RelatedContactId": "",
            "Attributes.customer_id": "00123",
            "Attributes": "",
            "References.URL.ticket.link": "https://example.com/T-1",
            "References.NUMBER.order": "0042",
            "References.STRING.note": "fragile",
            "References.EMAIL.who": "ada@example.com",
            "ScheduledTime": when.isoformat(),
            "SegmentAttributes": json.dumps(segment),
        },
        {
            "Name": "Template task",
            "Description": "",
            "ContactFlowId": "",
            "TaskTemplateId": DEFAULT_TEMPLATE_ID,
            "QuickConnectId": "",
            "PreviousContactId": "",
            "RelatedContactId": "rel-9",
            "Attributes.customer_id": "",
            "Attributes": json.dumps({"tier": "gold"}),
            "References.URL.ticket.link": "",
            "References.NUMBER.order": "",
            "References.STRING.note": "",
            "References.EMAIL.who": "",
            "ScheduledTime": str(int(when.timestamp())),
            "SegmentAttributes": "",
        },
        {
            "Name": "Quick connect task",
            "Description": "x",
            "ContactFlowId": "",
            "TaskTemplateId": "",
            "QuickConnectId": DEFAULT_QUICK_CONNECT_ID,
            "PreviousContactId": "",
            "RelatedContactId": "",
            "Attributes.customer_id": "",
            "Attributes": "",
            "References.URL.ticket.link": "",
            "References.NUMBER.order": "",
            "References.STRING.note": "",
            "References.EMAIL.who": "",
            "ScheduledTime": "",
            "SegmentAttributes": "",
        },
    ]
    path = write_csv(tmp_path / "tasks.csv", rows)
    mapping = MappingOptions(instance_id=DEFAULT_INSTANCE_ID)
    # Row 1 has no routing member of its own: give it the flow through its own column instead.
    rows[0]["ContactFlowId"] = DEFAULT_FLOW_ID
    write_csv(path, rows)
    summary, outcomes = await run(settings_for(emulator, path, mapping=mapping))

    assert summary.exit_code == 0, outcomes
    assert [o.status for o in outcomes] == [Status.CREATED] * 3
    sent = by_token(emulator)
    first = sent[outcomes[0].client_token]
    assert first["Name"] == "Call back Ada"
    assert first["Description"] == "Refund 00123, line two"
    assert first["InstanceId"] == DEFAULT_INSTANCE_ID
    assert first["ContactFlowId"] == DEFAULT_FLOW_ID
    assert first["PreviousContactId"] == "prev-1"
    assert first["Attributes"] == {"customer_id": "00123"}
    assert first["References"] == {
        "ticket.link": {"Value": "https://example.com/T-1", "Type": "URL"},
        "order": {"Value": "0042", "Type": "NUMBER"},
        "note": {"Value": "fragile", "Type": "STRING"},
        "who": {"Value": "ada@example.com", "Type": "EMAIL"},
    }
    assert int(float(str(first["ScheduledTime"]))) == int(when.timestamp())
    assert first["SegmentAttributes"] == segment
    second = sent[outcomes[1].client_token]
    assert second["TaskTemplateId"] == DEFAULT_TEMPLATE_ID
    assert "ContactFlowId" not in second
    assert "Description" not in second
    assert second["RelatedContactId"] == "rel-9"
    assert second["Attributes"] == {"tier": "gold"}
    assert int(float(str(second["ScheduledTime"]))) == int(when.timestamp())
    third = sent[outcomes[2].client_token]
    assert third["QuickConnectId"] == DEFAULT_QUICK_CONNECT_ID
    assert "ScheduledTime" not in third


async def test_results_hold_one_line_per_row_in_order_matching_the_service(
    tmp_path: Path, emulator: Emulator
) -> None:
    path = write_csv(tmp_path / "tasks.csv", simple_rows(250))
    summary, outcomes = await run(settings_for(emulator, path))

    assert summary.exit_code == 0
    assert summary.counts == {"created": 250}
    assert [o.row for o in outcomes] == list(range(1, 251))
    assert [o.line for o in outcomes] == list(range(2, 252))
    tasks = emulator.snapshot().tasks
    assert len(tasks) == 250
    assert {o.contact_id for o in outcomes} == {t.contact_id for t in tasks}
    assert {o.client_token for o in outcomes} == {t.client_token for t in tasks}
    assert all(o.client_token.startswith(TOKEN_PREFIX) for o in outcomes)
    assert len({o.client_token for o in outcomes}) == 250
    assert len({o.job_id for o in outcomes}) == 1


async def test_a_rerun_sends_nothing_and_keeps_every_line(tmp_path: Path, emulator: Emulator) -> None:
    path = write_csv(tmp_path / "tasks.csv", simple_rows(30))
    _, first = await run(settings_for(emulator, path))
    calls_before = sum(emulator.snapshot().counts.values())

    summary, second = await run(settings_for(emulator, path))

    assert sum(emulator.snapshot().counts.values()) == calls_before
    assert summary.sent == 0
    assert summary.carried_over == 30
    assert summary.exit_code == 0
    assert second == first
    assert not (tmp_path / "tasks.results.csv.prev").exists()


async def test_the_same_file_gets_the_same_tokens_without_a_results_file(
    tmp_path: Path, emulator: Emulator
) -> None:
    path = write_csv(tmp_path / "tasks.csv", simple_rows(5))
    _, first = await run(settings_for(emulator, path, results=tmp_path / "a.csv"))
    _, second = await run(settings_for(emulator, path, results=tmp_path / "b.csv"))

    assert [o.client_token for o in first] == [o.client_token for o in second]
    assert [o.contact_id for o in first] == [o.contact_id for o in second]  # the service deduplicated
    assert len(emulator.snapshot().tasks) == 5


async def test_invalid_rows_are_recorded_and_never_sent(tmp_path: Path, emulator: Emulator) -> None:
    rows = simple_rows(6)
    rows[1]["Name"] = ""
    rows[3]["Description"] = "x" * 5000
    rows[4]["Attributes.customer"] = "y" * 40000
    path = write_csv(tmp_path / "tasks.csv", rows)
    summary, outcomes = await run(settings_for(emulator, path))

    assert summary.exit_code == 1
    assert [o.status.value for o in outcomes] == [
        "created",
        "invalid",
        "created",
        "invalid",
        "invalid",
        "created",
    ]
    assert outcomes[1].error_code == "Name"
    assert "Description" in outcomes[3].error_message
    assert "4096" in outcomes[3].error_message
    assert outcomes[4].client_token == ""
    counts = emulator.snapshot().counts
    assert counts.get("created") == 3
    assert not counts.get("invalid_parameter")
    assert not counts.get("invalid_request")


async def test_service_refusals_are_rejected_not_retried(tmp_path: Path, emulator: Emulator) -> None:
    rows = simple_rows(3)
    rows[1]["ContactFlowId"] = "no-such-flow"
    path = write_csv(tmp_path / "tasks.csv", rows)
    # Without preflight, which would find the unknown flow before sending (see the next test).
    summary, outcomes = await run(settings_for(emulator, path, preflight=False))

    assert summary.exit_code == 1
    assert outcomes[1].status is Status.REJECTED
    assert outcomes[1].error_code == "ResourceNotFoundException"
    assert outcomes[1].attempts == 1
    assert emulator.snapshot().counts.get("not_found") == 1


async def test_preflight_makes_a_row_naming_an_unknown_flow_invalid_and_sends_it_not(
    tmp_path: Path, emulator: Emulator
) -> None:
    rows = simple_rows(3)
    rows[1]["ContactFlowId"] = "no-such-flow"
    path = write_csv(tmp_path / "tasks.csv", rows)
    summary, outcomes = await run(settings_for(emulator, path))

    assert summary.exit_code == 1
    assert [o.status for o in outcomes] == [Status.CREATED, Status.INVALID, Status.CREATED]
    assert (outcomes[1].error_code, outcomes[1].attempts) == ("ContactFlowId", 0)
    assert outcomes[1].error_message == (
        f"ContactFlowId: contact flow 'no-such-flow' does not exist in instance {DEFAULT_INSTANCE_ID!r} "
        "(DescribeContactFlow answered ResourceNotFoundException)"
    )
    assert emulator.snapshot().counts == {"created": 2}


async def test_faults_are_retried_with_the_same_token_and_create_each_row_once(
    tmp_path: Path, make_emulator: MakeEmulator
) -> None:
    emulator = await make_emulator(fail_rate=0.1, reset_rate=0.1, drop_after_rate=0.1, seed=7)
    path = write_csv(tmp_path / "tasks.csv", simple_rows(200))
    pool = replace(FAST_POOL, max_attempts=12)
    summary, outcomes = await run(settings_for(emulator, path, pool=pool))

    snap = emulator.snapshot()
    assert summary.exit_code == 0, summary.top_errors
    assert summary.retries > 0
    assert snap.counts.get("dropped_after", 0) > 0
    assert snap.counts.get("idempotent_replay", 0) > 0
    assert len(snap.tasks) == 200
    assert len({t.client_token for t in snap.tasks}) == 200
    assert {o.contact_id for o in outcomes} == {t.contact_id for t in snap.tasks}


async def test_rows_out_of_attempts_fail_and_a_rerun_resolves_them_with_the_same_token(
    tmp_path: Path, make_emulator: MakeEmulator
) -> None:
    emulator = await make_emulator(drop_after_rate=1.0)
    path = write_csv(tmp_path / "tasks.csv", simple_rows(4))
    pool = replace(FAST_POOL, max_attempts=2)
    summary, failed = await run(settings_for(emulator, path, pool=pool))

    assert summary.exit_code == 1
    assert [o.status for o in failed] == [Status.FAILED] * 4
    assert all(o.attempts == 2 and o.error_code == "ConnectionError" for o in failed)
    assert len(emulator.snapshot().tasks) == 4  # created, but the loader never heard

    emulator.state.configure(drop_after_rate=0.0)
    summary, resolved = await run(settings_for(emulator, path, pool=pool))
    assert summary.exit_code == 0
    assert [o.client_token for o in resolved] == [o.client_token for o in failed]
    assert len(emulator.snapshot().tasks) == 4
    assert {o.contact_id for o in resolved} == {t.contact_id for t in emulator.snapshot().tasks}


async def test_throttling_slows_the_pool_and_every_row_still_lands(
    tmp_path: Path, make_emulator: MakeEmulator
) -> None:
    emulator = await make_emulator(rate=200, burst=5)
    path = write_csv(tmp_path / "tasks.csv", simple_rows(120))
    pool = PoolSettings(rate=2000, burst=50, max_attempts=20, backoff_initial=0.001, backoff_max=0.01)
    summary, _outcomes = await run(settings_for(emulator, path, pool=pool))

    assert summary.exit_code == 0
    assert summary.throttles > 0
    assert emulator.snapshot().counts["throttled"] == summary.throttles
    assert len(emulator.snapshot().tasks) == 120


async def test_parquet_and_excel_inputs_load(tmp_path: Path, emulator: Emulator) -> None:
    table = pa.table({"Name": ["P1", "P2"], "Attributes.code": ["007", None], "Description": ["a", "b"]})
    pq.write_table(table, tmp_path / "t.parquet")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Name", "Attributes.code"])
    sheet.append(["X1", "007"])
    sheet.append(["X2", 42])
    book.save(tmp_path / "t.xlsx")

    parquet_summary, parquet = await run(settings_for(emulator, tmp_path / "t.parquet"))
    with pytest.raises(InputError, match=r"t.results.csv holds the results of another input .*t.parquet"):
        await run(settings_for(emulator, tmp_path / "t.xlsx"))
    excel_summary, excel = await run(settings_for(emulator, tmp_path / "t.xlsx", results=tmp_path / "x.csv"))

    assert parquet_summary.exit_code == 0
    assert excel_summary.exit_code == 0
    sent = by_token(emulator)
    assert sent[parquet[0].client_token]["Attributes"] == {"code": "007"}
    assert "Attributes" not in sent[parquet[1].client_token]
    assert sent[excel[0].client_token]["Attributes"] == {"code": "007"}
    assert sent[excel[1].client_token]["Attributes"] == {"code": "42"}
    assert [o.line for o in excel] == [2, 3]


async def test_a_crash_in_a_worker_stops_the_job_and_surfaces(
    tmp_path: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = RowSender.send

    async def send(self: RowSender, request: TaskRequest) -> RowOutcome | None:
        if request.row == 3:
            raise RuntimeError("boom")
        return await original(self, request)

    monkeypatch.setattr(RowSender, "send", send)
    path = write_csv(tmp_path / "tasks.csv", simple_rows(5))
    with pytest.raises(RuntimeError, match="boom"):
        await run(settings_for(emulator, path, pool=replace(FAST_POOL, concurrency=1)))
    written = list(read_outcomes(tmp_path / "tasks.results.csv"))
    assert [o.row for o in written] == [1, 2]


async def test_a_caller_without_permission_stops_the_job_at_the_first_refusal(
    tmp_path: Path, make_emulator: MakeEmulator
) -> None:
    emulator = await make_emulator(denied_access_keys=("testing",))  # the suite's access key
    path = write_csv(tmp_path / "tasks.csv", simple_rows(30))
    settings = settings_for(emulator, path, pool=replace(FAST_POOL, concurrency=1))
    with pytest.raises(ServiceAccessError) as info:
        await run(settings)
    assert str(info.value).startswith(
        "the service refused the job's credentials or permissions (AccessDeniedException: "
    )
    assert "testing" not in str(info.value)
    assert emulator.snapshot().counts["unauthorized"] == 1  # nothing more was sent

    emulator.state.configure(denied_access_keys=())  # permission granted: the next run does every row
    summary, outcomes = await run(settings)
    assert summary.exit_code == 0
    assert len(emulator.snapshot().tasks) == 30
    assert all(o.status is Status.CREATED for o in outcomes)


async def test_a_permission_lost_part_way_keeps_the_rows_already_created(
    tmp_path: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    send = RowSender.send

    async def revoked_after_five(self: RowSender, request: TaskRequest) -> RowOutcome | None:
        if request.row == 6:
            emulator.state.configure(denied_access_keys=("testing",))
        return await send(self, request)

    monkeypatch.setattr(RowSender, "send", revoked_after_five)
    path = write_csv(tmp_path / "tasks.csv", simple_rows(20))
    settings = settings_for(emulator, path, pool=replace(FAST_POOL, concurrency=1))
    with pytest.raises(
        ServiceAccessError, match=r"the 6 rows decided so far are recorded in .*tasks\.results\.csv"
    ):
        await run(settings)
    written = list(read_outcomes(settings.results_path))
    assert [o.status for o in written] == [Status.CREATED] * 5 + [Status.REJECTED]
    assert len(emulator.snapshot().tasks) == 5

    monkeypatch.setattr(RowSender, "send", send)
    emulator.state.configure(denied_access_keys=())
    summary, outcomes = await run(settings)
    assert summary.exit_code == 0
    tasks = emulator.snapshot().tasks
    assert len(tasks) == 20
    assert {o.contact_id for o in outcomes} == {t.contact_id for t in tasks}


async def test_a_stop_while_a_chunk_is_prepared_waits_for_it_before_closing_the_input(
    tmp_path: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The chunk is prepared in a thread that a stop cannot cancel; closing the results index under it
    # can crash the whole process inside sqlite.
    prepare = RowPreparer.prepare
    calls = 0
    release, finished = threading.Event(), threading.Event()
    errors: list[BaseException] = []
    loop = asyncio.get_running_loop()
    stopped = asyncio.Event()

    def held_prepare(self: RowPreparer, chunk: list[SourceRow]) -> list[Prepared]:
        nonlocal calls
        calls += 1
        if calls != 2:
            return prepare(self, chunk)
        loop.call_soon_threadsafe(job.request_stop)  # Ctrl-C while the second chunk is prepared
        loop.call_soon_threadsafe(stopped.set)
        release.wait(10)
        try:
            return prepare(self, chunk)
        except BaseException as exc:
            errors.append(exc)
            raise
        finally:
            finished.set()

    monkeypatch.setattr(RowPreparer, "prepare", held_prepare)
    path = write_csv(tmp_path / "tasks.csv", simple_rows(200))
    job = Job(settings_for(emulator, path))
    running = asyncio.create_task(job.run())
    await stopped.wait()
    await asyncio.sleep(0.2)
    assert not running.done()  # the job waits for the chunk being prepared
    release.set()
    summary = await running
    assert finished.wait(10)
    assert errors == []
    assert summary.interrupted
    assert summary.exit_code == 130
