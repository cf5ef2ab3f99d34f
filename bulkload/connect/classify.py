"""The one place where botocore's and the transport's errors are translated into bulkload's terms.

A failed StartTaskContact attempt becomes a `ClassifiedError`, whose kind is the retry policy: throttles,
5xx, timeouts and dropped connections are retried with the same ClientToken (the task may already exist),
other refusals are the row's final outcome, and refused credentials or permissions stop the job. A failure
to create the client, credentials the service does not accept, and an endpoint that never answers become
`JobError`s that name what to fix. `contact_gone` reads a refused StopContact: a contact that has already
ended, or that the instance no longer has, needs no stopping.
"""

from __future__ import annotations

import asyncio
import enum
import re
from dataclasses import dataclass

import aiohttp
import botocore.exceptions

from bulkload.connect.model import CHAIN_FULL_MESSAGE
from bulkload.errors import (
    ConfigError,
    EndpointUnreachableError,
    JobError,
    ServiceAccessError,
    profile_not_found,
)


class ErrorKind(enum.Enum):
    """What the pool should do about a failed attempt."""

    THROTTLED = "throttled"  # retry after backoff, and slow the whole pool down
    RETRYABLE = "retryable"  # retry with the same ClientToken: the task may already exist
    REJECTED = "rejected"  # the service refused the request; retrying cannot help
    FATAL = "fatal"  # every call will fail the same way (credentials, permissions): stop the job


# The codes of failures that are not answers of the service, and of the answers callers tell apart.
TIMEOUT = "Timeout"
CONNECTION_ERROR = "ConnectionError"
NO_CREDENTIALS = "NoCredentials"
ACCESS_DENIED = "AccessDeniedException"
RESOURCE_NOT_FOUND = "ResourceNotFoundException"


@dataclass(frozen=True, slots=True)
class ClassifiedError:
    """An attempt's failure as the pool and the results file see it."""

    kind: ErrorKind
    code: str
    message: str

    @property
    def unanswered(self) -> bool:
        """Whether no answer came from the service: the connection failed or the call timed out."""
        return self.code in (TIMEOUT, CONNECTION_ERROR)

    @property
    def denied(self) -> bool:
        """Whether the credentials are good but lack a permission for this operation."""
        return self.code == ACCESS_DENIED

    @property
    def unsent(self) -> bool:
        """Whether the request never left: there were no credentials to sign it with."""
        return self.code == NO_CREDENTIALS


_THROTTLE_CODES = frozenset(
    {"ThrottlingException", "TooManyRequestsException", "LimitExceededException", "Throttling", "SlowDown"}
)
_FATAL_CODES = frozenset(
    {
        ACCESS_DENIED,
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "MissingAuthenticationTokenException",
        "IncompleteSignature",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "SignatureDoesNotMatch",
    }
)


def classify_error(exc: BaseException) -> ClassifiedError:
    """Decide whether a failed StartTaskContact attempt is retried, refused, or stops the job."""
    if isinstance(exc, botocore.exceptions.ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code") or "Unknown")
        message = str(error.get("Message") or exc)
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        if code in _THROTTLE_CODES or status == 429:
            return ClassifiedError(ErrorKind.THROTTLED, code, message)
        if code in _FATAL_CODES or status == 403:
            return ClassifiedError(ErrorKind.FATAL, code, message)
        if code == "ServiceQuotaExceededException":
            # Two causes share the code: a full PreviousContactId chain is permanent, the active-task
            # quota clears as agents finish tasks. Only the message tells them apart.
            chain_full = CHAIN_FULL_MESSAGE in message or "previouscontactid" in message.lower()
            return ClassifiedError(ErrorKind.REJECTED if chain_full else ErrorKind.RETRYABLE, code, message)
        if code == "InternalServiceException" or status >= 500:
            return ClassifiedError(ErrorKind.RETRYABLE, code, message)
        return ClassifiedError(ErrorKind.REJECTED, code, message)
    if isinstance(exc, botocore.exceptions.NoCredentialsError | botocore.exceptions.PartialCredentialsError):
        return ClassifiedError(ErrorKind.FATAL, NO_CREDENTIALS, str(exc))
    if isinstance(exc, botocore.exceptions.ParamValidationError):
        return ClassifiedError(ErrorKind.REJECTED, "ParamValidation", str(exc).replace("\n", " "))
    if isinstance(exc, botocore.exceptions.ReadTimeoutError | asyncio.TimeoutError | TimeoutError):
        return ClassifiedError(ErrorKind.RETRYABLE, TIMEOUT, str(exc) or "the call timed out")
    if isinstance(
        exc,
        botocore.exceptions.HTTPClientError
        | botocore.exceptions.ConnectionError
        | aiohttp.ClientError
        | ConnectionError,
    ):
        # Dropped, reset or refused connections (botocore's EndpointConnectionError for a refused one):
        # the request may have been processed before a drop.
        return ClassifiedError(ErrorKind.RETRYABLE, CONNECTION_ERROR, str(exc) or type(exc).__name__)
    if isinstance(exc, OSError):
        return ClassifiedError(ErrorKind.RETRYABLE, CONNECTION_ERROR, str(exc) or type(exc).__name__)
    return ClassifiedError(ErrorKind.RETRYABLE, type(exc).__name__, str(exc))


# "Contact X is not active", "... has already ended": not "cannot be ended", which is another refusal.
_ENDED = re.compile(r"not active|(already|has|is|was) (been )?(ended|disconnected|completed)", re.IGNORECASE)


def contact_gone(error: ClassifiedError, contact_id: str) -> bool:
    """Whether a refused StopContact says the contact has already ended or does not exist.

    The codes are StopContact's documented ones; the messages tell them apart from other refusals that
    share a code. A ResourceNotFoundException counts only when it is about the contact: one about the
    instance (a wrong Region or account) would otherwise pass every row off as ended.
    """
    message = error.message.lower()
    if error.code == "ContactNotFoundException":
        return True
    if error.code == "InvalidRequestException":
        return _ENDED.search(message) is not None
    if error.code == "ResourceNotFoundException":
        return "contact" in message or contact_id.lower() in message
    return False


# What creating a client may raise: botocore's own errors, and ValueError for an endpoint it cannot use.
SETUP_ERRORS: tuple[type[Exception], ...] = (botocore.exceptions.BotoCoreError, ValueError)


def setup_error(exc: Exception, *, profile: str | None, endpoint_url: str | None) -> JobError:
    """The job error for a client that could not be created (`exc` is one of `SETUP_ERRORS`)."""
    if isinstance(exc, botocore.exceptions.ProfileNotFound):
        return profile_not_found(profile)
    if isinstance(exc, botocore.exceptions.NoRegionError):
        return ConfigError("no AWS region: pass --region or set AWS_REGION (or a region in your profile)")
    if isinstance(exc, ValueError):
        return ConfigError(f"cannot use endpoint {endpoint_url!r}: {exc}")
    return ServiceAccessError(f"cannot create the Connect client: {exc}")


_EXPIRED_CODES = frozenset({"ExpiredTokenException", "ExpiredToken", "RequestExpired"})
_UNKNOWN_KEY_CODES = frozenset({"UnrecognizedClientException", "InvalidClientTokenId"})


def credentials_error(error: ClassifiedError) -> ServiceAccessError:
    """The one-line job error for credentials that are missing or that the service does not accept.

    `error` is FATAL and not `denied`: a missing permission is the caller's to report per operation.
    """
    found = f"({error.code}: {error.message})"
    if error.code == NO_CREDENTIALS:
        return ServiceAccessError(
            f"AWS credentials are missing or incomplete ({error.message}): set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, or pass --profile with a profile from ~/.aws (or log in with "
            "`aws sso login`)"
        )
    if error.code in _EXPIRED_CODES:
        return ServiceAccessError(
            f"the AWS credentials have expired {found}: refresh them (e.g. `aws sso login`) and run again"
        )
    if error.code in _UNKNOWN_KEY_CODES:
        return ServiceAccessError(
            f"the service does not recognise the AWS credentials {found}: check AWS_ACCESS_KEY_ID or "
            "--profile, and that --region is the instance's region"
        )
    return ServiceAccessError(
        f"the service refused the request's signature or credentials {found}: check the secret key, "
        "--profile, --region and the system clock"
    )


def refused_error(error: ClassifiedError) -> ServiceAccessError:
    """The one-line job error for a StartTaskContact call refused for its credentials or permissions.

    `error` is FATAL: credentials that are missing or not accepted say so (`credentials_error`); a
    missing permission names the one the job needs.
    """
    if not error.denied:
        return credentials_error(error)
    return ServiceAccessError(
        f"the service refused the job's credentials or permissions ({error.code}: {error.message}); nothing "
        "more was sent. Check the credentials, --region, --profile and that the caller may call "
        "connect:StartTaskContact"
    )


def unreachable_error(
    endpoint_url: str | None, error: ClassifiedError, *, within: float | None = None
) -> EndpointUnreachableError:
    """The one-line job error for an endpoint that never answered (`error`, the last failure, is `unanswered`)."""
    where = endpoint_url or "the Connect endpoint"
    when = f" in {within:g} s" if within is not None else ""
    return EndpointUnreachableError(
        f"cannot reach {where}: no call was answered{when} ({error.code}: {error.message}); check "
        "--endpoint-url, --region and the network"
    )
