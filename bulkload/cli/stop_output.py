"""What `bulkload stop` says: the plan (for a dry run and the confirmation), and the summary at the end."""

from __future__ import annotations

from bulkload.cli.output import error_lines, rate_line
from bulkload.undo import StopPlan, StopSummary
from bulkload.undo.records import OUTCOMES

_FIRST_ROWS = 5  # rows a dry run lists


def instances_text(instances: dict[str, int]) -> str:
    """Where the tasks are: `instance X`, or `N instances (X: n, Y: m)`."""
    if len(instances) == 1:
        return f"instance {next(iter(instances))}"
    parts = ", ".join(f"{instance}: {count}" for instance, count in sorted(instances.items()))
    return f"{len(instances)} instances ({parts})"


def _left_alone(selected: int, done_earlier: int, not_scheduled: int, without_task: int) -> list[str]:
    parts = []
    if done_earlier:
        parts.append(f"{done_earlier} stopped or ended by an earlier stop")
    if not_scheduled:
        parts.append(f"{not_scheduled} not scheduled ahead")
    if without_task:
        parts.append(f"{without_task} listed keys whose rows created no task")
    return [f"left alone: {', '.join(parts)} (of {selected} created rows chosen)"] if parts else []


def question(plan: StopPlan) -> str:
    """The confirmation asked before anything is sent."""
    return f"Stop {len(plan.targets)} tasks in {instances_text(plan.instances)}?"


def plan_text(plan: StopPlan) -> list[str]:
    """A dry run's report: what would be stopped, with the first rows, and what is left alone."""
    lines = [f"stop (dry run): {plan.results}"]
    if plan.targets:
        lines.append(f"would stop {len(plan.targets)} tasks in {instances_text(plan.instances)}:")
        lines += [f"  row {t.row} (key {t.key}): contact {t.contact_id}" for t in plan.targets[:_FIRST_ROWS]]
        if len(plan.targets) > _FIRST_ROWS:
            lines.append(f"  ... and {len(plan.targets) - _FIRST_ROWS} more")
    else:
        lines.append("would stop no task")
    lines += _left_alone(plan.selected, plan.done_earlier, plan.not_scheduled, plan.without_task)
    lines.append(f"nothing was sent; the stop ledger is {plan.ledger}")
    return lines


def summary_text(summary: StopSummary) -> list[str]:
    """The summary as plain lines (for a terminal, cron mail and pipes alike)."""
    lines = [f"stop: {summary.results} ({summary.to_stop} tasks to stop) in {summary.elapsed_seconds:.1f}s"]
    if summary.to_stop == 0:
        lines.append("nothing to stop" + ("" if summary.selected else ": the results file records no task"))
    else:
        counts = summary.counts
        lines.append(
            "outcomes: " + ", ".join(f"{status.value} {counts.get(status.value, 0)}" for status in OUTCOMES)
        )
    lines += _left_alone(summary.selected, summary.done_earlier, summary.not_scheduled, summary.without_task)
    if summary.to_stop:
        lines.append(
            f"sent {summary.sent} this stop; {summary.attempts} calls, {summary.retries} retries, "
            f"{summary.throttles} throttled"
        )
    if summary.achieved_rate is not None:
        lines.append(rate_line(summary.achieved_rate, summary.rate_limit, summary.latency_ms))
    lines += error_lines(summary.top_errors)
    lines.append(f"stop ledger: {summary.ledger}")
    if summary.interrupted:
        lines.append("interrupted: the stop ledger is saved; run the same command again to continue")
    elif summary.exit_code:
        lines.append("to try the tasks not stopped again, run the same command again")
    if summary.emulator:
        lines.append("(against a new built-in emulator, which knows no task of an earlier process)")
    return lines
