"""`load` with `s3://` data and results (moto in server mode): the S3 input and the ledger in S3, as for
`bulkload run`, with the S3 options named as `load`'s options."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

import bulkload
from bulkload.records import Status
from bulkload.storage import S3Url
from tests.integration.helpers import simple_rows, write_csv
from tests.integration.s3.helpers import keys, put


async def test_load_reads_s3_data_and_keeps_its_ledger_in_s3(
    s3_client: Any, s3_endpoint: str, bucket: str, results_url: S3Url, tmp_path: Path
) -> None:
    input_url = S3Url(bucket, "exports/tasks.csv")
    put(s3_client, input_url, write_csv(tmp_path / "tasks.csv", simple_rows(6)).read_bytes())
    options: dict[str, Any] = {
        "emulator": True,
        "rate": 100.0,
        "burst": 100,
        "s3_endpoint_url": s3_endpoint,
        "checkpoint_interval": 0.2,
    }

    summary = await bulkload.aload(str(input_url), results=str(results_url), **options)

    assert (summary.exit_code, summary.counts) == (0, {"created": 6})
    assert (summary.input, summary.results) == (str(input_url), str(results_url))
    assert results_url.key in keys(s3_client, bucket)
    again = await bulkload.aload(str(input_url), results=str(results_url), **options)
    assert again.counts == {"created": 6}
    assert again.sent == 0  # the ledger downloaded from S3: nothing is sent twice


async def test_load_keeps_the_ledger_of_data_in_memory_in_s3(
    s3_client: Any, s3_endpoint: str, bucket: str, results_url: S3Url, tmp_path: Path
) -> None:
    frame = pd.DataFrame(simple_rows(3))
    summary = await bulkload.aload(
        frame,
        results=str(results_url),
        emulator=True,
        rate=100.0,
        burst=100,
        s3_endpoint_url=s3_endpoint,
        workdir=tmp_path / "work",
    )
    assert summary.counts == {Status.CREATED.value: 3}
    assert summary.retry_command is None
    assert f"{results_url.key}.job.json" in keys(s3_client, bucket)
