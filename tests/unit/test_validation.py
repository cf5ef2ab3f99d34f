"""Request validation against botocore's model and the documented rules; file-wide rules."""

from __future__ import annotations

from typing import Any

import pytest

from bulkload.connect import model as service_model
from bulkload.mapping import ColumnMapping, MappingOptions
from bulkload.records import MappedRow, Problem, SourceRow
from bulkload.validation import FileRules, RequestValidator, format_epoch

NOW = 1_795_507_200.5  # 2026-11-24T08:00:00.5Z
DAY = 86_400


@pytest.fixture
def validator() -> RequestValidator:
    return RequestValidator(clock=lambda: NOW)


def request(**overrides: Any) -> dict[str, Any]:
    params: dict[str, Any] = {"InstanceId": "i-1", "Name": "Call back", "ContactFlowId": "f-1"}
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


def messages(validator: RequestValidator, params: dict[str, Any]) -> list[str]:
    return [str(p) for p in validator.validate(params)]


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


# --- the model, through botocore ----------------------------------------------------------------------------


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
    limit = service_model.input_shape().members["Description"].metadata["max"]
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


# --- routing ------------------------------------------------------------------------------------------------


def test_exactly_one_routing_member(validator: RequestValidator) -> None:
    assert messages(validator, request(ContactFlowId=None, TaskTemplateId="t")) == []
    assert messages(validator, request(ContactFlowId=None, QuickConnectId="q")) == []
    assert messages(validator, request(TaskTemplateId="t")) == [
        "ContactFlowId, TaskTemplateId: send exactly one of ContactFlowId, QuickConnectId, TaskTemplateId; "
        "this row has 2"
    ]
    assert messages(validator, request(ContactFlowId=None)) == [
        "send exactly one of ContactFlowId, QuickConnectId, TaskTemplateId; this row has none"
    ]
    assert validator.validate(request(ContactFlowId=None))[0].field is None
    assert messages(validator, request(TaskTemplateId="t", QuickConnectId="q")) == [
        "ContactFlowId, QuickConnectId, TaskTemplateId: send exactly one of ContactFlowId, QuickConnectId, "
        "TaskTemplateId; this row has 3"
    ]


def test_previous_and_related_contact_together_are_refused(validator: RequestValidator) -> None:
    assert messages(validator, request(RelatedContactId="r")) == []
    assert messages(validator, request(PreviousContactId="p", RelatedContactId="r")) == [
        "PreviousContactId, RelatedContactId: send at most one: a task follows a previous contact or "
        "relates to one, not both"
    ]


# --- attributes -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["my key", "prio!", "clé", "a.b"])
def test_attribute_keys_only_letters_digits_dash_underscore(validator: RequestValidator, key: str) -> None:
    assert messages(validator, request(Attributes={key: "v"})) == [
        f"Attributes.{key}: key may hold only letters, digits, '-' and '_'"
    ]


def test_attributes_total_size_in_utf8_bytes(validator: RequestValidator) -> None:
    limit = service_model.ATTRIBUTES_MAX_BYTES
    exactly = {"k": "v" * (limit - 1)}
    assert validator.validate(request(Attributes=exactly)) == ()
    # "é" is two UTF-8 bytes: the limit counts bytes, not characters.
    over = {"k": "é" * (limit // 2)}
    assert messages(validator, request(Attributes=over)) == [
        f"Attributes: {limit + 1} UTF-8 bytes across all keys and values; at most {limit}"
    ]


# --- references -------------------------------------------------------------------------------------------------


def test_attachment_references_are_refused_at_creation(validator: RequestValidator) -> None:
    params = request(References={"file": {"Value": "s3://b/k", "Type": "ATTACHMENT"}})
    assert messages(validator, params) == [
        "References.file.Type: ATTACHMENT references cannot be set when a task is created"
    ]


@pytest.mark.parametrize("ref_type", ["CONTACT_ANALYSIS", "EMAIL_MESSAGE", "url", "LINK"])
def test_other_reference_types_are_refused(validator: RequestValidator, ref_type: str) -> None:
    params = request(References={"r": {"Value": "x", "Type": ref_type}})
    assert messages(validator, params) == [
        f"References.r.Type: {ref_type!r} is not allowed when a task is created; "
        "use one of URL, NUMBER, STRING, DATE, EMAIL"
    ]


def test_reference_type_and_value_are_required(validator: RequestValidator) -> None:
    params = request(References={"a": {"Value": "x"}, "b": {"Type": "URL"}})
    assert messages(validator, params) == [
        "References.a.Type: is required",
        "References.b.Value: is required",
    ]


def test_a_date_reference_takes_epoch_digits(validator: RequestValidator) -> None:
    params = request(References={"due": {"Value": "2026-11-24", "Type": "DATE"}})
    assert messages(validator, params) == [
        "References.due.Value: a DATE reference takes epoch digits; got '2026-11-24'"
    ]


def test_references_total_size_in_utf8_bytes(validator: RequestValidator) -> None:
    limit = service_model.REFERENCES_MAX_BYTES
    fits = {"ab": {"Value": "x" * (limit - 2), "Type": "STRING"}}
    assert validator.validate(request(References=fits)) == ()
    over = {"ab": {"Value": "x" * (limit - 2), "Type": "STRING"}, "c": {"Value": "", "Type": "STRING"}}
    assert messages(validator, request(References=over)) == [
        f"References: {limit + 1} UTF-8 bytes across all names and values; at most {limit}"
    ]


# --- ScheduledTime ------------------------------------------------------------------------------------------------


def test_scheduled_time_window(validator: RequestValidator) -> None:
    now = int(NOW)
    assert validator.validate(request(ScheduledTime=now)) == ()
    assert validator.validate(request(ScheduledTime=now + 6 * DAY)) == ()
    assert messages(validator, request(ScheduledTime=now - 1)) == [
        "ScheduledTime: 2026-11-24T07:59:59Z is in the past"
    ]
    assert messages(validator, request(ScheduledTime=now + 6 * DAY + 1)) == [
        "ScheduledTime: 2026-11-30T08:00:01Z is more than 6 days ahead"
    ]


def test_scheduled_time_uses_the_injected_clock() -> None:
    later = RequestValidator(clock=lambda: NOW + 10 * DAY)
    assert [str(p) for p in later.validate(request(ScheduledTime=int(NOW) + DAY))] == [
        "ScheduledTime: 2026-11-25T08:00:00Z is in the past"
    ]


def test_an_absurd_scheduled_time_is_reported_not_raised(validator: RequestValidator) -> None:
    assert messages(validator, request(ScheduledTime=10**20)) == [
        "ScheduledTime: 100000000000000000000 (epoch seconds) is more than 6 days ahead"
    ]


def test_format_epoch() -> None:
    assert format_epoch(1_796_810_400) == "2026-12-09T10:00:00Z"


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


# --- FileRules ----------------------------------------------------------------------------------------------------


def mapped(row: int, key: str, **params: Any) -> MappedRow:
    return MappedRow(row=row, line=row + 1, key=key, params=params)


def test_repeated_keys_are_reported_from_the_second_occurrence() -> None:
    rules = FileRules(check_duplicate_keys=True)
    assert rules.check(mapped(1, "A-1")) == ()
    assert rules.check(mapped(3, "A-17")) == ()
    assert rules.check(mapped(4, "a-17")) == ()
    assert rules.check(mapped(9, "A-17")) == (
        Problem(None, "key 'A-17' appears again (first on row 3)", "Row"),
    )
    assert rules.check(mapped(12, "A-17")) == (
        Problem(None, "key 'A-17' appears again (first on row 3)", "Row"),
    )


def test_keys_are_not_checked_unless_asked() -> None:
    rules = FileRules(check_duplicate_keys=False)
    assert rules.check(mapped(1, "x")) == ()
    assert rules.check(mapped(2, "x")) == ()


def test_the_previous_contact_chain_limit() -> None:
    rules = FileRules(check_duplicate_keys=False)
    limit = service_model.PREVIOUS_CONTACT_CHAIN_LIMIT
    results = [rules.check(mapped(i, str(i), PreviousContactId="abc")) for i in range(1, limit + 3)]
    assert results[:limit] == [()] * limit
    expected = (
        Problem(
            "PreviousContactId",
            f"more than {limit} tasks would share 'abc' (the service allows {limit})",
            "PreviousContactId",
        ),
    )
    assert results[limit:] == [expected, expected]
    assert rules.check(mapped(99, "99", PreviousContactId="other")) == ()


def test_a_custom_chain_limit() -> None:
    rules = FileRules(check_duplicate_keys=False, chain_limit=1)
    assert rules.check(mapped(1, "1", PreviousContactId="p")) == ()
    assert rules.check(mapped(2, "2", PreviousContactId="p"))[0].message == (
        "more than 1 tasks would share 'p' (the service allows 1)"
    )


def test_a_repeated_row_does_not_count_towards_a_chain() -> None:
    rules = FileRules(check_duplicate_keys=True, chain_limit=2)
    assert rules.check(mapped(1, "k1", PreviousContactId="p")) == ()
    assert rules.check(mapped(2, "k1", PreviousContactId="p")) != ()
    assert rules.check(mapped(3, "k3", PreviousContactId="p")) == ()


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
    assert set(result.params) == set(service_model.member_names()) - {
        "TaskTemplateId",
        "QuickConnectId",
        "RelatedContactId",
    }
    assert validator.validate(result.params) == ()
