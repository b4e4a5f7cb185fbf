"""Loading speech files: decoding in any of the encodings such sites use, cleaning, and the
corpus table every notebook starts from."""
from __future__ import annotations

import json
import os
import re
import warnings
from pathlib import Path

import pandas as pd
import pyarrow as pa

from ..common.deprecation import renamed_arguments
from ..common.errors import CorpusError
from ..common.frames import release_arrow_memory
from ..common.warning import warn_user
from ..common.wording import listed
from ..config import SEEDS_DIR
from ..text.cleaning import KINDS, coalesced
from ..text.dates import UNKNOWN, SpeechDate, numbered_names, own_year
from .assembled import keep, keeps_files, kept_folder, kept_prefix, read_kept, write_table
from .cache import digest
from .metadata import (
    LEVELS,
    LISTED,
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
from .read import (
    FACT_COLUMNS,
    speech_files,
    text_facts,
)
from .registry import register
from .store import Source, Store

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


@renamed_arguments(moved=("substitutions",))
def removals(corpus: pd.DataFrame, *, substitutions: bool = True) -> pd.DataFrame:
    """Every change cleaning made, one row each in file order: speech_id, kind, start, end
    (positions in ``raw``), text (``raw[start:end]``) and new (what it became: empty for a
    deletion; a line break for an indent turned into a paragraph break or inserted where a
    flattened page ran two parts together, ``start == end`` for an insertion).

    Deletions (title, footer, join, …: ``analysis.cleaning.KINDS``) and substitutions
    (width, punctuation, split, …: ``analysis.cleaning.SUBSTITUTION_KINDS``) share the table;
    ``substitutions=False`` keeps the deletions only. Deletions are listed as the corpus's
    ``removed_<kind>`` columns count them, whatever a file's line ends
    (:func:`analysis.text.cleaning.coalesced`): on a page with CRLF line ends, a line's CR is
    part of the line's deletion, and the CR of a line that was kept is a deletion of kind
    ``line end`` (which no ``removed_`` column counts)."""
    missing = [c for c in ("speech_id", "raw", "removed_spans") if c not in corpus.columns]
    if missing:
        raise ValueError(f"removals: the corpus frame has no column {', '.join(missing)}; pass the frame "
                         "load_corpus returned" + (" (speech_id is its index here: corpus.reset_index())"
                                                   if "speech_id" in missing and corpus.index.name == "speech_id"
                                                   else ""))
    rows = []
    columns = ["substituted_spans"] if substitutions and "substituted_spans" in corpus.columns else []
    for speech_id, raw, spans, *subs in zip(corpus["speech_id"], corpus["raw"], corpus["removed_spans"],
                                            *(corpus[c] for c in columns)):
        changes = [(kind, a, b, raw[a:b], "") for kind, a, b in
                   coalesced([(kind, a, b, raw[a:b]) for kind, a, b in json.loads(spans)])]
        for found in subs:
            changes += [(kind, a, b, raw[a:b], new) for kind, a, b, new in json.loads(found)]
        changes.sort(key=lambda change: (change[1], change[2]))
        rows.extend((speech_id, *change) for change in changes)
    return pd.DataFrame(rows, columns=["speech_id", "kind", "start", "end", "text", "new"])


# A speech folder's metadata saved as a spreadsheet instead of metadata.csv: named as such.
_METADATA_SHEETS = frozenset({"metadata.xlsx", "metadata.xls", "metadata.ods"})


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


@renamed_arguments(moved=("errors",))
def load_corpus(path: str | Path | None = None, *, errors: str = "raise",
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
    ``store`` a folder or an fsspec URL they share: ``file://``, ``s3://``, ``gs://`` …,
    :class:`analysis.corpus.store.RemoteStore`). ``progress`` forces the progress bar.

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
    folders = [p for p in others if p.is_dir()]
    others = [p for p in others if p not in folders]
    sheets = [p for p in others if p.name.lower() in _METADATA_SHEETS]
    others = [p for p in others if p not in sheets]
    if sheets and metadata is None:
        warn_user(f"{', '.join(str(p) for p in sheets)}: a metadata table is read only as metadata.csv or "
                  "metadata.tsv; save the sheet as CSV beside the speeches (its dates, speakers and places are "
                  "not used)", MetadataWarning)
    if others:
        warn_user(
            "not loaded (not a .txt speech file): " + ", ".join(str(p) for p in others)
        )
    if folders:
        warn_user(
            "not loaded (a subfolder holding .txt files; a corpus is one folder: load it on its own, or "
            "move its files up): " + ", ".join(str(p) for p in folders)
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
        reports = [f"{name}: {why}" for name, why in skipped.items()]
        if errors == "raise" or len(skipped) == len(files):
            raise CorpusError(f"{len(skipped)} of {len(files)} speech files cannot be loaded: {'; '.join(reports)}")
        more = " (all of them, with their reasons, in corpus.attrs['skipped'])" if len(reports) > LISTED else ""
        warn_user(f"skipped {len(skipped)} of {len(files)} speech files{more}: {listed(reports, LISTED, '; ')}")
    frame = _assembled(stored, table, errors, cache, client)
    _warn_empty(frame)
    release_arrow_memory()
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
    texts = [c for c in LONG_COLUMNS if c in table.column_names]
    frame = table.drop_columns(["content_key", *texts]).to_pandas()
    for column in texts:  # Arrow-backed: no Python string per text until one is read
        frame[column] = pd.arrays.ArrowStringArray(table.column(column).cast(pa.large_string()))
    return frame[CORPUS_COLUMNS + FACT_COLUMNS]


_ASSEMBLED_WARNINGS = b"speeches-warnings"
# The corpus's long text columns, held as Arrow-backed strings (``string[pyarrow]``): a warm
# load then never turns megabytes of text into Python objects; reading one gives a str.
LONG_COLUMNS = ("raw", "text", "text_simplified", "removed_spans", "substituted_spans")


def _assembled(stored, table: pd.DataFrame | None, errors: str, cache: bool, client) -> pd.DataFrame:
    """The corpus frame: the stored cleaned columns with the metadata and the dates joined.
    Kept in the store as a whole (with the warnings it gave), keyed by the partitions, the
    metadata table and ``errors``, so that a warm load recomputes nothing per speech."""
    key = None
    if cache and keeps_files(stored):
        meta_key = "" if table is None else digest(table.to_csv(index=False))
        key = digest("assembled", *(p.name for p in stored.partitions), meta_key, errors)
        found = _read_assembled(stored, key)
        if found is not None:
            return found
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = _with_metadata_and_dates(_corpus_frame(stored.table("corpus")), table, errors, sorted(stored.skipped))
        _warn_copies(frame)
        _warn_lost_characters(frame)
    for w in caught:
        warn_user(w.message, w.category)
    kept = _assembled_table(frame, caught)
    if kept is None:
        return frame  # a metadata column Arrow cannot hold: assembled again next time
    if key is not None:
        keep(kept_folder(stored), kept_prefix(stored, "corpus") + key,
             lambda handle: write_table(handle, kept), replaces=kept_prefix(stored, "corpus"))
    # The frame as a warm load reads it back, whether or not it is kept: the same frame on
    # every load (a missing metadata value is None, where pandas's join gave NaN; the memo's
    # fingerprints of the two differ).
    return _with_long_columns(kept)


def _warn_empty(frame: pd.DataFrame) -> None:
    """Name the speeches left with no text by cleaning (a page of nothing but a licence, a
    footer and links): they load, with no tokens, and would otherwise pass unseen."""
    empty = frame["speech_id"][frame["n_chars"].to_numpy() == 0].astype(str).tolist()
    if empty:
        warn_user(f"{len(empty)} speech(es) have no text left after cleaning (all of it was taken as page "
                  f"furniture: analysis.removals(corpus) lists what): {listed(empty, 20)}")


# An ASCII "?" beside a Chinese character or a CJK full stop or comma: where a program saving
# a file in GBK or Big5 put a character the encoding cannot hold (Big5 has no 着, 们 or 堃).
_LOST_MARK = re.compile(r"(?<=[\u4e00-\u9fff])\?|\?(?=[\u4e00-\u9fff，。、；：])")


def _warn_lost_characters(frame: pd.DataFrame) -> None:
    """Name the speeches saved in a legacy encoding (GB18030/GBK, Big5) that hold an ASCII "?"
    beside Chinese text: most likely characters the encoding could not hold, replaced when
    the file was saved and lost before the file reached the loader (cleaning then makes the
    "?" a full-width ？, a false question mark). A new user's Big5 files read 下降到10.06？。"""
    if "encoding" not in frame.columns or frame.empty:
        return
    legacy = ~frame["encoding"].astype(str).str.startswith("utf")
    found = []
    for sid, raw in zip(frame.loc[legacy, "speech_id"], frame.loc[legacy, "raw"].astype(str)):
        marks = [m.start() for m in _LOST_MARK.finditer(raw)]
        if marks:
            line = raw.count("\n", 0, marks[0]) + 1
            found.append(f"{sid} ({len(marks)}, the first on line {line})")
    if found:
        warn_user(f"{len(found)} speech(es) saved in GB18030/GBK or Big5 hold '?' beside Chinese text, most likely "
                  "characters the encoding could not hold, replaced when the file was saved (they are lost; save "
                  f"the source as UTF-8 to keep them): {listed(found, 20)}")


def _warn_copies(frame: pd.DataFrame) -> None:
    """Name the speeches whose text, once cleaned and in Simplified, is another's: a speech
    scraped twice (two sites, two names, either script) would otherwise count twice in every
    frequency and turn up in text reuse as a whole-speech copy. Found once, when the corpus
    frame is assembled (the warning is kept with it and given again on every load)."""
    texts = frame["text_simplified"]
    copies = texts.duplicated(keep=False) & (frame["n_chars"].to_numpy() > 0)
    if not copies.any():
        return
    groups = frame.loc[copies.to_numpy(), "speech_id"].astype(str).groupby(texts[copies].to_numpy(), sort=False)
    sets = sorted((sorted(ids) for ids in groups.agg(list)), key=lambda ids: ids[0])
    warn_user(f"{sum(len(ids) - 1 for ids in sets)} speech(es) repeat another's text word for word once cleaned "
              f"(either script; counted twice in every frequency unless one of each is left out): "
              f"{listed((' = '.join(ids) for ids in sets), 10, '; ')}")


def _read_assembled(stored, key: str) -> pd.DataFrame | None:
    """The kept corpus frame (:func:`analysis.corpus.assembled.read_kept`: an Arrow IPC file
    checked by its CRC-32, uncompressed: its texts are mapped from the file, neither decoded
    as Parquet would nor decompressed), its warnings given again."""
    found = read_kept(kept_folder(stored), kept_prefix(stored, "corpus") + key,
                      lambda reader: _frame_and_warnings(reader.read_all()))
    if found is None:
        return None
    frame, caught = found
    categories = {"MetadataWarning": MetadataWarning, "UserWarning": UserWarning}
    for message, category in caught:
        warn_user(message, categories.get(category, UserWarning))
    return frame


def _frame_and_warnings(table: pa.Table) -> tuple[pd.DataFrame, list]:
    return _with_long_columns(table), json.loads(table.schema.metadata[_ASSEMBLED_WARNINGS])


def _with_long_columns(table: pa.Table) -> pd.DataFrame:
    """The assembled table as the corpus frame, its long texts Arrow-backed (as
    :func:`_corpus_frame` makes them; pandas would read them back as Python strings)."""
    order = table.column_names
    long = [c for c in LONG_COLUMNS if c in order]
    frame = table.drop_columns(long).to_pandas()
    for column in long:
        frame[column] = pd.arrays.ArrowStringArray(table.column(column).cast(pa.large_string()))
    return frame[[c for c in order if c in frame.columns]]


def _assembled_table(frame: pd.DataFrame, caught) -> pa.Table | None:
    """The corpus frame as the Arrow table that is kept, its warnings in its metadata; None
    when a metadata column is of a kind Arrow cannot hold."""
    try:
        table = pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowException, TypeError, ValueError):
        return None
    messages = json.dumps([[str(w.message), w.category.__name__] for w in caught], ensure_ascii=False)
    return table.replace_schema_metadata({**(table.schema.metadata or {}),
                                          _ASSEMBLED_WARNINGS: messages.encode("utf-8")})


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


def _unnumbered(found: list, speech_ids: list[str], texts, dated: set[str], numbered: set[str]) -> None:
    """Take back, in place, the years read from file names whose number places the file in a
    numbered sequence (``doc_1950`` among ``doc_0001`` … ``doc_2000``:
    :func:`analysis.dates.numbered_names`), and date those speeches by the next rule (the
    year the text speaks of as its own), with a warning naming how many; the speeches the
    metadata table dates (``dated``) are left to it."""
    from_names = [i for i, d in enumerate(found)
                  if d.source == "filename" and pd.isna(d.date) and speech_ids[i] not in dated]
    taken = [i for i in from_names if speech_ids[i] in numbered]
    for i in taken:
        found[i] = own_year(texts.iat[i])
    if taken:
        warn_user(f"{len(taken)} file name(s) number a sequence ({listed(speech_ids[i] for i in taken)}): "
                  "their numbers are not read as years; "
                  "a metadata table's year column dates them", MetadataWarning)


def _with_metadata_and_dates(frame: pd.DataFrame, table: pd.DataFrame | None, errors: str,
                             unread: list[str] | tuple = ()) -> pd.DataFrame:
    """``frame`` with the metadata columns joined and the date columns added (``unread``:
    the speeches whose files could not be read, :func:`join_metadata`)."""
    speech_ids = frame["speech_id"].tolist()
    meta_dates: dict = {}
    columns = pd.DataFrame(index=frame.index)
    meta_speaker = pd.Series(pd.NA, index=frame.index, dtype="string")
    if table is not None:
        meta_dates, problems = metadata_dates(table, errors)
        joined, mismatches = join_metadata(speech_ids, table, unread)
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
    numbered = numbered_names(speech_ids)  # doc_1950 among doc_0001 … doc_2000: its name holds no year
    _unnumbered(found, speech_ids, frame["text"], {sid for sid, d in meta_dates.items() if d.source is not None},
                numbered)
    conflicts = []
    for i, sid in enumerate(speech_ids):
        meta = meta_dates.get(sid)
        if meta is not None and meta.source is not None:
            found[i] = meta
            conflicts += date_conflicts(sid, meta, "", "" if sid in numbered else sid, head_date=heads[i])
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
