"""The corpus store: the corpus, parts and tokens tables of every corpus loaded, on disk as
partitioned Parquet, so that a warm load reads them instead of computing anything.

Layout (under ``CACHE_DIR/store``, any folder the workers of a cluster share, or an fsspec
URL such as ``s3://bucket/store``: :class:`RemoteStore`, below)::

    manifests/<corpus id>.json          one per corpus: its files and its partitions
    partitions/<partition id>/          one per run of consecutive speeches
        corpus.parquet parts.parquet tokens.parquet _record.json
    assembled/corpus-<corpus id>-<key>-<crc>.arrow
                                        a corpus table with its metadata and dates joined
    assembled/tokens-<corpus id>-<key>-<crc>.arrow
                                        a corpus's whole token table, ready for pandas
                                        (:mod:`analysis.corpus.assembled`)
    assembled/<either>.arrow.stamp      its size, time and inode when its CRC was found right

A *partition* holds consecutive speeches of a corpus (in file-name order) and is named by
a digest of the pipeline's code (:func:`pipeline_digest`) and of its speeches' file names,
sizes and modification times, or of their texts for a corpus given as a frame. Partition
boundaries are set by the file names themselves (after a name whose CRC32 is 0 modulo the
corpus's :func:`speeches_per_partition`, or when a partition reaches
:data:`MAX_PARTITION_BYTES`), so that adding or changing one file changes the partition it
falls in and no other (unless the corpus's size crosses a level of
:func:`speeches_per_partition`: then runs of about four partitions merge, their rows reused). A partition
whose speeches are all unchanged is reused as it is; one that holds a changed speech is
rebuilt from the old partition's rows for the others and a new run of the pipeline for that
speech alone (:func:`analysis.pipeline.process`).

Integrity without hashing every byte on a warm load: the manifest records each partition
file's size, modification time and row count, and each file's schema must be the one the
code writes (names and types, :data:`SCHEMAS`); Parquet's page checksums are written and
verified as pages are read. A file that fails any check, or a check that itself fails, is
reported (a warning naming it), and its partition is rebuilt: never served. Every file is
written to a temporary name in its folder and renamed into place, the manifest last, so an
interrupted run leaves either the old manifest or the new one, each naming only complete
files.

**A store at a URL** (any scheme but ``file://``, which names a folder) is a
:class:`RemoteStore`: the same layout written through fsspec (``fsspec.core.url_to_fs``,
imported only then), so that the workers of a Dask cluster can share a bucket instead of a
POSIX file system. Object stores offer no rename and no reliable modification time, but a
single PUT is atomic (an object is there whole or not at all; a multipart upload appears only
when it completes). So, without renames:

1. each object is written once, under its final name: partition names are digests of the
   pipeline and of their speeches, so a name always holds the same tables and an object is
   replaced only when it is damaged;
2. in a partition, the table files first, each encoded into a local temporary file and
   uploaded whole (``put_file``: a write that fails leaves no object, where a streamed
   ``open(url, "wb")`` would commit a partial one as it is closed), then its
   ``_record.json`` (each file's rows and size);
3. the corpus's manifest last of all, naming only partitions whose records were written.

A reader trusts a partition only when its ``_record.json`` is there and each file has the size
the manifest records (one listing of ``partitions/`` per run), then, as it reads each object
(one GET), its size again, Parquet's page checksums, the schema and the row count. What fails
is reported (a :class:`StoreWarning` naming the object's URL) and rebuilt, never served; a run
interrupted between a partition's table files and its record leaves a partition that is never
read as whole, and that the next run writes again. Weaker than a folder: with no modification
time, an object replaced by other bytes of the same size is found as it is read (by Parquet's
checksums, the schema, the row count), not before. The assembled whole-corpus Arrow files are
a folder's fast path and are not kept at a URL (:mod:`analysis.corpus.assembled`): a warm load
there reads the partitions, as the workers of a cluster do (a large corpus's tokens, read a
column at a time, from a local copy of each object fetched once: :meth:`RemoteStore.local_copies`;
warm, 6 to 7 times a folder's time from a local S3 server, ``bench/bench_remote.py``). A URL whose fsspec implementation
is not installed (``s3://`` without s3fs) raises :class:`ImportError` naming the URL and the
package. ``memory://`` (fsspec's in-memory file system, for tests) lives in one process: its
threads share it, forked workers do not, so the pipeline processes such a store's speeches in
the process that holds it (``workers`` is then 1).

Why not Dask's or DuckDB's own stores: the same Parquet files are what a
``dask.dataframe.read_parquet`` reads on a cluster (:mod:`analysis.cluster`); what this module
adds is the manifest that lets a warm load trust a file by its size and time (or, at a URL,
by its record and size).
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sys
import tempfile
import threading
import time
import uuid
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib.metadata import distribution
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .. import config
from ..common.atomic import atomic_write, temporary_folder
from ..common.warning import warn_user
from .cache import digest

STORE_FORMAT = "1"
# Mean speeches per partition in a small corpus (the finest level), the fewest partitions a
# coarser level may leave, and the most raw text one partition may hold.
MEAN_SPEECHES = 16
MIN_PARTITIONS = 20
MAX_PARTITION_BYTES = 16_000_000
TABLES = ("corpus", "parts", "tokens")
# The string columns kept dictionary-encoded in memory (tokens and parts).
_DICT = pa.dictionary(pa.int32(), pa.string())


class StoreWarning(UserWarning):
    """The store could not be used as it should (a damaged file, a folder that cannot be
    written); the results are computed anyway and are the same."""


# ---------------------------------------------------------------- what decides the tables

# The modules whose code the stored tables depend on (with every package module they import),
# and the data files they read. Libraries count by version.
_ROOT_MODULES = ("corpus.load", "corpus.pipeline", "corpus.store")
_DATA_FILES = ("userdict.txt", "stopwords.txt", "aliases.tsv", "floor_phrases.txt", "sessions.tsv")
_LIBRARIES = ("jieba", "rjieba", "opencc", "pyarrow", "charset-normalizer")


def pipeline_modules() -> list[Path]:
    """The package modules the stored tables depend on: :data:`_ROOT_MODULES` and every
    module of the package they import, directly or not (read from their import statements)."""
    package = Path(__file__).resolve().parents[1]
    seen: dict[str, Path] = {}
    todo = list(_ROOT_MODULES)
    while todo:
        dotted = todo.pop()
        if dotted in seen or not dotted:
            continue
        path = _module_path(package, dotted)
        if path is None:
            continue
        seen[dotted] = path
        where = dotted.split(".") if path.name == "__init__.py" else dotted.split(".")[:-1]
        for dots, module, names in _RELATIVE_IMPORT.findall(path.read_text(encoding="utf-8")):
            level = len(dots)
            if level - 1 > len(where):
                continue
            target = where[:len(where) - (level - 1)] + (module.split(".") if module else [])
            todo.append(".".join(target))
            todo.extend(".".join([*target, name.split(" as ")[0].strip()])
                        for name in names.strip("()").replace("\n", " ").split(",") if name.strip())
    return sorted(set(seen.values()))


# ``from .x import a, b`` and ``from . import (a,\n b)``, at any indentation (imports inside
# functions count: the pipeline imports some lazily). A regex, not ast: five times faster.
_RELATIVE_IMPORT = re.compile(r"^[ \t]*from[ \t]+(\.+)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]+)", re.M)


def _module_path(package: Path, dotted: str) -> Path | None:
    base = package.joinpath(*dotted.split("."))
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    return None


_PIPELINE_DIGEST: str | None = None
# The digest as a process last computed it, with what it was computed from: one file in
# CACHE_DIR for each context (:func:`_context`: a notebook's kernel and ``python -c`` have
# other ``sys.path``s), named by :func:`_digest_file`.
DIGEST_FILE = "pipeline-digest-{}.json"
# A watched file modified less than this before the digest was taken could be modified again
# within the same tick of the file system's clock unseen: 2 s, the coarsest such tick (FAT,
# exFAT, SMB). The time the digest was taken is this process's clock, not the file system's,
# so the margin covers the tick (the assembled files' stamps compare two files' times instead:
# analysis.corpus.assembled._stamp_holds).
DIGEST_MARGIN_NS = 2_000_000_000


def pipeline_digest() -> str:
    """A digest of everything besides the texts that decides the stored tables: the code of
    :func:`pipeline_modules`, the data files they read, and the libraries' versions. The
    store keys on it, so any change of that code or data rebuilds what it changes; no
    version number is bumped by hand. Computed once per process, or taken from
    :func:`_digest_file` when nothing it was computed from has changed since
    (:func:`_kept_digest`)."""
    global _PIPELINE_DIGEST
    if _PIPELINE_DIGEST is None:
        _PIPELINE_DIGEST = _kept_digest() or _computed_digest()
    return _PIPELINE_DIGEST


def _computed_digest() -> str:
    """:func:`pipeline_digest` computed: each file read and each library's version looked up;
    kept in :func:`_digest_file` with the state of every file and folder it depends on."""
    package = _package()
    modules = pipeline_modules()
    data = [config.DATA_DIR / name for name in _DATA_FILES]
    libraries, found = [], []
    for library in _LIBRARIES:
        try:
            dist = distribution(library)
            libraries.append(f"{library}={dist.version}")
            found.append(getattr(dist, "_path", None))  # its .dist-info folder, replaced as it is upgraded
        except Exception:  # noqa: BLE001 (a library without metadata counts as absent)
            libraries.append(f"{library}=?")
            found.append(None)
    watched = _watched(modules, data, found)
    taken = time.time_ns()
    state = {str(path): _state(path) for path in watched}  # before the reads: a later change shows
    parts: list[str | bytes] = [STORE_FORMAT]
    for path in modules:
        parts += [path.relative_to(package).as_posix(), path.read_bytes()]
    for name, path in zip(_DATA_FILES, data):
        parts += [name, path.read_bytes() if path.exists() else b""]
    value = digest(*parts, *libraries)
    if all(found):
        _keep_digest({"digest": value, "taken_ns": taken, "context": _context(),
                      "modules": [str(p) for p in modules], "libraries": [str(p) for p in found],
                      "state": state})
    return value


def _kept_digest() -> str | None:
    """The digest in :func:`_digest_file` when it names this process's package, Python
    and ``sys.path``, and every module, data file and folder it watched (the modules' and the
    data's folders, where a new module or file would appear, and each library's ``.dist-info``
    folder, which an upgrade replaces) still has the size, modification time and inode it had
    when the digest was computed, that time at least :data:`DIGEST_MARGIN_NS` older than the
    computation. Else None (computed again), as for a missing or unreadable file.

    Why kept: computing it reads the package's import statements and looks up five
    libraries' metadata, 0.03-0.05 s of every new process, a fifth of a warm load of 10 MB
    of speeches (docs/scale.md); checking it is about 40 ``stat`` calls."""
    try:
        kept = json.loads(_digest_file().read_text(encoding="utf-8"))
        if kept["context"] != _context():
            return None
        modules = [Path(p) for p in kept["modules"]]
        data = [config.DATA_DIR / name for name in _DATA_FILES]
        libraries = [Path(p) for p in kept["libraries"]]
        state = kept["state"]
        if sorted(state) != sorted(str(p) for p in _watched(modules, data, libraries)):
            return None
        newest = 0
        for path, was in state.items():
            now = _state(path)
            if now != was:
                return None
            newest = max(newest, now[1])
        if newest >= kept["taken_ns"] - DIGEST_MARGIN_NS:
            return None
        return str(kept["digest"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _watched(modules: list[Path], data: list[Path], libraries: list) -> list[Path]:
    folders = {path.parent for path in modules} | {config.DATA_DIR}
    return sorted({*modules, *data, *folders, *(p for p in libraries if p is not None)}, key=str)


def _state(path) -> list[int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return [-1, -1, -1]  # absent (a data file may be): appearing changes it
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def _digest_file() -> Path:
    return Path(config.CACHE_DIR) / DIGEST_FILE.format(digest(json.dumps(_context()))[:16])


def _package() -> Path:
    return Path(__file__).resolve().parents[1]


def _context() -> list:
    return [STORE_FORMAT, str(_package()), sys.version, [str(p) for p in sys.path],
            str(config.DATA_DIR)]


def _keep_digest(record: dict) -> None:
    """Write :func:`_digest_file` atomically; a cache folder that cannot be written is no fault
    (the digest is computed again by the next process)."""
    newest = max(s[1] for s in record["state"].values())
    if newest >= record["taken_ns"] - DIGEST_MARGIN_NS:
        return  # a file modified just now: the next process computes again
    try:
        path = _digest_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, lambda handle: handle.write(json.dumps(record).encode("utf-8")))
    except OSError:
        pass


# ---------------------------------------------------------------- schemas

SCHEMAS: dict[str, pa.Schema] = {}


def schemas() -> dict[str, pa.Schema]:
    """The schema each partition file must have (the pipeline's tables as written)."""
    if not SCHEMAS:
        from ..text.cleaning import KINDS

        string, integer = pa.string(), pa.int64()
        SCHEMAS["corpus"] = pa.schema(
            [("speech_id", string), ("content_key", string), ("encoding", string), ("raw", string),
             ("title", string), ("published", pa.timestamp("ns")), ("prev_title", string),
             ("next_title", string), ("text", string), ("text_simplified", string),
             ("removed_spans", string), ("substituted_spans", string)]
            + [(f"removed_{kind}", integer) for kind in KINDS] + [("n_chars", integer)]
            + [("text_date", pa.timestamp("ns")), ("text_year", integer), ("text_date_source", string),
               ("text_date_evidence", string), ("dateline_date", pa.timestamp("ns")), ("dateline_year", integer),
               ("dateline_evidence", string), ("byline_speaker", string)])
        SCHEMAS["parts"] = pa.schema(
            [("speech_id", _DICT), ("part", _DICT), ("section", integer), ("point", integer),
             ("label", string), ("title", string), ("start", integer), ("end", integer),
             ("n_chars", integer)])
        SCHEMAS["tokens"] = pa.schema(
            [("speech_id", _DICT), ("token", _DICT), ("simplified", _DICT), ("term", _DICT),
             ("start", integer), ("end", integer), ("pos", _DICT), ("is_stop", pa.bool_()),
             ("is_punct", pa.bool_()), ("part", _DICT), ("section", integer), ("point", integer)])
    return SCHEMAS


def conform(table: pa.Table, kind: str) -> pa.Table:
    """``table`` with exactly the columns and types of :data:`SCHEMAS` ``[kind]``."""
    schema = schemas()[kind]
    columns = []
    for f in schema:
        column = table.column(f.name)
        if column.type != f.type:
            if pa.types.is_dictionary(f.type) and not pa.types.is_dictionary(column.type):
                column = column.cast(f.type.value_type).dictionary_encode()
            else:
                column = column.cast(f.type)
        columns.append(column)
    return pa.table(columns, schema=schema)


# ---------------------------------------------------------------- partitions

def speeches_per_partition(n_speeches: int) -> int:
    """The mean speeches per partition of a corpus of ``n_speeches``: :data:`MEAN_SPEECHES`
    (16) times the largest power of four that still leaves about :data:`MIN_PARTITIONS`
    partitions. Larger partitions cost less: each partition has its own word dictionaries
    (built by its worker, unified by the reader), its files and its footers; at 100 MB
    (4,225 speeches) partitions of 64 speeches instead of 16 took a cold load to about 0.9
    of the time (``docs/scale.md``), and 256 gained nothing more. Enough of them stay to
    keep every core busy to the end (the largest are run first). The levels nest (a name
    whose CRC32 is 0 modulo 64 is 0 modulo 16), so a corpus that grows past a level merges
    runs of partitions into one; it never cuts elsewhere.

    >>> [speeches_per_partition(n) for n in (72, 1_000, 1_500, 5_000, 100_000)]
    [16, 16, 64, 64, 4096]
    """
    mean = MEAN_SPEECHES
    while n_speeches // (mean * 4) >= MIN_PARTITIONS:
        mean *= 4
    return mean


def plan(names: list[str], sizes: list[int], mean: int | None = None) -> list[tuple[int, int]]:
    """Consecutive runs ``(first, stop)`` of the speeches, as partitions: a run ends after a
    name whose CRC32 is 0 modulo ``mean`` (:func:`speeches_per_partition` of the corpus
    when not given), or before a speech that would take it past
    :data:`MAX_PARTITION_BYTES`. Boundaries depend on the names, not on positions, so
    inserting a file changes one partition (at the same ``mean``).

    >>> plan(["a", "b", "c"], [10, 10, 10])
    [(0, 3)]
    """
    mean = speeches_per_partition(len(names)) if mean is None else int(mean)
    runs, first, size = [], 0, 0
    for i, (name, nbytes) in enumerate(zip(names, sizes)):
        if i > first and size + nbytes > MAX_PARTITION_BYTES:
            runs.append((first, i))
            first, size = i, 0
        size += nbytes
        if zlib.crc32(name.encode("utf-8", "surrogatepass")) % mean == 0:
            runs.append((first, i + 1))
            first, size = i + 1, 0
    if first < len(names):
        runs.append((first, len(names)))
    return runs


@dataclass
class Source:
    """One speech to process: a file (``path``), or a text already clean (``text``, with
    ``simplified``) for a corpus given as a frame. ``stamp`` is what identifies its content
    without reading it: size and modification time of a file, a digest of a text."""

    speech_id: str
    stamp: str
    size: int
    path: str | None = None
    text: str | None = None
    simplified: str | None = None


@dataclass
class Partition:
    """A partition as the manifest records it."""

    name: str
    speech_ids: list[str]
    stamps: list[str]
    files: dict[str, dict] = field(default_factory=dict)  # table -> {"rows", "size", "mtime_ns"}
    skipped: dict[str, str] = field(default_factory=dict)  # speech_id -> why it could not be read
    content_keys: list[str] = field(default_factory=list)
    pipeline: str = ""  # the pipeline_key() it was built with: rows are reused only under the same
    # Why the process that built it could not write it to the store (its tables came back in
    # memory instead); not recorded in the manifest.
    unwritten: str = ""

    def as_json(self) -> dict:
        return {"name": self.name, "speech_ids": self.speech_ids, "stamps": self.stamps, "files": self.files,
                "skipped": self.skipped, "content_keys": self.content_keys, "pipeline": self.pipeline}

    @classmethod
    def from_json(cls, data: dict) -> Partition:
        return cls(data["name"], list(data["speech_ids"]), list(data["stamps"]), dict(data["files"]),
                   dict(data.get("skipped", {})), list(data.get("content_keys", [])), data.get("pipeline", ""))


def pipeline_key() -> str:
    """:func:`pipeline_digest` with the researcher's files as they are now (a user
    dictionary edited in a running kernel counts)."""
    from ..text.segment import resources_fingerprint

    return digest(pipeline_digest(), resources_fingerprint())


def partition_name(kind: str, sources: list[Source], key: str | None = None) -> str:
    """A partition's name: a digest of the pipeline (``key``, :func:`pipeline_key` when not
    given: a run names its partitions under one key, taken once, instead of reading the
    researcher's files' times again for each) and of its speeches' stamps."""
    key = pipeline_key() if key is None else key
    return digest("partition", kind, key, *(p for s in sources for p in (s.speech_id, s.stamp)))


# ---------------------------------------------------------------- the store on disk

def _scheme(root: str | Path) -> str | None:
    """The URL scheme ``root`` starts with (``s3`` of ``s3://bucket/x``), or None for a path."""
    found = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*)://", str(root))
    return found.group(1).lower() if found else None


def _local_root(root: str | Path) -> Path:
    """The folder a local store's ``root`` names: a path, or a ``file://`` URL (not taken for
    a relative folder named ``file:``)."""
    text = str(root)
    if _scheme(text) is None:
        return Path(root)
    from urllib.parse import unquote, urlparse

    parsed = urlparse(text)
    if parsed.netloc not in ("", "localhost"):
        raise ValueError(f"store {text!r}: a file:// URL must name a local path (file:///path)")
    return Path(unquote(parsed.path))


class Store:
    """A store folder (see the module's docstring). ``root`` defaults to ``CACHE_DIR/store``;
    a ``file://`` URL names a local folder. Any other URL (``s3://``, ``gs://``,
    ``memory://``) makes a :class:`RemoteStore` instead: the same layout written through
    fsspec, committed without renames (object stores have none)."""

    remote = False  # a folder: partitions appear whole by a rename, files are trusted by size and time
    in_process = False  # held in this process's memory only (memory://): no forked workers may write it

    def __new__(cls, root: str | Path | None = None):
        if cls is Store and root is not None and _scheme(root) not in (None, "file"):
            return super().__new__(RemoteStore)  # fsspec is imported then, in its __init__
        return super().__new__(cls)

    def __init__(self, root: str | Path | None = None):
        self.root = _local_root(root) if root is not None else config.CACHE_DIR / "store"

    # paths
    def manifest_path(self, corpus_id: str) -> Path:
        return self.root / "manifests" / f"{corpus_id}.json"

    def partition_dir(self, name: str) -> Path:
        return self.root / "partitions" / name

    def table_path(self, name: str, table: str) -> Path:
        return self.partition_dir(name) / f"{table}.parquet"

    def local_copies(self):
        """A context for reading a table a column at a time (:meth:`RemoteStore.local_copies`);
        a folder's files are read in place."""
        return contextlib.nullcontext()

    def writable(self) -> str | None:
        """None when the store can be written, else why not (for one warning)."""
        try:
            folder = self.root / "partitions"
            folder.mkdir(parents=True, exist_ok=True)
            fd, probe = tempfile.mkstemp(dir=folder, prefix=".probe-")
            os.close(fd)
            os.unlink(probe)
            return None
        except OSError as exc:
            return f"{type(exc).__name__}: {exc.strerror or exc}"

    # manifests
    def read_manifest(self, corpus_id: str) -> dict | None:
        """The corpus's manifest, or None when there is none, it is another format's, or it is
        damaged (reported: the corpus is then rebuilt)."""
        try:
            data = json.loads(self._manifest_bytes(corpus_id).decode("utf-8"))
            if data.get("format") != STORE_FORMAT or data.get("corpus_id") != corpus_id:
                return None
            return data
        except FileNotFoundError:
            return None
        except Exception as exc:  # noqa: BLE001 (a damaged or unreadable manifest means a rebuild)
            warn_user(f"store manifest {self.manifest_path(corpus_id)} is damaged ({type(exc).__name__}: "
                      f"{exc}); rebuilding", StoreWarning)
            return None

    def write_manifest(self, corpus_id: str, data: dict) -> None:
        payload = json.dumps({"format": STORE_FORMAT, "corpus_id": corpus_id, **data}, ensure_ascii=False)
        self._put_manifest(corpus_id, payload.encode("utf-8"))

    def _manifest_bytes(self, corpus_id: str) -> bytes:
        return self.manifest_path(corpus_id).read_bytes()

    def _put_manifest(self, corpus_id: str, payload: bytes) -> None:
        path = self.manifest_path(corpus_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, lambda handle: handle.write(payload))

    # partitions
    def write_partition(self, name: str, tables: dict, replace: bool = False) -> dict[str, dict]:
        """Write a partition's tables; returns what the manifest records of each file (rows,
        size, modification time). Each table is a ``pa.Table``, a function that makes one, or
        an iterator of its pieces, written as they come (:func:`_write_table`). The files are
        written into a temporary folder that is then renamed into place, so a partition
        appears whole or not at all; when another process put the same partition there
        first, its files are kept and their record returned; ``replace`` (a damaged
        partition rebuilt) puts the new files in its place."""
        final = self.partition_dir(name)
        record_path = final / "_record.json"
        if replace and final.exists():
            aside = final.with_name(f".{name}-damaged-{os.getpid()}")
            try:
                os.rename(final, aside)
                shutil.rmtree(aside, ignore_errors=True)
            except OSError:
                pass
        if record_path.exists():
            found = self._record(record_path)
            if found is not None:
                return found
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = temporary_folder(final.parent, name)
        try:
            # The tables are written at once, on threads (Parquet encoding releases the GIL).
            with ThreadPoolExecutor(len(tables) or 1) as pool:
                record = dict(zip(tables, pool.map(lambda kind: _write_table(tmp / f"{kind}.parquet", kind,
                                                                             tables[kind]), tables)))
            for kind in record:
                stat = (tmp / f"{kind}.parquet").stat()
                record[kind].update(size=stat.st_size, mtime_ns=stat.st_mtime_ns)
            (tmp / "_record.json").write_text(json.dumps(record), encoding="utf-8")
            try:
                os.rename(tmp, final)
            except OSError:
                if final.exists():  # another process put it there first: keep its files
                    shutil.rmtree(tmp, ignore_errors=True)
                    found = self._record(record_path)
                    if found is not None:
                        return found
                    shutil.rmtree(final, ignore_errors=True)  # a damaged one: replace it
                    os.rename(tmp, final)
                else:
                    raise
            return record
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    @staticmethod
    def _record(path: Path) -> dict | None:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def check(self, partition: Partition, kinds=TABLES) -> str | None:
        """None when the partition's files are as the manifest recorded them (size, time);
        else what is wrong. Reads no data."""
        for kind in kinds:
            want = partition.files.get(kind)
            if want is None:
                return f"{kind} missing from its record"
            path = self.table_path(partition.name, kind)
            try:
                stat = path.stat()
            except OSError as exc:
                return f"{path}: {exc.strerror or exc}"
            if stat.st_size != want["size"] or stat.st_mtime_ns != want["mtime_ns"]:
                return f"{path}: changed since it was written (size or time)"
        return None

    def read(self, partition: Partition, kind: str, columns: list[str] | None = None) -> pa.Table:
        """One table of a partition, checked against its schema and row count; raises
        :class:`DamagedPartition` naming the file and the fault."""
        path = self.table_path(partition.name, kind)
        try:
            return checked_table(path, partition, kind, columns)
        except DamagedPartition:
            raise
        except Exception as exc:  # noqa: BLE001 (anything short of the expected table is damage)
            raise DamagedPartition(path, f"{type(exc).__name__}: {exc}") from None


def checked_table(source, partition: Partition, kind: str, columns: list[str] | None = None) -> pa.Table:
    """One table of a partition read from ``source`` (a path, or a buffer of its bytes),
    checked against the schema the code writes and the row count its record gives; raises
    on any difference (the caller names the file). Parquet verifies its page checksums."""
    schema = schemas()[kind]
    names = [f.name for f in schema if pa.types.is_dictionary(f.type)]
    # ParquetFile, not read_table: read_table sets up a dataset for every call, which made
    # reading a corpus column by column (a file opened once per column) 2.4x slower.
    with pq.ParquetFile(source, read_dictionary=names, page_checksum_verification=True) as handle:
        table = handle.read(columns=columns, use_threads=True)
    expect = schema if columns is None else pa.schema([schema.field(c) for c in columns])
    got = table.schema.remove_metadata()
    if got != expect:
        raise ValueError(f"schema {_describe(got)} is not {_describe(expect)}")
    if table.num_rows != partition.files[kind]["rows"]:
        raise ValueError(f"{table.num_rows} rows, its record says {partition.files[kind]['rows']}")
    return table


# ---------------------------------------------------------------- the store at a URL

RECORD = "_record.json"
_COPIES_LOCK = threading.Lock()  # RemoteStore.local_copies's entries and exits


def filesystem(url: str):
    """``(fs, path)`` for a store URL (:func:`fsspec.core.url_to_fs`), or a clear error: an
    :class:`ImportError` naming the URL and the package to install when the URL's file system
    is not installed, a :class:`ValueError` when fsspec knows no such scheme."""
    scheme = _scheme(url) or "?"
    try:
        import fsspec.core
    except ImportError as exc:  # dask depends on it, so only a broken environment lacks it
        raise ImportError(f"store {url!r}: a store at a URL needs fsspec (pip install fsspec)") from exc
    try:
        return fsspec.core.url_to_fs(url)
    except ImportError as exc:
        from fsspec.registry import known_implementations

        target = known_implementations.get(scheme, {}).get("class", "")
        package = target.split(".")[0] if target else (exc.name or "its fsspec implementation")
        raise ImportError(f"store {url!r}: {scheme}:// needs the {package} package, which is not installed "
                          f"(pip install {package}; fsspec says: {exc}). Or give a folder: a local path, a "
                          "file:// URL, or the bucket mounted on a shared file system") from exc
    except ValueError as exc:
        raise ValueError(f"store {url!r}: fsspec knows no {scheme}:// file system ({exc})") from exc


class RemoteStore(Store):
    """A store at an fsspec URL (see the module's docstring): the layout of :class:`Store`,
    committed without renames (table files first, each partition's ``_record.json`` after
    them, the manifest last) and trusted by the record's sizes, not by times. Made by
    ``Store(url)``; ``root`` is the URL as given (messages name objects by it). Its file
    system is fsspec's for the URL, with credentials and options from the usual places (the
    environment, ``~/.aws``, fsspec's configuration such as ``FSSPEC_S3_ENDPOINT_URL``).

    A subclass rather than branches in :class:`Store`: a folder's code path (renames,
    modification times, the assembled files) stays exactly as it was; only what an object
    store does differently is written here. No assembled files (``remote``): they save
    Parquet decoding on a local disk, but at a URL they would be a second copy of every
    token fetched over the network, for a read the workers of a cluster never use."""

    remote = True

    def __init__(self, root: str):
        self.root = str(root).rstrip("/")
        self.fs, base = filesystem(self.root)
        self._base = base.rstrip("/")
        self._listing: dict[str, dict[str, int]] | None = None  # partition -> file -> size, one run's
        # fsspec's memory:// lives in this process: the pipeline then processes here, not in
        # forked workers, whose writes would be lost with them.
        protocols = self.fs.protocol if isinstance(self.fs.protocol, (tuple, list)) else (self.fs.protocol,)
        self.in_process = "memory" in protocols

    def __getstate__(self) -> dict:
        return {"root": self.root, "fs": self.fs, "_base": self._base, "_listing": None,
                "in_process": self.in_process}

    # where things are: URLs for messages, file-system paths for fsspec
    def _path(self, *parts: str) -> str:
        return "/".join([self._base, *parts])

    def _url(self, *parts: str) -> str:
        return "/".join([self.root, *parts])

    def manifest_path(self, corpus_id: str) -> str:
        return self._url("manifests", f"{corpus_id}.json")

    def partition_dir(self, name: str) -> str:
        return self._url("partitions", name)

    def table_path(self, name: str, table: str) -> str:
        return self._url("partitions", name, f"{table}.parquet")

    @contextlib.contextmanager
    def local_copies(self):
        """Within it, a table read a column at a time (``corpus_tokens`` of a large corpus,
        so that its Arrow table and its frame are never both whole in memory) is fetched
        once, whole, into a temporary folder, and each column is read from that copy; the
        folder is removed on leaving. Ranged reads cost a size check, a footer and a
        request for every column of every partition: warm, 30 MB of speeches took 12.6 s
        from a bucket on a local S3 server that way, against 0.7 s from a folder
        (``bench/bench_remote.py``). Written here on fsspec's ``get_file``, not as fsspec's
        ``simplecache`` file system, because each copy's size is checked against the
        partition's record before it is read, and the copies live only as long as the reads
        that wanted them: contexts that overlap (nested, or two threads reading through one
        store) share one folder, removed when the last of them ends."""
        with _COPIES_LOCK:
            copies = getattr(self, "_copies", None)
            if copies is None:
                copies = self._copies = {"folder": tempfile.mkdtemp(prefix="speeches-store-"), "files": {},
                                         "lock": threading.Lock(), "fetching": {}, "users": 0}
            copies["users"] += 1
        try:
            yield
        finally:
            with _COPIES_LOCK:
                copies["users"] -= 1
                if not copies["users"]:
                    self._copies = None
                    shutil.rmtree(copies["folder"], ignore_errors=True)

    def _local_copy(self, path: str, want: int, copies: dict) -> str:
        """The local copy of the object at ``path`` (fetched on first use, by one thread while
        the others reading it wait), of ``want`` bytes."""
        with copies["lock"]:
            fetching = copies["fetching"].setdefault(path, threading.Lock())
        with fetching:
            with copies["lock"]:
                local = copies["files"].get(path)
            if local is None:
                local = os.path.join(copies["folder"], f"{uuid.uuid4().hex}.parquet")
                self.fs.get_file(path, local)
                size = os.path.getsize(local)
                if size != want:
                    os.unlink(local)
                    raise ValueError(f"{size} bytes, its record says {want}")
                with copies["lock"]:
                    copies["files"][path] = local
        return local

    def writable(self) -> str | None:
        """None when an object can be put in the store (and removed), else why not."""
        probe = self._path("partitions", f".probe-{uuid.uuid4().hex}")
        try:
            self.fs.pipe_file(probe, b"")
            self.fs.rm_file(probe)
            return None
        except Exception as exc:  # noqa: BLE001 (each fsspec implementation raises its own errors)
            return f"{type(exc).__name__}: {exc}"

    # manifests (read and checked as a folder's: Store.read_manifest)
    def _manifest_bytes(self, corpus_id: str) -> bytes:
        """A run starts here, so the listing of the partitions that :meth:`check` reads is
        taken afresh after it."""
        self._listing = None
        return self.fs.cat_file(self._path("manifests", f"{corpus_id}.json"))

    def _put_manifest(self, corpus_id: str, payload: bytes) -> None:
        """One PUT, after every partition it names has its record."""
        self.fs.pipe_file(self._path("manifests", f"{corpus_id}.json"), payload)

    # partitions
    def write_partition(self, name: str, tables: dict, replace: bool = False) -> dict[str, dict]:
        """Write a partition's tables (as :meth:`Store.write_partition` takes them); returns
        its record (each file's rows and size). Each table is encoded into a local temporary
        file and uploaded whole under its final name, on a thread of its own; the record is
        put after all of them. A complete partition already there (another worker's) is
        kept and its record returned; ``replace`` (a damaged one) removes it first."""
        self._listing = None
        if replace:
            self._remove(self._path("partitions", name))
        else:
            found = self._complete(name)
            if found is not None:
                return found
            self._remove(self._path("partitions", name, RECORD))  # an older, failed record: never left standing
        tmp = Path(tempfile.mkdtemp(prefix=f"speeches-store-{name}-"))
        try:
            def upload(kind: str) -> dict:
                local = tmp / f"{kind}.parquet"
                entry = _write_table(local, kind, tables[kind])
                entry["size"] = local.stat().st_size
                self.fs.put_file(str(local), self._path("partitions", name, f"{kind}.parquet"))
                return entry

            with ThreadPoolExecutor(len(tables) or 1) as pool:
                record = dict(zip(tables, pool.map(upload, tables)))
            self.fs.pipe_file(self._path("partitions", name, RECORD), json.dumps(record).encode("utf-8"))
            return record
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def _remove(self, path: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.fs.rm(path, recursive=True)

    def _complete(self, name: str) -> dict | None:
        """The record of partition ``name`` when it is there and every file it lists has the
        size it gives; else None."""
        try:
            record = json.loads(self.fs.cat_file(self._path("partitions", name, RECORD)).decode("utf-8"))
            sizes = self._sizes(name, fresh=True)
            if all(sizes.get(f"{kind}.parquet") == entry["size"] for kind, entry in record.items()):
                return record
        except Exception:  # noqa: BLE001 (no record, or an unreadable one: the partition is written again)
            pass
        return None

    def _sizes(self, name: str, fresh: bool = False) -> dict[str, int]:
        """The sizes of partition ``name``'s objects (file name -> bytes): from one listing of
        every partition per run (``fresh``: of this partition, now)."""
        if fresh:
            folder = self._path("partitions", name)
            self.fs.invalidate_cache(folder)
            try:
                found = self.fs.find(folder, detail=True)
            except FileNotFoundError:
                return {}
            return {info["name"].rstrip("/").rsplit("/", 1)[-1]: info["size"] for info in found.values()}
        if self._listing is None:
            root = self._path("partitions")
            self.fs.invalidate_cache(root)
            listing: dict[str, dict[str, int]] = {}
            try:
                found = self.fs.find(root, detail=True)
            except FileNotFoundError:
                found = {}
            for info in found.values():
                parts = info["name"].rstrip("/").rsplit("/", 2)
                if len(parts) == 3:
                    listing.setdefault(parts[1], {})[parts[2]] = info["size"]
            self._listing = listing
        return self._listing.get(name, {})

    def check(self, partition: Partition, kinds=TABLES) -> str | None:
        """None when the partition's record is there and each file has the size the manifest
        records; else what is wrong. Reads no data (no modification times: see the module's
        docstring)."""
        sizes = self._sizes(partition.name)
        if RECORD not in sizes:
            return f"{self.partition_dir(partition.name)} has no {RECORD} (a write that did not finish)"
        for kind in kinds:
            want = partition.files.get(kind)
            if want is None:
                return f"{kind} missing from its record"
            got = sizes.get(f"{kind}.parquet")
            if got is None:
                return f"{self.table_path(partition.name, kind)}: missing"
            if got != want["size"]:
                return f"{self.table_path(partition.name, kind)}: {got} bytes, its record says {want['size']}"
        return None

    def read(self, partition: Partition, kind: str, columns: list[str] | None = None) -> pa.Table:
        """One table of a partition, its size checked against its record, then its schema,
        row count and page checksums; raises :class:`DamagedPartition` naming the object and
        the fault. A whole table is fetched in one GET; some ``columns`` (a large corpus read
        a column at a time) by ranged reads of those columns alone, or, within
        :meth:`local_copies`, from a copy of the whole object fetched once."""
        url = self.table_path(partition.name, kind)
        path = self._path("partitions", partition.name, f"{kind}.parquet")
        want = partition.files[kind]["size"]
        copies = getattr(self, "_copies", None)  # within local_copies()
        try:
            if copies is not None and columns is not None:
                return checked_table(self._local_copy(path, want, copies), partition, kind, columns)
            if columns is None:
                data = self.fs.cat_file(path)
                if len(data) != want:
                    raise ValueError(f"{len(data)} bytes, its record says {want}")
                return checked_table(pa.BufferReader(data), partition, kind)
            size = self.fs.info(path)["size"]
            if size != want:
                raise ValueError(f"{size} bytes, its record says {want}")
            with self.fs.open(path, "rb") as handle:
                return checked_table(handle, partition, kind, columns)
        except Exception as exc:  # noqa: BLE001 (anything short of the expected table is damage)
            if copies is not None:  # a partition built again is fetched again, not read from its old copy
                with copies["lock"]:
                    copies["files"].pop(path, None)
            raise DamagedPartition(url, f"{type(exc).__name__}: {exc}") from None


def _write_table(path: Path, kind: str, value) -> dict:
    """Write one table of a partition: a ``pa.Table``, a function that makes one, or an
    iterator of its pieces (one row group each, written as each arrives); returns its
    record's row count."""
    if callable(value):
        value = value()
    if isinstance(value, pa.Table):
        table = _one_dictionary(conform(value, kind))
        with open(path, "wb") as handle:
            pq.write_table(table, handle, compression="lz4", write_page_checksum=True,
                           write_statistics=False, **_encodings(table.schema))
        return {"rows": table.num_rows}
    schema, rows = schemas()[kind], 0
    try:
        with open(path, "wb") as handle, pq.ParquetWriter(handle, schema, compression="lz4", write_page_checksum=True,
                                                          write_statistics=False, **_encodings(schema)) as writer:
            for piece in value:
                piece = conform(piece, kind)
                writer.write_table(piece)
                rows += piece.num_rows
    finally:
        close = getattr(value, "close", None)
        if close is not None:
            close()  # an iterator left unfinished by an error stops its work
    return {"rows": rows}


def _one_dictionary(table: pa.Table) -> pa.Table:
    """``table`` with each dictionary column in one chunk over one dictionary. A batch's
    token table comes in chunks, one per group of pieces, each with its own dictionary;
    Parquet writes a dictionary column straight from its indices only while the dictionary
    stays the same, and otherwise decodes every chunk to strings and hashes them again. On
    a partition of 500 speeches (2.5 million tokens, 5 chunks) the write took 0.71 CPU-s as
    it came and 0.39 once unified (unifying: 0.05)."""
    if all(not pa.types.is_dictionary(f.type) or table.column(f.name).num_chunks <= 1 for f in table.schema):
        return table
    return table.unify_dictionaries().combine_chunks()


def _encodings(schema: pa.Schema) -> dict:
    """How each column is written: the dictionary-encoded strings as Parquet dictionaries,
    offsets (``start``, ``end``: rising within a speech) as deltas, the rest plain. Against
    Parquet's default (a dictionary tried on every column), a token table is half the size
    and a fifth quicker to write and to read."""
    return {"use_dictionary": [f.name for f in schema if pa.types.is_dictionary(f.type)],
            "column_encoding": {f.name: "DELTA_BINARY_PACKED" for f in schema
                                if f.name in ("start", "end") and pa.types.is_integer(f.type)}}


PRUNE_AFTER_HOURS = 24.0


def prune_store(store: str | Path | None = None, *, older_than_hours: float = PRUNE_AFTER_HOURS,
                dry_run: bool = False):
    """Remove the partitions of a store folder that no corpus's manifest names any more: those
    an earlier version of the pipeline built (a change of the code or data renames every
    partition it changes, and the old ones stay), and a changed speech's earlier partition.
    Also removes what an interrupted write left (hidden ``.<partition>-<pid>-<hex>`` folders).
    Returns a frame of what it found, one row per partition folder: ``name``, ``bytes``,
    ``named`` (a manifest names it), ``removed``.

    Only what was last written more than ``older_than_hours`` ago is removed, so that a load
    running meanwhile (whose partitions are written before its manifest) keeps what it is
    writing; a manifest that cannot be read stops the pruning (its partitions are unknown).
    ``dry_run`` removes nothing. A store at a URL is not pruned (``NotImplementedError``).

    Why not a least-recently-used cache of a size: a store is a corpus's tables, as costly to
    build again as the corpus is large; what no manifest names is what nothing will read."""
    import pandas as pd

    folder = Store(store)
    if folder.remote:
        raise NotImplementedError(f"prune_store works on a store folder, not on {folder.root}")
    root = Path(folder.root)
    named: set[str] = set()
    for manifest in sorted((root / "manifests").glob("*.json")):
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
            named.update(p["name"] for p in data.get("partitions", []))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"store manifest {manifest} cannot be read ({type(exc).__name__}: {exc}): nothing "
                             "pruned, since the partitions it names are unknown; load its corpus again (it is "
                             "rebuilt) or remove the manifest") from None
    cutoff = time.time() - older_than_hours * 3600
    rows = []
    partitions = root / "partitions"
    for path in sorted(partitions.iterdir()) if partitions.is_dir() else []:
        if not path.is_dir():
            continue
        inside = [(f.stat(), f.is_file()) for f in path.rglob("*")]  # one walk: sizes and times
        size = sum(st.st_size for st, is_file in inside if is_file)
        newest = max([path.stat().st_mtime, *(st.st_mtime for st, _ in inside)])
        keep = path.name in named or newest > cutoff
        if not keep and not dry_run:
            shutil.rmtree(path)
        rows.append({"name": path.name, "bytes": size, "named": path.name in named, "removed": not keep})
    return pd.DataFrame(rows, columns=["name", "bytes", "named", "removed"])


class DamagedPartition(Exception):
    def __init__(self, path: Path, why: str):
        super().__init__(f"{path}: {why}")
        self.path = path
        self.why = why


def _describe(schema: pa.Schema) -> str:
    return "(" + ", ".join(f"{f.name}: {f.type}" for f in schema) + ")"
