"""The sidecars' names: what users see beside their results file, so they never change."""

from __future__ import annotations

from pathlib import Path

from bulkload.ledger.paths import (
    job_file_path,
    ledger_files,
    lock_path,
    pending_path,
    prev_path,
    sends_path,
    stop_ledger_path,
    temporary_path,
)


def test_every_sidecar_sits_beside_the_results_file_under_its_name() -> None:
    results = Path("out") / "tasks.results.csv"
    assert prev_path(results) == Path("out/tasks.results.csv.prev")
    assert pending_path(results) == Path("out/tasks.results.csv.pending")
    assert sends_path(results) == Path("out/tasks.results.csv.sends")
    assert job_file_path(results) == Path("out/tasks.results.csv.job.json")
    assert lock_path(results) == Path("out/tasks.results.csv.lock")
    assert stop_ledger_path(results) == Path("out/tasks.results.csv.stop.csv")
    assert temporary_path(job_file_path(results)) == Path("out/tasks.results.csv.job.json.tmp")


def test_the_ledger_files_are_the_results_file_and_every_sidecar() -> None:
    results = Path("r.csv")
    assert ledger_files(results) == (
        results,
        job_file_path(results),
        pending_path(results),
        sends_path(results),
        prev_path(results),
        lock_path(results),
        stop_ledger_path(results),
    )
