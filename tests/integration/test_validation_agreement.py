"""Local validation (mapping + `RequestValidator`) agrees with the service (the emulator) on generated rows.

No row passes locally that the service would refuse, and none is refused locally that the service would
take. Rows are generated near every limit: Name/Description lengths around 1024/4096, attribute bytes around
32,768, reference bytes around 4,096, ScheduledTime around now and now + 6 days, attribute keys with odd
characters, every reference type the model knows (ATTACHMENT included, any case), every combination of
routing members, PreviousContactId with RelatedContactId. Each request goes over HTTP with the real aioboto3
client, botocore's own parameter validation off, so the emulator judges exactly what local validation
judged.

Both sides read one fixed clock. They compare ScheduledTime the same way (`< floor(now)` is past,
`> now + 6 days` is too far), so the exact boundary seconds are generated too.

Not generated here: a DATE reference whose Value is not epoch digits, and a reference without a Value.
Both sides refuse them (docs/connect-api.md: "DATE (epoch digits)"), and tests of their own cover them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bulkload.connect import model as service_model
from bulkload.emulator import (
    DEFAULT_FLOW_ID,
    DEFAULT_INSTANCE_ID,
    DEFAULT_QUICK_CONNECT_ID,
    DEFAULT_TEMPLATE_ID,
    Emulator,
)
from bulkload.mapping import ColumnMapping, MappingOptions
from bulkload.records import SourceRow
from bulkload.validation import RequestValidator

MakeEmulator = Callable[..., Awaitable[Emulator]]
MakeClient = Callable[..., Awaitable[Any]]

NOW = 1_795_507_200.0  # 2026-11-24T02:00:00Z, a whole second: both sides floor "now" alike
SIX_DAYS = service_model.SCHEDULE_MAX_AHEAD_SECONDS
REFUSALS = frozenset({"InvalidParameterException", "InvalidRequestException"})
ROUTING = {
    "ContactFlowId": DEFAULT_FLOW_ID,
    "QuickConnectId": DEFAULT_QUICK_CONNECT_ID,
    "TaskTemplateId": DEFAULT_TEMPLATE_ID,
}
# One emulator and one client serve every example: each example is one independent request.
SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Characters of 1, 2, 3 and 4 UTF-8 bytes: lengths in characters and sizes in bytes part ways.
WIDE = st.sampled_from(["a", "é", "€", "😀"])
GOOD_KEY_CHARS = st.sampled_from("aZ09-_")
ODD_KEY_CHARS = st.sampled_from(" .:$/é\t")


def mostly(usual: st.SearchStrategy[Any], rare: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`usual` four times in five, else `rare`: each row breaks few rules, so both verdicts are common."""
    return st.integers(0, 4).flatmap(lambda n: usual if n else rare)


KEY_TEXT = mostly(
    st.text(GOOD_KEY_CHARS, min_size=1, max_size=6),
    st.text(GOOD_KEY_CHARS | ODD_KEY_CHARS, min_size=1, max_size=6),
)


def text_near(limit: int, *, spread: int = 2) -> st.SearchStrategy[str]:
    """Text whose length is at or around `limit` characters, or short."""
    lengths = mostly(st.integers(0, 8), st.integers(max(limit - spread, 0), limit + spread))
    return st.builds(lambda n, c: c * n, lengths, WIDE)


@st.composite
def attributes(draw: st.DrawFn) -> dict[str, str]:
    """A few attributes; one time in two, one big value that brings the total near 32,768 bytes."""
    keys = draw(st.lists(KEY_TEXT, max_size=3, unique=True))
    result = {key: draw(st.text(WIDE, max_size=4)) for key in keys}
    if draw(st.booleans()):
        used = sum(len(k.encode()) + len(v.encode()) for k, v in result.items())
        char = draw(WIDE)
        room = service_model.ATTRIBUTES_MAX_BYTES - used - len(b"big")
        count = room // len(char.encode()) + draw(st.integers(-2, 2))
        result["big"] = char * max(count, 0)
    return result


@st.composite
def references(draw: st.DrawFn) -> dict[str, dict[str, str]]:
    """A few references of any type the model knows, in any case; sometimes near 4,096 bytes in total."""
    every_type = service_model.input_shape().members["References"].value.members["Type"].enum
    types = mostly(st.sampled_from(service_model.REFERENCE_TYPES_AT_CREATION), st.sampled_from(every_type))
    names = draw(st.lists(KEY_TEXT, min_size=1, max_size=3, unique=True))
    result: dict[str, dict[str, str]] = {}
    for name in names:
        ref_type = draw(types)
        value = (
            draw(st.integers(0, 2**41).map(str)) if ref_type == "DATE" else draw(st.text(WIDE, max_size=4))
        )
        result[name] = {"Value": value, "Type": draw(mostly(st.just(ref_type), st.just(ref_type.lower())))}
    if draw(st.booleans()):
        name = names[0]
        used = sum(len(n.encode()) + len(r["Value"].encode()) for n, r in result.items() if n != name)
        char = "7" if result[name]["Type"].upper() == "DATE" else draw(WIDE)
        room = service_model.REFERENCES_MAX_BYTES - used - len(name.encode())
        result[name]["Value"] = char * max(room // len(char.encode()) + draw(st.integers(-2, 2)), 0)
    return result


@st.composite
def rows(draw: st.DrawFn) -> dict[str, str]:
    """One input row as cells (column -> text), every value near a limit or a rule."""
    cells: dict[str, str] = {"Name": draw(text_near(1024))}
    if draw(st.booleans()):
        cells["Description"] = draw(text_near(4096))
    one_route = st.sampled_from(sorted(ROUTING)).map(lambda m: {m})
    for member in draw(mostly(one_route, st.sets(st.sampled_from(sorted(ROUTING)), max_size=3))):
        cells[member] = ROUTING[member]
    links = ["PreviousContactId", "RelatedContactId"]
    for member in draw(mostly(st.sets(st.sampled_from(links), max_size=1), st.just(set(links)))):
        cells[member] = "c" * draw(mostly(st.sampled_from([1, 36, 256]), st.just(257)))
    if draw(st.booleans()):
        anchor = draw(st.sampled_from([NOW, NOW + SIX_DAYS]))
        offset = draw(st.sampled_from([-3600, -2, -1, 0, 1, 2, 3600]))
        cells["ScheduledTime"] = str(int(anchor) + offset) if anchor + offset >= 0 else "0"
    if draw(st.booleans()):
        found = draw(attributes())
        if draw(st.booleans()):
            cells["Attributes"] = json.dumps(found, ensure_ascii=False)
        else:  # flat columns; header text is trimmed, so keys that differ only by spaces are skipped
            for key, value in found.items():
                if key == key.strip() and value:
                    cells[f"Attributes.{key}"] = value
    if draw(st.booleans()):
        cells["References"] = json.dumps(draw(references()), ensure_ascii=False)
    return cells


@pytest.fixture
async def service(make_emulator: MakeEmulator, make_connect_client: MakeClient) -> Any:
    """A client without botocore's validation, for an emulator on the fixed clock with quotas out of the way."""
    emulator = await make_emulator(
        clock=lambda: NOW, rate=1000, burst=100_000, chain_limit=1_000_000, active_task_quota=1_000_000
    )
    return await make_connect_client(emulator.endpoint_url, parameter_validation=False)


async def service_refuses(client: Any, params: dict[str, Any]) -> str | None:
    """The error code the service answers `params` with, or None if it creates the task."""
    try:
        response = await client.start_task_contact(**params)
    except ClientError as error:
        code = str(error.response["Error"]["Code"])
    else:
        assert response["ContactId"]
        return None
    assert code in REFUSALS, f"unexpected {code}"  # ResourceNotFound etc. would mean a bad generator
    return code


@SETTINGS
@given(cells=rows())
async def test_local_validation_agrees_with_the_service_on_generated_rows(
    service: Any, cells: dict[str, str]
) -> None:
    mapping = ColumnMapping.from_header(list(cells), MappingOptions(instance_id=DEFAULT_INSTANCE_ID))
    mapped = mapping.map_row(SourceRow(row=1, line=2, cells={k: v for k, v in cells.items() if v}))
    assert mapped.problems == ()  # the generated text always parses: validation is what is compared
    local = RequestValidator(clock=lambda: NOW).validate(mapped.params)
    refused = await service_refuses(service, dict(mapped.params))

    event(f"local refuses: {bool(local)}; service: {refused}")
    if refused is None:
        assert local == (), f"refused locally, taken by the service: {[str(p) for p in local]}"
    else:
        assert local != (), f"passed locally, refused by the service with {refused}"


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    """Requests as the API takes them, built directly (no mapping): the same limits, other shapes."""
    params: dict[str, Any] = {"InstanceId": DEFAULT_INSTANCE_ID}
    if draw(st.integers(0, 9)):
        params["Name"] = draw(text_near(1024))
    for member in draw(
        mostly(
            st.sampled_from(sorted(ROUTING)).map(lambda m: {m}),
            st.sets(st.sampled_from(sorted(ROUTING)), max_size=3),
        )
    ):
        params[member] = ROUTING[member]
    if draw(st.booleans()):
        params["Attributes"] = draw(attributes())
    if draw(st.booleans()):
        params["References"] = draw(references())
    if draw(st.booleans()):
        # A fresh uuid4 keeps tokens unique across examples (a replayed token would answer for another
        # request); only the length, around the 500 limit, is drawn.
        params["ClientToken"] = uuid.uuid4().hex.ljust(draw(st.integers(498, 502)), "t")
    if draw(st.booleans()):
        anchor = draw(st.sampled_from([NOW, NOW + SIX_DAYS]))
        params["ScheduledTime"] = int(anchor) + draw(st.integers(-5, 5))
    return params


@SETTINGS
@given(params=requests())
async def test_local_validation_agrees_with_the_service_on_generated_requests(
    service: Any, params: dict[str, Any]
) -> None:
    local = RequestValidator(clock=lambda: NOW).validate(params)
    refused = await service_refuses(service, params)

    event(f"local refuses: {bool(local)}; service: {refused}")
    if refused is None:
        assert local == (), f"refused locally, taken by the service: {[str(p) for p in local]}"
    else:
        assert local != (), f"passed locally, refused by the service with {refused}"
