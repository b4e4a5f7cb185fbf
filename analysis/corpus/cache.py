"""On-disk caches under ``CACHE_DIR`` (git-ignored), so that a notebook rerun never pays for
cleaning or segmentation twice.

Two levels, both content-addressed:

* one entry per speech, keyed by a hash of the speech and of everything that changes the
  result (code versions, user dictionary, stopwords, jieba and OpenCC versions): editing
  one speech or the dictionary recomputes only what it affects;
* one bundle per corpus, keyed by the ordered list of its speeches' keys, so that reading a
  warm corpus of thousands of speeches is one file read instead of thousands.

Entries are Parquet files (lz4, page checksums). Bundles, which are only a faster way to
read entries already on disk, are Arrow IPC files, read without a copy, with their CRC32,
key and row count in a small JSON file beside them. Every file is written to a temporary
file in the same folder and then renamed, so two notebooks running at once never see a
partial file. On read, a file that does not parse, fails its checksum, or whose recorded
key or row count differs from what was asked is reported (warning), deleted and rebuilt:
never trusted.
"""
from __future__ import annotations

import hashlib
import json
import zlib
from pathlib import Path

import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from .. import config
from ..common.atomic import atomic_write
from ..common.warning import warn_user

_META_KEY = b"speeches-cache"


def digest(*parts: str | bytes | memoryview) -> str:
    """A short stable hash of its arguments (sha256, 32 hex digits); a memoryview is hashed
    as its bytes, without a copy."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update((data.nbytes if isinstance(data, memoryview) else len(data)).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()[:32]


class ParquetStore:
    """A folder of Parquet tables addressed by key: ``CACHE_DIR/<name>/<key[:2]>/<key>.parquet``."""

    def __init__(self, name: str, root: Path | None = None):
        self.root = (root if root is not None else config.CACHE_DIR) / name

    suffix = ".parquet"

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}{self.suffix}"

    def _damaged(self, key: str, exc: Exception) -> None:
        warn_user(f"cache entry {self.path(key)} is damaged ({type(exc).__name__}: {exc}); "
                  "rebuilding it")
        self.path(key).unlink(missing_ok=True)

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
            if meta.get("schema") != _schema_text(table):  # a column renamed or retyped in the file
                raise ValueError(f"its columns are {_schema_text(table)}, its record says {meta.get('schema')}")
        except Exception as exc:  # any failure to read back what we wrote means damage
            self._damaged(key, exc)
            return None
        return table.replace_schema_metadata(None)

    def put(self, key: str, table: pa.Table) -> Path | None:
        """Store ``table`` under ``key`` atomically (temporary file, then rename); None when
        the cache folder cannot be written (one warning names it: the result is only not kept)."""
        path = self.path(key)
        meta = json.dumps({"key": key, "rows": table.num_rows, "schema": _schema_text(table)}).encode()
        table = table.replace_schema_metadata({_META_KEY: meta})
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, lambda handle: pq.write_table(table, handle, write_page_checksum=True,
                                                              compression="lz4"))
        except OSError as exc:
            _unwritable(self.root, exc)
            return None
        return path

    def __len__(self) -> int:
        return sum(1 for _ in self.root.glob(f"*/*{self.suffix}")) if self.root.exists() else 0


class ArrowStore(ParquetStore):
    """Like :class:`ParquetStore`, as Arrow IPC files plus a JSON sidecar holding the key, the
    row count and the file's CRC32: reading is a checksum and a memory map, no decoding."""

    suffix = ".arrow"

    def _sidecar(self, key: str) -> Path:
        return self.path(key).with_suffix(".json")

    def _damaged(self, key: str, exc: Exception) -> None:
        super()._damaged(key, exc)
        self._sidecar(key).unlink(missing_ok=True)

    def get(self, key: str) -> pa.Table | None:
        path, sidecar = self.path(key), self._sidecar(key)
        if not path.exists():
            return None
        try:
            meta = json.loads(sidecar.read_text())
            # Memory-mapped: the checksum and the table read the file in place, no copy.
            data = pa.memory_map(str(path)).read_buffer()
            if meta["key"] != key or meta["crc32"] != zlib.crc32(memoryview(data)):
                raise ValueError("its checksum or key does not match its record")
            table = ipc.open_file(data).read_all()
            if meta["rows"] != table.num_rows:
                raise ValueError(f"holds {table.num_rows} rows, its record says {meta['rows']}")
        except Exception as exc:  # any failure to read back what we wrote means damage
            self._damaged(key, exc)
            return None
        return table

    def put(self, key: str, table: pa.Table) -> Path | None:
        path = self.path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            _unwritable(self.root, exc)
            return None

        def write(handle) -> int:
            # Streamed to the file, the checksum taken as the bytes go by: a corpus bundle
            # can be hundreds of MB, and a copy of it in memory would be the run's peak.
            crc = 0

            class Checksummed:
                closed = False

                def write(self, data) -> int:
                    nonlocal crc
                    crc = zlib.crc32(data, crc)
                    return handle.write(data)

                def flush(self) -> None:
                    handle.flush()

            with ipc.new_file(pa.PythonFile(Checksummed(), mode="w"), table.schema) as writer:
                writer.write_table(table, max_chunksize=1 << 20)
            return crc

        def record(crc: int) -> None:
            # The record goes first: a reader that finds the data file finds its record too.
            meta = json.dumps({"key": key, "rows": table.num_rows, "crc32": crc})
            atomic_write(self._sidecar(key), lambda out: out.write(meta.encode()))

        try:
            atomic_write(path, write, before_rename=record)
        except OSError as exc:
            _unwritable(self.root, exc)
            return None
        return path


def _schema_text(table: pa.Table) -> str:
    return ", ".join(f"{f.name}: {f.type}" for f in table.schema)


_UNWRITABLE: set[str] = set()


def _unwritable(folder: Path, exc: OSError) -> None:
    """One warning per folder that cannot be written: results are computed, not kept."""
    if str(folder) not in _UNWRITABLE:
        _UNWRITABLE.add(str(folder))
        warn_user(f"the cache folder {folder} cannot be written ({type(exc).__name__}: "
                  f"{exc.strerror or exc}); computing without a cache", UserWarning)


def code_digest() -> str:
    """:func:`digest` of the package's own code and data files (``analysis/**/*.py`` and
    ``analysis/data/**``): the key part for a cached result that any change of the code, the
    rules or the gazetteer must invalidate. Computed once per process."""
    global _CODE_DIGEST
    if _CODE_DIGEST is None:
        package = Path(__file__).resolve().parents[1]
        files = sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                       and (p.suffix == ".py" or "data" in p.relative_to(package).parts[:1]))
        _CODE_DIGEST = digest(*(part for p in files
                                for part in (p.relative_to(package).as_posix(), p.read_bytes())))
    return _CODE_DIGEST


_CODE_DIGEST: str | None = None


def cached_frame(name: str, key: str, compute):
    """A small pandas DataFrame computed at most once for ``key`` (``ArrowStore(name)``):
    for a result that is costly to compute and cheap to keep, e.g. a measured agreement.
    ``key`` must be a :func:`digest` of everything that decides the result."""
    store = ArrowStore(name)
    table = store.get(key)
    if table is not None:
        return table.to_pandas()
    frame = compute()
    store.put(key, pa.Table.from_pandas(frame, preserve_index=False))
    return frame
