"""From parsed options to settings: each option lands in its typed setting, the CLI's defaults are the
library's, and `retry` rebuilds the job from the job file beside the results with its overrides on top."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import click
import pytest

from bulkload.cli.commands import retry, run, validate
from bulkload.cli.config import config_mapping
from bulkload.cli.settings import (
    OutputOptions,
    RetryOverrides,
    parse_map,
    retry_settings,
    run_settings,
    validate_settings,
)
from bulkload.connect.client import ClientSettings
from bulkload.errors import ConfigError, ResultsFileError
from bulkload.job import JobSettings
from bulkload.ledger.jobfile import write_job_file
from bulkload.ledger.memory_owner import MemoryInput
from bulkload.ledger.paths import job_file_path
from bulkload.mapping import MappingOptions
from bulkload.options import delimiter
from bulkload.pool import PoolSettings
from bulkload.source import SourceOptions

pytestmark = pytest.mark.usefixtures("cli_workdir")

EVERY_RUN_OPTION = [
    "in.csv",
    "--format",
    "csv",
    "--encoding",
    "cp1252",
    "--delimiter",
    "tab",
    "--instance-id",
    "instance-1",
    "--flow-id",
    "flow-1",
    "--map",
    "Name=Customer",
    "--ignore-column",
    "Notes",
    "--name-template",
    "Call {Customer}",
    "--description-template",
    "{Issue}",
    "--key",
    "Ticket",
    "--timezone",
    "Europe/Paris",
    "--results",
    "out.csv",
    "--job-id",
    "job-7",
    "--rate",
    "5",
    "--burst",
    "3",
    "--concurrency",
    "4",
    "--max-attempts",
    "2",
    "--no-adaptive",
    "--resend-edited",
    "--max-consecutive-rejects",
    "5",
    "--limit",
    "10",
    "--no-preflight",
    "--endpoint-url",
    "http://127.0.0.1:1",
    "--region",
    "eu-west-1",
    "--profile",
    "ops",
]

EVERY_RUN_SETTING = JobSettings(
    input=Path("in.csv"),
    results=Path("out.csv"),
    source=SourceOptions(format="csv", encoding="cp1252", delimiter="\t"),
    mapping=MappingOptions(
        instance_id="instance-1",
        flow_id="flow-1",
        column_map={"Name": "Customer"},
        ignore_columns=frozenset({"Notes"}),
        name_template="Call {Customer}",
        description_template="{Issue}",
        key_column="Ticket",
        timezone="Europe/Paris",
    ),
    pool=PoolSettings(
        rate=5.0, burst=3, concurrency=4, max_attempts=2, adaptive=False, max_consecutive_rejects=5
    ),
    client=ClientSettings(region="eu-west-1", profile="ops", endpoint_url="http://127.0.0.1:1"),
    job_id="job-7",
    resend_edited=True,
    limit=10,
    preflight=False,
)


def _parse(command: click.Command, args: list[str]) -> click.Context:
    """The context click makes for `bulkload COMMAND ARGS`: parsed parameters and the config file's defaults."""
    return command.make_context(command.name, list(args))  # click consumes the list it parses


def _run_settings(args: list[str]) -> JobSettings:
    ctx = _parse(run, args)
    return run_settings(ctx.params["input_path"], ctx.params, config_mapping(ctx))


def test_every_run_option_lands_in_its_setting() -> None:
    assert _run_settings(EVERY_RUN_OPTION) == EVERY_RUN_SETTING


def test_the_cli_defaults_are_the_library_defaults() -> None:
    assert _run_settings(["in.csv"]) == JobSettings(input=Path("in.csv"))
    ctx = _parse(validate, ["in.csv"])
    assert validate_settings(Path("in.csv"), ctx.params, config_mapping(ctx)) == JobSettings(
        input=Path("in.csv")
    )


def test_validate_takes_source_and_mapping_options_only() -> None:
    ctx = _parse(validate, ["in.xlsx", "--sheet", "2", "--template-id", "template-1", "--key", "Ticket"])
    settings = validate_settings(Path("in.xlsx"), ctx.params, config_mapping(ctx))
    assert settings == JobSettings(
        input=Path("in.xlsx"),
        source=SourceOptions(sheet="2"),
        mapping=MappingOptions(template_id="template-1", key_column="Ticket"),
    )


def test_validate_online_takes_where_the_service_is() -> None:
    args = ["in.csv", "--online", "--region", "eu-west-2", "--profile", "ops", "--endpoint-url", "http://x"]
    ctx = _parse(validate, args)
    assert ctx.params["online"]
    settings = validate_settings(Path("in.csv"), ctx.params, config_mapping(ctx))
    assert settings.client == ClientSettings(region="eu-west-2", profile="ops", endpoint_url="http://x")


def test_the_new_run_options_come_from_the_environment_and_the_config_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BULKLOAD_PREFLIGHT", "false")
    monkeypatch.setenv("BULKLOAD_LIMIT", "3")
    Path("bulkload.toml").write_text("max_consecutive_rejects = 0\nonline = true\n")
    settings = _run_settings(["in.csv"])
    assert (settings.preflight, settings.limit, settings.pool.max_consecutive_rejects) == (False, 3, 0)
    assert _parse(validate, ["in.csv"]).params["online"]


def test_a_map_option_replaces_its_field_in_the_config_mapping_table() -> None:
    Path("bulkload.toml").write_text('rate = 7\n[mapping]\nName = "Customer"\nDescription = "Issue"\n')
    settings = _run_settings(["in.csv", "--map", "Name=Client"])
    assert settings.mapping.column_map == {"Name": "Client", "Description": "Issue"}
    assert settings.pool.rate == 7.0


def test_map_values_must_be_field_equals_column_and_name_a_field_once() -> None:
    assert parse_map((" Name = Customer ", "Name=Customer"), None) == {"Name": "Customer"}
    with pytest.raises(click.BadParameter, match="'Name' is not FIELD=COLUMN"):
        parse_map(("Name",), None)
    with pytest.raises(click.BadParameter, match=r"Name is mapped twice \('A' and 'B'\); keep one"):
        parse_map(("Name=A", "Name=B"), {"Name": "C"})


def test_tab_may_be_spelled_out() -> None:
    assert [delimiter(v) for v in ("tab", "TAB", "\\t", ";", None)] == ["\t", "\t", "\t", ";", None]


def test_settings_the_library_refuses_raise_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown encoding 'nope'"):
        _run_settings(["in.csv", "--encoding", "nope"])
    params = {**_parse(run, ["in.csv"]).params, "rate": 0}
    with pytest.raises(ConfigError, match="rate must be above 0 requests per second"):
        run_settings(Path("in.csv"), params, None)


def test_output_options_are_typed_and_choose_the_display() -> None:
    args = ["in.csv", "--log-level", "debug", "--log-format", "json", "--summary-json", "s.json"]
    output = OutputOptions.from_params(_parse(run, [*args, "--progress-interval", "2"]).params)
    assert output == OutputOptions(
        log_level="debug",
        log_format="json",
        summary_json=Path("s.json"),
        progress="auto",
        progress_interval=2.0,
    )
    assert output.display(terminal=True) == "plain"  # a bar would garble JSON log lines
    default = OutputOptions.from_params(_parse(validate, ["in.csv"]).params)
    assert default == OutputOptions(
        log_level="warning", log_format="text", summary_json=None, progress="auto", progress_interval=10.0
    )
    assert default.display(terminal=True) == "bar"
    assert default.display(terminal=False) == "plain"
    assert dataclasses.replace(default, progress="none").display(terminal=True) == "none"
    assert dataclasses.replace(default, progress="bar").display(terminal=False) == "bar"


def _record(results: Path, settings: JobSettings) -> None:
    """The job file `bulkload run` writes beside `results` for `settings`."""
    assert isinstance(settings.input, Path)
    write_job_file(
        results,
        input_path=settings.input,
        fingerprint="fingerprint",
        job_id=settings.job_id or "job-1",
        options={
            "source": settings.source,
            "mapping": settings.mapping,
            "pool": settings.pool,
            "client": settings.client,
        },
    )


def test_retry_rebuilds_the_recorded_job() -> None:
    results = Path("out.csv").resolve()
    _record(results, EVERY_RUN_SETTING)
    overrides = RetryOverrides.from_params(_parse(retry, [str(results)]).params)
    assert overrides == RetryOverrides()
    assert retry_settings(results, overrides) == dataclasses.replace(
        EVERY_RUN_SETTING,
        input=Path("in.csv").resolve(),
        results=results,
        resend_edited=False,
        limit=None,  # --limit and --no-preflight are one run's choices, never recorded
        preflight=True,
    )


def test_retry_overrides_win_over_the_recorded_job() -> None:
    results = Path("out.csv").resolve()
    _record(results, EVERY_RUN_SETTING)
    args = [str(results), "--rate", "9", "--max-attempts", "3", "--region", "us-west-2", "--resend-edited"]
    overrides = RetryOverrides.from_params(_parse(retry, args).params)
    assert overrides == RetryOverrides(rate=9.0, max_attempts=3, region="us-west-2", resend_edited=True)
    settings = retry_settings(results, overrides)
    assert settings.pool == dataclasses.replace(EVERY_RUN_SETTING.pool, rate=9.0, max_attempts=3)
    assert settings.client == dataclasses.replace(EVERY_RUN_SETTING.client, region="us-west-2")
    assert settings.resend_edited
    assert settings.job_id == "job-7"
    more = [str(results), "--max-consecutive-rejects", "0", "--limit", "4", "--no-preflight"]
    settings = retry_settings(results, RetryOverrides.from_params(_parse(retry, more).params))
    assert (settings.pool.max_consecutive_rejects, settings.limit, settings.preflight) == (0, 4, False)


def test_retry_never_takes_credentials_from_the_job_file() -> None:
    results = Path("out.csv").resolve()
    client = ClientSettings(static_credentials=("key", "secret"))
    _record(results, JobSettings(input=Path("in.csv"), client=client))
    assert retry_settings(results, RetryOverrides()).client == ClientSettings()


def test_retry_without_a_job_file_says_what_is_missing() -> None:
    with pytest.raises(ResultsFileError, match=r"out\.csv\.job\.json is missing"):
        retry_settings(Path("out.csv"), RetryOverrides())


@pytest.mark.parametrize(
    ("part", "fields", "reason"),
    [
        ("mapping", {"column_map": ["Name"]}, "mapping.column_map is not a table of field -> column"),
        ("pool", {"speed": 3}, "unexpected keyword argument 'speed'"),
        ("pool", {"rate": 0}, "rate must be above 0 requests per second"),
        ("source", {"encoding": "nope"}, "unknown encoding 'nope'"),
    ],
)
def test_a_job_file_that_does_not_fit_is_a_config_error(
    part: str, fields: dict[str, object], reason: str
) -> None:
    results = Path("out.csv")
    _record(results, JobSettings(input=Path("in.csv")))
    path = job_file_path(results)
    body = json.loads(path.read_text(encoding="utf-8"))
    body["options"][part].update(fields)
    path.write_text(json.dumps(body), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        retry_settings(results, RetryOverrides())
    message = str(caught.value)
    assert message.startswith(
        f"the job file of {results} does not fit this version of bulkload, or was damaged: "
    )
    assert reason in message


def test_retry_of_an_emulator_run_needs_the_emulator_again() -> None:
    results = Path("my out.csv").resolve()
    client = ClientSettings(endpoint_url="http://127.0.0.1:41234", region="us-east-1", emulator=True)
    _record(results, JobSettings(input=Path("in.csv"), client=client))
    with pytest.raises(ConfigError) as caught:
        retry_settings(results, RetryOverrides())
    assert str(caught.value) == (
        f"this job ran against the built-in emulator; run `bulkload retry '{results}' --emulator`"
    )
    overrides = RetryOverrides.from_params(_parse(retry, [str(results), "--emulator"]).params)
    assert overrides == RetryOverrides(emulator=True)
    assert retry_settings(results, overrides).client.emulator
    # Another endpoint given: the emulator of that run is not what it reaches.
    moved = retry_settings(results, RetryOverrides(endpoint_url="http://127.0.0.1:8800"))
    assert (moved.client.endpoint_url, moved.client.emulator) == ("http://127.0.0.1:8800", False)


def test_retry_refuses_the_results_of_data_in_memory() -> None:
    results = Path("out.csv")
    write_job_file(
        results,
        input_path=None,
        memory=MemoryInput("dataframe", ("Name",), 3),
        fingerprint="",
        job_id="job-1",
        options={},
    )
    with pytest.raises(ConfigError, match=r"loaded from Python \(a DataFrame of 3 rows x 1 columns\)"):
        retry_settings(results, RetryOverrides())
