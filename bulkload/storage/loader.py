"""botocore's data loader for the S3 client, keeping of botocore's endpoint table only S3's entries.

Creating a botocore client reads the table of every service's endpoints (`endpoints.json`, some 6 MiB
once parsed), and an S3 client keeps it alive for its whole life (its S3-specific event handlers hold
the object that resolved its endpoint). An S3 client looks up only S3's entries in it, so this loader
hands botocore the table with every partition's other services left out: the process that reads its
input from S3 then stays within a few MiB of the one that reads it from disk.
"""

from __future__ import annotations

from typing import Any

import botocore.loaders
import botocore.session

_ENDPOINTS = "endpoints"
_SERVICE = "s3"


class S3DataLoader(botocore.loaders.Loader):  # type: ignore[misc]  # botocore publishes no types
    """botocore's loader, searching the same paths, with the endpoint table cut down to S3's entries."""

    def load_data_with_path(self, name: str) -> tuple[Any, str]:
        """The data file `name` and its path; for the endpoint table, S3's entries only."""
        if name != _ENDPOINTS:
            return super().load_data_with_path(name)  # type: ignore[no-any-return]
        # Read by a loader of its own, whose cache (holding the whole table) goes with it.
        whole = botocore.loaders.Loader(
            extra_search_paths=list(self.search_paths), include_default_search_paths=False
        )
        table, path = whole.load_data_with_path(name)
        return s3_entries(table), path


def s3_entries(table: dict[str, Any]) -> dict[str, Any]:
    """The endpoint table with every partition's services but S3 left out."""
    partitions = [
        {
            **partition,
            "services": {_SERVICE: partition["services"][_SERVICE]}
            if _SERVICE in partition.get("services", {})
            else {},
        }
        for partition in table.get("partitions", [])
    ]
    return {**table, "partitions": partitions}


def use_s3_loader(session: botocore.session.Session) -> None:
    """Make `session` load its data with an `S3DataLoader` searching the paths its own loader would."""
    default = session.get_component("data_loader")
    loader = S3DataLoader(extra_search_paths=list(default.search_paths), include_default_search_paths=False)
    session.register_component("data_loader", loader)
