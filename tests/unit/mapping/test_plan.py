"""The column plan: every column consumed, --map, routing options, required members, exact messages."""

from __future__ import annotations

from bulkload.mapping import ColumnMapping, FieldSource, MappingOptions
from bulkload.mapping.members import Target
from bulkload.mapping.plan import plan_columns
from bulkload.records import SourceRow
from tests.unit.mapping.helpers import FLOW, INSTANCE, T, column_error, config_error, map_one, options


def test_two_routing_options_are_a_config_error() -> None:
    assert config_error(["Name"], options(flow_id="f", template_id="t")) == (
        "--flow-id and --template-id: give at most one routing default; "
        "a task is started by exactly one of a flow, a template or a quick connect"
    )


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


def test_a_key_column_not_in_the_header_is_a_column_error() -> None:
    assert column_error(["Name", "Ref"], options(key_column="ref_id")).splitlines()[0] == (
        "--key 'ref_id': no such column in the header; columns: 'Name', 'Ref'"
    )


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


def test_the_plan_says_what_each_column_feeds_and_what_options_fill() -> None:
    plan = plan_columns(
        ["Customer", "References.url.link"], options(column_map={"Name": "Customer"}, flow_id=FLOW)
    )
    assert plan.targets == {
        "Customer": (Target("scalar", "Name"),),
        "References.url.link": (Target("ref", "References", "link", "URL"),),
    }
    assert plan.defaults == {"InstanceId": INSTANCE}
    assert plan.routing_default == ("ContactFlowId", FLOW)
    assert plan.templates == {}
