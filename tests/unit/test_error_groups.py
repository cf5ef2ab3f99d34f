"""Error groups: one group per (status, code, message pattern), its message true for every row in it."""

from __future__ import annotations

import time
from pathlib import Path

from bulkload.error_groups import DIFFERS, OTHER_MESSAGES, ErrorGroups, split_message
from bulkload.job import Job, JobSettings
from bulkload.mapping import MappingOptions
from bulkload.records import RowOutcome, Status
from bulkload.validation.words import format_epoch


def outcome(row: int, code: str, message: str, status: Status = Status.INVALID) -> RowOutcome:
    return RowOutcome(
        row=row, line=row + 1, key=str(row), status=status, job_id="j", error_code=code, error_message=message
    )


def test_a_message_splits_into_fixed_words_and_row_values() -> None:
    fixed, values = split_message(
        "key 'T-4' appears again (first on row 4); ScheduledTime: 2026-12-09T10:00:00Z is in the past"
    )
    assert values == ["'T-4'", "4", "2026-12-09T10:00:00Z"]
    assert fixed == ("key ", " appears again (first on row ", "); ScheduledTime: ", " is in the past")
    # Digits inside a word, an apostrophe inside a word, and an id are told apart.
    fixed, values = split_message(
        "Attributes.tier2: the caller's flow a1b2c3d4-0000-4000-8000-000000000002 is unknown"
    )
    assert values == ["a1b2c3d4-0000-4000-8000-000000000002"]
    assert fixed[0] == "Attributes.tier2: the caller's flow "


def test_rules_of_one_code_are_separate_groups_each_message_true_for_its_rows() -> None:
    groups = ErrorGroups()
    past = [format_epoch(1_000_000 + i) for i in range(2)]
    messages = {
        10: f"ScheduledTime: {past[0]} is in the past",
        11: f"ScheduledTime: {past[1]} is in the past",
        13: "ScheduledTime: 'tomorrow' is not a time: use ISO 8601 like 2026-11-24T09:00:00+01:00, or epoch seconds",
        14: "ScheduledTime: 'soon' is not a time: use ISO 8601 like 2026-11-24T09:00:00+01:00, or epoch seconds",
        22: "ScheduledTime: 2099-01-01T00:00:00Z is more than 6 days ahead",
    }
    for row, message in messages.items():
        groups.add(outcome(row, "ScheduledTime", message))

    found = {tuple(g.rows): (g.count, g.message) for g in groups.find("invalid", "ScheduledTime")}
    assert found == {
        (10, 11): (2, f"ScheduledTime: {DIFFERS} is in the past"),
        (13, 14): (
            2,
            f"ScheduledTime: {DIFFERS} is not a time: use ISO 8601 like 2026-11-24T09:00:00+01:00, or epoch seconds",
        ),
        (22,): (1, messages[22]),
    }


def test_a_ragged_line_and_a_repeated_key_are_separate_row_groups() -> None:
    groups = ErrorGroups()
    groups.add(outcome(10, "Row", "line 11 has 4 fields; the header has 5"))
    groups.add(outcome(30, "Row", "line 31 has 4 fields; the header has 5"))
    groups.add(outcome(41, "Row", "key 'T-4' appears again (first on row 4)"))
    groups.add(outcome(42, "Row", "key 'T-7' appears again (first on row 7)"))

    found = {tuple(g.rows): g.message for g in groups.find("invalid", "Row")}
    # A value every row shares stays; one that differs shows as "...".
    assert found == {
        (10, 30): "line ... has 4 fields; the header has 5",
        (41, 42): "key ... appears again (first on row ...)",
    }


def test_status_and_code_still_separate_groups_and_the_top_ones_come_first() -> None:
    groups = ErrorGroups()
    for row in range(1, 4):
        groups.add(outcome(row, "InvalidParameterException", "bad", Status.REJECTED))
    groups.add(outcome(4, "InvalidParameterException", "bad", Status.FAILED))
    groups.add(outcome(5, "Name", "bad"))
    assert [(g.status, g.code, g.count) for g in groups.top(2)] == [
        ("rejected", "InvalidParameterException", 3),
        ("failed", "InvalidParameterException", 1),
    ]
    assert len(groups) == 3


def test_endless_distinct_messages_of_one_code_share_one_group_past_a_bound() -> None:
    groups = ErrorGroups()
    for row in range(1, 201):
        groups.add(outcome(row, "Name", f"word{row} is wrong", Status.REJECTED))
    assert len(groups) == 51
    [other] = [g for g in groups.top(51) if g.message == OTHER_MESSAGES]
    assert other.count == 150


async def test_a_validated_file_lists_each_rule_as_its_own_group(tmp_path: Path) -> None:
    now = int(time.time())
    lines = [
        "Name,ScheduledTime,ticket",
        f"a,{now - 3600},T-1",
        "b,tomorrow,T-2",
        f"c,{now + 30 * 86400},T-3",
        f"d,{now - 7200},T-4",
        "e,soon,T-5",
        "f,,T-1",
        "g,,T-2,extra",
    ]
    path = tmp_path / "cb.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    settings = JobSettings(
        input=path, mapping=MappingOptions(instance_id="i", flow_id="f", key_column="ticket")
    )
    summary = await Job(settings).validate()

    groups = {(g["code"], tuple(g["rows"])): g["message"] for g in summary.top_errors}
    assert set(groups) == {
        ("ScheduledTime", (1, 4)),
        ("ScheduledTime", (2, 5)),
        ("ScheduledTime", (3,)),
        ("Row", (6,)),
        ("Row", (7,)),
    }
    assert groups["ScheduledTime", (1, 4)] == "ScheduledTime: ... is in the past"
    assert groups["ScheduledTime", (2, 5)].startswith("ScheduledTime: ... is not a time")
    assert "more than 6 days ahead" in groups["ScheduledTime", (3,)]
    assert groups["Row", (6,)] == "key 'T-1' appears again (first on row 1)"
    assert groups["Row", (7,)].startswith("line 8 has 4 fields")
