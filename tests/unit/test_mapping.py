"""Columns -> StartTaskContact parameters: every member, every rule of the Columns contract, exact messages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from bulkload.errors import ColumnError, ConfigError
from bulkload.mapping import (
    ColumnMapping,
    FieldSource,
    MappingOptions,
    normalize_name,
    parse_date_reference,
    parse_scheduled_time,
)
from bulkload.records import MappedRow, Problem, SourceRow

INSTANCE = "11111111-2222-3333-4444-555555555555"
FLOW = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"


def options(**kwargs: Any) -> MappingOptions:
    kwargs.setdefault("instance_id", INSTANCE)
    return MappingOptions(**kwargs)


def map_one(
    cells: Mapping[str, str],
    header: Sequence[str] | None = None,
    opts: MappingOptions | None = None,
    row: int = 1,
) -> MappedRow:
    mapping = ColumnMapping.from_header(list(header if header is not None else cells), opts or options())
    present = {column: text for column, text in cells.items() if text}
    return mapping.map_row(SourceRow(row=row, line=row + 1, cells=present))


def column_error(header: Sequence[str], opts: MappingOptions | None = None) -> str:
    with pytest.raises(ColumnError) as info:
        ColumnMapping.from_header(header, opts or options())
    return str(info.value)


def config_error(header: Sequence[str], opts: MappingOptions) -> str:
    with pytest.raises(ConfigError) as info:
        ColumnMapping.from_header(header, opts)
    return str(info.value)


# --- every member from a column -----------------------------------------------------------------------------


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


@pytest.mark.parametrize(
    "column", ["ContactFlowId", "contact_flow_id", "Contact Flow Id", "contact-flow-id", "CONTACTFLOWID"]
)
def test_member_names_match_ignoring_case_underscores_dashes_and_spaces(column: str) -> None:
    assert map_one({"Name": "n", column: FLOW}).params["ContactFlowId"] == FLOW


def test_normalize_name() -> None:
    assert normalize_name("Contact_Flow-Id ") == "contactflowid"


def test_client_token_is_absent_unless_the_row_has_one() -> None:
    header = ["Name", "ClientToken"]
    assert "ClientToken" not in map_one({"Name": "n", "ClientToken": ""}, header).params
    assert map_one({"Name": "n", "ClientToken": "tok-1"}, header).params["ClientToken"] == "tok-1"
    assert "ClientToken" not in map_one({"Name": "n"}).params


def test_an_empty_cell_is_absent_not_an_empty_string() -> None:
    result = map_one({"Name": "n", "Description": ""}, ["Name", "Description"])
    assert "Description" not in result.params


# --- Attributes -----------------------------------------------------------------------------------------------


def test_flat_attribute_columns_fill_one_attribute_each() -> None:
    result = map_one(
        {"Name": "n", "Attributes.prio": "007", "attributes.customer-id": "C1", "Attributes.x": ""}
    )
    assert result.params["Attributes"] == {"prio": "007", "customer-id": "C1"}


def test_no_attributes_member_when_every_attribute_cell_is_empty() -> None:
    assert "Attributes" not in map_one({"Name": "n", "Attributes.prio": ""}).params


def test_attributes_json_column() -> None:
    result = map_one({"Name": "n", "Attributes": '{"prio": "1", "tier": "gold"}'})
    assert result.params["Attributes"] == {"prio": "1", "tier": "gold"}


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


def test_malformed_json_names_the_column_and_the_position() -> None:
    result = map_one({"Name": "n", "References": '{"a": "bc" "c"}'})
    assert [str(p) for p in result.problems] == [
        "References: not valid JSON (line 1 column 12: Expecting ',' delimiter)"
    ]
    assert "References" not in result.params


def test_malformed_json_in_a_mapped_column_is_told_by_member_and_column_for_finds_the_column() -> None:
    mapping = ColumnMapping.from_header(["Name", "attrs"], options(column_map={"Attributes": "attrs"}))
    result = mapping.map_row(SourceRow(1, 2, {"Name": "n", "attrs": "{"}))
    assert [str(p) for p in result.problems] == [
        "Attributes: not valid JSON (line 1 column 2: Expecting property name enclosed in double quotes)"
    ]
    assert mapping.column_for("Attributes") == "attrs"


def test_attributes_json_must_be_an_object_of_strings() -> None:
    assert map_one({"Name": "n", "Attributes": '["a"]'}).problems == (
        Problem("Attributes", 'JSON must be an object like {"key": "value"}; got a list', "Attributes"),
    )
    assert map_one({"Name": "n", "Attributes": '{"prio": 1, "ok": "y", "flag": true}'}).problems == (
        Problem("Attributes.prio", "JSON value must be a string; got a number 1", "Attributes"),
        Problem("Attributes.flag", "JSON value must be a string; got a boolean true", "Attributes"),
    )


# --- References -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("ref_type", ["URL", "NUMBER", "STRING", "EMAIL"])
def test_flat_reference_columns_of_each_type(ref_type: str) -> None:
    result = map_one({"Name": "n", f"References.{ref_type.lower()}.ticket": "0042"})
    assert result.params["References"] == {"ticket": {"Value": "0042", "Type": ref_type}}


def test_reference_names_may_contain_dots() -> None:
    result = map_one({"Name": "n", "References.URL.case.link": "https://x.example/1"})
    assert result.params["References"] == {"case.link": {"Value": "https://x.example/1", "Type": "URL"}}


def test_date_reference_epoch_digits_pass_through_as_typed() -> None:
    result = map_one({"Name": "n", "References.DATE.due": "1795510800000"})
    assert result.params["References"] == {"due": {"Value": "1795510800000", "Type": "DATE"}}


def test_date_reference_iso_becomes_epoch_milliseconds() -> None:
    result = map_one({"Name": "n", "References.DATE.due": "2026-11-24T09:00:00+01:00"})
    assert result.params["References"] == {"due": {"Value": "1795507200000", "Type": "DATE"}}


def test_date_reference_naive_iso_is_in_the_timezone_option() -> None:
    result = map_one(
        {"Name": "n", "References.DATE.due": "2026-11-24 09:00"}, opts=options(timezone="Europe/Berlin")
    )
    assert result.params["References"]["due"]["Value"] == "1795507200000"


def test_an_unparseable_date_reference_is_a_row_problem() -> None:
    result = map_one({"Name": "n", "References.DATE.due": "soon"})
    assert result.problems == (
        Problem(
            "References.due.Value",
            "'soon' is not a date: use epoch digits, or ISO 8601 like 2026-11-24T09:00:00+01:00",
            "References",
        ),
    )


def test_references_json_column_in_the_api_shape() -> None:
    text = '{"ticket": {"Value": "https://t.example/9", "Type": "url"}}'
    result = map_one({"Name": "n", "References": text})
    assert result.params["References"] == {"ticket": {"Value": "https://t.example/9", "Type": "URL"}}


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


def test_references_json_of_the_wrong_shape() -> None:
    assert map_one({"Name": "n", "References": '"x"'}).problems == (
        Problem(
            "References",
            'JSON must be an object like {"name": {"Value": "...", "Type": "URL"}}; got a string',
            "References",
        ),
    )
    assert map_one({"Name": "n", "References": '{"t": "https://x"}'}).problems == (
        Problem(
            "References.t",
            'must be an object like {"Value": "...", "Type": "URL"}; got a string',
            "References",
        ),
    )


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


# --- ScheduledTime ----------------------------------------------------------------------------------------------

# 2026-11-24T08:00:00Z
T = 1_795_507_200


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-24T09:00:00+01:00", T),
        ("2026-11-24T08:00:00Z", T),
        ("2026-11-24T08:00:00.999Z", T),
        ("2026-11-24T08:00:00", T),
        ("2026-11-24 08:00:00", T),
        ("2026-11-24 08:00", T),
        (str(T), T),
        (f"{T}.75", T),
        (f" {T} ", T),
    ],
)
def test_scheduled_time_formats(text: str, expected: int) -> None:
    result = map_one({"Name": "n", "ScheduledTime": text})
    assert result.params["ScheduledTime"] == expected
    assert type(result.params["ScheduledTime"]) is int


def test_naive_scheduled_time_is_in_the_timezone_option() -> None:
    result = map_one(
        {"Name": "n", "scheduled_time": "2026-11-24T09:00:00"}, opts=options(timezone="Europe/Berlin")
    )
    assert result.params["ScheduledTime"] == T


def test_an_aware_scheduled_time_ignores_the_timezone_option() -> None:
    result = map_one(
        {"Name": "n", "ScheduledTime": "2026-11-24T08:00:00Z"}, opts=options(timezone="Asia/Tokyo")
    )
    assert result.params["ScheduledTime"] == T


def test_an_unparseable_scheduled_time_is_a_row_problem() -> None:
    result = map_one({"Name": "n", "ScheduledTime": "next Tuesday"})
    assert [str(p) for p in result.problems] == [
        "ScheduledTime: 'next Tuesday' is not a time: use ISO 8601 like 2026-11-24T09:00:00+01:00, or epoch seconds"
    ]
    assert "ScheduledTime" not in result.params


def test_parse_scheduled_time_rounds_down_before_the_epoch_too() -> None:
    assert parse_scheduled_time("1969-12-31T23:59:59.5Z") == -1
    assert parse_scheduled_time("1e9") is None
    assert parse_date_reference("1970-01-01T00:00:01.5Z") == "1500"
    assert parse_date_reference(" 0017 ") == "0017"
    assert parse_date_reference("١٢") is None


def test_an_invalid_timezone_is_a_config_error() -> None:
    assert config_error(["Name"], options(timezone="Mars/Olympus")) == (
        "--timezone 'Mars/Olympus' is not a time zone name: use an IANA name like Europe/Berlin, or UTC"
    )


# --- SegmentAttributes ------------------------------------------------------------------------------------------


def test_segment_attributes_json() -> None:
    text = '{"connect:ContactExpiry": {"ValueMap": {"ExpiryDuration": {"ValueInteger": 135}}}}'
    result = map_one({"Name": "n", "SegmentAttributes": text})
    assert result.params["SegmentAttributes"] == {
        "connect:ContactExpiry": {"ValueMap": {"ExpiryDuration": {"ValueInteger": 135}}}
    }


def test_segment_attributes_json_must_be_an_object() -> None:
    assert map_one({"Name": "n", "segment_attributes": "[1]"}).problems == (
        Problem("SegmentAttributes", "JSON must be an object; got a list", "SegmentAttributes"),
    )


# --- option defaults --------------------------------------------------------------------------------------------


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


def test_two_routing_options_are_a_config_error() -> None:
    assert config_error(["Name"], options(flow_id="f", template_id="t")) == (
        "--flow-id and --template-id: give at most one routing default; "
        "a task is started by exactly one of a flow, a template or a quick connect"
    )


# --- every column must be consumed ------------------------------------------------------------------------------


def test_an_unknown_column_is_an_error_with_a_suggestion() -> None:
    assert column_error(["Name", "Descripton"]) == (
        "column 'Descripton' maps to no StartTaskContact member (did you mean Description?): rename it, "
        "map it with --map FIELD=COLUMN, or skip it with --ignore-column 'Descripton'"
    )


def test_every_unknown_column_is_named_at_once() -> None:
    message = column_error(["Name", "Custmer Notes", "Attribute.prio", "zzz"])
    assert message.splitlines() == [
        "column 'Custmer Notes' maps to no StartTaskContact member: rename it, map it with --map FIELD=COLUMN, "
        "or skip it with --ignore-column 'Custmer Notes'",
        "column 'Attribute.prio' maps to no StartTaskContact member (did you mean Attributes.prio?): rename it, "
        "map it with --map FIELD=COLUMN, or skip it with --ignore-column 'Attribute.prio'",
        "column 'zzz' maps to no StartTaskContact member: rename it, map it with --map FIELD=COLUMN, "
        "or skip it with --ignore-column 'zzz'",
    ]


def test_the_ignore_hint_quotes_for_the_shell() -> None:
    assert column_error(["Name", "it's"]).endswith("--ignore-column 'it'\"'\"'s'")


def test_ignored_columns_feed_nothing() -> None:
    mapping = ColumnMapping.from_header(
        ["Name", "Notes", "Description"],
        options(ignore_columns=frozenset({"Notes", "Description", "Absent"})),
    )
    result = mapping.map_row(SourceRow(1, 2, {"Name": "n", "Notes": "x", "Description": "d"}))
    assert result.params == {"Name": "n", "InstanceId": INSTANCE}
    assert mapping.ignored_columns == ("Notes", "Description")


def test_two_columns_feeding_one_member_are_a_column_error() -> None:
    assert column_error(["Name", "name"]) == (
        "Name is fed by both 'Name' and 'name': keep one; skip a column with --ignore-column 'name'"
    )


def test_two_columns_feeding_one_attribute_are_a_column_error() -> None:
    assert column_error(["Name", "Attributes.prio", "attributes.prio"]) == (
        "Attributes.prio is fed by both 'Attributes.prio' and 'attributes.prio': keep one; "
        "skip a column with --ignore-column 'attributes.prio'"
    )


def test_two_reference_columns_with_one_name_are_a_column_error() -> None:
    assert column_error(["Name", "References.URL.t", "References.STRING.t"]).startswith(
        "References.t is fed by both 'References.URL.t' and 'References.STRING.t': keep one"
    )


def test_no_name_source_is_a_column_error() -> None:
    assert column_error(["Description"]) == (
        "no column for Name: add a Name column, or use --map Name=COLUMN or --name-template"
    )


def test_no_instance_source_is_a_column_error() -> None:
    assert column_error(["Name"], MappingOptions()) == (
        "no column for InstanceId: add an InstanceId column, or give --instance-id (or --map InstanceId=COLUMN)"
    )


def test_an_instance_column_is_enough() -> None:
    result = map_one({"Name": "n", "instance_id": "i-9"}, opts=MappingOptions())
    assert result.params == {"Name": "n", "InstanceId": "i-9"}


# --- --map FIELD=COLUMN -----------------------------------------------------------------------------------------


def test_map_sends_any_column_to_any_member_path() -> None:
    opts = options(
        column_map={
            "Name": "Customer",
            "Attributes.prio": "Priority",
            "References.url.case.link": "Link",
            "scheduled_time": "When",
            "Attributes": "Extra",
        }
    )
    cells = {"Customer": "Ada", "Priority": "1", "Link": "https://x", "When": str(T), "Extra": '{"a": "b"}'}
    result = map_one(cells, opts=opts)
    assert result.params == {
        "Name": "Ada",
        "ScheduledTime": T,
        "Attributes": {"a": "b", "prio": "1"},
        "References": {"case.link": {"Value": "https://x", "Type": "URL"}},
        "InstanceId": INSTANCE,
    }


def test_one_column_may_be_mapped_to_two_fields() -> None:
    opts = options(column_map={"Name": "Customer", "Attributes.customer": "Customer"})
    result = map_one({"Customer": "Ada"}, opts=opts)
    assert result.params["Name"] == "Ada"
    assert result.params["Attributes"] == {"customer": "Ada"}


def test_a_mapped_column_does_not_also_feed_its_natural_member() -> None:
    result = map_one(
        {"Name": "n", "Description": "d"}, opts=options(column_map={"Attributes.note": "Description"})
    )
    assert "Description" not in result.params
    assert result.params["Attributes"] == {"note": "d"}


def test_a_mapped_member_also_fed_by_its_natural_column_is_a_column_error() -> None:
    assert column_error(["Customer", "Name"], options(column_map={"Name": "Customer"})) == (
        "Name is fed by both 'Customer' (--map) and 'Name': keep one; skip a column with --ignore-column 'Name'"
    )


def test_ignoring_the_natural_column_resolves_the_clash() -> None:
    opts = options(column_map={"Name": "Customer"}, ignore_columns=frozenset({"Name"}))
    assert map_one({"Customer": "Ada", "Name": "x"}, opts=opts).params["Name"] == "Ada"


def test_map_to_a_column_not_in_the_header_is_a_config_error() -> None:
    assert config_error(["Name", "Customer"], options(column_map={"Description": "Custmer"})) == (
        "--map Description=Custmer: no column 'Custmer' in the header (did you mean Customer?); "
        "columns: 'Name', 'Customer'"
    )


def test_map_of_an_unknown_field_is_a_config_error() -> None:
    message = config_error(["Customer"], options(column_map={"Nmae": "Customer"}))
    assert message.startswith(
        "--map Nmae=Customer: 'Nmae' is not a StartTaskContact member path (did you mean Name?); use one of "
        "InstanceId, "
    )
    assert message.endswith("Attributes.<key>, References.<TYPE>.<name>")


def test_map_of_a_typeless_reference_is_a_config_error() -> None:
    assert config_error(["c"], options(column_map={"References.x": "c"})).startswith(
        "--map References.x=c: 'References.x' needs a type and a name: "
    )


# --- templates --------------------------------------------------------------------------------------------------


def test_name_and_description_templates() -> None:
    opts = options(name_template="Call back {Customer}", description_template="{{{Customer}}} owes {Amount}")
    result = map_one({"Customer": "Ada", "Amount": "0012.50"}, opts=opts)
    assert result.params["Name"] == "Call back Ada"
    assert result.params["Description"] == "{Ada} owes 0012.50"


def test_an_empty_cell_renders_as_nothing_in_a_template() -> None:
    result = map_one({"Customer": ""}, ["Customer"], options(name_template="Call back {Customer}!"))
    assert result.params["Name"] == "Call back !"


def test_a_template_placeholder_must_name_a_header_column() -> None:
    assert column_error(["Customer"], options(name_template="Call {Custmer}")).splitlines() == [
        "--name-template 'Call {Custmer}' names column 'Custmer', which is not in the header "
        "(did you mean Customer?); columns: 'Customer'",
        # and so 'Customer' itself feeds nothing
        "column 'Customer' maps to no StartTaskContact member: rename it, map it with --map FIELD=COLUMN, "
        "or skip it with --ignore-column 'Customer'",
    ]


def test_unbalanced_template_braces_are_a_config_error() -> None:
    assert config_error(["Customer"], options(name_template="Call {Customer")) == (
        "--name-template 'Call {Customer': '{' at 5 is never closed; write {{ for a brace"
    )
    assert config_error(["Customer"], options(description_template="a } b")) == (
        "--description-template 'a } b': '}' at 2 closes nothing; write }} for a brace"
    )


def test_a_name_column_used_by_the_name_template_is_not_also_the_name() -> None:
    result = map_one({"Name": "Ada"}, opts=options(name_template="Task for {Name}"))
    assert result.params["Name"] == "Task for Ada"


def test_a_name_column_beside_a_name_template_is_a_clash() -> None:
    assert column_error(["Name", "Customer"], options(name_template="{Customer}")) == (
        "Name is fed by both --name-template and 'Name': keep one; skip a column with --ignore-column 'Name'"
    )


def test_placeholder_columns_are_consumed_and_may_feed_members_too() -> None:
    opts = options(description_template="About {Name}: {Notes}")
    result = map_one({"Name": "Ada", "Notes": "call"}, opts=opts)
    assert result.params["Name"] == "Ada"
    assert result.params["Description"] == "About Ada: call"
    assert "Notes" not in str(result.params.keys())


# --- keys ------------------------------------------------------------------------------------------------------


def test_the_key_defaults_to_the_row_number() -> None:
    assert map_one({"Name": "n"}, row=17).key == "17"


def test_the_key_column_is_consumed_and_may_feed_a_member() -> None:
    assert map_one({"Name": "n", "Ref": "A-17"}, opts=options(key_column="Ref")).key == "A-17"
    by_name = map_one({"Name": "Ada"}, opts=options(key_column="Name"))
    assert (by_name.key, by_name.params["Name"]) == ("Ada", "Ada")


def test_a_key_column_not_in_the_header_is_a_column_error() -> None:
    assert column_error(["Name", "Ref"], options(key_column="ref_id")).splitlines()[0] == (
        "--key 'ref_id': no such column in the header; columns: 'Name', 'Ref'"
    )


def test_an_empty_key_cell_is_a_row_problem() -> None:
    result = map_one({"Name": "n", "Ref": ""}, ["Name", "Ref"], options(key_column="Ref"))
    assert result.key == ""
    assert result.problems == (Problem("Ref", "the key cell is empty; every row needs a key", "Ref"),)


# --- broken rows, problems, descriptions -----------------------------------------------------------------------


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


def test_fields_describe_the_mapping_in_model_order() -> None:
    mapping = ColumnMapping.from_header(
        ["Customer", "Attributes.prio"],
        options(column_map={"Name": "Customer"}, flow_id=FLOW, description_template="x"),
    )
    assert mapping.fields == (
        FieldSource("InstanceId", None, f"--instance-id '{INSTANCE}' unless the row has one"),
        FieldSource("ContactFlowId", None, f"--flow-id '{FLOW}' unless the row has its own routing"),
        FieldSource("Attributes.prio", "Attributes.prio", "column 'Attributes.prio'"),
        FieldSource("Name", "Customer", "column 'Customer' (--map)"),
        FieldSource("Description", None, "--description-template 'x'"),
    )
    assert str(mapping.fields[3]) == "Name <- column 'Customer' (--map)"
