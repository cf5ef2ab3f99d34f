"""Local validation of one StartTaskContact request, so a row the service would refuse is never sent.

Two layers, both reporting every problem rather than the first: the shapes in botocore's model (`shapes`)
and the documented rules the model does not express (`rules`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from bulkload.connect import model
from bulkload.records import Problem
from bulkload.validation.rules import (
    attribute_problems,
    contact_link_problems,
    reference_problems,
    routing_problems,
    schedule_problem,
)
from bulkload.validation.shapes import ShapeChecker

__all__ = ["RequestValidator"]


class RequestValidator:
    """Checks one request against the model and the documented rules; stateless, so safe to share."""

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        """`clock` gives the current epoch time for the ScheduledTime window; tests pin it."""
        self._clock = clock
        self._shapes = ShapeChecker()
        self._max_ahead = model.SCHEDULE_MAX_AHEAD_SECONDS

    def validate(self, params: Mapping[str, Any]) -> tuple[Problem, ...]:
        """Every problem with `params`, in member order; empty when the request may be sent."""
        problems = self._shapes.problems(params)
        problems.extend(routing_problems(params))
        problems.extend(contact_link_problems(params))
        attributes = params.get("Attributes")
        if attributes and isinstance(attributes, Mapping):
            problems.extend(attribute_problems(attributes))
        references = params.get("References")
        if references and isinstance(references, Mapping):
            problems.extend(reference_problems(references))
        scheduled = params.get("ScheduledTime")
        if scheduled is not None:
            problem = schedule_problem(scheduled, self._clock(), self._max_ahead)
            if problem is not None:
                problems.append(problem)
        return tuple(problems)
