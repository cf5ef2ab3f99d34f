"""`python -m bulkload` runs the CLI."""

from __future__ import annotations

from bulkload.cli import main

main()
