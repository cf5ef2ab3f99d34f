"""`s3://bucket/key` URLs: telling them from local paths, and parsing them into bucket and key.

The key is taken as written, like `aws s3 cp` does: nothing is percent-decoded, and `?` or `#` are part of
the key. A URL that cannot name one object (no bucket, no key, a key ending in `/`) is a ConfigError
raised before anything is read or sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from bulkload.errors import ConfigError

SCHEME: Final = "s3://"
_MAX_KEY_BYTES: Final = 1024  # S3's limit on a key, in UTF-8 bytes
# Lenient on purpose: buckets created before 2018 in us-east-1 may hold capitals and underscores.
_BUCKET: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]")


@dataclass(frozen=True, slots=True)
class S3Url:
    """One S3 object: its bucket and its key."""

    bucket: str
    key: str

    def __str__(self) -> str:
        return f"{SCHEME}{self.bucket}/{self.key}"

    @property
    def name(self) -> str:
        """The last segment of the key, used as the object's file name in a local working directory."""
        return self.key.rsplit("/", 1)[-1]

    def sibling(self, suffix: str) -> S3Url:
        """The object whose key is this key followed by `suffix` (`<results>.lock`, `<results>.job.json`)."""
        return S3Url(self.bucket, self.key + suffix)


def is_s3_url(text: object) -> bool:
    """Whether `text` is a string that names an S3 object rather than a local path (`s3://`, any case)."""
    return isinstance(text, str) and text[: len(SCHEME)].lower() == SCHEME


def parse_s3_url(text: str) -> S3Url:
    """Split `s3://bucket/key` into an S3Url, or raise ConfigError saying what is wrong with it."""
    if not is_s3_url(text):
        raise ConfigError(f"{text!r} is not an S3 URL: expected s3://bucket/key")
    bucket, slash, key = text[len(SCHEME) :].partition("/")
    if not bucket:
        raise ConfigError(f"{text!r} names no bucket: expected s3://bucket/key")
    if not _BUCKET.fullmatch(bucket):
        raise ConfigError(
            f"{text!r}: {bucket!r} is not a valid bucket name "
            "(3 to 255 letters, digits, '.', '-' or '_', starting and ending with a letter or digit)"
        )
    if not slash or not key:
        raise ConfigError(f"{text!r} names no object key: expected s3://{bucket}/key")
    if key.endswith("/"):
        raise ConfigError(f"{text!r} ends in '/': that names a folder, not an object")
    if len(key.encode("utf-8", "surrogatepass")) > _MAX_KEY_BYTES:
        raise ConfigError(f"{text!r}: the key is longer than S3's limit of {_MAX_KEY_BYTES} bytes")
    return S3Url(bucket, key)
