"""Loading speech files: decoding in any of the encodings such sites use, cleaning, and the
corpus table every notebook starts from."""
from __future__ import annotations

import codecs
import errno
import json
import os
import re
import stat
import warnings
from pathlib import Path

import pandas as pd
import pyarrow as pa
from charset_normalizer import from_bytes

from ..common.errors import CorpusError
from ..config import SEEDS_DIR
from ..text.chars import HAN, HAN_RE, count_han
from ..text.cleaning import KINDS, clean_text
from ..text.dates import UNKNOWN, SpeechDate, dateline, speech_date, with_header
from ..text.heads import byline_speaker, header_lines
from ..text.script import to_simplified
from .cache import digest
from .metadata import (
    LEVELS,
    OVERRIDABLE,
    MetadataWarning,
    date_conflicts,
    find_metadata,
    join_metadata,
    metadata_dates,
    metadata_levels,
    read_metadata,
)
from .metadata import warn as warn_metadata
from .pipeline import run
from .store import Source, Store, StoreWarning

SPEECH_SUFFIX = ".txt"
# Files a speech folder may hold besides speeches (README.txt included), left alone without a word.
_IGNORED_NAMES = re.compile(r"^(?:README|LICENSE|NOTES)(?:\.\w+)?$|^metadata\.(?:csv|tsv)$|^\.", re.IGNORECASE)
# (byte-order mark, the encoding reported, the codec that decodes what follows the mark)
_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32", "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32", "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16-be"),
]
# What charset-normalizer may choose from: the encodings Chinese pages come in. Leaving out
# the single-byte code pages stops it from "decoding" GBK as Latin-1 mojibake.
_CANDIDATES = ["utf_8", "gb18030", "big5", "cp950", "big5hkscs", "utf_16", "utf_32"]
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def decode_bytes(data: bytes, name: str = "<bytes>") -> tuple[str, str]:
    """Decode a speech file's bytes; returns ``(text, encoding)``.

    UTF-8/16/32 with a BOM, UTF-16/32 without one (told by where its NUL bytes fall and by
    what it decodes to), UTF-8 without a BOM, GB18030/GBK and Big5 are recognised.
    Raises :class:`CorpusError` naming ``name`` for an empty, binary or undecodable file; a
    decoding error gives the byte offset and the line where decoding stopped.
    """
    if not data.strip():
        raise CorpusError(f"{name}: empty file")
    for bom, encoding, codec in _BOMS:
        if data.startswith(bom):
            try:
                return _check(data[len(bom):].decode(codec).lstrip("\ufeff"), name), encoding
            except UnicodeDecodeError as exc:
                raise CorpusError(f"{name}: starts with a {codec.upper()} byte-order mark but is not "
                                  f"{codec.upper()}: {_where(data, exc, codec, len(bom))}") from None
    if b"\x00" in data:
        return _without_bom(data, name)
    try:
        return _check(data.decode("utf-8"), name), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data, cp_isolation=_CANDIDATES).best()
    if best is None:
        failures = "; ".join(f"as {label}, {_first_error(data, codec)}" for label, codec in _LEGACY)
        raise CorpusError(f"{name}: cannot be decoded as UTF-8, GB18030/GBK or Big5 ({failures})")
    encoding = best.encoding
    if encoding == "big5":
        # cp950 is Big5 as Windows and the web write it; it decodes a superset.
        try:
            return _check(data.decode("cp950"), name), "cp950"
        except UnicodeDecodeError:
            pass
    return _check(str(best), name), encoding


# The encodings an undecodable file's message reports on, and the codec each is tried with.
_LEGACY = [("UTF-8", "utf-8"), ("GB18030", "gb18030"), ("Big5", "cp950")]


def _line_of(text: str, position: int) -> int:
    """The line (1-based; LF, CRLF or CR ends one) holding character ``position`` of ``text``."""
    before = text[:position]
    return before.count("\n") + before.count("\r") - before.count("\r\n") + 1


def _line_at(data: bytes, offset: int, encoding: str) -> int:
    """The line holding byte ``offset`` of ``data`` in ``encoding``."""
    before = data[:offset].decode(encoding, errors="replace")
    return _line_of(before, len(before))


def _where(data: bytes, exc: UnicodeDecodeError, encoding: str, skipped: int = 0) -> str:
    """Where and why decoding ``data[skipped:]`` as ``encoding`` stopped: the reason, the
    bytes, their offset in the file and their line."""
    start, end = exc.start + skipped, exc.end + skipped
    line = _line_at(data[skipped:], exc.start, encoding)
    return f"{exc.reason} (bytes {data[start:end].hex(' ')}) at byte offset {start}, line {line}"


def _first_error(data: bytes, encoding: str) -> str:
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        return _where(data, exc, encoding)
    return "no error"  # decodes, but charset-normalizer judged the result not to be text


# UTF-16 and UTF-32 without a byte-order mark: a Chinese text in them has NUL bytes (from its
# ASCII characters, line ends included), so it would otherwise be taken for a binary file.
# Each byte order is decoded and the one whose characters are text is taken; the other
# order turns 我 (U+6211) into U+1162 and a line end into U+0A00, neither of which is.
_BOMLESS = ["utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be"]
_NOT_TEXT = re.compile(
    "[^\t\n\r\x20-\x7e\u00a0-\u024f\u0370-\u04ff\u2000-\u2bff\u3000-\u33ff"
    f"{HAN}\ufe30-\ufe4f\uff00-\uffef]"
)
# The share of a sample's characters that must be text for a byte order to be taken.
_TEXT_SHARE = 0.95


def _without_bom(data: bytes, name: str) -> tuple[str, str]:
    """``data`` (with NUL bytes, without a BOM) decoded as UTF-16 or UTF-32 when one byte
    order gives text; otherwise a :class:`CorpusError` calling it binary, which says
    "possibly UTF-16 without a BOM" when the NUL bytes fall where such a file has them.
    Each byte order is judged on the start of the file; only the one taken decodes it all."""
    scores = []
    for encoding in _BOMLESS:
        if len(data) % (4 if "32" in encoding else 2):
            continue
        try:  # incremental: a character cut at the sample's end is no error
            sample = codecs.getincrementaldecoder(encoding)().decode(data[:4 * _CONTROL_SAMPLE])
        except UnicodeDecodeError:
            continue
        if sample:
            scores.append((1 - len(_NOT_TEXT.findall(sample)) / len(sample), encoding))
    share, encoding = max(scores, default=(0.0, ""))
    if share >= _TEXT_SHARE:
        try:
            return _check(data.decode(encoding), name), encoding
        except UnicodeDecodeError as exc:
            raise CorpusError(f"{name}: reads as {encoding.upper()} without a byte-order mark, but "
                              f"{_where(data, exc, encoding)}") from None
        except CorpusError as exc:
            raise CorpusError(f"{exc} (read as {encoding.upper()} without a byte-order mark)") from None
    odd, even = data[1::2].count(0), data[0::2].count(0)
    if odd + even >= _UTF16_MIN_NULS and max(odd, even) >= 9 * min(odd, even):
        order = "LE" if odd > even else "BE"
        length = " and an odd number of bytes" if len(data) % 2 else ""
        raise CorpusError(f"{name}: binary file, or possibly UTF-16-{order} without a byte-order mark "
                          f"(its NUL bytes fall where that has them{length}, but it does not decode "
                          "to text); if it is UTF-16, save it with a BOM or as UTF-8")
    raise CorpusError(f"{name}: binary file (NUL bytes, no byte-order mark, and not UTF-16 or UTF-32 text)")


# Fewer NUL bytes than this say nothing about where they fall (a stray NUL in a UTF-8 file).
_UTF16_MIN_NULS = 8


# Binary content shows in its first characters; scanning a whole 10 MB file for it would not
# find more (and a NUL anywhere in the bytes is caught before decoding).
_CONTROL_SAMPLE = 100_000


def _check(text: str, name: str) -> str:
    sample = text[:_CONTROL_SAMPLE]
    found = _CONTROL.findall(sample)
    if len(found) > max(2, len(sample) // 100):
        line = _line_of(sample, _CONTROL.search(sample).start())
        raise CorpusError(f"{name}: binary file ({len(found)} control characters in the first "
                          f"{len(sample)} decoded characters, the first, {found[0]!r}, on line {line})")
    if not HAN_RE.search(text):
        raise CorpusError(f"{name}: no Chinese text after decoding")
    return text


def read_speech(path: str | Path) -> tuple[str, str]:
    """Read and decode one speech file; returns ``(raw_text, encoding)``. Raises
    :class:`CorpusError` naming the file for one that cannot be read: a broken symbolic link,
    a link loop, a folder, a FIFO or device (never opened: reading one could wait forever),
    a permission denied, or bytes that do not decode (:func:`decode_bytes`)."""
    path = Path(path)
    try:
        mode = path.stat().st_mode  # follows links
    except OSError as exc:
        raise CorpusError(f"{path}: {_unreachable(path, exc)}") from None
    if stat.S_ISDIR(mode):
        raise CorpusError(f"{path}: a folder, not a speech file")
    if not stat.S_ISREG(mode):
        raise CorpusError(f"{path}: not a regular file ({_KINDS.get(stat.S_IFMT(mode), 'special file')})")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    return decode_bytes(data, str(path))


_KINDS = {stat.S_IFIFO: "a FIFO", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a character device",
          stat.S_IFBLK: "a block device"}


def _unreachable(path: Path, exc: OSError) -> str:
    """Why ``path`` cannot even be looked at (``exc`` from ``stat``), in words."""
    if exc.errno == errno.ELOOP:
        return "symbolic link loop (following its links never reaches a file)"
    if exc.errno == errno.ENOENT and path.is_symlink():
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        return f"broken symbolic link (its target {target!r} does not exist)"
    return f"cannot be read ({exc.strerror or exc})"


def speech_files(path: str | Path | None = None) -> tuple[list[Path], list[Path]]:
    """The speech files of a folder (``*.txt``, sorted by name) and the other files in it
    that are not speeches (wrong extension), also sorted. A file path is its own list.

    Every entry named ``*.txt`` is listed, whatever it is: a broken link, a link loop or a
    folder named ``x.txt`` then fails in :func:`read_speech` with its reason, so the load
    names it instead of passing over it. Subfolders with other names are not looked into.
    Raises :class:`CorpusError` when two files would become one speech (``x.txt`` and
    ``x.TXT``: the same ``speech_id``), naming both.
    """
    path = Path(path) if path is not None else SEEDS_DIR
    if path.is_file():
        return [path], []
    if not path.is_dir():
        try:
            path.stat()
        except OSError as exc:
            reason = "no such file or folder" if exc.errno == errno.ENOENT and not path.is_symlink() \
                else _unreachable(path, exc)
            raise CorpusError(f"{path}: {reason}") from None
        raise CorpusError(f"{path}: not a file or folder")
    # One directory scan, names sorted as strings: thousands of files, no Path comparisons.
    with os.scandir(path) as entries:
        listed = sorted((e.name, _is_folder(e)) for e in entries if not _IGNORED_NAMES.match(e.name))
    files = [path / name for name, _ in listed if name.lower().endswith(SPEECH_SUFFIX)]
    others = [path / name for name, folder in listed
              if not folder and not name.lower().endswith(SPEECH_SUFFIX)]
    _refuse_twins(files)
    return files, others


def _is_folder(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # a link loop: not a folder, and read_speech names it
        return False


def _refuse_twins(files: list[Path]) -> None:
    """Two files with one stem (``x.txt`` and ``x.TXT``) would be one speech, their tokens
    merged: an error naming both, since which one is meant is not for us to guess."""
    by_stem: dict[str, list[Path]] = {}
    for file in files:
        by_stem.setdefault(file.stem, []).append(file)
    twins = [group for group in by_stem.values() if len(group) > 1]
    if twins:
        listed = "; ".join(" and ".join(str(f) for f in group) + f" would both be speech {group[0].stem!r}"
                           for group in twins)
        raise CorpusError(f"{len(twins)} speech id(s) given by more than one file: {listed}; "
                          "rename or remove one of each")


def speech_record(raw: str) -> dict:
    """Clean one decoded speech; returns the cleaned columns of its corpus row as a dict."""
    cleaned = clean_text(raw)
    counts = cleaned.counts()
    record = {
        "title": cleaned.title,
        "published": cleaned.published,
        "prev_title": cleaned.prev_title,
        "next_title": cleaned.next_title,
        "text": cleaned.text,
        "text_simplified": to_simplified(cleaned.text),
        "n_chars": count_han(cleaned.text),
    }
    record.update({f"removed_{kind}": counts[kind] for kind in KINDS})
    # The changes as compact JSON: deletions [kind, start, end] (their text is raw[start:end])
    # and substitutions [kind, start, end, new]; removals(corpus) expands them into a table.
    record["removed_spans"] = json.dumps([[r.kind, r.start, r.end] for r in cleaned.removed])
    record["substituted_spans"] = json.dumps(
        [[s.kind, s.position, s.end, s.new] for s in cleaned.substitutions], ensure_ascii=False)
    return record


# Short fields first and last, long texts in the middle: a printed frame then shows the
# speech, its title and date, and its size.
CLEAN_COLUMNS = (
    ["title", "published", "prev_title", "next_title", "text", "text_simplified", "removed_spans",
     "substituted_spans"]
    + [f"removed_{kind}" for kind in KINDS]
    + ["n_chars"]
)
CORPUS_COLUMNS = ["speech_id", "title", "published", "prev_title", "next_title", "encoding", "raw",
                  "text", "text_simplified", "removed_spans", "substituted_spans"] + [
                      f"removed_{kind}" for kind in KINDS] + ["n_chars"]
DATE_COLUMNS = ["date", "year", "date_source", "date_evidence"]
# Where the date columns and a metadata table's own columns go: after the title, so that a
# printed corpus shows who, when and what before the long texts.
_AFTER = "title"


def removals(corpus: pd.DataFrame, substitutions: bool = True) -> pd.DataFrame:
    """Every change cleaning made, one row each in file order: speech_id, kind, start, end
    (positions in ``raw``), text (``raw[start:end]``) and new (what it became: empty for a
    deletion; a line break for an indent turned into a paragraph break or inserted where a
    flattened page ran two parts together, ``start == end`` for an insertion).

    Deletions (title, footer, join, …: ``analysis.cleaning.KINDS``) and substitutions
    (width, punctuation, split, …: ``analysis.cleaning.SUBSTITUTION_KINDS``) share the table;
    ``substitutions=False`` keeps the deletions only."""
    rows = []
    columns = ["substituted_spans"] if substitutions and "substituted_spans" in corpus.columns else []
    for speech_id, raw, spans, *subs in zip(corpus["speech_id"], corpus["raw"], corpus["removed_spans"],
                                            *(corpus[c] for c in columns)):
        changes = [(kind, a, b, raw[a:b], "") for kind, a, b in json.loads(spans)]
        for found in subs:
            changes += [(kind, a, b, raw[a:b], new) for kind, a, b, new in json.loads(found)]
        changes.sort(key=lambda change: (change[1], change[2]))
        rows.extend((speech_id, *change) for change in changes)
    return pd.DataFrame(rows, columns=["speech_id", "kind", "start", "end", "text", "new"])


class Corpus(pd.DataFrame):
    """The frame :func:`load_corpus` returns. A plain DataFrame, except that printing it
    shows the columns a reader checks first (id, title, date, size) instead of a row of
    long texts cut to ``...``; notebooks still render the whole frame."""

    _SUMMARY = ["speech_id", "title", "year", "date_source", "n_chars"]

    @property
    def _constructor(self):
        return Corpus

    def __repr__(self) -> str:
        shown_cols = [c for c in self._SUMMARY if c in self.columns]
        if "speech_id" not in shown_cols:
            return super().__repr__()
        rest = [c for c in self.columns if c not in shown_cols]
        with pd.option_context("display.width", 200, "display.max_colwidth", 40):
            shown = pd.DataFrame(self[shown_cols]).to_string()
        return f"{shown}\n[{len(self)} speeches; also: {', '.join(map(str, rest))}]"


def load_corpus(path: str | Path | None = None, errors: str = "raise", *,
                metadata: str | Path | pd.DataFrame | bool | None = None, cache: bool = True,
                progress: bool | None = None, workers: int | None = None, client=None,
                store: str | Path | None = None) -> Corpus:
    """Load every speech file (``*.txt``, sorted by name) of ``path`` (default ``seeds/``),
    with its metadata and its date.

    Returns one row per speech: ``speech_id`` (file stem), ``title``, ``date`` (Timestamp of
    the speech itself, NaT when unknown), ``year`` (Int64), ``date_source`` (``metadata``,
    ``text``, ``filename`` or NA), ``date_evidence`` (the words or field it came from),
    ``speaker`` (the metadata's, else the name under a published head's dateline, NA when
    neither names one) and ``speaker_source`` (``metadata``, ``text`` or NA), the metadata
    table's own columns (``level`` read as an ordered categorical, see
    :mod:`analysis.metadata`), ``published`` (the page's posting time, NaT without a 時間
    line; never the speech's date), ``prev_title``, ``next_title``, ``encoding``, ``raw``
    (decoded file), ``text`` (cleaned body, original script), ``text_simplified``,
    ``n_chars`` (Han characters in ``text``), ``removed_<kind>`` (deletions per kind) and
    ``removed_spans`` (JSON; :func:`removals` turns it into a table of every deletion).

    ``metadata``: by default a ``metadata.csv`` or ``metadata.tsv`` in the folder is read and
    joined on ``speech_id`` (see :mod:`analysis.metadata`); a path or a DataFrame gives the
    table; ``False`` ignores it. Its ``date``/``year`` columns date the speeches first, then
    the text, then the file name (:mod:`analysis.dates`). A duplicate ``speech_id``, a
    column that would replace a computed one, or (with ``errors="raise"``) a date that does
    not parse raises :class:`CorpusError`; files without a row, rows without a file, and a
    metadata date the text's dateline or the file name contradicts are named in a
    :class:`analysis.metadata.MetadataWarning`.

    Loading runs the whole pipeline once per speech (cleaning, conversion, outline,
    segmentation) and keeps the corpus, parts and tokens tables in the corpus store
    (:mod:`analysis.store`, under ``CACHE_DIR``), keyed by each file's name, size and time
    and by a digest of the pipeline's code and data: a warm load reads them, and a changed
    file is processed again alone. ``cache=False`` computes without reading or writing the
    store. Partitions to compute run on ``workers`` processes (default: the cores this
    process may use) when there is enough text, or on the workers of a Dask ``client``
    (:mod:`analysis.cluster`; the folder must then be one the workers can read, and
    ``store`` a folder or URL they share). ``progress`` forces the progress bar.

    Bad files: with ``errors="raise"`` (default) one :class:`CorpusError` names every
    unreadable ``.txt`` file and its reason, after all were tried; with ``errors="warn"``
    the good files load, one warning names each bad file, and ``frame.attrs["skipped"]``
    maps each bad file to its reason. A broken symbolic link, a link loop and a folder named
    ``*.txt`` are bad files like an undecodable one (:func:`read_speech`). Files without the
    ``.txt`` extension are never loaded; each is named in a warning (README,
    metadata.csv/.tsv and dotfiles excepted). A folder with no speech file, and two files
    that would give one ``speech_id`` (``x.txt`` and ``x.TXT``), raise :class:`CorpusError`
    whatever ``errors`` says.

    >>> load_corpus()[["speech_id", "title", "year", "date_source"]].values.tolist()
    [['000_8ebf5a98b5b66884', '局長在計生理事專題會講話', 2012, 'text']]
    """
    if errors not in ("raise", "warn"):
        raise ValueError("errors must be 'raise' or 'warn'")
    files, others = speech_files(path)
    if others:
        warnings.warn(
            "not loaded (not a .txt speech file): " + ", ".join(str(p) for p in others),
            stacklevel=2,
        )
    if not files:
        raise CorpusError(f"{path if path is not None else SEEDS_DIR}: no speech files (*.txt)")
    table = _metadata_table(path, metadata)
    if client is None:
        from .cluster import default_client

        client = default_client()  # SPEECHES_DASK_SCHEDULER, when set
    if store is None and os.environ.get("SPEECHES_STORE"):
        store = os.environ["SPEECHES_STORE"]
    sources = [_file_source(file) for file in files]
    folder = Path(path).resolve() if path is not None else SEEDS_DIR.resolve()
    corpus_id = digest("files", str(folder), str(client is not None))
    stored = run(sources, corpus_id, with_corpus=True, cache=cache, workers=workers, progress=progress,
                 client=client, store=Store(store) if store is not None else None)
    by_id = {s.speech_id: s.path for s in sources}
    skipped = {by_id[sid]: why for sid, why in stored.skipped.items()}
    if skipped:
        report = "; ".join(f"{name}: {why}" for name, why in skipped.items())
        if errors == "raise" or len(skipped) == len(files):
            raise CorpusError(f"{len(skipped)} of {len(files)} speech files cannot be loaded: {report}")
        warnings.warn(f"skipped {len(skipped)} of {len(files)} speech files: {report}", stacklevel=2)
    frame = _assembled(stored, table, errors, cache, client)
    frame = Corpus(frame)
    frame.attrs["skipped"] = skipped
    register(frame, stored, lambda partition: _rebuild(stored, partition, sources))
    return frame


def _file_source(file: Path) -> Source:
    """A speech file as the store sees it: its id, and its size and time as its stamp (a
    file that cannot be stat'ed still goes to the pipeline, which names why it is unreadable)."""
    try:
        stat = file.stat()
        stamp, size = f"{stat.st_size}:{stat.st_mtime_ns}", stat.st_size
    except OSError as exc:
        stamp, size = f"unreadable:{exc.errno}", 0
    return Source(file.stem, stamp, size, path=str(file))


def _rebuild(stored, partition, sources):
    from .pipeline import Job

    by_id = {s.speech_id: s for s in sources}
    batch = [by_id[sid] for sid in [*partition.speech_ids, *partition.skipped] if sid in by_id]
    batch.sort(key=lambda s: [x.speech_id for x in sources].index(s.speech_id))
    return Job(partition.name, batch, True, stored.store if not stored.inline else None, {}, replace=True)()


def _corpus_frame(table: pa.Table) -> pd.DataFrame:
    """The stored corpus table as the frame's cleaned columns (texts as Python strings) and
    the facts read from each text (:data:`FACT_COLUMNS`, dropped once the dates are joined)."""
    frame = table.drop_columns(["content_key"]).to_pandas()
    return frame[CORPUS_COLUMNS + FACT_COLUMNS]


_ASSEMBLED_WARNINGS = b"speeches-warnings"


def _assembled(stored, table: pd.DataFrame | None, errors: str, cache: bool, client) -> pd.DataFrame:
    """The corpus frame: the stored cleaned columns with the metadata and the dates joined.
    Kept in the store as a whole (with the warnings it gave), keyed by the partitions, the
    metadata table and ``errors``, so that a warm load recomputes nothing per speech."""
    key = None
    if cache and not stored.inline:
        meta_key = "" if table is None else digest(table.to_csv(index=False))
        key = digest("assembled", *(p.name for p in stored.partitions), meta_key, errors)
        found = _read_assembled(stored.store, key)
        if found is not None:
            return found
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = _with_metadata_and_dates(_corpus_frame(stored.table("corpus")), table, errors)
    for w in caught:
        warnings.warn(w.message, w.category, stacklevel=3)
    if key is not None:
        _write_assembled(stored.store, key, frame, caught)
    return frame


def _read_assembled(store, key: str) -> pd.DataFrame | None:
    import pyarrow.parquet as pq

    path = store.root / "assembled" / f"{key}.parquet"
    if not path.exists():
        return None
    try:
        table = pq.read_table(path, page_checksum_verification=True)
        caught = json.loads(table.schema.metadata[_ASSEMBLED_WARNINGS])
        frame = table.to_pandas()
    except Exception as exc:  # noqa: BLE001 (damage: computed again)
        warnings.warn(f"store file {path} is damaged ({type(exc).__name__}: {exc}); rebuilding it",
                      StoreWarning, stacklevel=4)
        path.unlink(missing_ok=True)
        return None
    categories = {"MetadataWarning": MetadataWarning, "UserWarning": UserWarning}
    for message, category in caught:
        warnings.warn(message, categories.get(category, UserWarning), stacklevel=4)
    return frame


def _write_assembled(store, key: str, frame: pd.DataFrame, caught) -> None:
    import pyarrow.parquet as pq

    from .store import atomic_write

    try:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        messages = json.dumps([[str(w.message), w.category.__name__] for w in caught], ensure_ascii=False)
        table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                               _ASSEMBLED_WARNINGS: messages.encode("utf-8")})
        path = store.root / "assembled" / f"{key}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, lambda handle: pq.write_table(table, handle, compression="lz4",
                                                         write_page_checksum=True))
    except (OSError, pa.ArrowException, TypeError, ValueError):
        pass  # a metadata column Arrow cannot hold, or a full disk: computed again next time


# Stored tables of the corpora loaded in this process, by the frames' store key, so that
# corpus_tokens and corpus_outline find them (a frame's attrs hold the key only: pandas
# copies attrs with every operation).
_REGISTRY: dict[str, tuple] = {}
_REGISTRY_SIZE = 8


def register(frame: pd.DataFrame, stored, rebuild) -> None:
    key = digest("registered", *stored.speech_ids, *(p.name for p in stored.partitions), str(id(stored)))
    lengths = dict(zip(frame["speech_id"], frame["text"].str.len()))
    _REGISTRY[key] = (stored, rebuild, lengths)
    while len(_REGISTRY) > _REGISTRY_SIZE:
        _REGISTRY.pop(next(iter(_REGISTRY)))
    frame.attrs["store"] = key


def registered(frame: pd.DataFrame):
    """``(stored, rebuild, lengths)`` of the corpus a frame was loaded as, or None."""
    key = frame.attrs.get("store")
    return _REGISTRY.get(key) if isinstance(key, str) else None


def _metadata_table(path, metadata) -> pd.DataFrame | None:
    """The checked metadata table for ``load_corpus`` (None when there is none)."""
    if metadata is False:
        return None
    if metadata is None or metadata is True:
        folder = Path(path) if path is not None else SEEDS_DIR
        if not folder.is_dir():
            return None  # a single file: pass its table as metadata=… to join one
        found = find_metadata(folder)
        if found is None:
            return None
        metadata = found
    reserved = set(CORPUS_COLUMNS) - set(OVERRIDABLE) - {"speech_id"} | {"date_source", "date_evidence",
                                                                           "speaker_source"}
    return read_metadata(metadata, reserved)


# What each speech's text says of its date and speaker, read once as it is processed and
# kept in the store with it: the date the text gives (dateline, session, file name, its own
# year: analysis.dates), the dateline alone (to check a metadata date against), and the byline.
FACT_COLUMNS = ["text_date", "text_year", "text_date_source", "text_date_evidence",
                "dateline_date", "dateline_year", "dateline_evidence", "byline_speaker"]


def text_facts(speech_id: str, text: str, simplified: str, raw: str, spans: str):
    """``(date the text gives, its dateline, its byline speaker)`` of one speech."""
    header = header_lines(raw, spans)
    return (speech_date(text, speech_id, UNKNOWN, simplified, header), dateline(with_header(text, header)),
            byline_speaker(raw, spans))


def fact_record(facts) -> dict:
    """:func:`text_facts` as the store's columns (:data:`FACT_COLUMNS`)."""
    found, head, speaker = facts

    def stamp(value):
        return None if pd.isna(value) else pd.Timestamp(value).to_pydatetime()

    return {"text_date": stamp(found.date), "text_year": found.year, "text_date_source": found.source,
            "text_date_evidence": found.evidence, "dateline_date": stamp(head.date), "dateline_year": head.year,
            "dateline_evidence": head.evidence, "byline_speaker": speaker}


def _stored_facts(frame: pd.DataFrame):
    columns = {"text": ("text_date", "text_year", "text_date_evidence"),
               "dateline": ("dateline_date", "dateline_year", "dateline_evidence")}

    def date(prefix: str, i: int, source) -> SpeechDate:
        date_col, year_col, evidence_col = columns[prefix]
        year, day = frame[year_col].iat[i], frame[date_col].iat[i]
        return SpeechDate(pd.Timestamp(day) if pd.notna(day) else pd.NaT, None if pd.isna(year) else int(year),
                          source, frame[evidence_col].iat[i])

    found, heads = [], []
    sources = frame["text_date_source"].tolist()
    for i, source in enumerate(sources):
        found.append(date("text", i, source) if source is not None and not pd.isna(source) else UNKNOWN)
        heads.append(date("dateline", i, "text") if pd.notna(frame["dateline_year"].iat[i]) else UNKNOWN)
    return found, heads


def _with_metadata_and_dates(frame: pd.DataFrame, table: pd.DataFrame | None, errors: str) -> pd.DataFrame:
    """``frame`` with the metadata columns joined and the date columns added."""
    speech_ids = frame["speech_id"].tolist()
    meta_dates: dict = {}
    columns = pd.DataFrame(index=frame.index)
    meta_speaker = pd.Series(pd.NA, index=frame.index, dtype="string")
    if table is not None:
        meta_dates, problems = metadata_dates(table, errors)
        joined, mismatches = join_metadata(speech_ids, table)
        warn_metadata(problems + mismatches)
        columns = joined.drop(columns=[c for c in ("date", "year") if c in joined.columns])
        columns.index = frame.index
        if "level" in columns.columns:
            levels, problems = metadata_levels(table, errors)
            warn_metadata(problems)
            columns["level"] = pd.Categorical([levels.get(sid) for sid in speech_ids],
                                              categories=LEVELS, ordered=True)
        if "speaker" in columns.columns:
            given = columns.pop("speaker").astype("string").str.strip()
            meta_speaker = given.where(given != "")
        frame = frame.copy()
        for name in OVERRIDABLE:
            if name in columns.columns:
                given = columns.pop(name)
                if name == "published":
                    given = pd.to_datetime(given, errors="coerce")
                frame[name] = given.where(given.notna(), frame[name])
    if FACT_COLUMNS[0] in frame.columns:  # read once per speech as it was processed (the store)
        found, heads = _stored_facts(frame)
        named = frame["byline_speaker"].astype("string")
    else:
        facts = [text_facts(sid, text, simp, raw, spans) for sid, text, simp, raw, spans in zip(
            speech_ids, frame["text"], frame["text_simplified"], frame["raw"], frame["removed_spans"])]
        found = [f[0] for f in facts]
        heads = [f[1] for f in facts]
        named = pd.Series([f[2] for f in facts], index=frame.index, dtype="string")
    conflicts = []
    for i, sid in enumerate(speech_ids):
        meta = meta_dates.get(sid)
        if meta is not None and meta.source is not None:
            found[i] = meta
            conflicts += date_conflicts(sid, meta, "", sid, head_date=heads[i])
    warn_metadata(conflicts)
    # The speaker: the metadata's, else the name under a published head's dateline.
    named.index = frame.index
    source = pd.Series(pd.NA, index=frame.index, dtype="string")
    source[named.notna()] = "text"
    source[meta_speaker.notna()] = "metadata"
    dates = pd.DataFrame({
        "date": pd.to_datetime(pd.Series([d.date for d in found], index=frame.index, dtype="object")),
        "year": pd.array([d.year for d in found], dtype="Int64"),
        "date_source": pd.array([d.source for d in found], dtype="string"),
        "date_evidence": pd.array([d.evidence for d in found], dtype="string"),
        "speaker": meta_speaker.fillna(named),
        "speaker_source": source,
    }, index=frame.index)
    frame = frame.drop(columns=[c for c in FACT_COLUMNS if c in frame.columns])
    at = list(frame.columns).index(_AFTER) + 1
    before, after = frame.iloc[:, :at], frame.iloc[:, at:]
    return pd.concat([before, dates, columns, after], axis=1)
