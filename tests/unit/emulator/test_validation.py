"""The emulator's service-side checks, called directly with a fixed `now`."""

from __future__ import annotations

from typing import Any

import pytest

from bulkload.connect import model as service_model
from bulkload.emulator import DEFAULT_FLOW_ID, DEFAULT_INSTANCE_ID, EmulatorConfig, ServiceError
from bulkload.emulator.validation import check_quotas, decode_body, validate_request

NOW = 1_700_000_000.4
SIX_DAYS = service_model.SCHEDULE_MAX_AHEAD_SECONDS
CONFIG = EmulatorConfig()


def request(**changes: Any) -> dict[str, Any]:
    return {"InstanceId": DEFAULT_INSTANCE_ID, "Name": "n", "ContactFlowId": DEFAULT_FLOW_ID, **changes}


def refusal(params: dict[str, Any]) -> ServiceError:
    with pytest.raises(ServiceError) as info:
        validate_request(params, CONFIG, now=NOW)
    return info.value


@pytest.mark.parametrize(
    "scheduled",
    [NOW, 1_700_000_000, NOW + SIX_DAYS, NOW + 1.5],
    ids=["now", "the-current-second-truncated", "exactly-6-days", "float-seconds"],
)
def test_scheduled_time_accepted(scheduled: float) -> None:
    validate_request(request(ScheduledTime=scheduled), CONFIG, now=NOW)


@pytest.mark.parametrize(
    ("scheduled", "message"),
    [
        (1_699_999_999, "ScheduledTime cannot be in the past"),
        (NOW + SIX_DAYS + 1, "ScheduledTime must be within 6 days from now"),
        ("2024-01-01T00:00:00Z", "ScheduledTime must be a number of epoch seconds"),
        (True, "ScheduledTime must be a number of epoch seconds"),
        (float("nan"), "ScheduledTime must be a number of epoch seconds"),
        (1e300, "ScheduledTime is out of range"),
    ],
)
def test_scheduled_time_refused(scheduled: Any, message: str) -> None:
    error = refusal(request(ScheduledTime=scheduled))

    assert (error.code, error.status) == ("InvalidParameterException", 400)
    assert error.message.startswith(message)


def test_attribute_bytes_are_counted_in_utf8_across_keys_and_values() -> None:
    at_limit = {"k": "€" * 10_000, "l": "x" * 2_767}  # 1 + 30,000 + 1 + 2,767 = 32,769 bytes
    error = refusal(request(Attributes=at_limit))
    assert "got 32769" in error.message

    validate_request(request(Attributes={"k": "€" * 10_000, "l": "x" * 2_766}), CONFIG, now=NOW)


@pytest.mark.parametrize("key", ["a.b", "a b", "ä", "a/b", "$x"])
def test_attribute_keys_are_letters_digits_dash_underscore(key: str) -> None:
    error = refusal(request(Attributes={key: "v"}))

    assert error.code == "InvalidParameterException"
    assert "letters, digits, '-' and '_'" in error.message


@pytest.mark.parametrize("reference_type", ["ATTACHMENT", "CONTACT_ANALYSIS", "EMAIL_MESSAGE"])
def test_reference_types_not_allowed_at_creation(reference_type: str) -> None:
    error = refusal(request(References={"r": {"Type": reference_type, "Value": "v"}}))

    assert error.code == "InvalidParameterException"
    assert f"type {reference_type}" in error.message


def test_reference_type_outside_the_enum() -> None:
    error = refusal(request(References={"r": {"Type": "PHONE", "Value": "v"}}))

    assert error.code == "InvalidParameterException"
    assert "must be one of" in error.message


def test_reference_bytes_count_names_and_values() -> None:
    validate_request(request(References={"ab": {"Type": "STRING", "Value": "v" * 4_094}}), CONFIG, now=NOW)
    error = refusal(request(References={"abc": {"Type": "STRING", "Value": "v" * 4_094}}))
    assert "got 4097" in error.message


def test_unknown_members_are_ignored_and_nulls_are_absent() -> None:
    params = decode_body(
        b'{"InstanceId": "%s", "Name": "n", "ContactFlowId": "%s", "Description": null, "New": 1}'
        % (
            DEFAULT_INSTANCE_ID.encode(),
            DEFAULT_FLOW_ID.encode(),
        )
    )

    assert "Description" not in params
    validate_request(params, CONFIG, now=NOW)


@pytest.mark.parametrize("body", [b"{", b"[]", b"\xff"])
def test_bodies_that_are_not_a_json_object(body: bytes) -> None:
    with pytest.raises(ServiceError) as info:
        decode_body(body)

    assert info.value.code == "InvalidParameterException"


def test_parameter_errors_rank_before_request_errors_before_not_found() -> None:
    no_routing_long_name = {"InstanceId": "unknown", "Name": "n" * 1025}
    assert refusal(no_routing_long_name).code == "InvalidParameterException"
    assert refusal({"InstanceId": "unknown", "Name": "n"}).code == "InvalidRequestException"
    assert refusal(request(InstanceId="unknown")).code == "ResourceNotFoundException"


def test_template_listed_both_ways_has_no_flow() -> None:
    config = EmulatorConfig(template_ids=("t",), templates_without_flow=("t",))
    params = {"InstanceId": DEFAULT_INSTANCE_ID, "Name": "n", "TaskTemplateId": "t"}

    with pytest.raises(ServiceError, match="has no contact flow"):
        validate_request(params, config, now=NOW)


def test_quotas_chain_before_active() -> None:
    config = EmulatorConfig(chain_limit=2, active_task_quota=5)
    chained = request(PreviousContactId="p")

    check_quotas(chained, config, chain_count=1, active_tasks=4)
    check_quotas(request(), config, chain_count=99, active_tasks=4)  # the chain count of no chain
    with pytest.raises(ServiceError) as chain:
        check_quotas(chained, config, chain_count=2, active_tasks=5)
    with pytest.raises(ServiceError) as active:
        check_quotas(request(), config, chain_count=0, active_tasks=5)

    assert (chain.value.status, chain.value.message) == (402, service_model.CHAIN_FULL_MESSAGE)
    assert (active.value.status, active.value.message) == (402, service_model.ACTIVE_TASKS_MESSAGE)


def test_service_error_knows_its_status_and_count_key() -> None:
    error = ServiceError("ThrottlingException", "Rate exceeded")

    assert (error.status, error.outcome) == (429, "throttled")
    with pytest.raises(ValueError, match="unknown service error code"):
        ServiceError("TeapotException", "short and stout")
