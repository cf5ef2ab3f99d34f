"""--name-template and --description-template: placeholders, braces, and the columns they consume."""

from __future__ import annotations

from bulkload.mapping.templates import compile_template, render
from bulkload.records import Problem
from tests.unit.mapping.helpers import column_error, config_error, map_one, options


def test_name_and_description_templates() -> None:
    opts = options(name_template="Call back {Customer}", description_template="{{{Customer}}} owes {Amount}")
    result = map_one({"Customer": "Ada", "Amount": "0012.50"}, opts=opts)
    assert result.params["Name"] == "Call back Ada"
    assert result.params["Description"] == "{Ada} owes 0012.50"


def test_a_placeholder_over_an_empty_cell_makes_the_row_invalid_naming_it() -> None:
    result = map_one({"Customer": ""}, ["Customer"], options(name_template="Call back {Customer}!"))
    assert "Name" not in result.params
    assert result.problems == (Problem("Name", "the template's {Customer} is empty on this row", "Name"),)
    opts = options(description_template="{Issue} (ref {Ref}, {Tier})")
    result = map_one({"Issue": "x", "Name": "n"}, ["Issue", "Ref", "Tier", "Name"], opts)
    assert "Description" not in result.params
    assert [str(p) for p in result.problems] == [
        "Description: the template's {Ref} and {Tier} are empty on this row"
    ]


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


def test_a_template_compiles_to_text_and_placeholders_once() -> None:
    parts = compile_template("{{x}} {Customer}!", "--name-template")
    assert parts == (("{x} ", False), ("Customer", True), ("!", False))
    assert render(parts, {"Customer": "Ada"}) == "{x} Ada!"
    assert render(parts, {}) == "{x} !"
