"""The one place where S3 errors become bulkload errors: the caller's class for the object's own
problem, ServiceAccessError for what would stop every call; always one line naming the object."""

from __future__ import annotations

from typing import Any

import botocore.exceptions
import pytest

from bulkload.errors import ConfigError, ResultsFileError, ServiceAccessError, UnreadableFileError
from bulkload.storage.client import S3Settings, error_code, make_s3_client, s3_error, s3_errors
from bulkload.storage.url import S3Url

URL = S3Url("bucket", "jobs/tasks.csv")


def client_error(code: str, operation: str = "GetObject", status: int = 400, message: str = "m") -> Any:
    error = {"Code": code, "Message": message} if code else {}
    response = {"Error": error, "ResponseMetadata": {"HTTPStatusCode": status}}
    return botocore.exceptions.ClientError(response, operation)


def test_a_missing_bucket_or_key_is_the_callers_error() -> None:
    missing_bucket = s3_error(client_error("NoSuchBucket"), URL, kind=UnreadableFileError)
    assert isinstance(missing_bucket, UnreadableFileError)
    assert str(missing_bucket) == "s3://bucket/jobs/tasks.csv: there is no bucket named bucket"
    missing_key = s3_error(client_error("NoSuchKey"), URL, kind=ResultsFileError)
    assert isinstance(missing_key, ResultsFileError)
    assert str(missing_key) == "s3://bucket/jobs/tasks.csv: no such object"
    # HEAD gets no body: only the status tells.
    assert str(s3_error(client_error("", "HeadObject", 404), URL, kind=ResultsFileError)).endswith(
        "no such object"
    )


def test_access_denied_names_the_iam_action_the_policy_must_allow() -> None:
    error = s3_error(client_error("AccessDenied", "HeadObject", 403), URL, kind=UnreadableFileError)
    assert isinstance(error, ServiceAccessError)
    assert str(error) == (
        "s3://bucket/jobs/tasks.csv: access denied: the credentials' IAM policy must allow s3:GetObject on it"
    )
    put = s3_error(client_error("AccessDenied", "PutObject", 403), URL, kind=ResultsFileError)
    assert "s3:PutObject" in str(put)


def test_refused_credentials_stop_every_call() -> None:
    error = s3_error(
        client_error("InvalidAccessKeyId", message="The key\nis wrong"), URL, kind=ResultsFileError
    )
    assert isinstance(error, ServiceAccessError)
    assert (
        str(error)
        == "s3://bucket/jobs/tasks.csv: S3 refused the AWS credentials (InvalidAccessKeyId: The key is wrong)"
    )


def test_other_failures_name_the_operation_and_the_code() -> None:
    error = s3_error(
        client_error("SlowDown", "GetObject", 503, "Reduce your\nrate"), URL, kind=UnreadableFileError
    )
    assert isinstance(error, UnreadableFileError)
    assert str(error) == "s3://bucket/jobs/tasks.csv: S3 GetObject failed: SlowDown: Reduce your rate"


def test_missing_credentials_and_unreachable_endpoints_are_service_access_errors() -> None:
    no_credentials = s3_error(botocore.exceptions.NoCredentialsError(), URL, kind=ResultsFileError)
    assert isinstance(no_credentials, ServiceAccessError)
    assert "no AWS credentials found" in str(no_credentials)
    unreachable = s3_error(
        botocore.exceptions.EndpointConnectionError(endpoint_url="http://127.0.0.1:9"),
        URL,
        kind=ResultsFileError,
    )
    assert isinstance(unreachable, ServiceAccessError)
    assert str(unreachable) == (
        's3://bucket/jobs/tasks.csv: cannot reach S3: Could not connect to the endpoint URL: "http://127.0.0.1:9"'
    )


def test_s3_errors_translates_inside_and_keeps_the_cause() -> None:
    cause = client_error("NoSuchKey")
    with pytest.raises(ResultsFileError) as caught, s3_errors(URL, kind=ResultsFileError):
        raise cause
    assert caught.value.__cause__ is cause
    assert error_code(caught.value.__cause__) == "NoSuchKey"
    assert error_code(ValueError()) == ""


def test_a_bad_profile_or_endpoint_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="AWS profile not found: 'nobody'"):
        make_s3_client(S3Settings(profile="nobody"))
    with pytest.raises(ConfigError, match="cannot use the S3 endpoint 'not a url'"):
        make_s3_client(S3Settings(endpoint_url="not a url"))
