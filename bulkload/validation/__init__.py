"""Validation: each request, then the file as a whole, so a row the service would refuse is never sent.

`RequestValidator` (request.py) runs the shape check (shapes.py) and the documented rules (rules.py);
`FileRules` (file_rules.py) sees what only the whole file shows; `describe_problems` (describe.py) turns
a row's problems into its error code and message.
"""

from __future__ import annotations

from bulkload.validation.describe import describe_problems
from bulkload.validation.file_rules import FileRules
from bulkload.validation.request import RequestValidator
from bulkload.validation.words import format_epoch

__all__ = ["FileRules", "RequestValidator", "describe_problems", "format_epoch"]
