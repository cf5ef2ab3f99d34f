"""An invalid row's error code and message: every code a problem can carry, set where it is found."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bulkload.mapping import ColumnMapping
from bulkload.records import Problem, SourceRow
from bulkload.validation import FileRules, RequestValidator, describe_problems
from tests.unit.mapping.helpers import map_one, options
from tests.unit.validation.helpers import NOW, mapped, request

Problems = tuple[Problem, ...]


def validated(**overrides: object) -> Problems:
    return RequestValidator(clock=lambda: NOW).validate(request(**overrides))


def mapped_problems(cells: dict[str, str], **option_values: object) -> Problems:
    return map_one(cells, opts=options(**option_values)).problems


def repeated_key() -> Problems:
    rules = FileRules(check_duplicate_keys=True)
    rules.check(mapped(1, "A-1"))
    return rules.check(mapped(2, "A-1"))


def repeated_token() -> Problems:
    rules = FileRules(check_duplicate_keys=False)
    rules.check(mapped(1, "1", ClientToken="t"))
    return rules.check(mapped(2, "2", ClientToken="t"))


def long_chain() -> Problems:
    rules = FileRules(check_duplicate_keys=False, chain_limit=1)
    rules.check(mapped(1, "1", PreviousContactId="p"))
    return rules.check(mapped(2, "2", PreviousContactId="p"))


def ragged_row() -> Problems:
    mapping = ColumnMapping.from_header(["Name"], options())
    return mapping.map_row(SourceRow(4, 9, {}, problem="line 9 has 3 cells; the header has 1")).problems


CASES: list[tuple[str, Callable[[], Problems], str]] = [
    # the whole row
    ("a ragged row", ragged_row, "Row"),
    ("a repeated key", repeated_key, "Row"),
    (
        "PreviousContactId with RelatedContactId",
        lambda: validated(PreviousContactId="p", RelatedContactId="r"),
        "Row",
    ),
    ("a field that lists several names", lambda: validated(Attributes={"a, b": "v"}), "Row"),
    # routing
    ("no routing member", lambda: validated(ContactFlowId=None), "Routing"),
    ("two routing members", lambda: validated(TaskTemplateId="t"), "Routing"),
    # the key column
    ("an empty key cell", lambda: mapped_problems({"Name": "n", "Ref": ""}, key_column="Ref"), "Ref"),
    # members, from mapping
    (
        "an unparseable ScheduledTime",
        lambda: mapped_problems({"Name": "n", "ScheduledTime": "soon"}),
        "ScheduledTime",
    ),
    ("malformed Attributes JSON", lambda: mapped_problems({"Name": "n", "Attributes": "{"}), "Attributes"),
    (
        "an Attributes JSON value",
        lambda: mapped_problems({"Name": "n", "Attributes": '{"a": 1}'}),
        "Attributes",
    ),
    (
        "a lone surrogate in JSON",
        lambda: mapped_problems({"Name": "n", "Attributes": '{"a": "\\ud800"}'}),
        "Attributes",
    ),
    (
        "an attribute given twice",
        lambda: mapped_problems({"Name": "n", "Attributes": '{"a": "1"}', "Attributes.a": "2"}),
        "Attributes",
    ),
    (
        "a References JSON shape",
        lambda: mapped_problems({"Name": "n", "References": '{"t": 1}'}),
        "References",
    ),
    (
        "a DATE that is no date",
        lambda: mapped_problems({"Name": "n", "References.DATE.d": "soon"}),
        "References",
    ),
    (
        "a reference given twice",
        lambda: mapped_problems(
            {"Name": "n", "References": '{"t": {"Value": "1", "Type": "URL"}}', "References.URL.t": "2"}
        ),
        "References",
    ),
    (
        "SegmentAttributes not an object",
        lambda: mapped_problems({"Name": "n", "SegmentAttributes": "[]"}),
        "SegmentAttributes",
    ),
    # members, from validation
    ("a missing InstanceId", lambda: validated(InstanceId=None), "InstanceId"),
    ("a missing Name", lambda: validated(Name=None), "Name"),
    ("a long Description", lambda: validated(Description="x" * 4097), "Description"),
    ("a long ClientToken", lambda: validated(ClientToken="t" * 501), "ClientToken"),
    ("a long ContactFlowId", lambda: validated(ContactFlowId="f" * 501), "ContactFlowId"),
    ("an unknown member", lambda: validated(Priority="1"), "Priority"),
    ("an attribute key", lambda: validated(Attributes={"a b": "v"}), "Attributes"),
    ("an attribute of the wrong type", lambda: validated(Attributes={"a": 1}), "Attributes"),
    ("Attributes too large", lambda: validated(Attributes={"k": "v" * 40_000}), "Attributes"),
    (
        "an ATTACHMENT reference",
        lambda: validated(References={"f": {"Value": "x", "Type": "ATTACHMENT"}}),
        "References",
    ),
    ("a reference type", lambda: validated(References={"r": {"Value": "x", "Type": "LINK"}}), "References"),
    ("a reference without Value", lambda: validated(References={"r": {"Type": "URL"}}), "References"),
    (
        "a DATE of no digits",
        lambda: validated(References={"d": {"Value": "x", "Type": "DATE"}}),
        "References",
    ),
    (
        "References too large",
        lambda: validated(References={"r": {"Value": "x" * 4096, "Type": "URL"}}),
        "References",
    ),
    (
        "a SegmentAttributes value",
        lambda: validated(SegmentAttributes={"connect:ContactExpiry": {"ValueMap": {"ExpiryDuration": 1}}}),
        "SegmentAttributes",
    ),
    ("a ScheduledTime in the past", lambda: validated(ScheduledTime=0), "ScheduledTime"),
    (
        "a ScheduledTime too far ahead",
        lambda: validated(ScheduledTime=int(NOW) + 7 * 86_400),
        "ScheduledTime",
    ),
    ("a ScheduledTime of the wrong type", lambda: validated(ScheduledTime="soon"), "ScheduledTime"),
    # members, from the file-wide rules
    ("a repeated ClientToken", repeated_token, "ClientToken"),
    ("a PreviousContactId chain too long", long_chain, "PreviousContactId"),
]


@pytest.mark.parametrize(("found", "code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_the_error_code_is_the_first_problems_code(found: Callable[[], Problems], code: str) -> None:
    problems = found()
    assert problems
    assert problems[0].code == code
    assert describe_problems(problems, lambda _: None)[0] == code


def test_the_code_is_read_from_the_problem_never_from_its_message() -> None:
    wording = "send exactly one of ContactFlowId, QuickConnectId, TaskTemplateId; this row has none"
    assert describe_problems((Problem(None, wording, "Row"),), lambda _: None) == ("Row", wording)
    assert describe_problems((Problem(None, "anything", "Routing"),), lambda _: None) == (
        "Routing",
        "anything",
    )


def test_the_message_joins_every_problem_and_names_the_column_behind_a_member() -> None:
    problems = (
        Problem.at("Description", "too long"),
        Problem.at("Name", "is required"),
        Problem(None, "key 'k' appears again (first on row 1)", "Row"),
    )
    columns = {"Description": "Notes", "Name": "Name"}
    assert describe_problems(problems, columns.get) == (
        "Description",
        "Description (column 'Notes'): too long; Name: is required; key 'k' appears again (first on row 1)",
    )


@pytest.mark.parametrize(
    ("field", "code"),
    [
        ("Name", "Name"),
        ("Attributes.prio", "Attributes"),
        ("References.case.link.Value", "References"),
        ("SegmentAttributes.connect:ContactExpiry.ValueMap", "SegmentAttributes"),
        (None, "Row"),
        ("ContactFlowId, TaskTemplateId", "Row"),
    ],
)
def test_problem_at_codes_a_member_path_by_its_first_segment(field: str | None, code: str) -> None:
    assert Problem.at(field, "m") == Problem(field, "m", code)
