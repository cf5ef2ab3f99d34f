"""Row -> StartTaskContact parameters: a column plan applied to each row.

`ColumnMapping.from_header` plans once; `map_row` then runs per row (up to millions of times) as a tight
loop over the plan's precomputed lists. It never raises for bad cell data: it records `Problem`s on the
`MappedRow` instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bulkload.connect import model
from bulkload.mapping.json_cells import decode_json
from bulkload.mapping.members import ATTRIBUTES, REFERENCES
from bulkload.mapping.options import MappingOptions
from bulkload.mapping.plan import FieldSource, Plan, plan_columns
from bulkload.mapping.templates import empty_placeholders, render
from bulkload.mapping.times import parse_date_reference, parse_scheduled_time
from bulkload.records import MappedRow, Problem, SourceRow

__all__ = ["ColumnMapping"]


class ColumnMapping:
    """What every column of one header feeds, decided once; `map_row` applies it to each row."""

    def __init__(self, plan: Plan) -> None:
        """Use `from_header`; this takes the plan it computes."""
        self.header = plan.header
        self.options = plan.options
        self.key_column = plan.options.key_column
        self._zone = plan.zone
        self._sources = plan.sources
        self._slot_columns = {src.field: src.column for src in plan.sources if src.column is not None}
        scalars: list[tuple[str, str]] = []  # (column, member)
        times: list[tuple[str, str]] = []  # (column, member)
        jsons: list[tuple[str, str]] = []  # (column, member)
        attrs: list[tuple[str, str]] = []  # (column, attribute key)
        refs: list[tuple[str, str, str]] = []  # (column, reference name, Type)
        for column, targets in plan.targets.items():
            for target in targets:
                if target.kind == "scalar":
                    scalars.append((column, target.member))
                elif target.kind == "time":
                    times.append((column, target.member))
                elif target.kind == "json":
                    jsons.append((column, target.member))
                elif target.kind == "attr":
                    attrs.append((column, target.key))
                else:
                    refs.append((column, target.key, target.ref_type))
        self._scalars = tuple(scalars)
        self._times = tuple(times)
        self._jsons = tuple(jsons)
        self._attrs = tuple(attrs)
        self._refs = tuple(refs)
        self._templates = tuple(plan.templates.items())
        self._defaults = tuple(plan.defaults.items())
        self._routing_default = plan.routing_default
        self._routing = model.ROUTING_MEMBERS

    @classmethod
    def from_header(cls, header: Sequence[str], options: MappingOptions) -> ColumnMapping:
        """Plan the mapping of `header`; raises ConfigError for bad options, ColumnError for bad columns."""
        return cls(plan_columns(header, options))

    # -- describing ------------------------------------------------------------------------------------------

    @property
    def fields(self) -> tuple[FieldSource, ...]:
        """Every member path this mapping fills and where from, in model order."""
        return self._sources

    @property
    def ignored_columns(self) -> tuple[str, ...]:
        """The header's columns that feed no member because the user said so."""
        return tuple(c for c in self.header if c in self.options.ignore_columns)

    def column_for(self, field: str) -> str | None:
        """The column that feeds a member path like `Description` or `References.ticket.Value`, if any."""
        best: str | None = None
        best_length = -1
        for slot, column in self._slot_columns.items():
            if (field == slot or field.startswith(slot + ".")) and len(slot) > best_length:
                best, best_length = column, len(slot)
        return best

    # -- mapping ---------------------------------------------------------------------------------------------

    def map_row(self, src: SourceRow) -> MappedRow:
        """The StartTaskContact parameters of one row, or the problems that stop it; never raises."""
        cells = src.cells
        key_column = self.key_column
        key = str(src.row) if key_column is None else cells.get(key_column, "")
        if src.problem is not None:
            return MappedRow(src.row, src.line, key, {}, (Problem(None, src.problem, Problem.ROW),))

        params: dict[str, Any] = {}
        problems: list[Problem] = []
        if key_column is not None and not key:
            problems.append(Problem.at(key_column, "the key cell is empty; every row needs a key"))

        for column, member in self._scalars:
            value = cells.get(column)
            if value:
                params[member] = value
        if self._times:
            self._map_times(cells, params, problems)
        if self._jsons:
            self._map_json(cells, params, problems)
        if self._attrs:
            self._map_attributes(cells, params, problems)
        if self._refs:
            self._map_references(cells, params, problems)
        self._fill_from_options(cells, params, problems)

        if problems:
            return MappedRow(src.row, src.line, key, params, tuple(problems))
        return MappedRow(src.row, src.line, key, params)

    def _fill_from_options(
        self, cells: Mapping[str, str], params: dict[str, Any], problems: list[Problem]
    ) -> None:
        """Templates, then option defaults for members the row left empty."""
        for member, parts in self._templates:
            gap = empty_placeholders(parts, cells)
            if gap is not None:
                problems.append(Problem.at(member, gap))
                continue
            text = render(parts, cells)
            if text.strip():  # a template over empty cells is an empty cell: absent, as for a column
                params[member] = text
        for member, value in self._defaults:
            if member not in params:
                params[member] = value
        if self._routing_default is not None:
            routing = self._routing
            if routing[0] not in params and routing[1] not in params and routing[2] not in params:
                member, value = self._routing_default
                params[member] = value

    def _map_times(self, cells: Mapping[str, str], params: dict[str, Any], problems: list[Problem]) -> None:
        for column, member in self._times:
            value = cells.get(column)
            if not value:
                continue
            seconds = parse_scheduled_time(value, self._zone)
            if seconds is None:
                problems.append(
                    Problem.at(
                        member,
                        f"{value!r} is not a time: use ISO 8601 like 2026-11-24T09:00:00+01:00, or epoch seconds",
                    )
                )
            else:
                params[member] = seconds

    def _map_json(self, cells: Mapping[str, str], params: dict[str, Any], problems: list[Problem]) -> None:
        for column, member in self._jsons:
            text = cells.get(column)
            if not text:
                continue
            value, failed = decode_json(text, member)
            if failed:
                problems.extend(failed)
            else:
                params[member] = value

    def _given_twice(self, field: str, column: str, member: str) -> Problem:
        """A flat column gives what the member's JSON column already gave."""
        return Problem.at(
            field, f"given twice: by column {column!r} and by the JSON in column {self.column_for(member)!r}"
        )

    def _map_attributes(
        self, cells: Mapping[str, str], params: dict[str, Any], problems: list[Problem]
    ) -> None:
        from_json: dict[str, str] | None = params.get(ATTRIBUTES)
        merged: dict[str, str] = dict(from_json) if from_json else {}
        for column, key in self._attrs:
            value = cells.get(column)
            if not value:
                continue
            if from_json is not None and key in from_json:
                problems.append(self._given_twice(f"{ATTRIBUTES}.{key}", column, ATTRIBUTES))
                continue
            merged[key] = value
        if merged:
            params[ATTRIBUTES] = merged

    def _map_references(
        self, cells: Mapping[str, str], params: dict[str, Any], problems: list[Problem]
    ) -> None:
        from_json: dict[str, Any] | None = params.get(REFERENCES)
        merged: dict[str, Any] = dict(from_json) if from_json else {}
        for column, name, ref_type in self._refs:
            value = cells.get(column)
            if not value:
                continue
            if from_json is not None and name in from_json:
                problems.append(self._given_twice(f"{REFERENCES}.{name}", column, REFERENCES))
                continue
            if ref_type == "DATE":
                converted = parse_date_reference(value, self._zone)
                if converted is None:
                    problems.append(
                        Problem.at(
                            f"{REFERENCES}.{name}.Value",
                            f"{value!r} is not a date: use epoch digits, or ISO 8601 like 2026-11-24T09:00:00+01:00",
                        )
                    )
                    continue
                value = converted
            merged[name] = {"Value": value, "Type": ref_type}
        if merged:
            params[REFERENCES] = merged
