"""What a column name (or a --map FIELD) can fill: a StartTaskContact member, an attribute or a reference.

Names compare case-insensitively, ignoring `_`, `-` and spaces. Header text (not cell text) is trimmed
around attribute keys and reference names and types. A member's kind says how a cell fills it: as text,
as a time, or as JSON in the API's own shape.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass

from bulkload.connect import model
from bulkload.validation.rules import ATTACHMENT_REFUSED, REFERENCE_TYPES_LISTED

__all__ = [
    "ATTRIBUTES",
    "DESCRIPTION",
    "INSTANCE_ID",
    "NAME",
    "REFERENCES",
    "SEGMENT_ATTRIBUTES",
    "Members",
    "Target",
    "members",
    "normalize_name",
    "suggest_member",
]

ATTRIBUTES = "Attributes"
REFERENCES = "References"
SEGMENT_ATTRIBUTES = "SegmentAttributes"
NAME = "Name"
DESCRIPTION = "Description"
INSTANCE_ID = "InstanceId"
_NAME_NOISE = re.compile(r"[\s_\-]+")


def normalize_name(name: str) -> str:
    """How column and member names are compared: case-insensitive, ignoring `_`, `-` and spaces."""
    return _NAME_NOISE.sub("", name).lower()


@dataclass(frozen=True, slots=True)
class Target:
    """One thing a column can feed: a member (scalar, time or JSON), an attribute, or a reference."""

    kind: str  # "scalar" | "time" | "json" | "attr" | "ref"
    member: str
    key: str = ""  # attribute key or reference name
    ref_type: str = ""

    @property
    def slot(self) -> str:
        """The member path this target fills; two sources for one slot are a conflict."""
        if self.kind == "attr":
            return f"{ATTRIBUTES}.{self.key}"
        if self.kind == "ref":
            return f"{REFERENCES}.{self.key}"
        return self.member


class Members:
    """The request members by normalised name, and what kind of value each takes; built once."""

    def __init__(self) -> None:
        """Read the members and their types from the service model."""
        shape = model.input_shape()
        self.names: tuple[str, ...] = model.member_names()
        self.by_norm = {normalize_name(name): name for name in self.names}
        self.kinds: dict[str, str] = {}
        for name in self.names:
            type_name = shape.members[name].type_name
            self.kinds[name] = (
                "scalar" if type_name == "string" else "time" if type_name == "timestamp" else "json"
            )

    def target(self, name: str) -> Target | str | None:
        """The target a column or FIELD names, an explanation of why it is almost one, or None."""
        name = name.strip()
        member = self.by_norm.get(normalize_name(name))
        if member is not None:
            return Target(self.kinds[member], member)
        prefix, dot, rest = name.partition(".")
        if not dot:
            return None
        prefix_norm = normalize_name(prefix)
        if prefix_norm == normalize_name(ATTRIBUTES):
            key = rest.strip()
            return Target("attr", ATTRIBUTES, key) if key else f"'{name}' names no attribute key"
        if prefix_norm == normalize_name(REFERENCES):
            return _reference_target(name, rest)
        return None

    def paths(self) -> list[str]:
        """Every member path a user can name, for suggestions and listings."""
        return [*self.names, f"{ATTRIBUTES}.<key>", f"{REFERENCES}.<TYPE>.<name>"]


def _reference_target(name: str, rest: str) -> Target | str:
    """`References.<TYPE>.<name>` (given as `name`, `rest` after the first dot) as a target, or why not."""
    ref_type, dot, ref_name = rest.partition(".")
    ref_type, ref_name = ref_type.strip().upper(), ref_name.strip()
    if not dot or not ref_name:
        return f"'{name}' needs a type and a name: References.<TYPE>.<name> with TYPE one of {REFERENCE_TYPES_LISTED}"
    if ref_type == "ATTACHMENT":
        return f"'{name}': {ATTACHMENT_REFUSED}"
    if ref_type not in model.REFERENCE_TYPES_AT_CREATION:
        return f"'{name}': {ref_type} is not a reference type a task can be created with ({REFERENCE_TYPES_LISTED})"
    return Target("ref", REFERENCES, ref_name, ref_type)


@functools.cache
def members() -> Members:
    """The members of this botocore's StartTaskContact, built once per process."""
    return Members()


def suggest_member(column: str) -> str | None:
    """The member path a misspelled column most likely meant, compared as normalised names."""
    prefix, dot, rest = column.partition(".")
    if dot:
        for container in (ATTRIBUTES, REFERENCES, SEGMENT_ATTRIBUTES):
            if difflib.get_close_matches(normalize_name(prefix), [normalize_name(container)], cutoff=0.7):
                return f"{container}.{rest}" if container != SEGMENT_ATTRIBUTES else container
    by_norm = members().by_norm
    matches = difflib.get_close_matches(normalize_name(column), list(by_norm), n=1, cutoff=0.7)
    return by_norm[matches[0]] if matches else None
