"""The emulator's check of the SigV4 Authorization header."""

from __future__ import annotations

import pytest

from bulkload.emulator import ServiceError
from bulkload.emulator.auth import check_authorization

SIGNATURE = "0123456789abcdef" * 4
SIGNED = {
    "Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/connect/aws4_request, "
    f"SignedHeaders=host;x-amz-date, Signature={SIGNATURE}",
    "X-Amz-Date": "20240101T000000Z",
}


def test_authorization_accepts_a_connect_sigv4_header_and_gives_its_region() -> None:
    region = check_authorization(
        {
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20240101/eu-west-2/connect/aws4_request, "
            f"SignedHeaders=content-type;host;x-amz-date, Signature={SIGNATURE}",
            "X-Amz-Date": "20240101T000000Z",
        }
    )

    assert region == "eu-west-2"


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "MissingAuthenticationTokenException"),
        ({"Authorization": "AWS4-HMAC-SHA256 Credential=AKID"}, "InvalidSignatureException"),
        (
            {
                "Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/connect/aws4_request, "
                f"SignedHeaders=host, Signature={SIGNATURE}",
                "X-Amz-Date": "20240101T000000Z",
            },
            "InvalidSignatureException",
        ),
    ],
    ids=["missing", "malformed", "date-not-signed"],
)
def test_authorization_refusals(headers: dict[str, str], code: str) -> None:
    with pytest.raises(ServiceError) as info:
        check_authorization(headers)

    assert (info.value.code, info.value.status) == (code, 403)


@pytest.mark.parametrize("operation", ["StartTaskContact", "StopContact", "DescribeInstance"])
def test_a_denied_key_is_refused_naming_the_operation(operation: str) -> None:
    with pytest.raises(ServiceError) as info:
        check_authorization(SIGNED, ("AKID",), operation)

    assert (info.value.code, info.value.status) == ("AccessDeniedException", 403)
    assert info.value.message == f"User is not authorized to perform: connect:{operation} on the instance"
    assert check_authorization(SIGNED, ("OTHER",), operation) == "us-east-1"
