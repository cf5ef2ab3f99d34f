"""The operator's view: a bar and a table at a terminal, plain lines and JSON in a pipe, and every
option of every command from the config file, from the environment and from the command line, in that
order of precedence.
"""

from __future__ import annotations

import json
import os
import pty
import select
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from bulkload.cli import cli
from bulkload.ledger import read_outcomes
from tests.integration.helpers import simple_rows, write_csv

pytestmark = pytest.mark.usefixtures("cli_workdir")

COMMANDS = ("run", "validate", "retry")
NOT_SETTINGS = {"config", "input_path", "results"}  # `results` is retry's argument; run's option is kept


def _child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BULKLOAD_")}
    env.pop("NO_COLOR", None)
    env.update(extra)
    return env


# -- at a terminal and in a pipe ---------------------------------------------------------------------------


def _in_a_pipe(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run `python -m bulkload ARGS` as cron would: no terminal anywhere, stdin closed, output captured."""
    return subprocess.run(
        [sys.executable, "-m", "bulkload", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _run_in_pty(args: list[str], cwd: Path, timeout: float = 60) -> tuple[int, str]:
    """Run `python -m bulkload ARGS` with a pseudo-terminal as stdin, stdout and stderr."""
    master, slave = pty.openpty()
    env = _child_env(TERM="xterm-256color", COLUMNS="200", LINES="50")
    process = subprocess.Popen(
        [sys.executable, "-m", "bulkload", *args], stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=env
    )
    os.close(slave)
    output = bytearray()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal (EIO on Linux)
                break
            if not chunk:
                break
            output += chunk
        code = process.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        os.close(master)
        if process.poll() is None:
            process.kill()
    return code, output.decode("utf-8", "replace")


def test_at_a_terminal_a_progress_bar_then_a_summary_table(tmp_path: Path) -> None:
    write_csv(tmp_path / "tasks.csv", simple_rows(40))
    args = ["run", "tasks.csv", "--emulator", "--rate", "20", "--burst", "5", "--summary-json", "s.json"]
    code, screen = _run_in_pty(args, tmp_path)

    assert code == 0, screen
    assert "Traceback" not in screen
    # The live bar: redrawn in place, the bar glyph, rows done of the total known up front, an ETA, counts.
    assert "\r" in screen
    assert "\x1b[" in screen
    assert "━" in screen
    assert "/40" in screen
    assert "40/40" in screen
    assert "eta" in screen
    assert "rate " in screen
    assert "of 20/s" in screen
    assert "created 40, invalid 0, rejected 0, failed 0, retrying 0, throttled 0" in screen
    # The summary: the heading with the elapsed time, a table of outcomes, the request rate, latencies.
    assert "run: tasks.csv (40 rows) in " in screen
    assert "┃" in screen
    assert "│ created  │   40 │" in screen
    assert "latency p50" in screen
    assert "results: tasks.results.csv" in screen
    assert json.loads((tmp_path / "s.json").read_text())["counts"] == {"created": 40}


def test_in_a_pipe_plain_progress_lines_and_the_json_summary(tmp_path: Path) -> None:
    rows = simple_rows(40)
    rows[7]["Name"] = ""
    write_csv(tmp_path / "tasks.csv", rows)
    args = ["run", "tasks.csv", "--emulator", "--rate", "20", "--burst", "5", "--progress-interval", "0.5"]
    # As cron runs it: no terminal, no TERM, stdin closed, the summary path from the environment.
    env = _child_env(BULKLOAD_SUMMARY_JSON="summary.json")
    env.pop("TERM", None)
    done = _in_a_pipe([*args], tmp_path, env)

    assert done.returncode == 1, done.stderr
    assert "\x1b" not in done.stdout + done.stderr  # no colours, no cursor movement
    progress = [line for line in done.stderr.splitlines() if " progress: " in line]
    assert len(progress) >= 2, done.stderr
    assert "/40 rows (created " in progress[0]
    assert "rate " in progress[0]
    assert "run: tasks.csv (40 rows) in " in done.stdout
    assert "outcomes: created 39, invalid 1, rejected 0, failed 0" in done.stdout
    assert "to re-run the rows not created: bulkload retry tasks.results.csv" in done.stdout
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["exit_code"] == 1
    assert summary["counts"] == {"created": 39, "invalid": 1}
    assert summary["top_errors"][0]["rows"] == [8]
    assert summary["retry_command"] == "bulkload retry tasks.results.csv --emulator"
    assert summary["emulator"] is True

    # The command the summary gives is the one to run, as given, once the row is fixed.
    rows[7]["Name"] = "Fixed"
    write_csv(tmp_path / "tasks.csv", rows)
    program, *args = shlex.split(summary["retry_command"])
    assert program == "bulkload"
    again = _in_a_pipe([*args, "--progress", "none"], tmp_path, env)
    assert again.returncode == 0, again.stderr
    assert "sent 1 row this run, 39 created earlier" in again.stdout


def test_json_logs_make_every_line_machine_readable(tmp_path: Path) -> None:
    write_csv(tmp_path / "tasks.csv", simple_rows(20))
    args = ["run", "tasks.csv", "--emulator", "--rate", "20", "--progress-interval", "0.3"]
    done = _in_a_pipe([*args, "--log-format", "json", "--log-level", "info"], tmp_path, _child_env())

    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stderr.splitlines() if line.strip()]
    assert any(r.get("event") == "progress" for r in records), done.stderr


# -- every option from every source --------------------------------------------------------------------------


def _options(command: str) -> list[click.Option]:
    params = cli.commands[command].params
    return [p for p in params if isinstance(p, click.Option) and p.name not in NOT_SETTINGS]


def _values(option: click.Option) -> tuple[Any, Any]:
    """Two different values for OPTION, neither its default where the type allows (Python values)."""
    name = option.name or ""
    if option.is_flag:
        default = bool(option.default)
        return default, not default
    if option.multiple:
        if name == "column_map":
            return ("Name=Customer",), ("Name=Who", "Description=What")
        return ("Notes",), ("Notes", "Internal")
    if isinstance(option.type, click.Choice):
        others = [c for c in option.type.choices if c != option.default]
        return (others[0], others[-1]) if len(others) > 1 else (option.default, others[0])
    if isinstance(option.type, click.types.FloatParamType):
        return 3.5, 7.25
    if isinstance(option.type, click.types.IntParamType):
        return 3, 7
    if isinstance(option.type, click.Path):
        return Path(f"{name}-a.out"), Path(f"{name}-b.out")
    return f"{name}-a", f"{name}-b"


def _toml(value: Any) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, Path):
        value = str(value)
    return json.dumps(value)  # a TOML value for strings, numbers and booleans alike


def _env_value(value: Any) -> str:
    if isinstance(value, tuple):
        return ";".join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _cli_args(option: click.Option, value: Any) -> list[str]:
    long = next(o for o in option.opts if o.startswith("--"))
    if option.is_flag:
        if value:  # a boolean switch: --name sets it, --no-name (where there is one) clears it
            return [long]
        return [next(o for o in option.secondary_opts if o.startswith("--"))]
    if isinstance(value, tuple):
        return [arg for v in value for arg in (long, v)]
    return [long, str(value)]


def _config_key(option: click.Option) -> str:
    """The key a user writes: the long option as typed, without its dashes."""
    return next(o for o in option.opts if o.startswith("--"))[2:].replace("-", "_")


class Captured:
    """Replaces a command's body: records the values click resolved and does nothing else."""

    def __init__(self) -> None:
        self.params: dict[str, Any] = {}

    def __call__(self, **params: Any) -> None:
        self.params = params


def _resolve(
    command: str,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    config: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
) -> dict[str, Any]:
    captured = Captured()
    monkeypatch.setattr(cli.commands[command], "callback", captured)
    if config is not None:
        Path("bulkload.toml").write_text("".join(f"{k} = {v}\n" for k, v in config.items()))
    target = "tasks.results.csv" if command == "retry" else "tasks.csv"
    result: Result = CliRunner().invoke(cli, [command, target, *args], env=env or {}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    Path("bulkload.toml").unlink(missing_ok=True)
    return captured.params


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_has_help_an_environment_variable_and_a_config_key(command: str) -> None:
    options = _options(command)
    assert len(options) >= 10
    for option in options:
        assert len(option.help or "") > 10, option.name
        assert option.envvar == "BULKLOAD_" + _config_key(option).upper(), option.name


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_comes_from_the_config_file(command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    options = _options(command)
    chosen = {o.name: _values(o)[1] for o in options}
    config = {_config_key(o): _toml(chosen[o.name]) for o in options}

    resolved = _resolve(command, monkeypatch, [], config=config)

    for option in options:
        assert resolved[option.name] == chosen[option.name], option.name


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_comes_from_the_environment(command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    options = _options(command)
    chosen = {o.name: _values(o)[1] for o in options}
    env = {str(o.envvar): _env_value(chosen[o.name]) for o in options}

    resolved = _resolve(command, monkeypatch, [], env=env)

    for option in options:
        assert resolved[option.name] == chosen[option.name], option.name


@pytest.mark.parametrize("command", COMMANDS)
def test_environment_beats_the_file_and_the_command_line_beats_both(
    command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = _options(command)
    first = {o.name: _values(o)[0] for o in options}
    second = {o.name: _values(o)[1] for o in options}

    # File says `second`, environment says `first`: the environment wins.
    config = {_config_key(o): _toml(second[o.name]) for o in options}
    env = {str(o.envvar): _env_value(first[o.name]) for o in options}
    resolved = _resolve(command, monkeypatch, [], config=config, env=env)
    for option in options:
        assert resolved[option.name] == first[option.name], option.name

    # File and environment say `first`, the command line says `second`: the command line wins.
    config = {_config_key(o): _toml(first[o.name]) for o in options}
    args = [arg for o in options for arg in _cli_args(o, second[o.name])]
    resolved = _resolve(command, monkeypatch, args, config=config, env=env)
    for option in options:
        assert resolved[option.name] == second[option.name], option.name


def test_parameter_names_are_accepted_as_config_keys_too(monkeypatch: pytest.MonkeyPatch) -> None:
    resolved = _resolve(
        "validate", monkeypatch, [], config={"key_column": '"Ticket"', "file-format": '"csv"'}
    )
    assert resolved["key_column"] == "Ticket"
    assert resolved["file_format"] == "csv"


def test_a_whole_job_configured_by_file_and_environment_alone(tmp_path: Path) -> None:
    """No options on the command line: the file maps the sheet's headers, the environment does the rest."""
    rows = [{"Customer": f"Ada {i}", "Issue": "Refund", "Ticket": f"T-{i}", "Notes": "x"} for i in range(6)]
    write_csv(tmp_path / "sheet.csv", rows)
    (tmp_path / "bulkload.toml").write_text(
        'key = "Ticket"\n'
        'ignore_column = ["Notes"]\n'
        'name_template = "Call back {Customer}"\n'
        'progress = "none"\n'
        "rate = 1000\n"
        "burst = 100\n"
        "[mapping]\n"
        'Description = "Issue"\n'
    )
    env = {
        "BULKLOAD_EMULATOR": "true",
        "BULKLOAD_SUMMARY_JSON": "nightly.json",
        "BULKLOAD_RESULTS": "out.csv",
    }

    result = CliRunner().invoke(cli, ["run", "sheet.csv"], env=env, catch_exceptions=False)

    assert result.exit_code == 0, result.output
    outcomes = list(read_outcomes(tmp_path / "out.csv"))
    assert [o.key for o in outcomes] == [f"T-{i}" for i in range(6)]
    assert all(o.contact_id for o in outcomes)
    assert json.loads((tmp_path / "nightly.json").read_text())["counts"] == {"created": 6}


def test_a_reader_that_goes_away_does_not_change_the_exit_code(tmp_path: Path) -> None:
    """`bulkload run ... | head -1`: the summary has no reader left, and the job's exit code still says 0."""
    write_csv(tmp_path / "tasks.csv", simple_rows(30))
    args = ["run", "tasks.csv", "--emulator", "--rate", "1000", "--burst", "100", "--progress", "none"]
    process = subprocess.Popen(
        [sys.executable, "-m", "bulkload", *args],
        cwd=tmp_path,
        env=_child_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    process.stdout.close()  # gone before the summary is written
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err.decode()
    assert b"Traceback" not in err
