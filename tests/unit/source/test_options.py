"""SourceOptions: each bad option is one clear ConfigError."""

from __future__ import annotations

from typing import Any

import pytest

from bulkload.errors import ConfigError
from bulkload.source import SourceOptions


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"delimiter": ";;"}, "the delimiter must be one character, not ';;'"),
        ({"chunk_rows": 0}, "chunk_rows must be at least 1, not 0"),
        ({"encoding": "klingon"}, "unknown encoding 'klingon'"),
        ({"format": "xls"}, "unknown input format 'xls'; choose csv, parquet or xlsx"),
        *(
            ({"encoding": name}, f"{name!r} is not a text encoding; use one such as utf-8, cp1252 or utf-16")
            for name in ("rot13", "hex", "base64", "zlib", "uu", "bz2")
        ),
    ],
)
def test_bad_options(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        SourceOptions(**options)
    assert str(info.value) == message
