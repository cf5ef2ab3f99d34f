"""Which files make up a ledger, and a snapshot of them: the files as they were, whatever happens next."""

from __future__ import annotations

import os
from pathlib import Path

from bulkload.ledger.paths import ledger_files, lock_path
from bulkload.storage.snapshot import belongs_to_ledger, take_snapshot

NAME = "tasks.results.csv"


def test_which_files_belong_to_the_ledger() -> None:
    for name in (NAME, f"{NAME}.job.json", f"{NAME}.pending", f"{NAME}.prev"):
        assert belongs_to_ledger(NAME, name)
    for name in (
        f"{NAME}.lock",
        f"{NAME}.tmp",
        f"{NAME}.job.json.tmp",
        f"{NAME}2",
        "tasks.csv",
        f"{NAME}.d/x",
    ):
        assert not belongs_to_ledger(NAME, name)


def test_a_snapshot_holds_the_ledger_files_sidecars_first(tmp_path: Path) -> None:
    for name in (NAME, f"{NAME}.prev", f"{NAME}.job.json", f"{NAME}.lock", "other.csv"):
        (tmp_path / name).write_text(name)
    (tmp_path / f"{NAME}.pending").mkdir()  # not a file: not part of it
    snapshot = take_snapshot(tmp_path, NAME, 7)
    try:
        assert snapshot.sequence == 7
        assert snapshot.names == [f"{NAME}.job.json", f"{NAME}.prev", NAME]
    finally:
        snapshot.close()
    assert snapshot.files == {}


def test_a_body_is_the_file_as_it_was_at_the_snapshot(tmp_path: Path) -> None:
    path = tmp_path / NAME
    path.write_bytes(b"0123456789")
    snapshot = take_snapshot(tmp_path, NAME, 1)
    with path.open("ab") as f:
        f.write(b"appended")
    replacement = tmp_path / "new"
    replacement.write_bytes(b"something else entirely")
    os.replace(replacement, path)
    try:
        body = snapshot.files[NAME].body()
        assert body.read() == b"0123456789"
        assert body.seek(0, os.SEEK_END) == 10
        assert body.seek(-4, os.SEEK_CUR) == 6
        assert body.read(100) == b"6789"
        assert body.read(100) == b""
        body.seek(3)
        assert body.tell() == 3
        assert body.read(2) == b"34"
    finally:
        snapshot.close()


def test_every_file_the_ledger_names_is_mirrored_but_the_lock() -> None:
    results = Path(NAME)
    for path in ledger_files(results):
        assert belongs_to_ledger(NAME, path.name) == (path != lock_path(results)), path.name
