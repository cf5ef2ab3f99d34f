"""The client factory: bulkload's configuration, and set-up errors that say what to fix."""

from __future__ import annotations

from pathlib import Path

import botocore.exceptions
import pytest

from bulkload.connect.client import ClientSettings, connect_client
from bulkload.emulator import Emulator
from bulkload.emulator.defaults import DEFAULT_FLOW_ID, DEFAULT_INSTANCE_ID
from bulkload.errors import ConfigError


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
