"""Facts about cell text that more than one stage relies on: the readers, the mapping and the results file."""

from __future__ import annotations

import datetime as dt
from typing import Final

# The csv module refuses a field over 128 KiB by default, which would stop a whole job at one oversized
# cell (validation refuses it as one invalid row instead), and a key or the message quoting it can be as
# long. Bounded, so an unbalanced quote that swallows the rest of a file is still one clear error.
CSV_FIELD_LIMIT: Final = 64 << 20

UNIX_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
SECOND: Final = dt.timedelta(seconds=1)
MILLISECOND: Final = dt.timedelta(milliseconds=1)
