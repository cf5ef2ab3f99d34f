"""The emulator's validation against botocore's own client-side checks, on generated requests.

botocore checks types, required members and minimum lengths; the service checks those and more (maximum
lengths, sizes, routing). So: whatever botocore refuses, the emulator refuses with
InvalidParameterException; and requests inside every documented limit pass both.
Requests go over HTTP with botocore's parameter validation off, so the emulator sees them as sent.
"""

from __future__ import annotations

import datetime
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from botocore.validate import ParamValidator
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bulkload.connect import model as service_model
from bulkload.emulator import DEFAULT_FLOW_ID, DEFAULT_INSTANCE_ID, Emulator

MakeEmulator = Callable[..., Awaitable[Emulator]]
MakeClient = Callable[..., Awaitable[Any]]

SETTINGS = settings(
    max_examples=80,
    deadline=None,
    # One emulator and client serve every example: each example is one independent request.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
ANY_TEXT = st.characters(codec="utf-8", exclude_categories=["Cs"])
KEY_CHARS = st.sampled_from("abcXYZ019-_")


def length_near_limits(member: str) -> st.SearchStrategy[int]:
    """Lengths at, just inside and just outside the model's limits for `member`."""
    meta = service_model.input_shape().members[member].metadata
    low, high = meta.get("min", 0), meta.get("max", 64)
    candidates = {0, 1, low, high, high + 1, max(low - 1, 0), max(high - 1, 0)}
    return st.sampled_from(sorted(candidates)) | st.integers(0, min(high + 1, 300))


def text_of(
    lengths: st.SearchStrategy[int], chars: st.SearchStrategy[str] = ANY_TEXT
) -> st.SearchStrategy[str]:
    return lengths.flatmap(lambda n: st.text(chars, min_size=n, max_size=n))


def string_member(member: str) -> st.SearchStrategy[Any]:
    """Strings with lengths near the limits; one time in ten a value of the wrong type."""
    wrong_type: st.SearchStrategy[Any] = st.integers() | st.booleans()
    return st.integers(0, 9).flatmap(lambda n: text_of(length_near_limits(member)) if n else wrong_type)


@st.composite
def any_request(draw: st.DrawFn) -> dict[str, Any]:
    """Requests within the shape's members, valid or not."""
    request: dict[str, Any] = {}
    for member in ("InstanceId", "Name"):
        if draw(st.integers(0, 9)):  # required members: present 90% of the time
            request[member] = draw(
                st.just(DEFAULT_INSTANCE_ID) if member == "InstanceId" else string_member(member)
            )
            if member == "InstanceId" and draw(st.booleans()):
                request[member] = draw(string_member(member))
    request[draw(st.sampled_from(service_model.ROUTING_MEMBERS))] = draw(
        st.just(DEFAULT_FLOW_ID) | string_member("TaskTemplateId")
    )
    for member in ("Description", "ClientToken", "PreviousContactId"):
        if draw(st.booleans()):
            request[member] = draw(string_member(member))
    if draw(st.booleans()):
        request["Attributes"] = draw(
            st.dictionaries(
                text_of(st.integers(0, 3), KEY_CHARS), st.text(max_size=5) | st.integers(), max_size=3
            )
        )
    if draw(st.booleans()):
        reference = st.fixed_dictionaries(
            {},
            optional={
                "Type": st.sampled_from(service_model.REFERENCE_TYPES_AT_CREATION) | st.integers(),
                "Value": st.text(max_size=5),
            },
        )
        request["References"] = draw(
            st.dictionaries(text_of(st.integers(0, 3), KEY_CHARS), reference, max_size=3)
        )
    return request


@st.composite
def valid_request(draw: st.DrawFn) -> dict[str, Any]:
    """Requests inside every documented limit, lengths at the limits included."""

    def within(member: str, chars: st.SearchStrategy[str] = ANY_TEXT) -> str:
        meta = service_model.input_shape().members[member].metadata
        low, high = meta.get("min", 0), meta["max"]
        return draw(text_of(st.sampled_from([low, high]) | st.integers(low, min(high, 300)), chars))

    request: dict[str, Any] = {
        "InstanceId": DEFAULT_INSTANCE_ID,
        "ContactFlowId": DEFAULT_FLOW_ID,
        "Name": within("Name"),
    }
    for member in ("Description", "ClientToken"):
        if draw(st.booleans()):
            request[member] = within(member)
    linked = draw(st.sampled_from([None, "PreviousContactId", "RelatedContactId"]))
    if linked is not None:
        request[linked] = within(linked)
    if draw(st.booleans()):
        request["Attributes"] = draw(
            st.dictionaries(text_of(st.integers(1, 128), KEY_CHARS), st.text(max_size=64))
        )
    if draw(st.booleans()):
        other_types = [t for t in service_model.REFERENCE_TYPES_AT_CREATION if t != "DATE"]
        reference = st.fixed_dictionaries(
            {"Type": st.sampled_from(other_types), "Value": st.text(max_size=64)}
        ) | st.fixed_dictionaries(  # a DATE reference holds epoch digits
            {"Type": st.just("DATE"), "Value": st.integers(0, 2**41).map(str)}
        )
        request["References"] = draw(
            st.dictionaries(text_of(st.integers(1, 64), KEY_CHARS), reference, max_size=8)
        )
    if draw(st.booleans()):
        ahead = draw(st.integers(60, service_model.SCHEDULE_MAX_AHEAD_SECONDS - 60))
        request["ScheduledTime"] = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=ahead)
    return request


@pytest.fixture
async def lenient_client(make_emulator: MakeEmulator, make_connect_client: MakeClient) -> Any:
    """A client without botocore's validation, for an emulator whose quotas never get in the way."""
    emulator = await make_emulator(chain_limit=1_000_000, active_task_quota=1_000_000)
    return await make_connect_client(emulator.endpoint_url, parameter_validation=False)


def botocore_refuses(request: dict[str, Any]) -> bool:
    return bool(ParamValidator().validate(request, service_model.input_shape()).has_errors())


@SETTINGS
@given(request=any_request())
async def test_what_botocore_refuses_the_emulator_refuses_as_invalid_parameter(
    lenient_client: Any, request: dict[str, Any]
) -> None:
    refused_by_botocore = botocore_refuses(request)
    event(f"botocore refuses: {refused_by_botocore}")

    try:
        await lenient_client.start_task_contact(**request)
        code = None
    except ClientError as error:
        code = error.response["Error"]["Code"]
    event(f"emulator: {code}")

    if refused_by_botocore:
        assert code == "InvalidParameterException"


@SETTINGS
@given(request=valid_request())
async def test_requests_inside_every_limit_pass_both(lenient_client: Any, request: dict[str, Any]) -> None:
    assert not botocore_refuses(request)
    response = await lenient_client.start_task_contact(**request)
    assert response["ContactId"]
