"""bulkload from Python, as a notebook does it: a frame loaded, its invalid rows fixed, loaded again.

Runs against the built-in emulator (no AWS account needed): `python samples/from_python.py`. In a
notebook, whose cells run in an event loop, write `await bulkload.aload(...)` where this script calls
`bulkload.load(...)`: the arguments are the same.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import bulkload  # noqa: E402

CALLBACKS = pd.DataFrame(
    {
        "customer": ["Ada Byron", None, "Alan Turing", "Grace Hopper"],
        "issue": ["Refund request", "Address change", "Missed delivery", "Billing question"],
        "tier": pd.Categorical(["gold", "silver", "gold", "bronze"]),
        "amount": pd.array([120, None, 35, 80], dtype="Int64"),
    },
    index=pd.Index(["T-1001", "T-1002", "T-1003", "T-1004"], name="ticket"),
)
"""What a warehouse query returns: one callback to make per row, keyed by its ticket."""

OPTIONS: bulkload.LoadOptions = {
    "key": "ticket",
    "mapping": {
        "Name": "customer",
        "Description": "issue",
        "Attributes.tier": "tier",
        "Attributes.amount": "amount",
    },
    "emulator": True,  # drop it, and give instance_id and flow_id, to reach Amazon Connect
    "rate": 20,
}


def main(results: Path) -> bulkload.LoadSummary:
    """Load the callbacks, show which rows were not created and why, fix them, load again."""
    frame = CALLBACKS.copy()
    summary = bulkload.load(frame, results=results, **OPTIONS)
    print(summary.counts)  # {'created': 3, 'invalid': 1}

    outcomes = frame.join(summary.outcomes().set_index("key"))
    print(outcomes.loc[outcomes.status != "created", ["issue", "error_message"]])

    frame.loc["T-1002", "customer"] = "Katherine Johnson"
    summary = bulkload.load(frame, results=results, **OPTIONS)  # sends the fixed row alone
    print(summary.counts, f"{summary.sent} sent", f"exit code {summary.exit_code}")
    return summary


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as scratch:
        main(Path(scratch) / "callbacks.results.csv")
