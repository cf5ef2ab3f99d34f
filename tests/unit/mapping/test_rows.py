"""Row -> parameters: each member from its column, flat and JSON merged, option defaults, keys, problems."""

from __future__ import annotations

import pytest

from bulkload.mapping import ColumnMapping
from bulkload.records import MappedRow, Problem, SourceRow
from tests.unit.mapping.helpers import FLOW, INSTANCE, map_one, options


@pytest.mark.parametrize(
    "member",
    [
        "InstanceId",
        "ContactFlowId",
        "QuickConnectId",
        "TaskTemplateId",
        "PreviousContactId",
        "RelatedContactId",
        "Description",
        "ClientToken",
    ],
)
def test_a_string_member_is_filled_from_its_column_as_typed(member: str) -> None:
    result = map_one({"Name": "n", member: " 00123 x "})
    assert result.params[member] == " 00123 x "
    assert result.problems == ()


def test_name_is_filled_from_its_column_exactly_as_typed() -> None:
    result = map_one({"Name": "00123", "ContactFlowId": FLOW})
    assert result.params == {"Name": "00123", "ContactFlowId": FLOW, "InstanceId": INSTANCE}


def test_client_token_is_absent_unless_the_row_has_one() -> None:
    header = ["Name", "ClientToken"]
    assert "ClientToken" not in map_one({"Name": "n", "ClientToken": ""}, header).params
    assert map_one({"Name": "n", "ClientToken": "tok-1"}, header).params["ClientToken"] == "tok-1"
    assert "ClientToken" not in map_one({"Name": "n"}).params


def test_an_empty_cell_is_absent_not_an_empty_string() -> None:
    result = map_one({"Name": "n", "Description": ""}, ["Name", "Description"])
    assert "Description" not in result.params


def test_flat_attribute_columns_fill_one_attribute_each() -> None:
    result = map_one(
        {"Name": "n", "Attributes.prio": "007", "attributes.customer-id": "C1", "Attributes.x": ""}
    )
    assert result.params["Attributes"] == {"prio": "007", "customer-id": "C1"}


def test_no_attributes_member_when_every_attribute_cell_is_empty() -> None:
    assert "Attributes" not in map_one({"Name": "n", "Attributes.prio": ""}).params


def test_flat_and_json_attributes_merge() -> None:
    result = map_one({"Name": "n", "Attributes": '{"tier": "gold"}', "Attributes.prio": "1"})
    assert result.params["Attributes"] == {"tier": "gold", "prio": "1"}
    assert result.problems == ()


def test_the_same_attribute_from_flat_and_json_is_a_row_problem() -> None:
    result = map_one({"Name": "n", "Attributes": '{"prio": "2"}', "Attributes.prio": "1"})
    assert result.problems == (
        Problem(
            "Attributes.prio",
            "given twice: by column 'Attributes.prio' and by the JSON in column 'Attributes'",
            "Attributes",
        ),
    )


@pytest.mark.parametrize("ref_type", ["URL", "NUMBER", "STRING", "EMAIL"])
def test_flat_reference_columns_of_each_type(ref_type: str) -> None:
    result = map_one({"Name": "n", f"References.{ref_type.lower()}.ticket": "0042"})
    assert result.params["References"] == {"ticket": {"Value": "0042", "Type": ref_type}}


def test_reference_names_may_contain_dots() -> None:
    result = map_one({"Name": "n", "References.URL.case.link": "https://x.example/1"})
    assert result.params["References"] == {"case.link": {"Value": "https://x.example/1", "Type": "URL"}}


def test_flat_and_json_references_merge_and_clash() -> None:
    text = '{"ticket": {"Value": "1", "Type": "NUMBER"}}'
    merged = map_one({"Name": "n", "References": text, "References.URL.link": "https://x"})
    assert merged.params["References"] == {
        "ticket": {"Value": "1", "Type": "NUMBER"},
        "link": {"Value": "https://x", "Type": "URL"},
    }
    clash = map_one({"Name": "n", "References": text, "References.URL.ticket": "https://x"})
    assert clash.problems == (
        Problem(
            "References.ticket",
            "given twice: by column 'References.URL.ticket' and by the JSON in column 'References'",
            "References",
        ),
    )


def test_an_unparseable_date_reference_is_a_row_problem() -> None:
    result = map_one({"Name": "n", "References.DATE.due": "soon"})
    assert result.problems == (
        Problem(
            "References.due.Value",
            "'soon' is not a date: use epoch digits, or ISO 8601 like 2026-11-24T09:00:00+01:00",
            "References",
        ),
    )


def test_an_unparseable_scheduled_time_is_a_row_problem() -> None:
    result = map_one({"Name": "n", "ScheduledTime": "next Tuesday"})
    assert [str(p) for p in result.problems] == [
        "ScheduledTime: 'next Tuesday' is not a time: use ISO 8601 like 2026-11-24T09:00:00+01:00, or epoch seconds"
    ]
    assert "ScheduledTime" not in result.params


def test_instance_id_option_is_the_default_and_a_row_value_wins() -> None:
    header = ["Name", "InstanceId"]
    assert map_one({"Name": "n", "InstanceId": ""}, header).params["InstanceId"] == INSTANCE
    assert map_one({"Name": "n", "InstanceId": "other"}, header).params["InstanceId"] == "other"


@pytest.mark.parametrize(
    ("option", "member"),
    [("flow_id", "ContactFlowId"), ("template_id", "TaskTemplateId"), ("quick_connect_id", "QuickConnectId")],
)
def test_a_routing_option_is_the_default(option: str, member: str) -> None:
    result = map_one({"Name": "n"}, opts=options(**{option: "r-1"}))
    assert result.params[member] == "r-1"


def test_a_row_routing_value_replaces_the_routing_default() -> None:
    header = ["Name", "TaskTemplateId", "ContactFlowId"]
    opts = options(flow_id=FLOW)
    with_template = map_one({"Name": "n", "TaskTemplateId": "tpl"}, header, opts).params
    assert with_template["TaskTemplateId"] == "tpl"
    assert "ContactFlowId" not in with_template
    assert map_one({"Name": "n", "ContactFlowId": "f2"}, header, opts).params["ContactFlowId"] == "f2"
    assert map_one({"Name": "n"}, header, opts).params["ContactFlowId"] == FLOW


def test_the_key_defaults_to_the_row_number() -> None:
    assert map_one({"Name": "n"}, row=17).key == "17"


def test_the_key_column_is_consumed_and_may_feed_a_member() -> None:
    assert map_one({"Name": "n", "Ref": "A-17"}, opts=options(key_column="Ref")).key == "A-17"
    by_name = map_one({"Name": "Ada"}, opts=options(key_column="Name"))
    assert (by_name.key, by_name.params["Name"]) == ("Ada", "Ada")


def test_an_empty_key_cell_is_a_row_problem() -> None:
    result = map_one({"Name": "n", "Ref": ""}, ["Name", "Ref"], options(key_column="Ref"))
    assert result.key == ""
    assert result.problems == (Problem("Ref", "the key cell is empty; every row needs a key", "Ref"),)


def test_a_ragged_row_keeps_its_problem_and_has_no_params() -> None:
    mapping = ColumnMapping.from_header(["Name"], options())
    result = mapping.map_row(SourceRow(4, 9, {}, problem="line 9 has 3 cells; the header has 1"))
    assert result == MappedRow(4, 9, "4", {}, (Problem(None, "line 9 has 3 cells; the header has 1", "Row"),))


def test_every_bad_cell_of_a_row_is_reported() -> None:
    result = map_one({"Name": "n", "ScheduledTime": "x", "Attributes": "{", "References.DATE.d": "y"})
    assert [p.field for p in result.problems] == ["ScheduledTime", "Attributes", "References.d.Value"]


def test_column_for_names_the_column_behind_a_member_path() -> None:
    mapping = ColumnMapping.from_header(
        ["Customer", "Notes", "Attributes", "Attributes.prio", "References.URL.a.b", "References"],
        options(column_map={"Name": "Customer", "Description": "Notes"}),
    )
    assert mapping.column_for("Name") == "Customer"
    assert mapping.column_for("Description") == "Notes"
    assert mapping.column_for("Attributes.prio") == "Attributes.prio"
    assert mapping.column_for("Attributes.other") == "Attributes"
    assert mapping.column_for("References.a.b.Value") == "References.URL.a.b"
    assert mapping.column_for("References.z.Type") == "References"
    assert mapping.column_for("InstanceId") is None
