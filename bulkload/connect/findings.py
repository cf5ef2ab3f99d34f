"""What preflight learnt about each id, and what that means for the rows that use it.

A `Finding` is one id's answer: it exists or not, and for a task template whether it is ACTIVE and has a
contact flow. `PreflightReport` holds them all and turns them into each row's `Problem`s, worded to be
the row's invalid reason, so a row naming an id the service does not have is never sent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bulkload.connect.classify import RESOURCE_NOT_FOUND
from bulkload.connect.targets import CONTACT_FLOW, Target, targets_of
from bulkload.connect.used_ids import UsedIds
from bulkload.errors import ConfigError
from bulkload.records import Problem
from bulkload.validation.describe import describe_problems

ACTIVE = "ACTIVE"
# How many refused ids the job error lists before "and N more".
_LISTED = 3


@dataclass(frozen=True, slots=True)
class Finding:
    """One id as the service described it; `checked` is False when the call could not tell.

    `status` is a task template's Status (ACTIVE or INACTIVE); `flowless` a template without a
    ContactFlowId, which cannot route a row that names no flow. `region` is where an instance was looked
    for; `answer` the service's own message, kept when it may say more than the code (the id's instance
    could not be checked).
    """

    target: Target
    checked: bool = True
    unknown: bool = False
    status: str = ACTIVE
    flowless: bool = False
    region: str | None = None
    answer: str = ""

    @property
    def inactive(self) -> bool:
        """Whether a task template exists but is not ACTIVE."""
        return self.status != ACTIVE

    @property
    def refuses(self) -> bool:
        """Whether some row using this id cannot be created."""
        return self.unknown or self.inactive or self.flowless

    def problems(self, *, with_flow: bool) -> tuple[Problem, ...]:
        """Why a row using this id cannot be created; `with_flow` when the row also names a contact flow."""
        target = self.target
        if self.unknown:
            where = f" in region {self.region!r}" if self.region else ""
            if not target.is_instance:
                where = f" in instance {target.instance!r}"
            said = f": {self.answer}" if self.answer else ""
            message = (
                f"{target.noun} {target.value!r} does not exist{where} "
                f"({target.operation} answered {RESOURCE_NOT_FOUND}{said})"
            )
            return (Problem.at(target.member, message),)
        found: list[Problem] = []
        if self.inactive:
            message = (
                f"{target} is {self.status}: only an {ACTIVE} template can create a task ({target.operation})"
            )
            found.append(Problem.at(target.member, message))
        if self.flowless and not with_flow:
            message = (
                f"{target} has no contact flow, and the row names none: give the template a contact flow, "
                f"or route the row by {CONTACT_FLOW} instead ({target.operation})"
            )
            found.append(Problem.at(target.member, message))
        return tuple(found)


@dataclass
class PreflightReport:
    """Every id preflight checked, the warnings it gave, and the rows its findings refuse.

    `truncated` says the file named more distinct ids than were checked; `calls` counts Describe/Get
    requests, retries included.
    """

    findings: dict[Target, Finding] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    truncated: bool = False
    calls: int = 0
    _refusing: dict[Target, Finding] = field(default_factory=dict, repr=False)

    def add(self, finding: Finding) -> None:
        """Record what the service said about one id."""
        self.findings[finding.target] = finding
        if finding.refuses:
            self._refusing[finding.target] = finding
        else:
            self._refusing.pop(finding.target, None)

    @property
    def refused(self) -> tuple[Finding, ...]:
        """The ids that refuse rows: unknown, inactive, or a template without a flow."""
        return tuple(self._refusing.values())

    def problems_for(self, params: Mapping[str, Any]) -> tuple[Problem, ...]:
        """Why the row with these StartTaskContact parameters cannot be created; () when it may be sent."""
        if not self._refusing:  # the usual case, once per row: no dictionary work at all
            return ()
        return self._problems(targets_of(params))

    def _problems(self, targets: tuple[Target, ...]) -> tuple[Problem, ...]:
        with_flow = any(target.member == CONTACT_FLOW for target in targets)
        found: list[Problem] = []
        for target in targets:
            finding = self._refusing.get(target)
            if finding is not None:
                found.extend(finding.problems(with_flow=with_flow))
        return tuple(found)

    def refused_rows(self, ids: UsedIds) -> int:
        """How many of the rows counted in `ids` these findings refuse."""
        if not self._refusing:
            return 0
        return sum(count for targets, count in ids.uses.items() if self._problems(targets))

    def job_error(
        self, ids: UsedIds, column_for: Callable[[str], str | None] = lambda _field: None
    ) -> ConfigError | None:
        """The job error when every row counted in `ids` is refused (nothing would be created), else None.

        One line naming each refused id (the first few); `column_for` names the column behind a member,
        as in a row's invalid reason.
        """
        if not ids.rows or self.refused_rows(ids) < ids.rows:
            return None
        problems: dict[Problem, None] = {}
        for targets in ids.uses:
            problems.update(dict.fromkeys(self._problems(targets)))
        listed = list(problems)[:_LISTED]
        _code, reasons = describe_problems(tuple(listed), column_for)
        more = len(problems) - len(listed)
        tail = f"; and {more} more" if more else ""
        return ConfigError(f"nothing was sent, as no row can be created: {reasons}{tail}")
