"""The aioboto3 Connect client and the one place where its errors are classified.

botocore's own retries are switched off (`total_max_attempts=1`): tenacity in `pool` owns every retry,
so each attempt is counted, rate limited and sent with the row's own ClientToken.

botocore's client-side parameter validation is switched off too (`parameter_validation=False`): every
request has already been checked by `validation.RequestValidator`, which runs botocore's own
`ParamValidator` against the same input shape (and more: both ends of every length, the documented
rules), in the worker thread. Checking it again on the event loop cost some 40 us per call, a quarter of
bulkload's own cost per row. The service still validates every request.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aioboto3
import aiohttp
import botocore.exceptions
from botocore.config import Config

from bulkload import __version__
from bulkload.connect.model import CHAIN_FULL_MESSAGE
from bulkload.errors import ConfigError, ServiceAccessError


@dataclass(frozen=True, kw_only=True)
class ClientSettings:
    """How to reach the service: the standard AWS credential chain unless static keys are given."""

    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    max_connections: int = 50
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    # Only for the built-in emulator, which checks that requests are signed but not by whom.
    static_credentials: tuple[str, str] | None = None


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


@contextlib.asynccontextmanager
async def connect_client(settings: ClientSettings) -> AsyncIterator[Any]:
    """Open an aioboto3 Connect client configured for bulkload; translate set-up errors to ConfigError."""
    config = Config(
        retries={"total_max_attempts": 1, "mode": "standard"},
        parameter_validation=False,  # done once already, before sending (see the module docstring)
        max_pool_connections=settings.max_connections,
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
        user_agent_extra=f"bulkload/{__version__}",
    )
    session_kwargs: dict[str, Any] = {}
    if settings.static_credentials is not None:
        session_kwargs["aws_access_key_id"], session_kwargs["aws_secret_access_key"] = (
            settings.static_credentials
        )
    try:
        session = aioboto3.Session(
            profile_name=settings.profile, region_name=settings.region, **session_kwargs
        )
        client_cm = session.client("connect", endpoint_url=settings.endpoint_url, config=config)
        client = await client_cm.__aenter__()
    except botocore.exceptions.ProfileNotFound as exc:
        raise ConfigError(f"AWS profile not found: {settings.profile!r}") from exc
    except botocore.exceptions.NoRegionError as exc:
        raise ConfigError(
            "no AWS region: pass --region or set AWS_REGION (or a region in your profile)"
        ) from exc
    except ValueError as exc:
        raise ConfigError(f"cannot use endpoint {settings.endpoint_url!r}: {exc}") from exc
    except botocore.exceptions.BotoCoreError as exc:
        raise ServiceAccessError(f"cannot create the Connect client: {exc}") from exc
    try:
        yield client
    finally:
        await client_cm.__aexit__(None, None, None)
