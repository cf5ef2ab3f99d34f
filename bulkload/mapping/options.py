"""The mapping half of the CLI's options: how columns become StartTaskContact parameters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["MappingOptions"]


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
