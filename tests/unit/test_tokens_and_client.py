"""ClientTokens that never change by accident, and the one place that decides what a failed call means."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import aiohttp
import botocore.exceptions
import botocore.session
import pytest

from bulkload.connect.client import ClientSettings, ErrorKind, classify_error, connect_client
from bulkload.connect.model import ACTIVE_TASKS_MESSAGE, CHAIN_FULL_MESSAGE
from bulkload.emulator import Emulator
from bulkload.emulator.defaults import DEFAULT_FLOW_ID, DEFAULT_INSTANCE_ID
from bulkload.errors import ConfigError
from bulkload.tokens import client_token, derive_job_id, request_hash

REQUEST = {"InstanceId": "i-1", "ContactFlowId": "f-1", "Name": "Call Ada", "Attributes": {"tier": "gold"}}

# -- tokens ----------------------------------------------------------------------------------------------------


def test_the_request_hash_ignores_the_token_and_the_order_of_keys() -> None:
    reordered = {
        "Attributes": {"tier": "gold"},
        "Name": "Call Ada",
        "ContactFlowId": "f-1",
        "InstanceId": "i-1",
    }
    assert request_hash(REQUEST) == request_hash(reordered)
    assert request_hash(REQUEST) == request_hash({**REQUEST, "ClientToken": "anything"})
    assert request_hash(REQUEST) != request_hash({**REQUEST, "Name": "Call Ada "})
    assert request_hash(REQUEST) != request_hash({**REQUEST, "Attributes": {"tier": "silver"}})


def test_a_token_depends_on_the_job_the_key_and_the_request_and_on_nothing_else() -> None:
    h = request_hash(REQUEST)
    token = client_token("job-1", "T-1", h)
    assert token == client_token("job-1", "T-1", h)
    assert len({token, client_token("job-2", "T-1", h), client_token("job-1", "T-2", h)}) == 3
    assert token != client_token("job-1", "T-1", request_hash({**REQUEST, "Name": "Call Bob"}))
    # Framing: the parts cannot run into each other.
    assert client_token("a", "b|c", h) != client_token("a|b", "c", h)


def test_a_token_is_the_same_in_another_process() -> None:
    """No per-process salt (Python's hash()), time or randomness: a re-run tomorrow sends the same token."""
    code = (
        "from bulkload.tokens import client_token, request_hash;"
        f"print(client_token('job-1', 'T-1', request_hash({REQUEST!r})))"
    )
    other = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={"PYTHONHASHSEED": "7"}
    )
    assert other.stdout.strip() == client_token("job-1", "T-1", request_hash(REQUEST))


def test_a_token_fits_the_service_model() -> None:
    model = botocore.session.get_session().get_service_model("connect")
    shape = model.operation_model("StartTaskContact").input_shape.members["ClientToken"]
    token = client_token("job-" + "f" * 16, "k" * 5000, request_hash(REQUEST))
    assert len(token) <= shape.metadata["max"]
    assert token.isascii()
    assert derive_job_id("0123456789abcdef0123") == "job-0123456789abcdef"


# -- what a failed call means --------------------------------------------------------------------------------


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


def test_the_service_code_and_message_are_kept_for_the_results_file() -> None:
    classified = classify_error(_client_error("ResourceNotFoundException", 404, "Instance i-9 not found"))
    assert (classified.code, classified.message) == ("ResourceNotFoundException", "Instance i-9 not found")


# -- setting up the client -------------------------------------------------------------------------------


@pytest.fixture
def no_aws_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))


@pytest.mark.usefixtures("no_aws_config")
async def test_an_unknown_profile_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="AWS profile not found: 'nightly'"):
        async with connect_client(ClientSettings(profile="nightly", region="eu-west-2")):
            pass


@pytest.mark.usefixtures("no_aws_config")
async def test_no_region_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="--region"):
        async with connect_client(ClientSettings(static_credentials=("a", "b"))):
            pass


@pytest.mark.usefixtures("no_aws_config")
async def test_a_profile_from_the_config_file_gives_the_region(tmp_path: Path) -> None:
    (tmp_path / "config").write_text("[profile nightly]\nregion = eu-west-2\n")
    (tmp_path / "credentials").write_text("[nightly]\naws_access_key_id = AKIAX\naws_secret_access_key = s\n")
    async with connect_client(ClientSettings(profile="nightly")) as client:
        assert client.meta.region_name == "eu-west-2"
        assert client.meta.config.retries["total_max_attempts"] == 1  # tenacity owns every retry
        assert "bulkload/" in client.meta.config.user_agent_extra


async def test_the_client_leaves_validation_to_bulkload_and_the_service(emulator: Emulator) -> None:
    """RequestValidator checks every request before it is sent; botocore does not check it again."""
    settings = ClientSettings(
        endpoint_url=emulator.endpoint_url, region="us-east-1", static_credentials=("a", "b")
    )
    async with connect_client(settings) as client:
        with pytest.raises(botocore.exceptions.ClientError) as refused:
            # No Name: botocore's own validator would raise ParamValidationError here, before sending.
            await client.start_task_contact(
                InstanceId=DEFAULT_INSTANCE_ID, ContactFlowId=DEFAULT_FLOW_ID, ClientToken="t-1"
            )
    # The service's answer, not botocore's ParamValidationError raised before sending.
    assert refused.value.response["Error"]["Code"] in {"InvalidParameterException", "InvalidRequestException"}
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
