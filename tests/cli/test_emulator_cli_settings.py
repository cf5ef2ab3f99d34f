"""`bulkload emulator`'s options for template states and the StopContact quota reach its config."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import bulkload.emulator
from bulkload.emulator import EmulatorConfig
from tests.integration.helpers import invoke_cli


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[EmulatorConfig]:
    """The configs `bulkload emulator` would serve, captured instead of served."""
    configs: list[EmulatorConfig] = []

    def capture(config: EmulatorConfig, *, on_ready: Callable[[str], None] | None = None) -> None:
        configs.append(config)

    monkeypatch.setattr(bulkload.emulator, "serve_forever", capture)
    return configs


def test_template_states_and_the_stop_quota(served: list[EmulatorConfig]) -> None:
    result = invoke_cli(
        [
            "emulator",
            "--template-id",
            "t",
            "--template-without-flow",
            "bare",
            "--inactive-template",
            "off",
            "--inactive-template",
            "bare",
            "--stop-rate",
            "7.5",
            "--stop-burst",
            "9",
        ]
    )

    assert result.exit_code == 0, result.output
    [config] = served
    assert (config.template_ids, config.templates_without_flow, config.inactive_templates) == (
        ("t",),
        ("bare",),
        ("off", "bare"),
    )
    assert (config.stop_rate, config.stop_burst) == (7.5, 9)


def test_without_them_the_defaults_hold(served: list[EmulatorConfig]) -> None:
    assert invoke_cli(["emulator"]).exit_code == 0

    [config] = served
    defaults = EmulatorConfig()
    assert (config.inactive_templates, config.templates_without_flow) == (
        defaults.inactive_templates,
        defaults.templates_without_flow,
    )
    assert (config.stop_rate, config.stop_burst) == (defaults.stop_rate, defaults.stop_burst)
