"""The progress bar: on a narrow terminal, done/total, the bar and the ETA keep their width, and the counts
and the rate give way with an ellipsis; printed once (not on a terminal), the last frame has no ETA."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from bulkload.display import progress_bar


def _bar_frame(width: int) -> str:
    console = Console(file=io.StringIO(), width=width, force_terminal=True, color_system=None)
    bar = progress_bar(console)
    detail = "created 5950, invalid 40, rejected 10, failed 0, retrying 3, throttled 12 | rate 1.9/s of 2/s"
    task = bar.add_task("run", total=30000, detail=detail)
    bar.update(task, completed=6000)
    console.print(bar.get_renderable())
    text: str = console.file.getvalue()  # type: ignore[attr-defined]
    return text


@pytest.mark.parametrize("width", [80, 60])
def test_a_narrow_terminal_keeps_done_of_total_the_bar_and_the_eta(width: int) -> None:
    [line] = _bar_frame(width).splitlines()
    assert len(line) <= width
    assert "6000/30000" in line
    assert "━" in line
    assert re.search(r"eta [-\d]+:[-\d]+:[-\d]+ ", line)
    assert "created 59" in line
    assert line.endswith("…")  # the counts are what gives way


def test_a_wide_terminal_shows_the_counts_and_the_rate_whole() -> None:
    [line] = _bar_frame(200).splitlines()
    assert line.rstrip().endswith("rate 1.9/s of 2/s")


def test_printed_once_the_last_frame_drops_the_eta_for_the_counts() -> None:
    console = Console(file=io.StringIO(), width=80, color_system=None)
    bar = progress_bar(console)
    task = bar.add_task("load", total=30, detail="created 30, invalid 0, rejected 0, failed 0")
    with bar:
        bar.update(task, completed=30)
    text: str = console.file.getvalue()  # type: ignore[attr-defined]
    [line] = text.splitlines()
    assert "eta" not in line
    assert line.startswith("load ━━━━━━━━━━ 30/30 ")
    assert line.endswith(" created 30, invalid 0, rejected 0, failed 0")
