"""Service errors as the rest-json wire carries them: a status, an `x-amzn-ErrorType` code, a JSON message.

botocore reads the code from the header and the message from the body's `Message`, so a stock client
raises `ClientError` with both, exactly as against the real service.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from aiohttp import web

INVALID_PARAMETER = "InvalidParameterException"
INVALID_REQUEST = "InvalidRequestException"
RESOURCE_NOT_FOUND = "ResourceNotFoundException"
THROTTLING = "ThrottlingException"
SERVICE_QUOTA_EXCEEDED = "ServiceQuotaExceededException"
INTERNAL_SERVICE = "InternalServiceException"
MISSING_AUTHENTICATION_TOKEN = "MissingAuthenticationTokenException"  # noqa: S105 - an error code, not a secret
INVALID_SIGNATURE = "InvalidSignatureException"
ACCESS_DENIED = "AccessDeniedException"

# code -> (HTTP status, the key `EmulatorState.counts` records it under)
_ERRORS: dict[str, tuple[int, str]] = {
    INVALID_PARAMETER: (400, "invalid_parameter"),
    INVALID_REQUEST: (400, "invalid_request"),
    RESOURCE_NOT_FOUND: (404, "not_found"),
    THROTTLING: (429, "throttled"),
    SERVICE_QUOTA_EXCEEDED: (402, "quota_exceeded"),
    INTERNAL_SERVICE: (500, "internal_error"),
    MISSING_AUTHENTICATION_TOKEN: (403, "unauthorized"),
    INVALID_SIGNATURE: (403, "unauthorized"),
    ACCESS_DENIED: (403, "unauthorized"),
}


class ServiceError(Exception):
    """A refusal the emulator answers with: `code` as Connect names it, its HTTP status and message."""

    def __init__(self, code: str, message: str) -> None:
        if code not in _ERRORS:
            raise ValueError(f"unknown service error code {code!r}")
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message

    @property
    def status(self) -> int:
        """The HTTP status the real service answers this code with."""
        return _ERRORS[self.code][0]

    @property
    def outcome(self) -> str:
        """The key this refusal is counted under in the emulator's stats."""
        return _ERRORS[self.code][1]


def request_id() -> str:
    """A fresh request ID; botocore surfaces it as ResponseMetadata.RequestId."""
    return str(uuid.uuid4())


def error_response(error: ServiceError) -> web.Response:
    """The HTTP response for `error` in the shape botocore's rest-json parser expects."""
    return web.Response(
        status=error.status,
        body=json.dumps({"Message": error.message}).encode(),
        content_type="application/json",
        headers={"x-amzn-ErrorType": error.code, "x-amzn-RequestId": request_id()},
    )


def success_response(contact_id: str) -> web.Response:
    """The 200 answer to StartTaskContact."""
    return json_response({"ContactId": contact_id})


def json_response(body: Mapping[str, Any]) -> web.Response:
    """A 200 answer carrying `body` as the operation's JSON output."""
    return web.Response(
        status=200,
        body=json.dumps(body).encode(),
        content_type="application/json",
        headers={"x-amzn-RequestId": request_id()},
    )
