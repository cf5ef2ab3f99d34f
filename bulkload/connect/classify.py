"""The one place where botocore's and the transport's errors are translated into bulkload's terms.

A failed StartTaskContact attempt becomes a `ClassifiedError`, whose kind is the retry policy: throttles,
5xx, timeouts and dropped connections are retried with the same ClientToken (the task may already exist),
other refusals are the row's final outcome, and refused credentials or permissions stop the job. A failure
to create the client becomes a `JobError` that names what to fix. `contact_gone` reads a refused
StopContact: a contact that has already ended, or that the instance no longer has, needs no stopping.
"""

from __future__ import annotations

import asyncio
import enum
import re
from dataclasses import dataclass

import aiohttp
import botocore.exceptions

from bulkload.connect.model import CHAIN_FULL_MESSAGE
from bulkload.errors import ConfigError, JobError, ServiceAccessError


class ErrorKind(enum.Enum):
    """What the pool should do about a failed attempt."""

    THROTTLED = "throttled"  # retry after backoff, and slow the whole pool down
    RETRYABLE = "retryable"  # retry with the same ClientToken: the task may already exist
    REJECTED = "rejected"  # the service refused the request; retrying cannot help
    FATAL = "fatal"  # every call will fail the same way (credentials, permissions): stop the job


@dataclass(frozen=True, slots=True)
class ClassifiedError:
    """An attempt's failure as the pool and the results file see it."""

    kind: ErrorKind
    code: str
    message: str


_THROTTLE_CODES = frozenset(
    {"ThrottlingException", "TooManyRequestsException", "LimitExceededException", "Throttling", "SlowDown"}
)
_FATAL_CODES = frozenset(
    {
        "AccessDeniedException",
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
        return ClassifiedError(ErrorKind.FATAL, "NoCredentials", str(exc))
    if isinstance(exc, botocore.exceptions.ParamValidationError):
        return ClassifiedError(ErrorKind.REJECTED, "ParamValidation", str(exc).replace("\n", " "))
    if isinstance(exc, botocore.exceptions.ReadTimeoutError | asyncio.TimeoutError | TimeoutError):
        return ClassifiedError(ErrorKind.RETRYABLE, "Timeout", str(exc) or "the call timed out")
    if isinstance(exc, botocore.exceptions.HTTPClientError | aiohttp.ClientError | ConnectionError):
        # Dropped, reset or refused connections: the request may have been processed before the drop.
        return ClassifiedError(ErrorKind.RETRYABLE, "ConnectionError", str(exc) or type(exc).__name__)
    if isinstance(exc, OSError):
        return ClassifiedError(ErrorKind.RETRYABLE, "ConnectionError", str(exc) or type(exc).__name__)
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
        return ConfigError(f"AWS profile not found: {profile!r}")
    if isinstance(exc, botocore.exceptions.NoRegionError):
        return ConfigError("no AWS region: pass --region or set AWS_REGION (or a region in your profile)")
    if isinstance(exc, ValueError):
        return ConfigError(f"cannot use endpoint {endpoint_url!r}: {exc}")
    return ServiceAccessError(f"cannot create the Connect client: {exc}")
