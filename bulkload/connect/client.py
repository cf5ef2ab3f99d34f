"""The client factory: an aioboto3 Connect client configured for bulkload.

botocore's own retries are switched off (`total_max_attempts=1`): tenacity in `pool` owns every retry,
so each attempt is counted, rate limited and sent with the row's own ClientToken.

botocore's client-side parameter validation is switched off too (`parameter_validation=False`): every
request has already been checked by `validation.RequestValidator`, which runs botocore's own
`ParamValidator` against the same input shape (and more: both ends of every length, the documented
rules), in the worker thread. Checking it again would cost event-loop time on every call. The service
still validates every request.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aioboto3
from botocore.config import Config

from bulkload import __version__
from bulkload.connect.classify import SETUP_ERRORS, setup_error


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
    # The calls go to a built-in emulator started for this job: recorded, so that a retry starts one too.
    emulator: bool = False


@contextlib.asynccontextmanager
async def connect_client(settings: ClientSettings) -> AsyncIterator[Any]:
    """Open an aioboto3 Connect client configured for bulkload; translate set-up errors to JobErrors."""
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
    except SETUP_ERRORS as exc:
        raise setup_error(exc, profile=settings.profile, endpoint_url=settings.endpoint_url) from exc
    try:
        yield client
    finally:
        await client_cm.__aexit__(None, None, None)
