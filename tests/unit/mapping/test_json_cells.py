"""JSON cells: members given whole in the API's shape, malformed JSON, and the outer shape checks."""

from __future__ import annotations

from bulkload.mapping import ColumnMapping
from bulkload.mapping.json_cells import decode_json
from bulkload.records import Problem, SourceRow
from tests.unit.mapping.helpers import map_one, options


def test_attributes_json_column() -> None:
    result = map_one({"Name": "n", "Attributes": '{"prio": "1", "tier": "gold"}'})
    assert result.params["Attributes"] == {"prio": "1", "tier": "gold"}


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


def test_references_json_column_in_the_api_shape() -> None:
    text = '{"ticket": {"Value": "https://t.example/9", "Type": "url"}}'
    result = map_one({"Name": "n", "References": text})
    assert result.params["References"] == {"ticket": {"Value": "https://t.example/9", "Type": "URL"}}


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


def test_decode_json_gives_the_value_or_the_problems() -> None:
    assert decode_json('{"t": {"Value": "1", "Type": "url"}}', "References") == (
        {"t": {"Value": "1", "Type": "URL"}},
        [],
    )
    assert decode_json("[1]", "SegmentAttributes") == (
        None,
        [Problem("SegmentAttributes", "JSON must be an object; got a list", "SegmentAttributes")],
    )
