"""The exactly-once decisions per row, without a job, a service or a results file."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest

from bulkload.connect.findings import Finding, PreflightReport
from bulkload.connect.targets import CONTACT_FLOW, Target
from bulkload.emulator.defaults import DEFAULT_FLOW_ID, DEFAULT_INSTANCE_ID
from bulkload.ledger.sends import UNKNOWN_OUTCOME, UNKNOWN_OUTCOME_MESSAGE, stamp_seconds
from bulkload.mapping import ColumnMapping, MappingOptions
from bulkload.prepare import (
    EDITED_AFTER_UNKNOWN,
    Prepared,
    RowLimit,
    RowPreparer,
    carried_over,
    outcome_unknown,
)
from bulkload.progress import STALE_AFTER, JobProgress
from bulkload.records import RowOutcome, SourceRow, Status, TaskRequest
from bulkload.tokens import client_token, request_hash
from bulkload.validation import FileRules, RequestValidator

HEADER = ["id", "Name", "Description", "ClientToken"]
JOB = "job-1"


def source_row(row: int, *, key: str | None = None, **cells: str) -> SourceRow:
    """Row `row` with key `k<row>`, a Name and a Description; `cells` change or add cells ("" drops one)."""
    base = {"id": key or f"k{row}", "Name": f"Task {row}", "Description": f"Call customer {row}"}
    present = {name: value for name, value in {**base, **cells}.items() if value}
    return SourceRow(row=row, line=row + 1, cells=present)


SENT_AT = "2026-11-20T08:00:00Z"


def preparer(
    previous: dict[str, RowOutcome] | None = None,
    *,
    resend_edited: bool = False,
    checked: PreflightReport | None = None,
    now: str = SENT_AT,
) -> RowPreparer:
    """A preparer of a keyed job, its clock at `now`."""
    options = MappingOptions(instance_id=DEFAULT_INSTANCE_ID, flow_id=DEFAULT_FLOW_ID, key_column="id")
    at = stamp_seconds(now)
    assert at is not None
    return RowPreparer(
        ColumnMapping.from_header(HEADER, options),
        RequestValidator(),
        FileRules(check_duplicate_keys=True),
        previous,
        job_id=JOB,
        resend_edited=resend_edited,
        progress=JobProgress(),
        checked=checked,
        clock=lambda: at,
    )


def request(item: Prepared) -> TaskRequest:
    assert isinstance(item, TaskRequest), item
    return item


def outcome(item: Prepared) -> RowOutcome:
    assert isinstance(item, RowOutcome), item
    return item


def first_attempt(src: SourceRow, status: Status = Status.FAILED) -> RowOutcome:
    """What an earlier run recorded for `src` after sending it: `status`, with its token and hash."""
    sent = request(preparer().decide(src))
    return RowOutcome(
        row=src.row,
        line=src.line,
        key=sent.key,
        status=status,
        job_id=JOB,
        contact_id="c-1" if status is Status.CREATED else "",
        client_token=sent.client_token,
        request_hash=sent.request_hash,
        error_code="" if status is Status.CREATED else "ConnectionError",
        attempts=3,
    )


def test_a_new_row_is_sent_under_a_token_of_its_job_key_and_request() -> None:
    sent = request(preparer().decide(source_row(1)))
    assert (sent.row, sent.line, sent.key) == (1, 2, "k1")
    assert sent.request_hash == request_hash(sent.params)
    assert sent.client_token == client_token(JOB, "k1", sent.request_hash)
    assert "ClientToken" not in sent.params


def test_a_rows_own_client_token_is_kept() -> None:
    sent = request(preparer().decide(source_row(1, ClientToken="mine-1")))
    assert sent.client_token == "mine-1"
    assert "ClientToken" not in sent.params


def test_a_created_row_is_carried_over_not_sent() -> None:
    created = first_attempt(source_row(1), Status.CREATED)
    prepare = preparer({"k1": replace(created, row=9, line=10)})
    carried = outcome(prepare.decide(source_row(1)))
    assert carried == created  # at the row and line it has now
    assert prepare.progress is not None
    assert prepare.progress.changed_after_created == 0


def test_a_created_row_edited_since_is_counted_and_still_not_sent(caplog: pytest.LogCaptureFixture) -> None:
    created = first_attempt(source_row(1), Status.CREATED)
    prepare = preparer({"k1": created})
    with caplog.at_level(logging.WARNING, logger="bulkload"):
        carried = outcome(prepare.decide(source_row(1, Name="Renamed")))
    assert carried == created
    assert prepare.progress is not None
    assert prepare.progress.changed_after_created == 1
    assert "row 1 (key k1) changed after its task was created; it is not sent again" in caplog.text


@pytest.mark.parametrize("status", [Status.FAILED, Status.INVALID])
def test_an_unknown_outcome_of_an_unchanged_row_is_resolved_with_the_same_token(status: Status) -> None:
    unknown = first_attempt(source_row(1), status)
    sent = request(preparer({"k1": unknown}).decide(source_row(1)))
    assert (sent.client_token, sent.request_hash) == (unknown.client_token, unknown.request_hash)


def test_a_row_edited_after_an_unknown_outcome_is_held() -> None:
    unknown = first_attempt(source_row(1))
    held = outcome(preparer({"k1": replace(unknown, row=5, line=6)}).decide(source_row(1, Name="Edited")))
    assert held.status is Status.FAILED
    assert held.error_code == EDITED_AFTER_UNKNOWN
    assert "restore the row as it was" in held.error_message
    assert (held.row, held.line) == (1, 2)
    # The unknown attempt's token and hash stay, so restoring the row resolves that attempt.
    assert (held.client_token, held.request_hash) == (unknown.client_token, unknown.request_hash)


def test_resend_edited_sends_the_edited_row_under_a_new_token() -> None:
    unknown = first_attempt(source_row(1))
    sent = request(preparer({"k1": unknown}, resend_edited=True).decide(source_row(1, Name="Edited")))
    assert sent.client_token != unknown.client_token
    assert sent.client_token == client_token(JOB, "k1", sent.request_hash)


def test_a_row_made_invalid_after_an_unknown_outcome_keeps_that_attempts_token_and_hash() -> None:
    unknown = first_attempt(source_row(1))
    invalid = outcome(preparer({"k1": unknown}).decide(source_row(1, Name="")))
    assert invalid.status is Status.INVALID
    assert (invalid.client_token, invalid.request_hash) == (unknown.client_token, unknown.request_hash)
    assert invalid.error_message.endswith(
        "(an earlier attempt of this row, whose outcome is unknown, is kept: see EditedAfterUnknownOutcome)"
    )


def test_an_invalid_row_without_an_unknown_attempt_has_no_token() -> None:
    rejected = replace(first_attempt(source_row(1)), status=Status.REJECTED)
    invalid = outcome(preparer({"k1": rejected}).decide(source_row(1, Name="")))
    assert invalid.status is Status.INVALID
    assert (invalid.client_token, invalid.request_hash, invalid.job_id) == ("", "", JOB)
    assert invalid.error_code == "Name"


def test_a_repeated_key_is_invalid_and_never_inherits_the_outcome_of_the_row_that_owns_it() -> None:
    created = first_attempt(source_row(1), Status.CREATED)
    first, again = preparer({"k1": created}).prepare([source_row(1), source_row(2, key="k1")])
    assert outcome(first) == created
    repeated = outcome(again)
    assert repeated.status is Status.INVALID
    assert (repeated.row, repeated.key, repeated.client_token) == (2, "k1", "")
    assert "key 'k1' appears again (first on row 1)" in repeated.error_message


def test_a_chunk_is_decided_in_input_order() -> None:
    items = preparer().prepare([source_row(1), source_row(2, Name=""), source_row(3)])
    assert [item.row for item in items] == [1, 2, 3]
    assert [type(item) for item in items] == [TaskRequest, RowOutcome, TaskRequest]


@pytest.mark.parametrize(
    ("status", "token", "req_hash", "unknown"),
    [
        (Status.FAILED, "bl1-x", "h", True),
        (Status.INVALID, "bl1-x", "h", True),
        (Status.FAILED, "", "", False),  # never sent
        (Status.INVALID, "", "", False),
        (Status.REJECTED, "bl1-x", "h", False),  # the service answered: no task
        (Status.CREATED, "bl1-x", "h", False),
    ],
)
def test_an_outcome_is_unknown_when_a_sent_attempt_got_no_answer(
    status: Status, token: str, req_hash: str, unknown: bool
) -> None:
    prev = RowOutcome(
        row=1, line=2, key="k1", status=status, job_id=JOB, client_token=token, request_hash=req_hash
    )
    assert outcome_unknown(prev) is unknown


def test_prepare_next_reads_one_chunk_at_a_time_until_the_input_ends() -> None:
    prepare = preparer()
    chunks = iter([[source_row(1), source_row(2)], [source_row(3)]])
    first = prepare.prepare_next(chunks)
    assert first is not None
    assert [item.row for item in first] == [1, 2]
    second = prepare.prepare_next(chunks)
    assert second is not None
    assert [item.row for item in second] == [3]
    assert prepare.prepare_next(chunks) is None


def unknown_flow() -> PreflightReport:
    """What preflight reports when the service does not have the rows' default flow."""
    report = PreflightReport()
    report.add(Finding(Target(CONTACT_FLOW, DEFAULT_FLOW_ID, DEFAULT_INSTANCE_ID), unknown=True))
    return report


def test_a_row_naming_an_id_preflight_found_unknown_is_invalid_and_not_sent() -> None:
    refused = outcome(preparer(checked=unknown_flow()).decide(source_row(1)))
    assert (refused.status, refused.error_code, refused.client_token) == (Status.INVALID, "ContactFlowId", "")
    assert refused.error_message == (
        f"ContactFlowId: contact flow {DEFAULT_FLOW_ID!r} does not exist in instance {DEFAULT_INSTANCE_ID!r} "
        "(DescribeContactFlow answered ResourceNotFoundException)"
    )
    assert isinstance(preparer(checked=PreflightReport()).decide(source_row(1)), TaskRequest)


def test_a_row_preflight_refuses_keeps_an_earlier_unknown_attempt() -> None:
    earlier = first_attempt(source_row(1))
    refused = outcome(preparer({"k1": earlier}, checked=unknown_flow()).decide(source_row(1)))
    assert refused.status is Status.INVALID
    assert (refused.client_token, refused.request_hash) == (earlier.client_token, earlier.request_hash)


def test_a_row_preflight_refuses_takes_no_place_in_its_previous_contact_chain() -> None:
    options = MappingOptions(instance_id=DEFAULT_INSTANCE_ID, flow_id=DEFAULT_FLOW_ID, key_column="id")
    mapping = ColumnMapping.from_header([*HEADER, "ContactFlowId", "PreviousContactId"], options)
    report = PreflightReport()
    report.add(Finding(Target(CONTACT_FLOW, "gone", DEFAULT_INSTANCE_ID), unknown=True))
    rules = FileRules(check_duplicate_keys=True, chain_limit=1)
    prepare = RowPreparer(mapping, RequestValidator(), rules, job_id=JOB, checked=report)
    chain = "c0ffee00-0000-4000-8000-000000000001"

    refused = outcome(prepare.decide(source_row(1, ContactFlowId="gone", PreviousContactId=chain)))

    assert refused.error_code == "ContactFlowId"
    request(prepare.decide(source_row(2, PreviousContactId=chain)))  # the chain's one place is still free


def test_a_limit_takes_the_first_rows_not_created_then_the_created_ones_up_to_the_next() -> None:
    created = RowOutcome(row=1, line=2, key="k1", status=Status.CREATED, job_id=JOB)
    invalid = replace(created, status=Status.INVALID)
    sent = request(preparer().decide(source_row(2)))
    limit = RowLimit(2)
    taken = [limit.admits(item) for item in (created, sent, invalid, created, sent, created)]
    assert taken == [True, True, True, True, False, False]
    assert (limit.taken, limit.reached) == (2, True)
    assert carried_over(created)
    assert not carried_over(invalid)
    assert not carried_over(sent)


def test_no_limit_takes_every_row() -> None:
    limit = RowLimit(None)
    assert all(limit.admits(request(preparer().decide(source_row(n)))) for n in range(1, 50))
    assert not limit.reached


def sent_without_outcome(src: SourceRow, sent_at: str = SENT_AT) -> RowOutcome:
    """What the next run knows of `src` when a killed run recorded it as sent and no answer came."""
    return replace(
        first_attempt(src),
        error_code=UNKNOWN_OUTCOME,
        error_message=UNKNOWN_OUTCOME_MESSAGE,
        attempts=1,
        sent_at=sent_at,
    )


def test_a_row_sent_without_an_outcome_and_unchanged_is_resolved_with_its_token_and_first_time() -> None:
    unknown = sent_without_outcome(source_row(1))
    sent = request(preparer({"k1": unknown}).decide(source_row(1)))
    assert (sent.client_token, sent.request_hash) == (unknown.client_token, unknown.request_hash)
    assert sent.sent_at == SENT_AT  # the token's first attempt, for its window


def test_a_row_sent_without_an_outcome_and_edited_is_held() -> None:
    unknown = sent_without_outcome(source_row(1))
    held = outcome(preparer({"k1": unknown}).decide(source_row(1, Description="Edited after the crash")))
    assert (held.status, held.error_code) == (Status.FAILED, EDITED_AFTER_UNKNOWN)
    assert (held.client_token, held.request_hash, held.sent_at) == (
        unknown.client_token,
        unknown.request_hash,
        SENT_AT,
    )


def test_a_row_sent_without_an_outcome_and_edited_is_sent_anew_with_resend_edited() -> None:
    unknown = sent_without_outcome(source_row(1))
    sent = request(preparer({"k1": unknown}, resend_edited=True).decide(source_row(1, Name="Edited")))
    assert sent.client_token != unknown.client_token
    assert sent.sent_at == ""  # a new token: its first attempt is this run's


def test_a_row_sent_without_an_outcome_then_made_invalid_keeps_its_first_time() -> None:
    unknown = sent_without_outcome(source_row(1))
    invalid = outcome(preparer({"k1": unknown}).decide(source_row(1, Name="")))
    assert (invalid.status, invalid.client_token, invalid.sent_at) == (
        Status.INVALID,
        unknown.client_token,
        SENT_AT,
    )


def test_resolving_an_attempt_older_than_a_day_is_counted_with_its_age(
    caplog: pytest.LogCaptureFixture,
) -> None:
    rows = [source_row(row) for row in (1, 2, 3)]
    previous = {
        "k1": sent_without_outcome(rows[0], "2026-11-20T08:00:00Z"),  # 30 hours before the run
        "k2": sent_without_outcome(rows[1], "2026-11-21T12:00:00Z"),  # 2 hours: within the day
        "k3": sent_without_outcome(rows[2], "2026-11-19T02:00:00Z"),  # 60 hours
    }
    prepare = preparer(previous, now="2026-11-21T14:00:00Z")
    with caplog.at_level(logging.INFO, logger="bulkload"):
        items = prepare.prepare(rows)

    assert [type(item) for item in items] == [TaskRequest] * 3  # resolved all the same, with their tokens
    assert prepare.progress is not None
    assert prepare.progress.stale_unknown == 2
    assert prepare.progress.stale_oldest == 60 * 3600
    assert "row 3 (key k3): resolving an attempt made 60 hours ago with its token" in caplog.text
    assert "row 2 (key k2)" not in caplog.text


def test_a_held_row_or_an_attempt_of_unknown_time_is_not_counted_as_stale() -> None:
    old = sent_without_outcome(source_row(1), "2026-11-01T00:00:00Z")
    untimed = sent_without_outcome(source_row(2), "")  # a results file written before sent_at
    prepare = preparer({"k1": old, "k2": untimed}, now="2026-11-21T14:00:00Z")
    prepare.prepare([source_row(1, Name="Edited"), source_row(2)])
    assert prepare.progress is not None
    assert prepare.progress.stale_unknown == 0
    assert STALE_AFTER == 24 * 3600
