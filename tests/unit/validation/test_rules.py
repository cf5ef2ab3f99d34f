"""The documented rules: routing, linked contacts, attributes, references, the ScheduledTime window."""

from __future__ import annotations

import pytest

from bulkload.connect import model
from bulkload.validation import RequestValidator
from tests.unit.validation.helpers import DAY, NOW, messages, request


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


@pytest.mark.parametrize("key", ["my key", "prio!", "clé", "a.b"])
def test_attribute_keys_only_letters_digits_dash_underscore(validator: RequestValidator, key: str) -> None:
    assert messages(validator, request(Attributes={key: "v"})) == [
        f"Attributes.{key}: key may hold only letters, digits, '-' and '_'"
    ]


def test_attributes_total_size_in_utf8_bytes(validator: RequestValidator) -> None:
    limit = model.ATTRIBUTES_MAX_BYTES
    exactly = {"k": "v" * (limit - 1)}
    assert validator.validate(request(Attributes=exactly)) == ()
    # "é" is two UTF-8 bytes: the limit counts bytes, not characters.
    over = {"k": "é" * (limit // 2)}
    assert messages(validator, request(Attributes=over)) == [
        f"Attributes: {limit + 1} UTF-8 bytes across all keys and values; at most {limit}"
    ]


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
    limit = model.REFERENCES_MAX_BYTES
    fits = {"ab": {"Value": "x" * (limit - 2), "Type": "STRING"}}
    assert validator.validate(request(References=fits)) == ()
    over = {"ab": {"Value": "x" * (limit - 2), "Type": "STRING"}, "c": {"Value": "", "Type": "STRING"}}
    assert messages(validator, request(References=over)) == [
        f"References: {limit + 1} UTF-8 bytes across all names and values; at most {limit}"
    ]


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
