"""Write the sample spreadsheets (CSV, Parquet, Excel) with scheduled times relative to now.

ScheduledTime must lie within the next 6 days, so a sample with fixed dates goes stale: the samples are
not kept in git but written here (the README's first command runs this script), and written again only
once they are missing or their earliest scheduled time is less than an hour away, so that running the
first command again finds every row created. Uses pandas, which writes all three formats.
"""

from __future__ import annotations

import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bulkload.emulator.defaults import DEFAULT_FLOW_ID, DEFAULT_TEMPLATE_ID  # noqa: E402

CUSTOMERS = [
    "Ada Byron",
    "Grace Hopper",
    "Alan Turing",
    "Katherine Johnson",
    "Edsger Dijkstra",
    "Barbara Liskov",
    "Donald Knuth",
    "Frances Allen",
    "Tony Hoare",
    "Margaret Hamilton",
]
SAMPLES = ("tasks.csv", "tasks.parquet", "tasks.xlsx")
ISSUES = ["Refund request", "Address change", "Missed delivery", "Billing question", "Cancel subscription"]


def rows(count: int, seed: int) -> list[dict[str, str]]:
    """`count` realistic task rows: attributes, references, some scheduled, some routed by template."""
    rnd = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    out = []
    for i in range(1, count + 1):
        customer = rnd.choice(CUSTOMERS)
        issue = rnd.choice(ISSUES)
        row = {
            "Name": f"Call back {customer}",
            "Description": f"{issue}: customer asked for a call back (ticket T-{1000 + i}).",
            "ContactFlowId": DEFAULT_FLOW_ID if i % 5 else "",
            "TaskTemplateId": "" if i % 5 else DEFAULT_TEMPLATE_ID,
            "Attributes.customer_id": f"{i:06d}",
            "Attributes.priority": rnd.choice(["high", "normal", "low"]),
            "References.URL.ticket": f"https://support.example.com/tickets/T-{1000 + i}",
            "References.NUMBER.order": str(rnd.randint(100000, 999999)),
            "References.EMAIL.customer": customer.lower().replace(" ", ".") + "@example.com",
            "ScheduledTime": (now + timedelta(hours=rnd.randint(2, 120))).isoformat() if i % 3 == 0 else "",
            "ticket": f"T-{1000 + i}",
        }
        out.append(row)
    return out


def fresh(margin: timedelta = timedelta(hours=1)) -> bool:
    """Whether every sample exists and the CSV's earliest scheduled time is at least `margin` away."""
    if not all((HERE / name).exists() for name in SAMPLES):
        return False
    try:
        times = pd.read_csv(HERE / "tasks.csv", dtype="string")["ScheduledTime"].dropna()
        earliest = min(datetime.fromisoformat(str(text)) for text in times)
    except (OSError, KeyError, ValueError):  # damaged, or not this script's: write it again
        return False
    return bool(earliest > datetime.now(UTC) + margin)


def main() -> None:
    """Write samples/tasks.csv (40 rows), samples/tasks.parquet (20) and samples/tasks.xlsx (20)."""
    if fresh():
        print(f"the samples in {HERE} are still fresh")
        return
    pd.DataFrame(rows(40, 1), dtype="string").to_csv(HERE / "tasks.csv", index=False)
    pd.DataFrame(rows(20, 2), dtype="string").replace("", None).to_parquet(
        HERE / "tasks.parquet", index=False
    )
    pd.DataFrame(rows(20, 3), dtype="string").to_excel(HERE / "tasks.xlsx", index=False, sheet_name="Tasks")
    print(f"wrote samples to {HERE}")


if __name__ == "__main__":
    main()
