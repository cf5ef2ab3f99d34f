"""Helpers shared by the mapping tests: options with an instance, mapping one row, the error of a header."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from bulkload.errors import ColumnError, ConfigError
from bulkload.mapping import ColumnMapping, MappingOptions
from bulkload.records import MappedRow, SourceRow

INSTANCE = "11111111-2222-3333-4444-555555555555"
FLOW = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
# 2026-11-24T08:00:00Z
T = 1_795_507_200


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
