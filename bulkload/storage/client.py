"""The S3 client bulkload reads and writes objects with, and the one place where its errors are translated.

The client is botocore's blocking one: S3 is read by the file readers (csv, pyarrow, openpyxl), which run
in worker threads, and the asyncio parts hand their few calls to a thread as well. Credentials, Region
and endpoint come from the standard AWS chain, as for the Connect client. An explicit endpoint wins;
without one botocore itself applies `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL` and the profile's
`endpoint_url`, so none of that is repeated here.

Every botocore error becomes one line in bulkload's error tree: what the object's own problem is (a
missing key or bucket, a failed read) becomes the caller's error class, and what would stop every call
(credentials, permissions, an endpoint that cannot be reached) a ServiceAccessError.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final, TypeAlias

import botocore.exceptions
import botocore.session
from botocore.config import Config

from bulkload import __version__
from bulkload.errors import ConfigError, JobError, ServiceAccessError, profile_not_found
from bulkload.storage.loader import use_s3_loader
from bulkload.storage.url import S3Url

S3Client: TypeAlias = Any  # botocore publishes no types; this names what the Any stands for
ErrorClass: TypeAlias = type[JobError]

# Codes a conditional request fails with: its condition did not hold, or a concurrent conditional
# request on the same key won.
CONDITION_FAILED: Final = frozenset({"PreconditionFailed", "412", "ConditionalRequestConflict", "409"})
NOT_FOUND: Final = frozenset({"NoSuchKey", "NotFound", "404"})

_CREDENTIAL_CODES: Final = frozenset(
    {
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "ExpiredToken",
        "InvalidToken",
        "TokenRefreshRequired",
        "InvalidClientTokenId",
    }
)
_DENIED_CODES: Final = frozenset({"AccessDenied", "AllAccessDisabled", "403"})
# The IAM action an operation needs, for the message that names what the policy must allow.
_IAM_ACTION: Final = {
    "HeadObject": "s3:GetObject",
    "GetObject": "s3:GetObject",
    "PutObject": "s3:PutObject",
    "DeleteObject": "s3:DeleteObject",
    "ListObjectsV2": "s3:ListBucket",
    "HeadBucket": "s3:ListBucket",
}


@dataclass(frozen=True, kw_only=True)
class S3Settings:
    """How to reach S3: the standard AWS chain, with an endpoint of its own if one is given."""

    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None  # None: botocore's own (AWS_ENDPOINT_URL_S3, the profile, AWS)
    connect_timeout: float = 5.0
    read_timeout: float = 60.0
    max_attempts: int = 5  # botocore's standard retries: S3 reads and whole-object writes are idempotent
    max_connections: int = 10


def make_s3_client(settings: S3Settings | None = None) -> S3Client:
    """Create a botocore S3 client (thread-safe); a bad profile or endpoint is a ConfigError."""
    settings = settings or S3Settings()
    config = Config(
        retries={"mode": "standard", "total_max_attempts": settings.max_attempts},
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
        max_pool_connections=settings.max_connections,
        user_agent_extra=f"bulkload/{__version__}",
    )
    try:
        session = botocore.session.Session(profile=settings.profile)
        use_s3_loader(session)
        return session.create_client(
            "s3", region_name=settings.region, endpoint_url=settings.endpoint_url, config=config
        )
    except botocore.exceptions.ProfileNotFound as exc:
        raise profile_not_found(settings.profile) from exc
    except ValueError as exc:
        raise ConfigError(f"cannot use the S3 endpoint {settings.endpoint_url!r}: {exc}") from exc
    except botocore.exceptions.BotoCoreError as exc:
        raise ServiceAccessError(f"cannot create the S3 client: {_one_line(exc)}") from exc


def error_code(exc: BaseException | None) -> str:
    """The S3 error code of a failed call, or its HTTP status when S3 sent no body (HEAD); else ""."""
    if not isinstance(exc, botocore.exceptions.ClientError):
        return ""
    code = exc.response.get("Error", {}).get("Code")
    if code:
        return str(code)
    return str(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or "")


def s3_error(exc: Exception, url: S3Url, *, kind: ErrorClass) -> JobError:
    """Translate a botocore error about `url` into one line: `kind` for the object's own problem."""
    if isinstance(exc, JobError):
        return exc
    if isinstance(exc, botocore.exceptions.ClientError):
        code = error_code(exc) or "Unknown"
        operation = exc.operation_name
        detail = _one_line(exc.response.get("Error", {}).get("Message") or code)
        if code == "NoSuchBucket" or (operation == "HeadBucket" and code in NOT_FOUND):
            return kind(f"{url}: there is no bucket named {url.bucket}")
        if code in NOT_FOUND:
            return kind(f"{url}: no such object")
        if code in _CREDENTIAL_CODES:
            return ServiceAccessError(f"{url}: S3 refused the AWS credentials ({code}: {detail})")
        if code in _DENIED_CODES:
            action = _IAM_ACTION.get(operation, f"s3:{operation}")
            return ServiceAccessError(
                f"{url}: access denied: the credentials' IAM policy must allow {action} on it"
            )
        return kind(f"{url}: S3 {operation} failed: {code}: {detail}")
    if isinstance(exc, botocore.exceptions.NoCredentialsError | botocore.exceptions.PartialCredentialsError):
        return ServiceAccessError(
            f"{url}: no AWS credentials found: set them up as for the AWS CLI "
            "(environment, profile, or the role of the instance or container)"
        )
    if isinstance(exc, botocore.exceptions.EndpointConnectionError | botocore.exceptions.ConnectTimeoutError):
        return ServiceAccessError(f"{url}: cannot reach S3: {_one_line(exc)}")
    return kind(f"{url}: {_one_line(exc)}")


@contextlib.contextmanager
def s3_errors(url: S3Url, *, kind: ErrorClass) -> Iterator[None]:
    """`with s3_errors(url, kind=...):` raises every botocore error inside as `s3_error` translates it."""
    try:
        yield
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        raise s3_error(exc, url, kind=kind) from exc


def _one_line(value: object) -> str:
    return " ".join(str(value).split())
