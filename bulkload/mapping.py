"""Columns -> StartTaskContact parameters: the input contract of ARCHITECTURE.md, made precise.

`ColumnMapping.from_header` decides once, from the header and the options, what every column feeds; any
column that feeds nothing is an error before a single request is sent. `map_row` then runs per row (up to
millions of times) as a tight loop over precomputed plans: it never raises for bad cell data, it records
`Problem`s on the `MappedRow` instead.

Decisions the contract leaves open, made here:
- Routing defaults (`flow_id`, `template_id`, `quick_connect_id`) act as one group: they apply only to rows
  that bring none of ContactFlowId, QuickConnectId, TaskTemplateId, so a row's own routing always wins.
  Giving two routing defaults at once is a ConfigError.
- A column named in `column_map` feeds only what it is mapped to, never its natural member too.
- A column in `ignore_columns` feeds no member but may still be the key or a template placeholder.
  Ignoring a column the header does not have is harmless and not an error.
- A natural column that would feed a member that also has a template (`Name` with `--name-template`) is
  a conflict, unless the template uses it as a placeholder or it is ignored.
- Header text (not cell text) is trimmed around attribute keys and reference names and types.
- DATE references: the API wants an epoch timestamp, unit undocumented. Digits pass through as typed
  (trimmed; the user's unit); ISO 8601 is converted to epoch milliseconds, the unit of JavaScript dates,
  which is what Connect's agent workspace renders. JSON DATE values are sent as given (validation checks
  they are digits).
- JSON reference Types are upper-cased like flat ones; JSON values are otherwise sent as given.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bulkload.cells import MILLISECOND, SECOND, UNIX_EPOCH
from bulkload.connect import model as service_model
from bulkload.errors import ColumnError, ConfigError
from bulkload.records import MappedRow, Problem, SourceRow

__all__ = [
    "ColumnMapping",
    "FieldSource",
    "MappingOptions",
    "normalize_name",
    "parse_date_reference",
    "parse_scheduled_time",
]

_EPOCH_DIGITS = re.compile(r"\d+(?:\.\d*)?")
_NAME_NOISE = re.compile(r"[\s_\-]+")
_LIST_AT_MOST = 10  # columns named one by one in an error; a 10,000-column sheet gets a count for the rest
_ATTRIBUTES = "Attributes"
_REFERENCES = "References"
_SEGMENT_ATTRIBUTES = "SegmentAttributes"
_SCHEDULED_TIME = "ScheduledTime"
_NAME = "Name"
_DESCRIPTION = "Description"
_INSTANCE_ID = "InstanceId"
_REFERENCE_JSON_EXAMPLE = '{"name": {"Value": "...", "Type": "URL"}}'


def normalize_name(name: str) -> str:
    """How column and member names are compared: case-insensitive, ignoring `_`, `-` and spaces."""
    return _NAME_NOISE.sub("", name).lower()


@dataclass(frozen=True, kw_only=True)
class MappingOptions:
    """How columns become StartTaskContact parameters; the mapping half of the CLI's options."""

    instance_id: str | None = None
    flow_id: str | None = None
    template_id: str | None = None
    quick_connect_id: str | None = None
    column_map: Mapping[str, str] = field(default_factory=dict)
    ignore_columns: frozenset[str] = frozenset()
    name_template: str | None = None
    description_template: str | None = None
    key_column: str | None = None
    timezone: str = "UTC"


@dataclass(frozen=True, slots=True)
class FieldSource:
    """Where one member path gets its value: a column, a template or an option (for `validate` output)."""

    field: str
    column: str | None
    source: str

    def __str__(self) -> str:
        return f"{self.field} <- {self.source}"


# --- value parsers (pure; shared with anything else that reads times) -------------------------------------


def _parse_datetime(text: str, zone: tzinfo) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def parse_scheduled_time(text: str, zone: tzinfo = UTC) -> int | None:
    """Epoch seconds (rounded down) for ISO 8601 text or epoch digits; naive times are in `zone`."""
    text = text.strip()
    if _EPOCH_DIGITS.fullmatch(text):
        return int(text.partition(".")[0])
    moment = _parse_datetime(text, zone)
    if moment is None:
        return None
    return (moment - UNIX_EPOCH) // SECOND


def parse_date_reference(text: str, zone: tzinfo = UTC) -> str | None:
    """The Value of a DATE reference: epoch digits as typed (trimmed), or ISO 8601 as epoch milliseconds."""
    stripped = text.strip()
    if stripped.isascii() and stripped.isdigit():
        return stripped
    moment = _parse_datetime(stripped, zone)
    if moment is None:
        return None
    return str((moment - UNIX_EPOCH) // MILLISECOND)


def _json_kind(value: object) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "null"


# --- what a column feeds ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Target:
    """One thing a column can feed: a member (scalar, time or JSON), an attribute, or a reference."""

    kind: str  # "scalar" | "time" | "json" | "attr" | "ref"
    member: str
    key: str = ""  # attribute key or reference name
    ref_type: str = ""

    @property
    def slot(self) -> str:
        """The member path this target fills; two sources for one slot are a conflict."""
        if self.kind == "attr":
            return f"{_ATTRIBUTES}.{self.key}"
        if self.kind == "ref":
            return f"{_REFERENCES}.{self.key}"
        return self.member


class _Members:
    """The request members by normalised name, and what kind of value each takes; built once."""

    def __init__(self) -> None:
        shape = service_model.input_shape()
        self.names: tuple[str, ...] = service_model.member_names()
        self.by_norm = {normalize_name(name): name for name in self.names}
        self.kinds: dict[str, str] = {}
        for name in self.names:
            type_name = shape.members[name].type_name
            self.kinds[name] = (
                "scalar" if type_name == "string" else "time" if type_name == "timestamp" else "json"
            )

    def target(self, name: str) -> _Target | str | None:
        """The target a column or FIELD names, an explanation of why it is almost one, or None."""
        name = name.strip()
        member = self.by_norm.get(normalize_name(name))
        if member is not None:
            return _Target(self.kinds[member], member)
        prefix, dot, rest = name.partition(".")
        if not dot:
            return None
        prefix_norm = normalize_name(prefix)
        if prefix_norm == normalize_name(_ATTRIBUTES):
            key = rest.strip()
            return _Target("attr", _ATTRIBUTES, key) if key else f"'{name}' names no attribute key"
        if prefix_norm == normalize_name(_REFERENCES):
            ref_type, dot, ref_name = rest.partition(".")
            ref_type, ref_name = ref_type.strip().upper(), ref_name.strip()
            if not dot or not ref_name:
                allowed = ", ".join(service_model.REFERENCE_TYPES_AT_CREATION)
                return (
                    f"'{name}' needs a type and a name: References.<TYPE>.<name> with TYPE one of {allowed}"
                )
            if ref_type not in service_model.REFERENCE_TYPES_AT_CREATION:
                if ref_type == "ATTACHMENT":
                    return f"'{name}': ATTACHMENT references cannot be set when a task is created"
                allowed = ", ".join(service_model.REFERENCE_TYPES_AT_CREATION)
                return f"'{name}': {ref_type} is not a reference type a task can be created with ({allowed})"
            return _Target("ref", _REFERENCES, ref_name, ref_type)
        return None

    def paths(self) -> list[str]:
        """Every member path a user can name, for suggestions and listings."""
        return [*self.names, f"{_ATTRIBUTES}.<key>", f"{_REFERENCES}.<TYPE>.<name>"]


@functools.cache
def _members() -> _Members:
    return _Members()


def _quote_shell(text: str) -> str:
    return "'" + text.replace("'", "'\"'\"'") + "'"


def _suggest(column: str, members: _Members) -> str | None:
    """The member path a misspelled column most likely meant, compared as normalised names."""
    prefix, dot, rest = column.partition(".")
    if dot:
        for container in (_ATTRIBUTES, _REFERENCES, _SEGMENT_ATTRIBUTES):
            if difflib.get_close_matches(normalize_name(prefix), [normalize_name(container)], cutoff=0.7):
                return f"{container}.{rest}" if container != _SEGMENT_ATTRIBUTES else container
    wanted = normalize_name(column)
    matches = difflib.get_close_matches(wanted, list(members.by_norm), n=1, cutoff=0.7)
    return members.by_norm[matches[0]] if matches else None


def _with_suggestion(text: str, candidates: Sequence[str]) -> str:
    matches = difflib.get_close_matches(text, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {matches[0]}?)" if matches else ""


# --- templates ----------------------------------------------------------------------------------------------


def _compile_template(template: str, option: str) -> tuple[tuple[str, bool], ...]:
    """A template as (text, is_column) parts; `{Column}` is a placeholder, `{{` and `}}` are braces."""
    parts: list[tuple[str, bool]] = []
    literal: list[str] = []
    i, n = 0, len(template)
    while i < n:
        char = template[i]
        if char == "{" and template.startswith("{{", i):
            literal.append("{")
            i += 2
        elif char == "}" and template.startswith("}}", i):
            literal.append("}")
            i += 2
        elif char == "{":
            end = template.find("}", i + 1)
            if end < 0:
                raise ConfigError(
                    f"{option} {template!r}: '{{' at {i} is never closed; write {{{{ for a brace"
                )
            if literal:
                parts.append(("".join(literal), False))
                literal = []
            parts.append((template[i + 1 : end], True))
            i = end + 1
        elif char == "}":
            raise ConfigError(f"{option} {template!r}: '}}' at {i} closes nothing; write }}}} for a brace")
        else:
            literal.append(char)
            i += 1
    if literal:
        parts.append(("".join(literal), False))
    return tuple(parts)


def _render(parts: tuple[tuple[str, bool], ...], cells: Mapping[str, str]) -> str:
    return "".join(cells.get(text, "") if is_column else text for text, is_column in parts)


# --- the mapping --------------------------------------------------------------------------------------------


class ColumnMapping:
    """What every column of one header feeds, decided once; `map_row` applies it to each row."""

    def __init__(
        self,
        *,
        header: tuple[str, ...],
        options: MappingOptions,
        zone: tzinfo,
        targets: Mapping[str, tuple[_Target, ...]],
        templates: Mapping[str, tuple[tuple[str, bool], ...]],
        defaults: Mapping[str, str],
        routing_default: tuple[str, str] | None,
        sources: tuple[FieldSource, ...],
    ) -> None:
        """Use `from_header`; this takes the plan it computes."""
        self.header = header
        self.options = options
        self.key_column = options.key_column
        self._zone = zone
        self._sources = sources
        self._slot_columns = {src.field: src.column for src in sources if src.column is not None}
        scalars: list[tuple[str, str]] = []
        times: list[tuple[str, str]] = []
        jsons: list[tuple[str, str]] = []
        attrs: list[tuple[str, str]] = []
        refs: list[tuple[str, str, str]] = []
        for column, column_targets in targets.items():
            for target in column_targets:
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
        self._templates = tuple(templates.items())
        self._defaults = tuple(defaults.items())
        self._routing_default = routing_default
        self._routing = service_model.ROUTING_MEMBERS

    # -- building --------------------------------------------------------------------------------------------

    @classmethod
    def from_header(cls, header: Sequence[str], options: MappingOptions) -> ColumnMapping:
        """Plan the mapping of `header`; raises ConfigError for bad options, ColumnError for bad columns."""
        members = _members()
        header = tuple(header)
        header_set = set(header)
        listing = ", ".join(repr(c) for c in header[: _LIST_AT_MOST * 3]) + (
            f", ... ({len(header)} columns)" if len(header) > _LIST_AT_MOST * 3 else ""
        )

        try:
            zone: tzinfo = ZoneInfo(options.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"--timezone {options.timezone!r} is not a time zone name: "
                "use an IANA name like Europe/Berlin, or UTC"
            ) from None

        routing_options = {
            "ContactFlowId": ("--flow-id", options.flow_id),
            "TaskTemplateId": ("--template-id", options.template_id),
            "QuickConnectId": ("--quick-connect-id", options.quick_connect_id),
        }
        given = [flag for flag, value in routing_options.values() if value]
        if len(given) > 1:
            raise ConfigError(
                f"{' and '.join(given)}: give at most one routing default; "
                "a task is started by exactly one of a flow, a template or a quick connect"
            )
        routing_default = next(
            ((member, value) for member, (_, value) in routing_options.items() if value), None
        )

        # Explicit --map entries: FIELD -> COLUMN.
        targets: dict[str, list[_Target]] = {}
        slot_sources: dict[str, list[tuple[str | None, str]]] = {}
        for field_name, column in options.column_map.items():
            target = members.target(field_name)
            if not isinstance(target, _Target):
                why = f"{target}; " if isinstance(target, str) else ""
                raise ConfigError(
                    f"--map {field_name}={column}: {why}{field_name!r} is not a StartTaskContact member path"
                    f"{_with_suggestion(field_name, members.names)}; use one of {', '.join(members.paths())}"
                )
            if column not in header_set:
                raise ConfigError(
                    f"--map {field_name}={column}: no column {column!r} in the header"
                    f"{_with_suggestion(column, header)}; columns: {listing}"
                )
            targets.setdefault(column, []).append(target)
            slot_sources.setdefault(target.slot, []).append((column, f"'{column}' (--map)"))

        # Templates and the columns their placeholders consume.
        templates: dict[str, tuple[tuple[str, bool], ...]] = {}
        placeholders: set[str] = set()
        problems: list[str] = []
        for member, option, template in (
            (_NAME, "--name-template", options.name_template),
            (_DESCRIPTION, "--description-template", options.description_template),
        ):
            if template is None:
                continue
            parts = _compile_template(template, option)
            for text, is_column in parts:
                if not is_column:
                    continue
                if text not in header_set:
                    problems.append(
                        f"{option} {template!r} names column {text!r}, which is not in the header"
                        f"{_with_suggestion(text, header)}; columns: {listing}"
                    )
                placeholders.add(text)
            templates[member] = parts
            slot_sources.setdefault(member, []).append((None, option))

        if options.key_column is not None and options.key_column not in header_set:
            problems.append(
                f"--key {options.key_column!r}: no such column in the header"
                f"{_with_suggestion(options.key_column, header)}; columns: {listing}"
            )

        # Natural columns: a column named like a member path feeds it unless mapped or ignored.
        unmapped: list[str] = []
        for column in header:
            if column in targets:
                continue
            consumed = column in placeholders or column == options.key_column
            if column in options.ignore_columns:
                continue
            target = members.target(column)
            if isinstance(target, _Target):
                if target.slot in templates and column in placeholders:
                    continue  # the template reads it; it does not also feed the member
                targets.setdefault(column, []).append(target)
                slot_sources.setdefault(target.slot, []).append((column, f"'{column}'"))
            elif isinstance(target, str):
                if not consumed:
                    problems.append(
                        f"column {target}: rename it, map it with --map FIELD=COLUMN, "
                        f"or skip it with --ignore-column {_quote_shell(column)}"
                    )
            elif not consumed:
                unmapped.append(column)

        for column in unmapped[:_LIST_AT_MOST]:
            suggestion = _suggest(column, members)
            hint = f" (did you mean {suggestion}?)" if suggestion else ""
            problems.append(
                f"column {column!r} maps to no StartTaskContact member{hint}: rename it, map it with "
                f"--map FIELD=COLUMN, or skip it with --ignore-column {_quote_shell(column)}"
            )
        if len(unmapped) > _LIST_AT_MOST:
            problems.append(f"... and {len(unmapped) - _LIST_AT_MOST} more columns that map to no member")

        for slot, feeders in slot_sources.items():
            if len(feeders) < 2:
                continue
            names = [text for _, text in feeders]
            both = f"both {names[0]} and {names[1]}" if len(names) == 2 else ", ".join(names)
            natural = [
                column for column, text in feeders if column is not None and not text.endswith("(--map)")
            ]
            hint = f"; skip a column with --ignore-column {_quote_shell(natural[-1])}" if natural else ""
            problems.append(f"{slot} is fed by {both}: keep one{hint}")

        if _NAME not in slot_sources:
            problems.append(
                "no column for Name: add a Name column, or use --map Name=COLUMN or --name-template"
            )
        if _INSTANCE_ID not in slot_sources and not options.instance_id:
            problems.append(
                "no column for InstanceId: add an InstanceId column, or give --instance-id "
                "(or --map InstanceId=COLUMN)"
            )
        if problems:
            raise ColumnError("\n".join(problems))

        defaults: dict[str, str] = {}
        if options.instance_id:
            defaults[_INSTANCE_ID] = options.instance_id

        sources: list[FieldSource] = []
        for column, column_targets in targets.items():
            mapped = column in options.column_map.values()
            for target in column_targets:
                how = f"column {column!r}" + (" (--map)" if mapped else "")
                if target.kind == "ref":
                    how += f", Type {target.ref_type}"
                elif target.kind == "json":
                    how += ", JSON"
                sources.append(FieldSource(target.slot, column, how))
        for member, template in (
            (_NAME, options.name_template),
            (_DESCRIPTION, options.description_template),
        ):
            if template is not None:
                flag = "--name-template" if member == _NAME else "--description-template"
                sources.append(FieldSource(member, None, f"{flag} {template!r}"))
        for member, value in defaults.items():
            sources.append(FieldSource(member, None, f"--instance-id {value!r} unless the row has one"))
        if routing_default is not None:
            member, value = routing_default
            flag = routing_options[member][0]
            sources.append(FieldSource(member, None, f"{flag} {value!r} unless the row has its own routing"))
        order = {name: i for i, name in enumerate(members.names)}
        sources.sort(key=lambda s: (order.get(s.field.partition(".")[0], len(order)), s.field))

        return cls(
            header=header,
            options=options,
            zone=zone,
            targets={column: tuple(ts) for column, ts in targets.items()},
            templates=templates,
            defaults=defaults,
            routing_default=routing_default,
            sources=tuple(sources),
        )

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
            return MappedRow(src.row, src.line, key, {}, (Problem(None, src.problem),))

        params: dict[str, Any] = {}
        problems: list[Problem] = []
        if key_column is not None and not key:
            problems.append(Problem(key_column, "the key cell is empty; every row needs a key"))

        for column, member in self._scalars:
            value = cells.get(column)
            if value:
                params[member] = value
        for column, member in self._times:
            value = cells.get(column)
            if value:
                seconds = parse_scheduled_time(value, self._zone)
                if seconds is None:
                    problems.append(
                        Problem(
                            member,
                            f"{value!r} is not a time: use ISO 8601 like 2026-11-24T09:00:00+01:00, "
                            "or epoch seconds",
                        )
                    )
                else:
                    params[member] = seconds
        if self._jsons:
            self._map_json(cells, params, problems)
        if self._attrs:
            self._map_attributes(cells, params, problems)
        if self._refs:
            self._map_references(cells, params, problems)
        for member, parts in self._templates:
            text = _render(parts, cells)
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

        if problems:
            return MappedRow(src.row, src.line, key, params, tuple(problems))
        return MappedRow(src.row, src.line, key, params)

    def _map_json(self, cells: Mapping[str, str], params: dict[str, Any], problems: list[Problem]) -> None:
        for column, member in self._jsons:
            text = cells.get(column)
            if not text:
                continue
            try:
                value = json.loads(text)
            except json.JSONDecodeError as exc:
                problems.append(
                    Problem(
                        member,
                        f"not valid JSON (line {exc.lineno} column {exc.colno}: {exc.msg})",
                    )
                )
                continue
            if "\\u" in text:
                surrogate = _lone_surrogate(value)
                if surrogate is not None:
                    problems.append(
                        Problem(
                            member,
                            f"JSON escape \\u{ord(surrogate):04x} is half of a surrogate pair, not a "
                            "character: the text cannot be sent as UTF-8",
                        )
                    )
                    continue
            checker = _JSON_CHECKS.get(member)
            if checker is not None:
                failed = checker(value, member)
                if failed:
                    problems.extend(failed)
                    continue
            params[member] = value

    def _map_attributes(
        self, cells: Mapping[str, str], params: dict[str, Any], problems: list[Problem]
    ) -> None:
        from_json: dict[str, str] | None = params.get(_ATTRIBUTES)
        merged: dict[str, str] = dict(from_json) if from_json else {}
        for column, key in self._attrs:
            value = cells.get(column)
            if not value:
                continue
            if from_json is not None and key in from_json:
                problems.append(
                    Problem(
                        f"{_ATTRIBUTES}.{key}",
                        f"given twice: by column {column!r} and by the JSON in column "
                        f"{self.column_for(_ATTRIBUTES)!r}",
                    )
                )
                continue
            merged[key] = value
        if merged:
            params[_ATTRIBUTES] = merged

    def _map_references(
        self, cells: Mapping[str, str], params: dict[str, Any], problems: list[Problem]
    ) -> None:
        from_json: dict[str, Any] | None = params.get(_REFERENCES)
        merged: dict[str, Any] = dict(from_json) if from_json else {}
        for column, name, ref_type in self._refs:
            value = cells.get(column)
            if not value:
                continue
            if from_json is not None and name in from_json:
                problems.append(
                    Problem(
                        f"{_REFERENCES}.{name}",
                        f"given twice: by column {column!r} and by the JSON in column "
                        f"{self.column_for(_REFERENCES)!r}",
                    )
                )
                continue
            if ref_type == "DATE":
                converted = parse_date_reference(value, self._zone)
                if converted is None:
                    problems.append(
                        Problem(
                            f"{_REFERENCES}.{name}.Value",
                            f"{value!r} is not a date: use epoch digits, or ISO 8601 like "
                            "2026-11-24T09:00:00+01:00",
                        )
                    )
                    continue
                value = converted
            merged[name] = {"Value": value, "Type": ref_type}
        if merged:
            params[_REFERENCES] = merged


# --- JSON shape checks (the API's own shapes; botocore checks the rest in validation) -------------------------


def _lone_surrogate(value: object) -> str | None:
    """The first unpaired surrogate in decoded JSON (`"\\ud800"` decodes to one; UTF-8 cannot carry it)."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        return str(exc.object[exc.start])
    return None


def _check_attributes_json(value: object, member: str) -> list[Problem]:
    if not isinstance(value, dict):
        return [Problem(member, f'JSON must be an object like {{"key": "value"}}; got {_json_kind(value)}')]
    return [
        Problem(f"{member}.{key}", f"JSON value must be a string; got {_json_kind(item)} {json.dumps(item)}")
        for key, item in value.items()
        if not isinstance(item, str)
    ]


def _check_references_json(value: object, member: str) -> list[Problem]:
    if not isinstance(value, dict):
        return [
            Problem(member, f"JSON must be an object like {_REFERENCE_JSON_EXAMPLE}; got {_json_kind(value)}")
        ]
    problems: list[Problem] = []
    for name, item in value.items():
        if not isinstance(item, dict):
            problems.append(
                Problem(
                    f"{member}.{name}",
                    f'must be an object like {{"Value": "...", "Type": "URL"}}; got {_json_kind(item)}',
                )
            )
        elif isinstance(item.get("Type"), str):
            item["Type"] = item["Type"].upper()
    return problems


def _check_object_json(value: object, member: str) -> list[Problem]:
    if not isinstance(value, dict):
        return [Problem(member, f"JSON must be an object; got {_json_kind(value)}")]
    return []


_JSON_CHECKS: dict[str, Callable[[object, str], list[Problem]]] = {
    _ATTRIBUTES: _check_attributes_json,
    _REFERENCES: _check_references_json,
    _SEGMENT_ATTRIBUTES: _check_object_json,
}
