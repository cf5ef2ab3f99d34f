"""The column plan: from the header and the options, what every column feeds, decided once.

Any column that feeds nothing is an error before a single request is sent; every such problem is
reported at once. Decisions the column contract leaves open, made here:
- Routing defaults (`flow_id`, `template_id`, `quick_connect_id`) act as one group: they apply only to rows
  that bring none of ContactFlowId, QuickConnectId, TaskTemplateId, so a row's own routing always wins.
  Giving two routing defaults at once is a ConfigError.
- A column named in `column_map` feeds only what it is mapped to, never its natural member too.
- A column in `ignore_columns` feeds no member but may still be the key or a template placeholder.
  Ignoring a column the header does not have is harmless and not an error.
- A natural column that would feed a member that also has a template (`Name` with `--name-template`) is
  a conflict, unless the template uses it as a placeholder or it is ignored.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo

from bulkload.errors import ColumnError, ConfigError
from bulkload.mapping.members import INSTANCE_ID, NAME, Target, members, suggest_member
from bulkload.mapping.options import MappingOptions
from bulkload.mapping.templates import TemplateParts, compile_template, given_templates
from bulkload.mapping.times import time_zone

__all__ = ["FieldSource", "Plan", "plan_columns"]

_LIST_AT_MOST = 10  # columns named one by one in an error; a 10,000-column sheet gets a count for the rest
_ROUTING_FLAGS = {
    "ContactFlowId": "--flow-id",
    "TaskTemplateId": "--template-id",
    "QuickConnectId": "--quick-connect-id",
}


@dataclass(frozen=True, slots=True)
class FieldSource:
    """Where one member path gets its value: a column, a template or an option (for `validate` output)."""

    field: str
    column: str | None
    source: str

    def __str__(self) -> str:
        return f"{self.field} <- {self.source}"


@dataclass(frozen=True, slots=True)
class Plan:
    """What every column of one header feeds, and what fills members no column does."""

    header: tuple[str, ...]
    options: MappingOptions
    zone: tzinfo  # naive times in cells are in this zone
    targets: Mapping[str, tuple[Target, ...]]  # column -> what it feeds
    templates: Mapping[str, TemplateParts]  # member -> its compiled template
    defaults: Mapping[str, str]  # member -> the option value a row without one gets
    routing_default: tuple[str, str] | None  # (member, value) for rows with no routing of their own
    sources: tuple[FieldSource, ...]  # every member path filled and where from, in model order


def plan_columns(header: Sequence[str], options: MappingOptions) -> Plan:
    """Plan the mapping of `header`; raises ConfigError for bad options, ColumnError for bad columns."""
    zone = time_zone(options.timezone)
    routing_default = _routing_default(options)
    draft = _Draft(tuple(header))
    _feed_mapped_columns(draft, options)
    _compile_templates(draft, options)
    _check_key_column(draft, options)
    _feed_natural_columns(draft, options)
    _check_one_source_per_slot(draft)
    _check_required_members(draft, options)
    if draft.problems:
        raise ColumnError("\n".join(draft.problems))
    defaults = {INSTANCE_ID: options.instance_id} if options.instance_id else {}
    return Plan(
        header=draft.header,
        options=options,
        zone=zone,
        targets={column: tuple(targets) for column, targets in draft.targets.items()},
        templates=draft.templates,
        defaults=defaults,
        routing_default=routing_default,
        sources=_field_sources(draft, options, defaults, routing_default),
    )


@dataclass
class _Draft:
    """The plan while it is built: what each column feeds, who feeds each slot, and what is wrong."""

    header: tuple[str, ...]
    columns: frozenset[str] = field(init=False)
    targets: dict[str, list[Target]] = field(default_factory=dict)
    feeders: dict[str, list[tuple[str | None, str]]] = field(default_factory=dict)  # slot -> (column, how)
    templates: dict[str, TemplateParts] = field(default_factory=dict)
    placeholders: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.columns = frozenset(self.header)

    def feed(self, column: str, target: Target, how: str) -> None:
        """Record that `column` feeds `target`."""
        self.targets.setdefault(column, []).append(target)
        self.feeders.setdefault(target.slot, []).append((column, how))

    def not_in_header(self, name: str) -> str:
        """The tail of a message about a column the header lacks: a suggestion, then the columns."""
        limit = _LIST_AT_MOST * 3
        listing = ", ".join(repr(c) for c in self.header[:limit])
        if len(self.header) > limit:
            listing += f", ... ({len(self.header)} columns)"
        return f"{_with_suggestion(name, self.header)}; columns: {listing}"


def _with_suggestion(text: str, candidates: Sequence[str]) -> str:
    matches = difflib.get_close_matches(text, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {matches[0]}?)" if matches else ""


def _quote_shell(text: str) -> str:
    return "'" + text.replace("'", "'\"'\"'") + "'"


def _how_to_fix(column: str) -> str:
    return (
        f"rename it, map it with --map FIELD=COLUMN, or skip it with --ignore-column {_quote_shell(column)}"
    )


def _routing_default(options: MappingOptions) -> tuple[str, str] | None:
    """The (member, value) a routing option gives rows without routing; at most one option may be given."""
    values = {
        "ContactFlowId": options.flow_id,
        "TaskTemplateId": options.template_id,
        "QuickConnectId": options.quick_connect_id,
    }
    given = [(member, value) for member, value in values.items() if value]
    if len(given) > 1:
        raise ConfigError(
            f"{' and '.join(_ROUTING_FLAGS[member] for member, _ in given)}: give at most one routing default; "
            "a task is started by exactly one of a flow, a template or a quick connect"
        )
    return given[0] if given else None


def _feed_mapped_columns(draft: _Draft, options: MappingOptions) -> None:
    """--map FIELD=COLUMN entries; a FIELD that is no member path or a COLUMN not in the header is fatal."""
    known = members()
    for field_name, column in options.column_map.items():
        target = known.target(field_name)
        if not isinstance(target, Target):
            why = f"{target}; " if isinstance(target, str) else ""
            raise ConfigError(
                f"--map {field_name}={column}: {why}{field_name!r} is not a StartTaskContact member path"
                f"{_with_suggestion(field_name, known.names)}; use one of {', '.join(known.paths())}"
            )
        if column not in draft.columns:
            raise ConfigError(
                f"--map {field_name}={column}: no column {column!r} in the header{draft.not_in_header(column)}"
            )
        draft.feed(column, target, f"'{column}' (--map)")


def _compile_templates(draft: _Draft, options: MappingOptions) -> None:
    """Templates, and the columns their placeholders consume; a placeholder must name a column."""
    for member, option, template in given_templates(options):
        parts = compile_template(template, option)
        for text, is_column in parts:
            if not is_column:
                continue
            if text not in draft.columns:
                draft.problems.append(
                    f"{option} {template!r} names column {text!r}, which is not in the header"
                    f"{draft.not_in_header(text)}"
                )
            draft.placeholders.add(text)
        draft.templates[member] = parts
        draft.feeders.setdefault(member, []).append((None, option))


def _check_key_column(draft: _Draft, options: MappingOptions) -> None:
    key = options.key_column
    if key is not None and key not in draft.columns:
        draft.problems.append(f"--key {key!r}: no such column in the header{draft.not_in_header(key)}")


def _feed_natural_columns(draft: _Draft, options: MappingOptions) -> None:
    """A column named like a member path feeds it unless mapped or ignored; any other must be consumed."""
    known = members()
    unmapped: list[str] = []
    for column in draft.header:
        if column in draft.targets or column in options.ignore_columns:
            continue
        consumed = column in draft.placeholders or column == options.key_column
        target = known.target(column)
        if isinstance(target, Target):
            if target.slot in draft.templates and column in draft.placeholders:
                continue  # the template reads it; it does not also feed the member
            draft.feed(column, target, f"'{column}'")
        elif isinstance(target, str):
            if not consumed:
                draft.problems.append(f"column {target}: {_how_to_fix(column)}")
        elif not consumed:
            unmapped.append(column)
    for column in unmapped[:_LIST_AT_MOST]:
        suggestion = suggest_member(column)
        hint = f" (did you mean {suggestion}?)" if suggestion else ""
        draft.problems.append(
            f"column {column!r} maps to no StartTaskContact member{hint}: {_how_to_fix(column)}"
        )
    if len(unmapped) > _LIST_AT_MOST:
        draft.problems.append(f"... and {len(unmapped) - _LIST_AT_MOST} more columns that map to no member")


def _check_one_source_per_slot(draft: _Draft) -> None:
    for slot, feeders in draft.feeders.items():
        if len(feeders) < 2:
            continue
        names = [how for _, how in feeders]
        both = f"both {names[0]} and {names[1]}" if len(names) == 2 else ", ".join(names)
        natural = [column for column, how in feeders if column is not None and not how.endswith("(--map)")]
        hint = f"; skip a column with --ignore-column {_quote_shell(natural[-1])}" if natural else ""
        draft.problems.append(f"{slot} is fed by {both}: keep one{hint}")


def _check_required_members(draft: _Draft, options: MappingOptions) -> None:
    if NAME not in draft.feeders:
        draft.problems.append(
            "no column for Name: add a Name column, or use --map Name=COLUMN or --name-template"
        )
    if INSTANCE_ID not in draft.feeders and not options.instance_id:
        draft.problems.append(
            "no column for InstanceId: add an InstanceId column, or give --instance-id (or --map InstanceId=COLUMN)"
        )


def _field_sources(
    draft: _Draft,
    options: MappingOptions,
    defaults: Mapping[str, str],
    routing_default: tuple[str, str] | None,
) -> tuple[FieldSource, ...]:
    """Every member path the plan fills and where from, in the model's member order."""
    sources: list[FieldSource] = []
    for column, targets in draft.targets.items():
        mapped = column in options.column_map.values()
        for target in targets:
            how = f"column {column!r}" + (" (--map)" if mapped else "")
            if target.kind == "ref":
                how += f", Type {target.ref_type}"
            elif target.kind == "json":
                how += ", JSON"
            sources.append(FieldSource(target.slot, column, how))
    for member, option, template in given_templates(options):
        sources.append(FieldSource(member, None, f"{option} {template!r}"))
    for member, value in defaults.items():
        sources.append(FieldSource(member, None, f"--instance-id {value!r} unless the row has one"))
    if routing_default is not None:
        member, value = routing_default
        sources.append(
            FieldSource(
                member, None, f"{_ROUTING_FLAGS[member]} {value!r} unless the row has its own routing"
            )
        )
    order = {name: i for i, name in enumerate(members().names)}
    sources.sort(key=lambda s: (order.get(s.field.partition(".")[0], len(order)), s.field))
    return tuple(sources)
