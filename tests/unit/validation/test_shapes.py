"""The model's shapes through botocore's validator: required members, lengths at both ends, types, paths."""

from __future__ import annotations

from bulkload.connect import model
from bulkload.records import Problem
from bulkload.validation import RequestValidator
from tests.unit.validation.helpers import NOW, messages, request


def test_required_members(validator: RequestValidator) -> None:
    assert messages(validator, {"ContactFlowId": "f"}) == ["InstanceId: is required", "Name: is required"]


def test_lengths_both_ends_with_units(validator: RequestValidator) -> None:
    params = request(Description="x" * 5000, InstanceId="", Name="n" * 1025, ClientToken="t" * 501)
    assert messages(validator, params) == [
        "InstanceId: 0 characters; at least 1",
        "Name: 1025 characters; at most 1024",
        "Description: 5000 characters; at most 4096",
        "ClientToken: 501 characters; at most 500",
    ]


def test_length_limits_come_from_the_model(validator: RequestValidator) -> None:
    limit = model.input_shape().members["Description"].metadata["max"]
    assert validator.validate(request(Description="x" * limit)) == ()
    assert validator.validate(request(Description="x" * (limit + 1))) == (
        Problem("Description", f"{limit + 1} characters; at most {limit}", "Description"),
    )


def test_types(validator: RequestValidator) -> None:
    params = request(Name=5, Attributes={"prio": 1}, ScheduledTime="soon")
    assert messages(validator, params) == [
        "Name: must be a string; got a number 5",
        "Attributes.prio: must be a string; got a number 1",
        "ScheduledTime: must be a time or epoch seconds; got a string 'soon'",
    ]


def test_nested_member_paths(validator: RequestValidator) -> None:
    params = request(
        References={"ticket": {"Value": "x" * 4097, "Type": "URL"}, "t2": {"value": "x", "Type": "URL"}},
        SegmentAttributes={
            "connect:ContactExpiry": {"ValueMap": {"ExpiryDuration": {"ValueInteger": "135"}}}
        },
    )
    assert messages(validator, params) == [
        "References.ticket.Value: 4097 characters; at most 4096",
        "References.t2.value: is not a member here; use one of Value, Type, Status, Arn, StatusReason",
        "SegmentAttributes.connect:ContactExpiry.ValueMap.ExpiryDuration.ValueInteger: "
        "must be an integer; got a string '135'",
        "References.t2.Value: is required",
        "References: 4105 UTF-8 bytes across all names and values; at most 4096",
    ]


def test_an_empty_map_key_names_the_map(validator: RequestValidator) -> None:
    assert messages(validator, request(Attributes={"": "x"})) == [
        "Attributes: key '': 0 characters; at least 1"
    ]


def test_an_unknown_member(validator: RequestValidator) -> None:
    found = messages(validator, request(Priority="1"))
    assert len(found) == 1
    assert found[0].startswith("Priority: is not a member here; use one of InstanceId, ")


def test_the_input_is_not_changed(validator: RequestValidator) -> None:
    params = request(References={"a": {"Value": "1", "Type": "NUMBER"}}, ScheduledTime=int(NOW) + 60)
    before = repr(params)
    validator.validate(params)
    assert repr(params) == before
