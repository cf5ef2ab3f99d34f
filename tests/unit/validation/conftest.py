"""The request validator every validation test uses, its clock pinned to NOW."""

from __future__ import annotations

import pytest

from bulkload.validation import RequestValidator
from tests.unit.validation.helpers import NOW


@pytest.fixture
def validator() -> RequestValidator:
    return RequestValidator(clock=lambda: NOW)
