"""What a column name can fill: member names compared loosely, attribute and reference paths."""

from __future__ import annotations

import pytest

from bulkload.mapping import normalize_name
from tests.unit.mapping.helpers import FLOW, column_error, map_one


@pytest.mark.parametrize(
    "column", ["ContactFlowId", "contact_flow_id", "Contact Flow Id", "contact-flow-id", "CONTACTFLOWID"]
)
def test_member_names_match_ignoring_case_underscores_dashes_and_spaces(column: str) -> None:
    assert map_one({"Name": "n", column: FLOW}).params["ContactFlowId"] == FLOW


def test_normalize_name() -> None:
    assert normalize_name("Contact_Flow-Id ") == "contactflowid"


def test_a_reference_column_without_a_type_is_a_column_error() -> None:
    assert column_error(["Name", "References.ticket"]) == (
        "column 'References.ticket' needs a type and a name: References.<TYPE>.<name> with TYPE one of "
        "URL, NUMBER, STRING, DATE, EMAIL: rename it, map it with --map FIELD=COLUMN, "
        "or skip it with --ignore-column 'References.ticket'"
    )


def test_an_attachment_reference_column_is_a_column_error() -> None:
    assert column_error(["Name", "References.ATTACHMENT.file"]).startswith(
        "column 'References.ATTACHMENT.file': ATTACHMENT references cannot be set when a task is created: "
    )


def test_an_unknown_reference_type_is_a_column_error() -> None:
    assert column_error(["Name", "References.LINK.x"]).startswith(
        "column 'References.LINK.x': LINK is not a reference type a task can be created with "
        "(URL, NUMBER, STRING, DATE, EMAIL): "
    )
