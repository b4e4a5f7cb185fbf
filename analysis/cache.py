"""On-disk caches under ``CACHE_DIR`` (git-ignored), so that a notebook rerun never pays for
cleaning or segmentation twice.

Two levels, both content-addressed:

* one entry per speech, keyed by a hash of the speech and of everything that changes the
  result (code versions, user dictionary, stopwords, jieba and OpenCC versions): editing
  one speech or the dictionary recomputes only what it affects;
* one bundle per corpus, keyed by the ordered list of its speeches' keys, so that reading a
  warm corpus of thousands of speeches is one file read instead of thousands.

Entries are Parquet files written with page checksums to a temporary file in the same
folder and then renamed, so two notebooks running at once never see a partial file. On
read, a file that does not parse, fails its checksums, or whose recorded key or row count
differs from what was asked is reported (warning), deleted and rebuilt: never trusted.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
import warnings
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from . import config

_META_KEY = b"speeches-cache"


def digest(*parts: str | bytes) -> str:
    """A short stable hash of its arguments (sha256, 32 hex digits)."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()[:32]


class ParquetStore:
    """A folder of Parquet tables addressed by key: ``CACHE_DIR/<name>/<key[:2]>/<key>.parquet``."""

    def __init__(self, name: str, root: Path | None = None):
        self.root = (root if root is not None else config.CACHE_DIR) / name

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.parquet"

    def get(self, key: str) -> pa.Table | None:
        """The table stored under ``key``, or None when absent or damaged (then deleted)."""
        path = self.path(key)
        if not path.exists():
            return None
        try:
            table = pq.read_table(path, page_checksum_verification=True)
            meta = json.loads(table.schema.metadata[_META_KEY])
            if meta["key"] != key or meta["rows"] != table.num_rows:
                raise ValueError(f"records key {meta['key']} with {meta['rows']} rows")
        except Exception as exc:  # any failure to read back what we wrote means damage
            warnings.warn(f"cache entry {path} is damaged ({type(exc).__name__}: {exc}); rebuilding it",
                          stacklevel=3)
            path.unlink(missing_ok=True)
            return None
        return table.replace_schema_metadata(None)

    def put(self, key: str, table: pa.Table) -> Path:
        """Store ``table`` under ``key`` atomically (temporary file, then rename)."""
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = json.dumps({"key": key, "rows": table.num_rows}).encode()
        table = table.replace_schema_metadata({_META_KEY: meta})
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{key}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                pq.write_table(table, handle, write_page_checksum=True, compression="zstd")
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    def __len__(self) -> int:
        return sum(1 for _ in self.root.glob("*/*.parquet")) if self.root.exists() else 0
