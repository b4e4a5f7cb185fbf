"""Loading speech files: decoding in any of the encodings such sites use, cleaning, and the
corpus table every notebook starts from."""
from __future__ import annotations

import codecs
import json
import os
import re
import warnings
from pathlib import Path

import pandas as pd
import pyarrow as pa
from charset_normalizer import from_bytes

from .cache import ParquetStore, cached_map, digest
from .chars import HAN_RE, count_han
from .cleaning import CLEANER_VERSION, KINDS, clean_text
from .config import SEEDS_DIR
from .dates import UNKNOWN, header_lines, speech_date, with_header
from .errors import CorpusError
from .heads import byline_speaker
from .metadata import (
    LEVELS,
    OVERRIDABLE,
    date_conflicts,
    find_metadata,
    join_metadata,
    metadata_dates,
    metadata_levels,
    read_metadata,
)
from .metadata import warn as warn_metadata
from .parallel import default_workers, parallel_map, show_progress
from .script import OPENCC_VERSION, to_simplified

SPEECH_SUFFIX = ".txt"
# Files a speech folder may hold besides speeches (README.txt included), left alone without a word.
_IGNORED_NAMES = re.compile(r"^(?:README|LICENSE|NOTES)(?:\.\w+)?$|^metadata\.(?:csv|tsv)$|^\.", re.IGNORECASE)
_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
# What charset-normalizer may choose from: the encodings Chinese pages come in. Leaving out
# the single-byte code pages stops it from "decoding" GBK as Latin-1 mojibake.
_CANDIDATES = ["utf_8", "gb18030", "big5", "cp950", "big5hkscs", "utf_16", "utf_32"]
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def decode_bytes(data: bytes, name: str = "<bytes>") -> tuple[str, str]:
    """Decode a speech file's bytes; returns ``(text, encoding)``.

    UTF-8/16/32 with a BOM, UTF-8 without one, GB18030/GBK and Big5 are recognised.
    Raises :class:`CorpusError` naming ``name`` for an empty, binary or undecodable file.
    """
    if not data.strip():
        raise CorpusError(f"{name}: empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _check(data.decode(encoding).lstrip("\ufeff"), name), encoding
            except UnicodeDecodeError as exc:
                raise CorpusError(
                    f"{name}: starts with a {encoding} byte-order mark but is not {encoding} ({exc})"
                ) from None
    if b"\x00" in data:
        raise CorpusError(f"{name}: binary file (NUL bytes and no UTF-16/32 byte-order mark)")
    try:
        return _check(data.decode("utf-8"), name), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data, cp_isolation=_CANDIDATES).best()
    if best is None:
        raise CorpusError(f"{name}: cannot be decoded as UTF-8, GB18030/GBK or Big5")
    encoding = best.encoding
    if encoding == "big5":
        # cp950 is Big5 as Windows and the web write it; it decodes a superset.
        try:
            return _check(data.decode("cp950"), name), "cp950"
        except UnicodeDecodeError:
            pass
    return _check(str(best), name), encoding


# Binary content shows in its first characters; scanning a whole 10 MB file for it would not
# find more (and a NUL anywhere in the bytes is caught before decoding).
_CONTROL_SAMPLE = 100_000


def _check(text: str, name: str) -> str:
    sample = text[:_CONTROL_SAMPLE]
    if len(_CONTROL.findall(sample)) > max(2, len(sample) // 100):
        raise CorpusError(f"{name}: binary file (control characters in the decoded text)")
    if not HAN_RE.search(text):
        raise CorpusError(f"{name}: no Chinese text after decoding")
    return text


def read_speech(path: str | Path) -> tuple[str, str]:
    """Read and decode one speech file; returns ``(raw_text, encoding)``."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    return decode_bytes(data, str(path))


def speech_files(path: str | Path | None = None) -> tuple[list[Path], list[Path]]:
    """The speech files of a folder (``*.txt``, sorted by name) and the other files in it
    that are not speeches (wrong extension), also sorted. A file path is its own list."""
    path = Path(path) if path is not None else SEEDS_DIR
    if path.is_file():
        return [path], []
    if not path.is_dir():
        raise CorpusError(f"{path}: no such file or folder")
    # One directory scan, names sorted as strings: thousands of files, no Path comparisons.
    with os.scandir(path) as entries:
        names = sorted(e.name for e in entries if e.is_file() and not _IGNORED_NAMES.match(e.name))
    files = [path / n for n in names if n.lower().endswith(SPEECH_SUFFIX)]
    others = [path / n for n in names if not n.lower().endswith(SPEECH_SUFFIX)]
    return files, others


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


def _clean_one(raw: str) -> pa.Table:
    """Clean one speech: its cleaned columns as a one-row Arrow table."""
    return _records_table([speech_record(raw)])


def _clean_key(raw: str) -> str:
    return digest("clean", CLEANER_VERSION, OPENCC_VERSION, raw)


_CLEAN_SCHEMA = pa.schema(
    [("title", pa.string()), ("published", pa.timestamp("ns")), ("prev_title", pa.string()),
     ("next_title", pa.string()), ("text", pa.string()), ("text_simplified", pa.string()),
     ("removed_spans", pa.string()), ("substituted_spans", pa.string())]
    + [(f"removed_{kind}", pa.int64()) for kind in KINDS]
    + [("n_chars", pa.int64())]
)


def _records_table(records: list[dict]) -> pa.Table:
    # Built straight from the dicts (a DataFrame per speech would cost milliseconds each).
    rows = [{**r, "published": None if pd.isna(r["published"]) else r["published"].to_pydatetime()}
            for r in records]
    return pa.Table.from_pylist(rows, schema=_CLEAN_SCHEMA)


def _clean_all(raws: list[str], cache: bool, progress: bool | None, workers: int | None) -> pd.DataFrame:
    """The cleaned columns for each raw text, from the cache where it holds them."""
    keys = [_clean_key(raw) for raw in raws]

    def compute(todo: list[int], store: bool) -> list[pa.Table]:
        jobs = [(raws[i], keys[i] if store else None) for i in todo]
        return parallel_map(_clean_and_store, jobs, sizes=[len(raws[i]) for i in todo],
                            workers=default_workers() if workers is None else max(1, int(workers)),
                            progress=show_progress(len(todo), progress), desc="cleaning")

    return cached_map("clean", keys, compute, cache=cache).to_pandas()


def _clean_and_store(job: tuple[str, str | None]) -> pa.Table:
    """Clean one speech and, given a cache key, store its entry (in the worker)."""
    raw, key = job
    table = _clean_one(raw)
    if key is not None:
        ParquetStore("clean").put(key, table)
    return table


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
                progress: bool | None = None, workers: int | None = None) -> Corpus:
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

    Cleaned rows are cached under ``CACHE_DIR`` keyed by the file's content and the
    cleaner's version (``cache=False`` recomputes); uncached speeches are cleaned across
    ``workers`` processes (default: the machine's cores) when there are enough of them;
    ``progress`` forces the progress bar.

    Bad files: with ``errors="raise"`` (default) one :class:`CorpusError` names every
    unreadable ``.txt`` file and its reason, after all were tried; with ``errors="warn"``
    the good files load, one warning names each bad file, and ``frame.attrs["skipped"]``
    maps each bad file to its reason. Files without the ``.txt`` extension are never
    loaded; each is named in a warning (README, metadata.csv/.tsv and dotfiles excepted). A
    folder with no speech file raises :class:`CorpusError`.

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
    speech_ids, raws, encodings, skipped = [], [], [], {}
    for file in files:
        try:
            raw, encoding = read_speech(file)
        except CorpusError as exc:
            skipped[str(file)] = str(exc).removeprefix(f"{file}: ")
            continue
        speech_ids.append(file.stem)
        raws.append(raw)
        encodings.append(encoding)
    if skipped:
        report = "; ".join(f"{name}: {why}" for name, why in skipped.items())
        if errors == "raise" or not raws:
            raise CorpusError(f"{len(skipped)} of {len(files)} speech files cannot be loaded: {report}")
        warnings.warn(f"skipped {len(skipped)} of {len(files)} speech files: {report}", stacklevel=2)
    cleaned = _clean_all(raws, cache, progress, workers)
    cleaned.insert(0, "speech_id", speech_ids)
    cleaned["encoding"] = encodings
    cleaned["raw"] = raws
    frame = cleaned[CORPUS_COLUMNS]
    frame = _with_metadata_and_dates(frame, table, errors)
    frame = Corpus(frame)
    frame.attrs["skipped"] = skipped
    return frame


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
    found, conflicts = [], []
    for sid, text, simp, raw, spans in zip(speech_ids, frame["text"], frame["text_simplified"],
                                           frame["raw"], frame["removed_spans"]):
        meta, header = meta_dates.get(sid, UNKNOWN), header_lines(raw, spans)
        found.append(speech_date(text, sid, meta, simp, header))
        conflicts += date_conflicts(sid, meta, with_header(text, header), sid)
    warn_metadata(conflicts)
    # The speaker: the metadata's, else the name under a published head's dateline.
    named = pd.Series([byline_speaker(raw, spans) for raw, spans in zip(frame["raw"], frame["removed_spans"])],
                      index=frame.index, dtype="string")
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
    at = list(frame.columns).index(_AFTER) + 1
    before, after = frame.iloc[:, :at], frame.iloc[:, at:]
    return pd.concat([before, dates, columns, after], axis=1)
