"""The emulator's stand-in for SigV4: the shape of the Authorization header, never its cryptography.

Checking the shape catches what matters locally (an unsigned request, a client signing for the wrong
service); verifying the signature would only test botocore.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from bulkload.emulator.operations import START_TASK_CONTACT
from bulkload.emulator.wire import (
    ACCESS_DENIED,
    INVALID_SIGNATURE,
    MISSING_AUTHENTICATION_TOKEN,
    ServiceError,
)

SIGNING_NAME = "connect"

_SIGV4 = re.compile(
    r"AWS4-HMAC-SHA256\s+"
    r"Credential=(?P<key>[^/,\s]+)/(?P<date>\d{8})/(?P<region>[a-z0-9-]+)/(?P<service>[a-z0-9-]+)/aws4_request"
    r"\s*,\s*SignedHeaders=(?P<headers>[a-z0-9;-]+)"
    r"\s*,\s*Signature=(?P<signature>[0-9a-f]{64})\s*"
)


def check_authorization(
    headers: Mapping[str, str],
    denied_access_keys: Collection[str] = (),
    operation: str = START_TASK_CONTACT,
) -> str:
    """The region the request is signed for; ServiceError(403) unless its SigV4 header is scoped to Connect.

    A request signed with one of `denied_access_keys` is refused as a caller without permission for
    `operation` is.
    """
    header = headers.get("Authorization")
    if not header:
        raise ServiceError(MISSING_AUTHENTICATION_TOKEN, "Missing Authentication Token")
    match = _SIGV4.fullmatch(header)
    if match is None:
        raise ServiceError(
            INVALID_SIGNATURE,
            "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' "
            "in AWS4-HMAC-SHA256 format",
        )
    if match["service"] != SIGNING_NAME:
        raise ServiceError(
            INVALID_SIGNATURE, f"Credential should be scoped to correct service: '{SIGNING_NAME}'."
        )
    if "x-amz-date" not in match["headers"].split(";") or not headers.get("X-Amz-Date"):
        raise ServiceError(INVALID_SIGNATURE, "The request must sign the X-Amz-Date header")
    if match["key"] in denied_access_keys:
        # The real message names the caller's ARN; never echo the access key id itself.
        raise ServiceError(
            ACCESS_DENIED,
            f"User is not authorized to perform: connect:{operation} on the instance",
        )
    return match["region"]
