"""Bad rows end to end: each is caught locally as `invalid` with a reason naming the column and the rule,
nothing the service would refuse reaches it, and the good rows around it still load unchanged.

The real aioboto3 client talks to the emulator over HTTP; the emulator's counts prove what it received.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from bulkload.emulator import Emulator
from bulkload.emulator.defaults import DEFAULT_FLOW_ID, DEFAULT_INSTANCE_ID, DEFAULT_QUICK_CONNECT_ID
from bulkload.mapping import MappingOptions
from bulkload.records import Status
from bulkload.validation import format_epoch
from tests.integration.helpers import run, settings_for, write_csv

DAY = 86_400


def sent_params(emulator: Emulator) -> dict[str, dict[str, Any]]:
    """What the emulator received, by ClientToken."""
    return {str(t.client_token): t.params for t in emulator.snapshot().tasks}


def assert_nothing_refused(emulator: Emulator) -> None:
    counts = emulator.snapshot().counts
    assert counts.get("invalid_parameter", 0) == 0, counts
    assert counts.get("invalid_request", 0) == 0, counts
    assert counts.get("quota_exceeded", 0) == 0, counts


def good(name: str, **cells: str) -> dict[str, str]:
    return {"Name": name, "Description": f"about {name}", **cells}


def seven_days_ahead() -> int:
    return int(time.time()) + 7 * DAY


# (bad row cells, the error code, the whole reason). Every bad row sits between two good rows.
CASES: list[tuple[str, dict[str, str], str, str]] = [
    ("missing Name", {"Name": ""}, "Name", "Name: is required"),
    ("Name over 1024", {"Name": "n" * 1025}, "Name", "Name: 1025 characters; at most 1024"),
    (
        "Description over 4096",
        {"Description": "d" * 4097},
        "Description",
        "Description: 4097 characters; at most 4096",
    ),
    (
        "attribute value over 32767",
        {"Attributes.note": "v" * 32768},
        "Attributes",
        "Attributes.note: 32768 characters; at most 32767; "
        "Attributes: 32772 UTF-8 bytes across all keys and values; at most 32768",
    ),
    (
        "attributes over 32768 bytes",
        # 2-byte characters: 1 + 20000 + 1 + 12767 = 32769 bytes in 22769 characters.
        {"Attributes.a": "é" * 10_000, "Attributes.b": "x" * 12_767},
        "Attributes",
        "Attributes: 32769 UTF-8 bytes across all keys and values; at most 32768",
    ),
    (
        "attribute key with a space",
        {"Attributes.due date": "tomorrow"},
        "Attributes",
        "Attributes.due date: key may hold only letters, digits, '-' and '_'",
    ),
    (
        "attribute key with a dot, in JSON",
        {"Attributes": json.dumps({"due.date": "tomorrow"})},
        "Attributes",
        "Attributes.due.date (column 'Attributes'): key may hold only letters, digits, '-' and '_'",
    ),
    (
        "reference value over 4096",
        {"References.URL.link": "u" * 4097},
        "References",
        "References.link.Value (column 'References.URL.link'): 4097 characters; at most 4096; "
        "References: 4101 UTF-8 bytes across all names and values; at most 4096",
    ),
    (
        "references over 4096 bytes",
        {"References.STRING.a": "x" * 2048, "References.STRING.b": "y" * 2047},
        "References",
        "References: 4097 UTF-8 bytes across all names and values; at most 4096",
    ),
    (
        "ATTACHMENT reference in JSON",
        {"References": json.dumps({"file": {"Value": "s3://b/k", "Type": "attachment"}})},
        "References",
        "References.file.Type (column 'References'): ATTACHMENT references cannot be set when a task "
        "is created",
    ),
    (
        "DATE reference that is not a date",
        {"References.DATE.due": "soon"},
        "References",
        "References.due.Value (column 'References.DATE.due'): 'soon' is not a date: use epoch digits, "
        "or ISO 8601 like 2026-11-24T09:00:00+01:00",
    ),
    (
        "unparseable ScheduledTime",
        {"ScheduledTime": "2026-13-45T10:00"},
        "ScheduledTime",
        "ScheduledTime: '2026-13-45T10:00' is not a time: use ISO 8601 like 2026-11-24T09:00:00+01:00, "
        "or epoch seconds",
    ),
    (
        "ScheduledTime in the past",
        {"ScheduledTime": "2020-01-01T09:00:00+01:00"},
        "ScheduledTime",
        "ScheduledTime: 2020-01-01T08:00:00Z is in the past",
    ),
    (
        "two routing members",
        {"ContactFlowId": DEFAULT_FLOW_ID, "QuickConnectId": DEFAULT_QUICK_CONNECT_ID},
        "Routing",
        "ContactFlowId, QuickConnectId: send exactly one of ContactFlowId, QuickConnectId, TaskTemplateId; "
        "this row has 2",
    ),
    (
        "PreviousContactId with RelatedContactId",
        {"PreviousContactId": "prev-1", "RelatedContactId": "rel-1"},
        "Row",
        "PreviousContactId, RelatedContactId: send at most one: a task follows a previous contact or "
        "relates to one, not both",
    ),
    (
        "malformed Attributes JSON",
        {"Attributes": '{"tier": "gold"'},
        "Attributes",
        "Attributes: not valid JSON (line 1 column 16: Expecting ',' delimiter)",
    ),
    (
        "malformed References JSON",
        {"References": "{'link': 1}"},
        "References",
        "References: not valid JSON (line 1 column 2: Expecting property name enclosed in double quotes)",
    ),
    (
        "malformed SegmentAttributes JSON",
        {"SegmentAttributes": "[1,"},
        "SegmentAttributes",
        "SegmentAttributes: not valid JSON (line 1 column 4: Expecting value)",
    ),
    (
        "Attributes JSON of the wrong shape",
        {"Attributes": '{"tier": 1}'},
        "Attributes",
        "Attributes.tier (column 'Attributes'): JSON value must be a string; got a number 1",
    ),
    (
        "a lone surrogate escape in JSON",
        {"Attributes": '{"tier": "\\ud800"}'},
        "Attributes",
        "Attributes: JSON escape \\ud800 is half of a surrogate pair, not a character: the text cannot be "
        "sent as UTF-8",
    ),
]


@pytest.mark.parametrize(("bad", "code", "reason"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
async def test_a_bad_row_is_invalid_with_its_reason_and_its_neighbours_load(
    tmp_path: Path, emulator: Emulator, bad: dict[str, str], code: str, reason: str
) -> None:
    rows = [{**dict.fromkeys(bad, ""), **good("First")}, {**good("Bad"), **bad}, good("Last")]
    path = write_csv(tmp_path / "tasks.csv", rows)

    # The default --flow-id routes the good rows; a row with routing of its own never gets it.
    summary, outcomes = await run(settings_for(emulator, path))

    assert [o.status for o in outcomes] == [Status.CREATED, Status.INVALID, Status.CREATED]
    invalid = outcomes[1]
    assert (invalid.error_code, invalid.error_message) == (code, reason)
    assert (invalid.row, invalid.line, invalid.client_token, invalid.attempts) == (2, 3, "", 0)
    assert summary.exit_code == 1
    assert_nothing_refused(emulator)
    sent = sent_params(emulator)
    assert len(sent) == 2
    assert [sent[o.client_token]["Name"] for o in (outcomes[0], outcomes[2])] == ["First", "Last"]


async def test_a_scheduled_time_more_than_6_days_ahead_is_invalid(tmp_path: Path, emulator: Emulator) -> None:
    ahead = seven_days_ahead()
    soon = int(time.time()) + DAY
    rows = [good("Soon", ScheduledTime=str(soon)), good("Late", ScheduledTime=str(ahead))]
    summary, outcomes = await run(settings_for(emulator, write_csv(tmp_path / "t.csv", rows)))

    assert [o.status for o in outcomes] == [Status.CREATED, Status.INVALID]
    assert outcomes[1].error_message == f"ScheduledTime: {format_epoch(ahead)} is more than 6 days ahead"
    assert summary.exit_code == 1
    assert_nothing_refused(emulator)
    (params,) = sent_params(emulator).values()
    assert int(float(params["ScheduledTime"])) == soon


async def test_the_13th_row_on_one_previous_contact_is_invalid_and_never_sent(
    tmp_path: Path, emulator: Emulator
) -> None:
    rows = [good(f"Chain {i}", PreviousContactId="prev-1") for i in range(1, 15)]
    rows.insert(5, good("Broken chain link", PreviousContactId="prev-1", RelatedContactId="rel-1"))
    rows.append(good("Other chain", PreviousContactId="prev-2"))
    for row in rows:
        row.setdefault("RelatedContactId", "")
    summary, outcomes = await run(settings_for(emulator, write_csv(tmp_path / "t.csv", rows)))

    statuses = [o.status for o in outcomes]
    # The invalid row 6 does not count towards the chain: rows 1-5 and 7-13 are its 12 tasks.
    assert statuses == [Status.CREATED] * 5 + [Status.INVALID] + [Status.CREATED] * 7 + [
        Status.INVALID,
        Status.INVALID,
        Status.CREATED,
    ]
    assert outcomes[13].error_message == (
        "PreviousContactId: more than 12 tasks would share 'prev-1' (the service allows 12)"
    )
    assert outcomes[13].error_code == "PreviousContactId"
    assert summary.exit_code == 1
    assert_nothing_refused(emulator)
    assert emulator.snapshot().chain_counts == {"prev-1": 12, "prev-2": 1}


async def test_a_repeated_key_is_invalid_and_never_sent(tmp_path: Path, emulator: Emulator) -> None:
    rows = [good("A", Ref="R-1"), good("B", Ref="R-2"), good("A again", Ref="R-1"), good("C", Ref="R-3")]
    path = write_csv(tmp_path / "t.csv", rows)
    mapping = MappingOptions(instance_id=DEFAULT_INSTANCE_ID, flow_id=DEFAULT_FLOW_ID, key_column="Ref")
    summary, outcomes = await run(settings_for(emulator, path, mapping=mapping))

    assert [o.status for o in outcomes] == [Status.CREATED, Status.CREATED, Status.INVALID, Status.CREATED]
    assert outcomes[2].error_message == "key 'R-1' appears again (first on row 1)"
    assert outcomes[2].key == "R-1"
    assert summary.exit_code == 1
    assert {p["Name"] for p in sent_params(emulator).values()} == {"A", "B", "C"}


async def test_a_key_repeated_after_an_invalid_row_is_still_a_repeat_and_a_rerun_sends_nothing_twice(
    tmp_path: Path, emulator: Emulator
) -> None:
    # Row 1 is invalid (no Name), row 3 repeats its key: the repeat is refused whatever row 1 was, so the
    # results file never holds two outcomes for one key, and a re-run cannot mix them up.
    rows = [good("", Ref="R-1"), good("B", Ref="R-2"), good("A", Ref="R-1")]
    path = write_csv(tmp_path / "t.csv", rows)
    mapping = MappingOptions(instance_id=DEFAULT_INSTANCE_ID, flow_id=DEFAULT_FLOW_ID, key_column="Ref")
    _, first = await run(settings_for(emulator, path, mapping=mapping))

    assert [o.status for o in first] == [Status.INVALID, Status.CREATED, Status.INVALID]
    assert first[2].error_message == "key 'R-1' appears again (first on row 1)"
    requests_before = sum(emulator.snapshot().counts.values())

    _, second = await run(settings_for(emulator, path, mapping=mapping))
    assert [o.status for o in second] == [Status.INVALID, Status.CREATED, Status.INVALID]
    assert sum(emulator.snapshot().counts.values()) == requests_before


async def test_a_repeated_key_after_a_created_row_is_never_reported_created_on_a_rerun(
    tmp_path: Path, emulator: Emulator
) -> None:
    rows = [good("A", Ref="R-1"), good("B", Ref="R-2")]
    path = write_csv(tmp_path / "t.csv", rows)
    mapping = MappingOptions(instance_id=DEFAULT_INSTANCE_ID, flow_id=DEFAULT_FLOW_ID, key_column="Ref")
    _, first = await run(settings_for(emulator, path, mapping=mapping))
    # The user appends a row that reuses a key already created.
    write_csv(path, [*rows, good("A copy", Ref="R-1")])

    _, second = await run(settings_for(emulator, path, mapping=mapping))

    assert [o.status for o in second] == [Status.CREATED, Status.CREATED, Status.INVALID]
    assert second[2].error_message == "key 'R-1' appears again (first on row 1)"
    assert second[2].contact_id == ""
    assert second[0].contact_id == first[0].contact_id
    assert len(emulator.snapshot().tasks) == 2


def ragged_file(path: Path) -> Path:
    path.write_text(
        "Name,Description,Attributes.customer\n"
        "Ada,first,00001\n"
        "Bob,too,many,fields\n"
        "Cy,second,00003\n"
        "Dee,too few\n"
        "Eve,third,00005\n"
        "\n"
        'Fay,"two\nlines",00007\n'
        "Gus,fourth,00008\n",
        encoding="utf-8",
    )
    return path


async def test_a_ragged_line_is_invalid_with_its_line_number_and_never_shifts_its_neighbours(
    tmp_path: Path, emulator: Emulator
) -> None:
    summary, outcomes = await run(settings_for(emulator, ragged_file(tmp_path / "t.csv")))

    assert [(o.row, o.line, o.status) for o in outcomes] == [
        (1, 2, Status.CREATED),
        (2, 3, Status.INVALID),
        (3, 4, Status.CREATED),
        (4, 5, Status.INVALID),
        (5, 6, Status.CREATED),
        (6, 8, Status.CREATED),
        (7, 10, Status.CREATED),
    ]
    assert outcomes[1].error_message == "line 3 has 4 fields; the header has 3"
    assert outcomes[3].error_message == "line 5 has 2 fields; the header has 3"
    assert summary.exit_code == 1
    assert_nothing_refused(emulator)
    sent = sent_params(emulator)
    received = [
        (
            sent[o.client_token]["Name"],
            sent[o.client_token]["Description"],
            sent[o.client_token]["Attributes"],
        )
        for o in outcomes
        if o.status is Status.CREATED
    ]
    assert received == [
        ("Ada", "first", {"customer": "00001"}),
        ("Cy", "second", {"customer": "00003"}),
        ("Eve", "third", {"customer": "00005"}),
        ("Fay", "two\nlines", {"customer": "00007"}),
        ("Gus", "fourth", {"customer": "00008"}),
    ]


@pytest.mark.parametrize("key", ["=1+2", "-42", "@SUM(A1)", "+7", "'quoted", "\tTAB", "plain"])
async def test_formula_like_keys_are_neutralised_in_the_file_and_a_rerun_matches_them(
    tmp_path: Path, emulator: Emulator, key: str
) -> None:
    rows = [good("A", Ref=key), good("B", Ref='=HYPERLINK("http://x")'), good("", Ref="-invalid")]
    path = write_csv(tmp_path / "t.csv", rows)
    mapping = MappingOptions(instance_id=DEFAULT_INSTANCE_ID, flow_id=DEFAULT_FLOW_ID, key_column="Ref")
    _, first = await run(settings_for(emulator, path, mapping=mapping))

    assert [o.key for o in first] == [key, '=HYPERLINK("http://x")', "-invalid"]
    raw = (tmp_path / "t.results.csv").read_text(encoding="utf-8")
    for line in raw.splitlines()[1:]:
        for cell in line.split(","):
            assert cell.lstrip('"')[:1] not in ("=", "+", "-", "@", "\t", "\r"), line
    requests_before = sum(emulator.snapshot().counts.values())

    summary, second = await run(settings_for(emulator, path, mapping=mapping))

    assert summary.carried_over == 2
    assert summary.sent == 0
    assert sum(emulator.snapshot().counts.values()) == requests_before
    assert second == first
    assert len(emulator.snapshot().tasks) == 2
