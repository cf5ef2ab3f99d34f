"""The `bulkload` command: a thin shell over the library that turns outcomes into output and exit codes.

Exit codes: 0 every row created (validate: every row valid); 1 some rows not; 2 usage, configuration or
unreadable input (nothing sent); 130 interrupted (results flushed, resumable).
"""

from __future__ import annotations

from bulkload.cli.commands import cli, main

__all__ = ["cli", "main"]
