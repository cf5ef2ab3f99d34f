"""Columns -> StartTaskContact parameters: the column contract, made precise.

The column plan (plan.py) decides once, from the header and the options (options.py), what every column
feeds: a member, an attribute or a reference (members.py), a template (templates.py). `map_row` (rows.py)
then turns each row into parameters, reading times (times.py) and JSON cells (json_cells.py).
"""

from __future__ import annotations

from bulkload.mapping.members import normalize_name
from bulkload.mapping.options import MappingOptions
from bulkload.mapping.plan import FieldSource
from bulkload.mapping.rows import ColumnMapping
from bulkload.mapping.times import parse_date_reference, parse_scheduled_time

__all__ = [
    "ColumnMapping",
    "FieldSource",
    "MappingOptions",
    "normalize_name",
    "parse_date_reference",
    "parse_scheduled_time",
]
