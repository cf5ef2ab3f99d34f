"""The one place that decides what a failed call means (retried, refused, or the end of the job), and what a
failed client set-up means."""

from __future__ import annotations

import aiohttp
import botocore.exceptions
import pytest

from bulkload.connect.classify import (
    SETUP_ERRORS,
    ErrorKind,
    classify_error,
    contact_gone,
    credentials_error,
    setup_error,
    unreachable_error,
)
from bulkload.connect.model import ACTIVE_TASKS_MESSAGE, CHAIN_FULL_MESSAGE
from bulkload.errors import ConfigError, EndpointUnreachableError, JobError, ServiceAccessError


def _client_error(code: str, status: int, message: str = "m") -> botocore.exceptions.ClientError:
    response = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return botocore.exceptions.ClientError(response, "StartTaskContact")


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (_client_error("ThrottlingException", 429), ErrorKind.THROTTLED),
        (_client_error("SomethingNew", 429), ErrorKind.THROTTLED),
        (_client_error("InternalServiceException", 500), ErrorKind.RETRYABLE),
        (_client_error("ServiceUnavailable", 503), ErrorKind.RETRYABLE),
        (_client_error("ServiceQuotaExceededException", 402, ACTIVE_TASKS_MESSAGE), ErrorKind.RETRYABLE),
        (_client_error("ServiceQuotaExceededException", 402, CHAIN_FULL_MESSAGE), ErrorKind.REJECTED),
        (_client_error("InvalidParameterException", 400), ErrorKind.REJECTED),
        (_client_error("InvalidRequestException", 400), ErrorKind.REJECTED),
        (_client_error("ResourceNotFoundException", 404), ErrorKind.REJECTED),
        (_client_error("IdempotencyException", 409), ErrorKind.REJECTED),
        (_client_error("AccessDeniedException", 403), ErrorKind.FATAL),
        (_client_error("UnrecognizedClientException", 403), ErrorKind.FATAL),
        (_client_error("ExpiredTokenException", 400), ErrorKind.FATAL),
        (botocore.exceptions.NoCredentialsError(), ErrorKind.FATAL),
        (botocore.exceptions.ReadTimeoutError(endpoint_url="http://x"), ErrorKind.RETRYABLE),
        (botocore.exceptions.EndpointConnectionError(endpoint_url="http://x"), ErrorKind.RETRYABLE),
        (aiohttp.ServerDisconnectedError(), ErrorKind.RETRYABLE),
        (ConnectionResetError(104, "reset"), ErrorKind.RETRYABLE),
        (TimeoutError(), ErrorKind.RETRYABLE),
        (botocore.exceptions.ParamValidationError(report="bad\nparam"), ErrorKind.REJECTED),
    ],
)
def test_each_failure_is_retried_refused_or_stops_the_job(error: BaseException, kind: ErrorKind) -> None:
    classified = classify_error(error)
    assert classified.kind is kind
    assert classified.code
    assert "\n" not in classified.message


@pytest.mark.parametrize(
    "error",
    [
        botocore.exceptions.EndpointConnectionError(endpoint_url="http://x"),
        botocore.exceptions.ConnectTimeoutError(endpoint_url="http://x"),
        botocore.exceptions.ReadTimeoutError(endpoint_url="http://x"),
        aiohttp.ServerDisconnectedError(),
        ConnectionRefusedError(111, "refused"),
        TimeoutError(),
    ],
)
def test_connection_errors_and_timeouts_are_unanswered_calls(error: BaseException) -> None:
    classified = classify_error(error)
    assert classified.code in ("ConnectionError", "Timeout")
    assert classified.unanswered
    assert not classified.denied


def test_answers_of_the_service_are_not_unanswered() -> None:
    for code, status in (("InternalServiceException", 500), ("ThrottlingException", 429), ("X", 404)):
        assert not classify_error(_client_error(code, status)).unanswered
    assert classify_error(_client_error("AccessDeniedException", 403)).denied


def test_the_service_code_and_message_are_kept_for_the_results_file() -> None:
    classified = classify_error(_client_error("ResourceNotFoundException", 404, "Instance i-9 not found"))
    assert (classified.code, classified.message) == ("ResourceNotFoundException", "Instance i-9 not found")


# -- a client that cannot be created -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "raised", "message"),
    [
        (
            botocore.exceptions.ProfileNotFound(profile="nightly"),
            ConfigError,
            "AWS profile not found: 'nightly'",
        ),
        (botocore.exceptions.NoRegionError(), ConfigError, "no AWS region: pass --region"),
        (
            ValueError("Invalid endpoint: ftp://x"),
            ConfigError,
            "cannot use endpoint 'ftp://x': Invalid endpoint",
        ),
        (
            botocore.exceptions.UnknownServiceError(service_name="connect", known_service_names="s3"),
            ServiceAccessError,
            "cannot create the Connect client",
        ),
    ],
)
def test_a_set_up_failure_says_what_to_fix(error: Exception, raised: type[JobError], message: str) -> None:
    assert isinstance(error, SETUP_ERRORS)
    translated = setup_error(error, profile="nightly", endpoint_url="ftp://x")
    assert type(translated) is raised
    assert str(translated).startswith(message)


# -- credentials the service cannot use, an endpoint that never answers -----------------------------------


@pytest.mark.parametrize(
    ("error", "start"),
    [
        (
            botocore.exceptions.NoCredentialsError(),
            "AWS credentials are missing or incomplete (Unable to locate",
        ),
        (
            botocore.exceptions.PartialCredentialsError(provider="env", cred_var="AWS_SECRET_ACCESS_KEY"),
            "AWS credentials are missing or incomplete (Partial credentials found in env",
        ),
        (_client_error("ExpiredTokenException", 400, "expired"), "the AWS credentials have expired"),
        (
            _client_error("UnrecognizedClientException", 403, "invalid token"),
            "the service does not recognise the AWS credentials (UnrecognizedClientException: invalid token)",
        ),
        (
            _client_error("InvalidSignatureException", 403, "bad"),
            "the service refused the request's signature or credentials (InvalidSignatureException: bad)",
        ),
    ],
)
def test_credentials_errors_are_one_line_that_says_what_to_do(error: BaseException, start: str) -> None:
    translated = credentials_error(classify_error(error))
    assert isinstance(translated, ServiceAccessError)
    assert str(translated).startswith(start)
    assert "\n" not in str(translated)
    assert "--profile" in str(translated) or "aws sso login" in str(translated)


def test_an_unreachable_endpoint_is_named() -> None:
    error = classify_error(botocore.exceptions.EndpointConnectionError(endpoint_url="http://127.0.0.1:9"))
    translated = unreachable_error("http://127.0.0.1:9", error, within=30)
    assert isinstance(translated, EndpointUnreachableError)
    assert str(translated) == (
        "cannot reach http://127.0.0.1:9: no call was answered in 30 s (ConnectionError: Could not connect "
        'to the endpoint URL: "http://127.0.0.1:9"); check --endpoint-url, --region and the network'
    )


# -- a refused StopContact ---------------------------------------------------------------------------------

CONTACT = "6b1e0d7e-0000-4000-8000-00000000c0de"


@pytest.mark.parametrize(
    ("code", "message", "gone"),
    [
        ("InvalidRequestException", f"Contact {CONTACT} is not active: it has already ended", True),
        ("InvalidRequestException", "The contact has already been disconnected", True),
        ("InvalidRequestException", "This contact cannot be ended", False),
        ("InvalidRequestException", "The request is not valid", False),
        ("ContactNotFoundException", "The contact with the specified ID does not exist", True),
        ("ResourceNotFoundException", f"Contact {CONTACT} not found in instance i-1", True),
        ("ResourceNotFoundException", f"{CONTACT} not found", True),
        ("ResourceNotFoundException", "Instance i-1 not found", False),
        ("ResourceNotFoundException", "The specified resource was not found", False),
        ("InvalidParameterException", "contact id is not valid", False),
        ("AccessDeniedException", "not authorized", False),
    ],
)
def test_a_refused_stop_says_whether_the_contact_is_gone(code: str, message: str, gone: bool) -> None:
    error = classify_error(_client_error(code, 404 if "NotFound" in code else 400, message))
    assert contact_gone(error, CONTACT) is gone
