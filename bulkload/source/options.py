"""How to read the input: the options a user can set, checked when they are made."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import Literal

from bulkload.errors import ConfigError

Format = Literal["auto", "csv", "parquet", "xlsx"]


@dataclass(frozen=True, kw_only=True)
class SourceOptions:
    """How to read the input; options that do not apply to the file's format are ignored."""

    format: Format = "auto"  # "auto": by extension
    encoding: str = "utf-8"  # CSV only; "utf-8" also accepts and strips a byte order mark
    delimiter: str | None = None  # CSV only; None: "," (or a tab for .tsv)
    sheet: str | None = None  # Excel only; a sheet name or a 1-based index; None: the first sheet
    chunk_rows: int = 2000

    def __post_init__(self) -> None:
        if self.format not in ("auto", "csv", "parquet", "xlsx"):
            raise ConfigError(f"unknown input format {self.format!r}; choose csv, parquet or xlsx")
        if self.delimiter is not None and len(self.delimiter) != 1:
            raise ConfigError(f"the delimiter must be one character, not {self.delimiter!r}")
        if self.chunk_rows < 1:
            raise ConfigError(f"chunk_rows must be at least 1, not {self.chunk_rows}")
        try:
            codec = codecs.lookup(self.encoding)
        except LookupError:
            raise ConfigError(f"unknown encoding {self.encoding!r}") from None
        if not codec._is_text_encoding:  # rot13, hex, base64, zlib, uu: codecs, but not bytes <-> text
            raise ConfigError(
                f"{self.encoding!r} is not a text encoding; use one such as utf-8, cp1252 or utf-16"
            )
