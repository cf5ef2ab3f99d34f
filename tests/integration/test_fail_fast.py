"""A job that cannot work stops before it spends the quota: preflight, the breakers and missing credentials,
with bulkload's own aioboto3 client against the emulator over HTTP (and a closed port on loopback)."""

from __future__ import annotations

import socket
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bulkload.connect.preflight import Preflight, PreflightReport
from bulkload.connect.used_ids import UsedIds
from bulkload.emulator import DEFAULT_FLOW_ID, DEFAULT_INSTANCE_ID, Emulator
from bulkload.errors import ConfigError, EndpointUnreachableError, ServiceAccessError
from bulkload.job import Job, JobSettings
from bulkload.ledger import ledger_files, read_outcomes
from bulkload.mapping import MappingOptions
from bulkload.records import Status
from tests.conftest import MakeEmulator
from tests.integration.helpers import FAST_POOL, no_sleep, run, settings_for, simple_rows, write_csv

UNKNOWN = "00000000-0000-4000-8000-00000000dead"


def unknown_flow(emulator: Emulator, path: Path, **changes: Any) -> JobSettings:
    mapping = MappingOptions(instance_id=DEFAULT_INSTANCE_ID, flow_id=UNKNOWN)
    return settings_for(emulator, path, mapping=mapping, **changes)


def left_behind(settings: JobSettings) -> list[str]:
    """The results file and the files beside it that exist."""
    return [path.name for path in ledger_files(settings.results_path) if path.exists()]


def closed_port_url() -> str:
    """The URL of a port on loopback that nothing listens on: connections are refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


async def test_an_unknown_flow_sends_nothing_and_stops_the_job_naming_it(
    tmp_path: Path, emulator: Emulator
) -> None:
    settings = unknown_flow(emulator, write_csv(tmp_path / "tasks.csv", simple_rows(300)))

    with pytest.raises(ConfigError) as info:
        await run(settings)

    assert str(info.value) == (
        f"nothing was sent, as no row can be created: ContactFlowId: contact flow {UNKNOWN!r} does not exist "
        f"in instance {DEFAULT_INSTANCE_ID!r} (DescribeContactFlow answered ResourceNotFoundException)"
    )
    snapshot = emulator.snapshot()
    assert snapshot.counts == {}  # not one StartTaskContact call
    assert snapshot.lookup_counts["DescribeContactFlow"] == {"not_found": 1}
    assert left_behind(settings) == []


async def test_a_refused_preflight_leaves_an_earlier_ledger_as_it_was(
    tmp_path: Path, emulator: Emulator
) -> None:
    rows = simple_rows(5)
    path = write_csv(tmp_path / "tasks.csv", rows)
    await run(settings_for(emulator, path, limit=2))
    before = {p.name: p.read_bytes() for p in ledger_files(tmp_path / "tasks.results.csv") if p.exists()}

    with pytest.raises(ConfigError, match=UNKNOWN):
        await run(unknown_flow(emulator, path))

    after = {p.name: p.read_bytes() for p in ledger_files(tmp_path / "tasks.results.csv") if p.exists()}
    assert after == before
    assert len(emulator.snapshot().tasks) == 2


async def test_without_preflight_an_unknown_flow_costs_twenty_calls_and_the_rest_are_not_sent(
    tmp_path: Path, emulator: Emulator
) -> None:
    settings = unknown_flow(emulator, write_csv(tmp_path / "tasks.csv", simple_rows(300)), preflight=False)

    summary, outcomes = await run(settings)

    assert emulator.snapshot().counts == {"not_found": 20}
    assert (summary.exit_code, summary.counts, summary.sent) == (1, {"rejected": 300}, 20)
    not_sent = [o for o in outcomes if o.attempts == 0]
    assert len(not_sent) == 280
    assert {o.error_message.partition(" (")[0] for o in not_sent} == {
        "not sent: the service refused the 20 rows before it with the same error"
    }
    assert all(o.client_token for o in not_sent)  # a later run resolves them with the same tokens


@pytest.mark.parametrize("preflight", [True, False])
async def test_missing_credentials_are_one_line_and_nothing_is_recorded(
    tmp_path: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch, preflight: bool
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    rows = simple_rows(30)
    rows[3]["Name"] = ""  # an invalid row is decided without the service, and is not recorded either
    settings = settings_for(emulator, write_csv(tmp_path / "tasks.csv", rows), preflight=preflight)

    with pytest.raises(ServiceAccessError) as info:
        await run(settings)

    message = str(info.value)
    assert message.startswith("AWS credentials are missing or incomplete (Unable to locate credentials)")
    assert "refused" not in message
    assert "\n" not in message
    assert left_behind(settings) == []
    assert emulator.snapshot().counts == {}


async def test_a_caller_that_may_not_describe_is_warned_and_the_run_goes_on(
    tmp_path: Path,
    make_emulator: MakeEmulator,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    emulator = await make_emulator(denied_access_keys=("testing",))  # the suite's access key
    check = Preflight.check

    async def then_allowed(self: Preflight, ids: UsedIds) -> PreflightReport:
        report = await check(self, ids)
        emulator.state.configure(denied_access_keys=())  # denied the Describe calls, not StartTaskContact
        return report

    monkeypatch.setattr(Preflight, "check", then_allowed)
    settings = settings_for(emulator, write_csv(tmp_path / "tasks.csv", simple_rows(5)))

    summary, _ = await run(settings)

    assert (summary.exit_code, summary.counts) == (0, {"created": 5})
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert (
        "preflight: cannot check instances: the caller lacks permission connect:DescribeInstance "
        "(AccessDeniedException); rows are sent without that check"
    ) in warnings


async def test_an_unreachable_endpoint_is_found_by_preflight_with_nothing_left_behind(tmp_path: Path) -> None:
    endpoint = closed_port_url()
    settings = JobSettings(
        input=write_csv(tmp_path / "tasks.csv", simple_rows(300)),
        mapping=MappingOptions(instance_id=DEFAULT_INSTANCE_ID, flow_id=DEFAULT_FLOW_ID),
        pool=FAST_POOL,
    )
    settings = replace(settings, client=replace(settings.client, endpoint_url=endpoint, region="us-east-1"))
    started = time.monotonic()

    with pytest.raises(EndpointUnreachableError, match=f"cannot reach {endpoint}: no call was answered"):
        await Job(settings, sleep=no_sleep).run()

    assert time.monotonic() - started < 20
    assert left_behind(settings) == []


async def test_without_preflight_an_unreachable_endpoint_stops_the_job_and_the_rows_sent_are_recorded(
    tmp_path: Path, emulator: Emulator
) -> None:
    path = write_csv(tmp_path / "tasks.csv", simple_rows(300))
    live = settings_for(emulator, path)
    dead = replace(
        live,
        preflight=False,
        pool=replace(FAST_POOL, max_attempts=100, unreachable_after=2),
        client=replace(live.client, endpoint_url=closed_port_url()),
    )
    started = time.monotonic()

    with pytest.raises(EndpointUnreachableError, match=r"no call was answered in 2 s \(ConnectionError"):
        await Job(dead).run()  # the real backoff, as a run has

    assert time.monotonic() - started < 20
    recorded = list(read_outcomes(dead.results_path))
    assert recorded, "the rows sent are recorded"
    assert {o.status for o in recorded} == {Status.FAILED}
    assert all(o.client_token and o.attempts > 0 for o in recorded)

    summary, outcomes = await run(live)  # the endpoint is back: the next run does every row
    assert (summary.exit_code, len(outcomes)) == (0, 300)
    assert len(emulator.snapshot().tasks) == 300


async def test_validate_online_marks_the_rows_of_an_unknown_id_invalid_and_sends_nothing(
    tmp_path: Path, emulator: Emulator
) -> None:
    rows = simple_rows(4)
    rows[1]["ContactFlowId"] = UNKNOWN
    path = write_csv(tmp_path / "tasks.csv", rows)
    settings = settings_for(emulator, path)

    offline = await Job(settings).validate()
    online = await Job(settings).validate(online=True)

    assert offline.counts == {"valid": 4}
    assert (online.exit_code, online.counts) == (1, {"valid": 3, "invalid": 1})
    assert online.top_errors[0]["rows"] == [2]
    assert UNKNOWN in online.top_errors[0]["message"]
    assert emulator.snapshot().counts == {}
    assert left_behind(settings) == []
    with pytest.raises(ConfigError, match="nothing was sent, as no row can be created"):
        await Job(unknown_flow(emulator, path)).validate(online=True)
