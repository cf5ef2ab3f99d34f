"""A whole request: valid ones pass, every problem of an invalid one is reported, mapping agrees."""

from __future__ import annotations

from bulkload.connect import model
from bulkload.mapping import ColumnMapping, MappingOptions
from bulkload.records import SourceRow
from bulkload.validation import RequestValidator
from tests.unit.validation.helpers import DAY, NOW, request


def test_a_full_valid_request_has_no_problems(validator: RequestValidator) -> None:
    params = request(
        Description="d" * 4096,
        Attributes={"prio": "1", "customer-id_2": "C"},
        References={
            "link": {"Value": "https://x", "Type": "URL"},
            "n": {"Value": "3", "Type": "NUMBER"},
            "s": {"Value": "x", "Type": "STRING"},
            "d": {"Value": "1795507200000", "Type": "DATE"},
            "e": {"Value": "a@example.com", "Type": "EMAIL"},
        },
        ScheduledTime=int(NOW) + 6 * DAY,
        PreviousContactId="c-1",
        ClientToken="t" * 500,
        SegmentAttributes={"connect:ContactExpiry": {"ValueMap": {"ExpiryDuration": {"ValueInteger": 135}}}},
    )
    assert validator.validate(params) == ()


def test_every_problem_is_reported_not_just_the_first(validator: RequestValidator) -> None:
    params = request(
        Name=None, TaskTemplateId="t", Attributes={"a b": "1"}, ScheduledTime=0, Description="x" * 4097
    )
    assert [p.field for p in validator.validate(params)] == [
        "Name",
        "Description",
        "ContactFlowId, TaskTemplateId",
        "Attributes.a b",
        "ScheduledTime",
    ]


def test_a_mapped_row_with_every_member_validates_cleanly(validator: RequestValidator) -> None:
    cells = {
        "InstanceId": "i-1",
        "ContactFlowId": "f-1",
        "PreviousContactId": "p-1",
        "Name": "00123",
        "Description": "d",
        "Attributes": '{"tier": "gold"}',
        "Attributes.prio": "1",
        "References": '{"t": {"Value": "1", "Type": "number"}}',
        "References.URL.link": "https://x",
        "References.DATE.due": "2026-11-25T08:00:00Z",
        "ScheduledTime": "2026-11-24T09:00:00Z",
        "SegmentAttributes": '{"connect:ContactExpiry": {"ValueMap": {"ExpiryDuration": {"ValueInteger": 135}}}}',
        "ClientToken": "tok",
    }
    result = ColumnMapping.from_header(list(cells), MappingOptions()).map_row(SourceRow(1, 2, cells))
    assert result.problems == ()
    assert set(result.params) == set(model.member_names()) - {
        "TaskTemplateId",
        "QuickConnectId",
        "RelatedContactId",
    }
    assert validator.validate(result.params) == ()
