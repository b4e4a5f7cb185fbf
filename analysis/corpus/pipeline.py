"""The corpus-level tables, each computed once: the outline of every speech (the parts) and
every speech's tokens joined to its parts.

:func:`process` is the pipeline for a batch of speeches: read and decode each file, clean
it, convert it to Simplified, outline it, segment it (:class:`analysis.segment.Engine`) and
place every token in its part, building Arrow columns for the whole batch rather than a
frame per speech. :func:`analysis.load_corpus` runs it over partitions of the corpus (on
the machine's cores, or on a Dask cluster) and keeps the three tables in the corpus store
(:mod:`analysis.store`); :func:`corpus_outline` and :func:`corpus_tokens` read them from
there. A corpus given as a frame of clean texts (not loaded from a folder) is outlined and
segmented the same way and stored under a digest of its texts. The result is the same
whichever path produced it.
"""
from __future__ import annotations

import os
import socket
import threading

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..common.deprecation import renamed_arguments
from ..common.frames import release_arrow_memory, use_system_arrow_pool
from ..common.warning import warn_user
from ..text.outline import OUTLINE_COLUMNS, assign_parts, outline, outline_rows
from ..text.segment import TOKEN_COLUMNS, categorical, token_frame, token_frame_by_column, token_table, tokenize
from .ahead import cleaning_ahead
from .assembled import read_tokens, write_tokens
from .cache import digest
from .parallel import default_workers, parallel_map, show_progress
from .store import (
    TABLES,
    DamagedPartition,
    Partition,
    Source,
    Store,
    StoreWarning,
    conform,
    partition_name,
    pipeline_digest,
    pipeline_key,
    plan,
)

CORPUS_TOKEN_COLUMNS = ["speech_id", *TOKEN_COLUMNS, "part", "section", "point"]
PARTS_COLUMNS = ["speech_id", *OUTLINE_COLUMNS]
# Speeches longer than this are segmented in pieces cut at line breaks, so that a newspaper
# year in one file never holds all its words as Python strings at once.
CHUNK_CHARS = 1_000_000
# A partition with this much text is built in a worker process even when it is the only one.
ISOLATE_BYTES = 8_000_000
# Beyond this many tokens, corpus_tokens reads the store a column at a time.
COLUMNWISE_ROWS = 4_000_000


@renamed_arguments(moved=("simplified", "parts"))
def speech_tokens(text: str, *, simplified: str | None = None,
                  parts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Tokens of one speech joined to its outline: :func:`analysis.tokenize` plus ``part``,
    ``section`` and ``point``. ``parts`` is the speech's :func:`analysis.outline` (computed
    when not given)."""
    return assign_parts(tokenize(text, simplified=simplified), parts=outline(text) if parts is None else parts)


# ---------------------------------------------------------------- the pipeline on a batch

def process(sources: list[Source], *, with_corpus: bool,
            old: dict[str, tuple[Store, Partition]] | None = None, workers: int = 1, lazy: bool = False,
            cleaned: dict[str, tuple[str, str, dict]] | None = None
            ) -> tuple[dict[str, pa.Table], dict[str, str], list[str]]:
    """Run the pipeline on a batch of speeches; returns the tables ``{"corpus"?, "parts",
    "tokens"}`` (Arrow, in the order of ``sources``), the speeches that could not be read
    (speech_id -> why) and the content key of each speech that could.

    File sources are read, decoded and cleaned (the ``corpus`` table holds their cleaned
    columns); text sources are taken as clean. ``old`` maps a speech to a partition that
    held it before: when its content has not changed (its content key), its rows are taken
    from there instead of being computed again. ``workers`` > 1 cleans a text too long to be
    one page in blocks and segments the batch's pieces on that many processes: a batch that
    is one very long text would otherwise keep one core busy while the others wait.
    ``lazy`` (with ``workers`` > 1 and nothing reused) returns the tables still to be made,
    for :meth:`Store.write_partition` to write as they come (:func:`_lazy_tables`).
    ``cleaned`` holds speeches already read and cleaned (speech_id -> raw text, encoding and
    record: :mod:`analysis.corpus.ahead`), taken instead of reading their files again.
    """
    from ..common.errors import CorpusError
    from .read import read_speech, speech_record

    old = old or {}
    rows: list[dict] = []
    texts, simps, ids, keys = [], [], [], []
    skipped: dict[str, str] = {}
    reused: dict[str, tuple[Store, Partition]] = {}
    for source in sources:
        if source.path is not None:
            raw, encoding, record = (cleaned or {}).get(source.speech_id, (None, None, None))
            if raw is None:
                try:
                    raw, encoding = read_speech(source.path)
                except CorpusError as exc:
                    skipped[source.speech_id] = str(exc).removeprefix(f"{source.path}: ")
                    continue
            key = digest("raw", raw)
            if source.speech_id in old and _old_key(old[source.speech_id], source.speech_id) == key:
                reused[source.speech_id] = old[source.speech_id]
                ids.append(source.speech_id)
                keys.append(key)
                rows.append(None)
                texts.append(None)
                simps.append(None)
                continue
            if record is None:
                record = speech_record(raw, workers=workers)
            record.update(speech_id=source.speech_id, content_key=key, encoding=encoding, raw=raw)
            rows.append(record)
            texts.append(record["text"])
            simps.append(record["text_simplified"])
        else:
            key = source.stamp
            texts.append(source.text)
            simps.append(source.simplified)
            rows.append(None)
        ids.append(source.speech_id)
        keys.append(key)
    fresh = [i for i, t in enumerate(texts) if t is not None]
    records = [r for r in rows if r is not None]
    if lazy and workers > 1 and not reused:
        return _lazy_tables([ids[i] for i in fresh], [texts[i] for i in fresh], [simps[i] for i in fresh],
                            records, with_corpus, workers), skipped, keys
    parts_new = _parts_table([ids[i] for i in fresh], [texts[i] for i in fresh])
    tokens_new = _tokens_table([ids[i] for i in fresh], [texts[i] for i in fresh],
                               [simps[i] for i in fresh], parts_new, workers=workers)
    tables = {"parts": parts_new, "tokens": tokens_new}
    if with_corpus:
        tables["corpus"] = _corpus_table(records)
    if reused:
        tables = _with_reused(tables, ids, reused, with_corpus)
    return tables, skipped, keys


def _old_key(found: tuple[Store, Partition], speech_id: str) -> str | None:
    partition = found[1]
    try:
        return partition.content_keys[partition.speech_ids.index(speech_id)]
    except (ValueError, IndexError):
        return None


def _with_reused(tables: dict[str, pa.Table], ids: list[str], reused: dict, with_corpus: bool) -> dict:
    """The batch's tables with the rows of unchanged speeches taken from their old
    partitions, every table in the order of ``ids``."""
    by_partition: dict[str, tuple[Store, Partition, list[str]]] = {}
    for sid, (store, partition) in reused.items():
        by_partition.setdefault(partition.name, (store, partition, []))[2].append(sid)
    out = {}
    for kind in (["corpus"] if with_corpus else []) + ["parts", "tokens"]:
        pieces = [conform(tables[kind], kind)]
        for store, partition, sids in by_partition.values():
            old = store.read(partition, kind)
            pieces.append(old.filter(pc.is_in(old.column("speech_id").cast(pa.large_string()),
                                              value_set=pa.array(sids, pa.large_string()))))
        out[kind] = _compacted(_in_order(pa.concat_tables(pieces), ids))
    return out


def _compacted(table: pa.Table) -> pa.Table:
    """``table`` with each dictionary column in one chunk whose dictionary holds only the
    values its rows use: the old partitions' dictionaries also hold the words and the ids of
    speeches deleted or changed since, which would otherwise stay on as categories with no
    rows (a deleted speech in ``speech_id``'s categories, a word of its alone in
    ``token``'s)."""
    for i, field in enumerate(table.schema):
        if not pa.types.is_dictionary(field.type):
            continue
        column = table.column(i).combine_chunks()  # the chunks' dictionaries unified
        indices = column.indices
        valid = indices.drop_null().to_numpy(zero_copy_only=False)
        used = np.flatnonzero(np.bincount(valid, minlength=len(column.dictionary)))
        remap = np.zeros(len(column.dictionary) + 1, dtype=np.int32)
        remap[used] = np.arange(len(used), dtype=np.int32)
        codes = remap[indices.fill_null(len(column.dictionary)).to_numpy(zero_copy_only=False)]
        compact = pa.DictionaryArray.from_arrays(pa.array(codes, pa.int32(), mask=indices.is_null().to_numpy(
            zero_copy_only=False)), column.dictionary.take(pa.array(used)))
        table = table.set_column(i, field, compact)
    return table


def _in_order(table: pa.Table, ids: list[str]) -> pa.Table:
    """``table``'s rows grouped by speech in the order of ``ids`` (rows of one speech keep
    their order)."""
    column = table.column("speech_id").cast(pa.large_string())
    rank = pc.index_in(column, value_set=pa.array(ids, pa.large_string())).to_numpy(zero_copy_only=False)
    if not len(rank) or bool((rank[1:] >= rank[:-1]).all()):
        return table  # in order already (old partitions merged in turn): no copy
    order = np.argsort(rank, kind="stable")
    return table.take(pa.array(order))


def _corpus_table(records: list[dict]) -> pa.Table:
    """The corpus table of the records of files read, each with what its text says of its
    date and speaker (:func:`analysis.corpus.read.text_facts`)."""
    from .read import fact_record, text_facts

    for record in records:
        record.update(fact_record(text_facts(record["speech_id"], record["text"], record["text_simplified"],
                                             record["raw"], record["removed_spans"])))
    return _corpus_rows(records)


def _corpus_rows(records: list[dict]) -> pa.Table:
    from .store import schemas

    schema = schemas()["corpus"]
    rows = [{**r, "published": None if pd.isna(r["published"]) else r["published"].to_pydatetime()}
            for r in records]
    return pa.Table.from_pylist(rows, schema=schema)


def _parts_table(ids: list[str], texts: list[str]) -> pa.Table:
    rows = []
    for sid, text in zip(ids, texts):
        for row in outline_rows(text):
            row["speech_id"] = sid
            rows.append(row)
    schema = _parts_schema()
    return pa.Table.from_pylist(rows, schema=schema) if rows else schema.empty_table()


def _parts_schema() -> pa.Schema:
    from .store import schemas

    return pa.schema([pa.field(f.name, f.type.value_type if pa.types.is_dictionary(f.type) else f.type)
                      for f in schemas()["parts"]])


def _tokens_table(ids: list[str], texts: list[str], simps: list[str], parts: pa.Table,
                  workers: int = 1) -> pa.Table:
    """Tokens of the texts with speech_id and their part, section and point, built a group
    of pieces of about :data:`CHUNK_CHARS` at a time (each group's columns dictionary-encoded
    before the next is cut), so that memory follows the group, not the partition: a 50 MB
    speech in one file is cut in pieces at line breaks (:func:`_chunks`). The result's
    columns are chunked, one chunk per group; nothing is concatenated. ``workers`` > 1 cuts
    the groups on that many forked processes (:func:`_groups_in_parallel`), in order."""
    groups = _groups(texts)
    if workers > 1 and len(groups) > 1:
        tables = _groups_in_parallel((ids, texts, simps, parts, groups), workers)
    else:
        tables = [_tokens_of_pieces(ids, texts, simps, parts, g) for g in groups]
    return pa.concat_tables(tables) if tables else conform_empty("tokens")


def _groups(texts: list[str]) -> list[list[tuple[int, int, int]]]:
    """The texts' pieces (text index, start, end: :func:`_chunks`) in groups of about
    :data:`CHUNK_CHARS`."""
    pieces = [(i, a, b) for i, text in enumerate(texts) for a, b in _chunks(text)]
    groups, group, size = [], [], 0
    for piece in pieces:
        if group and size + piece[2] - piece[1] > CHUNK_CHARS:
            groups.append(group)
            group, size = [], 0
        group.append(piece)
        size += piece[2] - piece[1]
    if group:
        groups.append(group)
    return groups


def _lazy_tables(ids: list[str], texts: list[str], simps: list[str], records: list[dict], with_corpus: bool,
                 workers: int) -> dict:
    """The tables of a batch that is one long text, to be made while they are written
    (:meth:`Store.write_partition` writes each table on a thread of its own): the token
    groups are cut on ``workers`` processes forked here and now, and come back as an
    iterator, each group placed in the parts as it arrives; the parts and the corpus rows
    (dates, bylines) are functions the writer's threads run meanwhile. Made in order, the
    same text would keep every other core idle while one outlines it, reads its dates
    and writes its tokens; the tables are the same either way."""
    import threading

    from ..common.forked import forked_imap

    groups = _groups(texts)
    cut = forked_imap(lambda k: _cut_group(texts, simps, groups[k]), len(groups), workers)  # forks now
    lock, made, done = threading.Lock(), [], threading.Event()

    def parts() -> pa.Table:
        with lock:  # made once, by whichever thread asks first
            try:
                if not made:
                    made.append(_parts_table(ids, texts))
            finally:
                done.set()
            return made[0]

    def tokens():
        try:
            for group in groups:
                yield _placed_group(ids, parts(), group, next(cut))
        finally:
            cut.close()  # the pool's processes end here, not when the iterator is collected

    def corpus() -> pa.Table:
        # After the parts: the token groups wait for them (and pile up meanwhile), the
        # corpus rows wait for nothing.
        done.wait()
        return _corpus_table(records)

    tables = {"parts": parts, "tokens": tokens()}
    if with_corpus:
        tables["corpus"] = corpus
    return tables


def _groups_in_parallel(shared: tuple, workers: int) -> list[pa.Table]:
    """:func:`_tokens_of_pieces` of every group of ``shared`` = (ids, texts, simps, parts,
    groups), on ``workers`` forked processes that inherit the texts instead of receiving
    them (:func:`analysis.common.forked.forked_map`: the batch is already one task of the
    corpus's pool or of a Dask worker, and only its token groups are shared out)."""
    from ..common.forked import forked_map

    ids, texts, simps, parts, groups = shared
    return forked_map(lambda k: _tokens_of_pieces(ids, texts, simps, parts, groups[k]), len(groups), workers)


def _tokens_of_pieces(ids, texts, simps, parts: pa.Table, group: list[tuple[int, int, int]]) -> pa.Table:
    return _placed_group(ids, parts, group, _cut_group(texts, simps, group))


def _cut_group(texts: list[str], simps: list[str], group: list[tuple[int, int, int]]) -> pa.Table:
    """The tokens of a group's pieces (:func:`analysis.segment.token_table`)."""
    return token_table([texts[i][a:b] for i, a, b in group], [simps[i][a:b] for i, a, b in group])


def _placed_group(ids, parts: pa.Table, group: list[tuple[int, int, int]], table: pa.Table) -> pa.Table:
    """A group's tokens (:func:`_cut_group`) with speech_id, offsets in their speech, and
    part, section and point."""
    piece = table.column("speech").to_numpy()
    speech = np.asarray([i for i, _, _ in group], dtype=np.int32)[piece]
    offset = np.asarray([a for _, a, _ in group], dtype=np.int64)[piece]
    start = table.column("start").to_numpy() + offset
    end = table.column("end").to_numpy() + offset
    where = _place_codes(speech, start, ids, parts)
    ids_array = pa.DictionaryArray.from_arrays(pa.array(speech, pa.int32()), pa.array(ids, pa.string()))
    out = pa.table({
        "speech_id": ids_array,
        **{c: table.column(c) for c in ("token", "simplified", "term")},
        "start": start, "end": end,
        **{c: table.column(c) for c in ("pos", "is_stop", "is_punct")},
        **where,
    })
    return conform(out, "tokens")


def _chunks(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` of at most :data:`CHUNK_CHARS`, each cut after a line break, or
    failing one in its second half after a full stop (the segmenter never joins words
    across either), or failing both where the length says."""
    if len(text) <= CHUNK_CHARS:
        return [(0, len(text))]
    spans, a = [], 0
    while len(text) - a > CHUNK_CHARS:
        b = text.rfind("\n", a + CHUNK_CHARS // 2, a + CHUNK_CHARS)
        if b < 0:
            b = max(text.rfind(mark, a + CHUNK_CHARS // 2, a + CHUNK_CHARS) for mark in "。！？")
        b = a + CHUNK_CHARS if b < 0 else b + 1
        spans.append((a, b))
        a = b
    spans.append((a, len(text)))
    return spans


def _place_codes(speech: np.ndarray, positions: np.ndarray, ids: list[str], parts: pa.Table) -> dict:
    """part, section and point of each (speech index, offset), from a parts table of the
    same speeches: the vectorised :func:`place` on speech indices."""
    code_of = {sid: i for i, sid in enumerate(ids)}
    psid = np.array([code_of[s] for s in parts.column("speech_id").to_pylist()], dtype=np.int64)
    frame = pd.DataFrame({"part": parts.column("part").to_pylist(),
                          "section": parts.column("section").to_pandas(),
                          "point": parts.column("point").to_pandas(),
                          "start": parts.column("start").to_numpy(),
                          "end": parts.column("end").to_numpy()})
    return _placed(speech.astype(np.int64), positions, psid, frame)


def _fill_spans(query: np.ndarray, keys: np.ndarray, stops: np.ndarray, values: np.ndarray, kinds, part,
                out: np.ndarray, out_ok: np.ndarray) -> None:
    """:func:`_placed`'s search for queries in ascending order: a query belongs to the last
    part (by ``keys``, ascending: speech and start) that starts at or before it, if it falls
    before that part's stop; so part r holds the queries from the first at or after its key
    to the first at or after its stop or the next part's key, whichever comes first."""
    first = np.searchsorted(query, keys, side="left")
    last = np.minimum(np.searchsorted(query, stops, side="left"), np.append(first[1:], len(query)))
    valid = ~np.isnan(values)
    for r in np.flatnonzero(last > first).tolist():
        a, b = first[r], last[r]
        if kinds is not None:
            part[a:b] = kinds[r]
        if valid[r]:
            out[a:b] = int(values[r])
            out_ok[a:b] = True


def _placed(codes: np.ndarray, positions: np.ndarray, part_codes: np.ndarray, parts: pd.DataFrame) -> dict:
    n = len(positions)
    shift = np.int64(1) << np.int64(40)  # offsets stay far below 2**40
    query = codes * shift + positions
    part = np.full(n, -1, dtype=np.int32)  # a code into ``names``; -1 in no part
    kinds = parts["part"].to_numpy(dtype=object)
    names = list(dict.fromkeys(kinds.tolist()))
    kind_codes = np.fromiter(map({k: i for i, k in enumerate(names)}.__getitem__, kinds), dtype=np.int32,
                             count=len(kinds))
    section = np.zeros(n, dtype=np.int64)
    section_ok = np.zeros(n, dtype=bool)
    point = np.zeros(n, dtype=np.int64)
    point_ok = np.zeros(n, dtype=bool)
    is_point = (parts["part"] == "point").to_numpy()
    # Tokens in text order (as the pipeline makes them): each part's tokens are one run of
    # the queries, found by two searches per part rather than one per token.
    ascending = n < 2 or bool((query[1:] >= query[:-1]).all())
    for points in (False, True):
        rows = parts[is_point == points]
        if rows.empty:
            continue
        pc_ = part_codes[is_point == points]
        row_kinds = kind_codes[is_point == points]
        starts = rows["start"].to_numpy(dtype=np.int64)
        ends = rows["end"].to_numpy(dtype=np.int64)
        keys = pc_ * shift + starts
        order = np.argsort(keys, kind="stable")
        keys, pcodes, starts, ends = keys[order], pc_[order], starts[order], ends[order]
        values = rows["point" if points else "section"].astype("Int64").to_numpy(
            dtype=np.float64, na_value=np.nan)[order]
        if ascending:
            _fill_spans(query, keys, pcodes * shift + np.maximum(ends, starts + 1), values,
                        None if points else row_kinds[order], part, *((point, point_ok) if points
                                                                      else (section, section_ok)))
            continue
        at = np.searchsorted(keys, query, side="right") - 1
        ok = at >= 0
        at = np.where(ok, at, 0)
        ok &= (pcodes[at] == codes) & (positions < np.maximum(ends[at], starts[at] + 1))
        values = values[at]
        good = ok & ~np.isnan(values)
        if points:
            point[good] = values[good].astype(np.int64)
            point_ok |= good
        else:
            part[ok] = row_kinds[order][at][ok]
            section[good] = values[good].astype(np.int64)
            section_ok |= good
    return {"part": pa.DictionaryArray.from_arrays(pa.array(part, pa.int32(), mask=part < 0),
                                                   pa.array(names, pa.string())),
            "section": pa.array(section, mask=~section_ok),
            "point": pa.array(point, mask=~point_ok)}


# ---------------------------------------------------------------- running it over a corpus

def run(sources: list[Source], corpus_id: str, *, with_corpus: bool, cache: bool = True,
        workers: int | None = None, progress: bool | None = None, client=None,
        store: Store | None = None) -> Stored:
    """The tables of ``sources`` from the store, computing the partitions it lacks or holds
    damaged: in this process, on ``workers`` processes, or on a Dask ``client``'s workers.
    Returns a :class:`Stored` that reads them."""
    use_system_arrow_pool()
    store = store if store is not None else Store()
    kinds = ["corpus", "parts", "tokens"] if with_corpus else ["parts", "tokens"]
    if cache:
        why = store.writable()
        if why is not None:
            _warn_once(f"the cache folder {store.root} cannot be written ({why}); computing without a cache",
                       store.root)
            cache = False
    manifest = store.read_manifest(corpus_id) if cache else None
    old_parts = {p["name"]: Partition.from_json(p) for p in (manifest or {}).get("partitions", [])}
    current = pipeline_key()
    old_of = {sid: (store, part) for part in old_parts.values() if part.pipeline == current
              for sid in part.speech_ids}
    runs = plan([s.speech_id for s in sources], [s.size for s in sources])
    chosen: list[Partition | None] = []
    jobs = []
    for lo, hi in runs:
        batch = sources[lo:hi]
        name = partition_name("files" if with_corpus else "frame", batch, current)
        known = old_parts.get(name)
        if known is not None:
            # A partition named under this key but recorded by other code (a Dask worker that
            # had not been restarted, before that was refused: Job) is not trusted.
            fault = store.check(known, kinds) if known.pipeline == current else \
                f"built by other code than this process's (pipeline {known.pipeline or 'unknown'})"
            if fault is None:
                chosen.append(known)
                continue
            warn_user(f"store partition {store.partition_dir(name)} is damaged ({fault}); rebuilding it",
                      StoreWarning)
        chosen.append(None)
        reuse = {s.speech_id: old_of[s.speech_id] for s in batch
                 if s.speech_id in old_of and store.check(old_of[s.speech_id][1], kinds) is None}
        jobs.append((len(chosen) - 1, Job(name, batch, with_corpus, store if cache else None, reuse,
                                          replace=known is not None, key=current)))
    results = _execute([job for _, job in jobs], workers=workers, progress=progress, client=client)
    inline: dict[str, dict[str, pa.Table]] = {}
    for (at, _job), result in zip(jobs, results):
        partition, tables = result
        chosen[at] = partition
        if tables is not None:
            inline[partition.name] = tables
    if inline and cache:
        why = sorted({p.unwritten for p in chosen if p is not None and p.name in inline and p.unwritten})
        who = " by the Dask workers" if client is not None else ""
        _warn_once(f"the cache folder {store.root} could not be written to{who}"
                   f"{' (' + '; '.join(why) + ')' if why else ''}; computing without a cache"
                   + (": give load_corpus a store= folder or URL every worker can write" if client is not None
                      else ""), store.root)
    stored = Stored(store, [p for p in chosen if p is not None], inline, kinds,
                    corpus_id if cache and not inline else None)
    stored.save()
    return stored


class StalePipeline(RuntimeError):
    """A worker runs other code or data than the process that planned the work (a Dask
    worker started before the package changed): its tables would be stored under a key they
    do not belong to, and served by every later load."""


class Job:
    """One partition to build (a picklable unit of work for a process pool or a Dask worker)."""

    def __init__(self, name: str, sources: list[Source], with_corpus: bool, store: Store | None,
                 reuse: dict[str, tuple[Store, Partition]], replace: bool = False, key: str | None = None):
        self.name, self.sources, self.with_corpus, self.store, self.reuse = name, sources, with_corpus, store, reuse
        # The pipeline_key() of the process that planned the job: the process that runs it
        # (a Dask worker) must run the same code and data, or it refuses (StalePipeline).
        self.key = key
        self.replace = replace  # a damaged partition of that name is on disk: write over it
        self.workers = 1  # processes for its token groups (set when it is the only job)
        self.cleaned: dict[str, tuple[str, str, dict]] = {}  # read and cleaned ahead (analysis.corpus.ahead)

    @property
    def size(self) -> int:
        return sum(s.size for s in self.sources)

    @property
    def segments(self) -> bool:
        """Whether the job may cut text: it has a speech whose rows are not to be reused (a
        level crossed, :func:`analysis.corpus.store.speeches_per_partition`, rewrites every
        partition from its old rows, and needs no segmenter loaded for its workers)."""
        return any(s.path is None or s.speech_id not in self.reuse for s in self.sources)

    def __call__(self) -> tuple[Partition, dict[str, pa.Table] | None]:
        """Build the partition; write it to the store when there is one and it can be
        written (then only its record comes back), else return its tables. A partition cut
        on several processes is written as it is made (``process(lazy=True)``)."""
        use_system_arrow_pool()  # a Dask worker's process too
        key = pipeline_key()  # what this process's code and data make: recorded with the partition
        if self.key is not None and key != self.key:
            raise StalePipeline(
                f"a worker (process {os.getpid()} on {socket.gethostname()}) runs other code or data than the "
                f"process that started this load (pipeline {key}, the load's {self.key}), so it would "
                "store tables the load's code did not make. A Dask worker imports the package once: restart the "
                "workers after changing the package (git pull, an edit) or its data files, then load again.")
        lazy = self.store is not None and self.workers > 1
        try:
            tables, skipped, keys = process(self.sources, with_corpus=self.with_corpus, old=self.reuse,
                                            workers=self.workers, lazy=lazy, cleaned=self.cleaned)
        except DamagedPartition:
            tables, skipped, keys = process(self.sources, with_corpus=self.with_corpus, workers=self.workers,
                                            lazy=lazy)
        partition = Partition(self.name, [s.speech_id for s in self.sources if s.speech_id not in skipped],
                              [s.stamp for s in self.sources if s.speech_id not in skipped], {}, skipped, keys,
                              key)
        if self.store is not None:
            try:
                partition.files = self.store.write_partition(self.name, tables, replace=self.replace)
                return partition, None
            except OSError as exc:  # a full or read-only disk: the tables go back in memory (run() warns)
                partition.unwritten = f"{exc.strerror or type(exc).__name__} on {socket.gethostname()}"
            if any(not isinstance(t, pa.Table) for t in tables.values()):  # made while written: again
                tables, _, _ = process(self.sources, with_corpus=self.with_corpus, workers=self.workers)
        return partition, tables


def _run_job(job: Job):
    return job()


def _execute(jobs: list[Job], *, workers: int | None, progress: bool | None, client) -> list:
    if not jobs:
        return []
    if client is not None:
        from .cluster import run_jobs

        return run_jobs(client, jobs)
    workers = default_workers() if workers is None else max(1, int(workers))
    if any(job.store is not None and job.store.in_process for job in jobs):
        workers = 1  # a store in this process's memory (memory://): a forked worker's writes would be lost
    if len(jobs) == 1 and workers > 1 and jobs[0].size >= ISOLATE_BYTES:
        jobs[0].workers = workers  # one long text: its pieces are cut on every core
    # Largest first keeps the cores busy to the end; results come back in the jobs' order.
    order = sorted(range(len(jobs)), key=lambda i: -jobs[i].size)
    from ..text.segment import engine_loaded, release_engine

    had_engine, warmed = engine_loaded(), []
    ordered = [jobs[i] for i in order]

    def warm() -> None:
        if not any(job.segments for job in jobs):
            return
        with cleaning_ahead(ordered if not had_engine else []):  # a spare core cleans meanwhile
            warmed.append(_warm())

    results = parallel_map(_run_job, ordered, sizes=[jobs[i].size for i in order],
                           workers=workers, progress=show_progress(len(jobs), progress), desc="processing",
                           warm=warm,
                           unit="partition",
                           isolate=max(job.size for job in jobs) >= ISOLATE_BYTES)
    if warmed and not had_engine:
        release_engine()  # built here only for the workers to inherit: not this process's to keep
    out: list = [None] * len(jobs)
    for i, result in zip(order, results):
        out[i] = result
    return out


def _warm() -> None:
    """Load the segmenter before the workers fork, so they share it."""
    from ..text.segment import engine, posseg_cut_detail

    engine()
    posseg_cut_detail()


_WARNED: set[str] = set()


def _warn_once(message: str, root) -> None:
    key = str(root)
    if key not in _WARNED:
        _WARNED.add(key)
        warn_user(message, StoreWarning)


# Tables are read by several threads at once (token_frame_by_column): one rebuilds a damaged
# partition while the others wait, then read what it built. One lock for every corpus (a
# rebuild is rare), so that a Stored stays picklable for Dask.
_REBUILDING = threading.RLock()


class Stored:
    """The partitions of a corpus, read table by table (each file checked as it is read;
    a damaged one is reported, rebuilt and read again)."""

    def __init__(self, store: Store, partitions: list[Partition], inline: dict[str, dict[str, pa.Table]],
                 kinds: list[str], corpus_id: str | None = None):
        self.store, self.partitions, self.inline, self.kinds = store, partitions, inline, kinds
        self.corpus_id = corpus_id  # where the manifest goes; None: not kept

    def save(self) -> None:
        """Write the manifest (the last file written: it names only complete partitions)."""
        if self.corpus_id is None:
            return
        try:
            self.store.write_manifest(self.corpus_id, {"pipeline": pipeline_digest(),
                                                       "partitions": [p.as_json() for p in self.partitions]})
        except OSError as exc:
            _warn_once(f"the cache folder {self.store.root} could not be written to ({exc.strerror or exc}); "
                       "computing without a cache", self.store.root)

    @property
    def skipped(self) -> dict[str, str]:
        out = {}
        for partition in self.partitions:
            out.update(partition.skipped)
        return out

    @property
    def speech_ids(self) -> list[str]:
        return [sid for p in self.partitions for sid in p.speech_ids]

    def table(self, kind: str, rebuild=None, columns: list[str] | None = None) -> pa.Table:
        """One table of every partition, concatenated in corpus order. ``rebuild(partition)``
        builds a partition again (and returns its new record) when its file is damaged.
        Files are read by a few threads at once (Parquet decoding releases the GIL), and
        several threads may call this at once: a damaged partition is built again once."""
        partitions = list(self.partitions)

        def read(partition: Partition):
            if partition.name in self.inline:
                table = conform(self.inline[partition.name][kind], kind)
                return table.select(columns) if columns else table
            try:
                return self.store.read(partition, kind, columns)
            except DamagedPartition as exc:
                return exc

        if len(self.partitions) > 1:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max(2, min(8, default_workers() * 2))) as pool:
                pieces = list(pool.map(read, partitions))
        else:
            pieces = [read(p) for p in partitions]
        for i, piece in enumerate(pieces):
            if not isinstance(piece, DamagedPartition):
                continue
            with _REBUILDING:
                if self.partitions[i] is not partitions[i]:  # built again by another thread meanwhile
                    pieces[i] = read(self.partitions[i])
                    if not isinstance(pieces[i], DamagedPartition):
                        continue
                    piece = pieces[i]
                warn_user(f"store file {piece.path} is damaged ({piece.why}); rebuilding its partition",
                          StoreWarning)
                if rebuild is None:
                    raise piece
                new, tables = rebuild(self.partitions[i])
                self.partitions[i] = new
                if tables is not None:
                    self.inline[new.name] = tables
                    pieces[i] = conform(tables[kind], kind)
                    pieces[i] = pieces[i].select(columns) if columns else pieces[i]
                else:
                    pieces[i] = self.store.read(new, kind, columns)
                    self.save()
        if not pieces:
            from .store import schemas

            empty = schemas()[kind].empty_table()
            return empty.select(columns) if columns else empty
        return pa.concat_tables(pieces)

    def rows(self, kind: str) -> int:
        """The rows of one table over every partition, as the manifest records them."""
        return sum(p.files.get(kind, {}).get("rows", 0) for p in self.partitions)


# ---------------------------------------------------------------- the tables of a corpus frame

def _frame_sources(corpus: pd.DataFrame) -> list[Source]:
    return [Source(sid, digest("text", text, simp), len(text.encode("utf-8", "surrogatepass")), text=text,
                   simplified=simp)
            for sid, text, simp in zip(corpus["speech_id"], corpus["text"], _simplified(corpus))]


def _simplified(corpus: pd.DataFrame) -> list[str]:
    if "text_simplified" in corpus.columns:
        return corpus["text_simplified"].tolist()
    from ..text.script import to_simplified

    return [to_simplified(t) for t in corpus["text"]]


def _stored_for(corpus: pd.DataFrame, *, cache: bool, workers, progress, client) -> tuple[Stored, callable]:
    """The stored tables covering ``corpus``: the store :func:`analysis.load_corpus` filled
    when the frame came from it (``corpus.attrs["store"]``), else one keyed by its texts."""
    from .registry import registered

    found = registered(corpus)
    if found is not None:
        stored, rebuild, lengths = found
        if set(corpus["speech_id"]) <= set(stored.speech_ids) and _same_texts(corpus, lengths):
            return stored, rebuild
    sources = _frame_sources(corpus)
    corpus_id = digest("frame", pipeline_digest(), *(p for s in sources for p in (s.speech_id, s.stamp)))
    stored = run(sources, corpus_id, with_corpus=False, cache=cache, workers=workers, progress=progress,
                 client=client)
    by_name = {s.speech_id: s for s in sources}

    def rebuild(partition: Partition):
        job = Job(partition.name, [by_name[sid] for sid in partition.speech_ids], False,
                  stored.store if cache else None, {}, replace=True)
        return job()

    return stored, rebuild


def _same_texts(corpus: pd.DataFrame, lengths: dict) -> bool:
    """Whether the frame's texts are still those its store holds (a caller may have edited
    them): compared by length per speech, a cheap check that catches edits that change it."""
    return all(lengths.get(sid) == n for sid, n in zip(corpus["speech_id"], corpus["text"].str.len()))


def _select(table: pa.Table, corpus: pd.DataFrame, stored: Stored) -> pa.Table:
    """The rows of the corpus's speeches, in the corpus's order."""
    ids = corpus["speech_id"].tolist()
    if stored.speech_ids == ids:
        return table
    column = table.column("speech_id").cast(pa.large_string())
    return _in_order(table.filter(pc.is_in(column, value_set=pa.array(ids, pa.large_string()))), ids)


def corpus_outline(corpus: pd.DataFrame, *, cache: bool = True, workers: int | None = None,
                   progress: bool | None = None, client=None) -> pd.DataFrame:
    """The parts table: the outline (:func:`analysis.outline`) of every speech, one row per
    part, ``speech_id`` first, in corpus and reading order. Read from the corpus store, so
    the analyses that place hits in a speech's sections read it instead of rebuilding it.

    Columns: ``speech_id``, ``part`` (salutation, preamble, section, point, closing),
    ``section``, ``point`` (Int64), ``label``, ``title``, ``start``, ``end`` (offsets in
    ``text``) and ``n_chars`` (Han characters).
    """
    if corpus.empty:
        return pd.DataFrame(columns=PARTS_COLUMNS)
    stored, rebuild = _stored_for(corpus, cache=cache, workers=workers, progress=progress, client=client)
    table = _select(stored.table("parts", rebuild), corpus, stored)
    return _parts_frame(table)


def _parts_frame(table: pa.Table) -> pd.DataFrame:
    string = pd.StringDtype("pyarrow")
    data = {}
    for name in PARTS_COLUMNS:
        column = table.column(name)
        if name in ("section", "point"):
            data[name] = column.to_pandas().astype("Int64").array
        elif name in ("start", "end", "n_chars"):
            data[name] = column.to_numpy()
        else:
            column = column.cast(pa.large_string()) if pa.types.is_dictionary(column.type) else column
            data[name] = pd.arrays.ArrowStringArray(column.combine_chunks() if column.num_chunks != 1
                                                    else column.chunk(0)) if len(column) else \
                pd.array([], dtype=string)
    return pd.DataFrame(data, copy=False)


def parts_of(parts: pd.DataFrame, speech_id: str) -> pd.DataFrame:
    """One speech's rows of a parts table, as :func:`analysis.outline` returns them."""
    rows = parts[parts["speech_id"] == speech_id]
    return rows.drop(columns="speech_id").reset_index(drop=True)


def corpus_tokens(corpus: pd.DataFrame, *, cache: bool = True, workers: int | None = None,
                  progress: bool | None = None, parts: pd.DataFrame | None = None, client=None):
    """Every speech's tokens, ``speech_id`` first, in corpus order.

    Columns: ``speech_id``, the :func:`analysis.tokenize` columns (token, simplified, term,
    start, end, pos, is_stop, is_punct) and the speech part each token falls in (part,
    section, point). String columns are pandas categoricals: each distinct string is held
    once, and counting groups integer codes. ``corpus`` is the frame of
    :func:`analysis.load_corpus` (its tokens were made as it loaded and are read from the
    corpus store) or any frame with ``speech_id`` and ``text`` (segmented on first use and
    stored under a digest of its texts). ``parts``: a parts table to place the tokens in
    instead of the corpus's own outline.

    ``cache=False`` computes without reading or writing the store; ``workers`` (default: the
    cores) processes segment uncached speeches when there is enough text; ``progress``
    forces the progress bar. With a Dask ``client`` (:mod:`analysis.cluster`), the tokens
    come back as a ``dask.dataframe`` over the store's Parquet partitions, which the
    count-based analyses take as they take a frame.

    The table knows the corpus it came from (``attrs["corpus"]``, a key): ``keyness(tokens,
    target="year >= 2013")`` and ``term_trends(tokens, terms, by="speaker")`` read the
    corpus columns without ``corpus=``, joined per speech, not copied into the token rows.
    """
    from .registry import remember_corpus  # the tokens know their corpus (docvars travel)

    if corpus.empty:
        empty = token_frame(conform_empty("tokens"))
        return remember_corpus(empty, corpus)
    stored, rebuild = _stored_for(corpus, cache=cache, workers=workers, progress=progress, client=client)
    if client is not None:
        from .cluster import token_dataframe

        return remember_corpus(token_dataframe(stored, corpus), corpus)
    whole = stored.speech_ids == corpus["speech_id"].tolist()
    # A whole corpus: its assembled file (analysis.corpus.assembled), nothing decoded or unified.
    frame = read_tokens(stored, CORPUS_TOKEN_COLUMNS) if whole else None
    if frame is None and whole:
        if stored.rows("tokens") > COLUMNWISE_ROWS:
            # A large corpus: read and convert one column at a time, so that the Arrow table
            # and the frame are never both whole in memory.
            with stored.store.local_copies():  # a bucket's objects fetched once, not once a column
                frame = token_frame_by_column(lambda name: stored.table("tokens", rebuild, [name]),
                                              CORPUS_TOKEN_COLUMNS,
                                              # at a URL, one column at a time: a damaged object
                                              # is fetched and named once
                                              threads=1 if stored.store.remote else 2)
        else:
            frame = token_frame(stored.table("tokens", rebuild))
        write_tokens(stored, frame)
    elif frame is None:
        # Not bound to a name: token_frame lets each Arrow column go once converted.
        frame = token_frame(_select(stored.table("tokens", rebuild), corpus, stored))
    release_arrow_memory()
    if parts is not None:
        where = place(frame["speech_id"].astype(object), frame["start"], parts)
        frame["part"] = pd.Categorical(where["part"].astype(object))
        frame["section"] = where["section"].array
        frame["point"] = where["point"].array
    return remember_corpus(frame, corpus)


def conform_empty(kind: str) -> pa.Table:
    from .store import schemas

    return schemas()[kind].empty_table()


def place(speech_ids, positions, parts: pd.DataFrame) -> pd.DataFrame:
    """For each (speech, character offset), the part, section and point it falls in, read
    from a parts table (:func:`corpus_outline`) for the whole corpus at once.

    Returns a frame aligned with the inputs: ``part`` (salutation, preamble, section,
    closing; inside a point it says ``section``), ``section`` and ``point`` (Int64, NA
    outside them); all NA for an offset in no part (a line break between paragraphs).
    Vectorised (two sorted searches), so placing a million hits over ten thousand speeches
    costs no Python loop: the corpus-wide form of :func:`analysis.outline.locate`.
    """
    speech_ids = pd.Series(speech_ids, dtype=object).reset_index(drop=True)
    positions = np.asarray(positions, dtype=np.int64)
    categories = pd.unique(pd.concat([parts["speech_id"].astype(object), speech_ids], ignore_index=True))
    code_of = {sid: i for i, sid in enumerate(categories)}
    placed = _placed(speech_ids.map(code_of).to_numpy(dtype=np.int64), positions,
                     parts["speech_id"].astype(object).map(code_of).to_numpy(dtype=np.int64),
                     parts[["part", "section", "point", "start", "end"]].reset_index(drop=True))
    return pd.DataFrame({"part": pd.array(placed["part"].to_pylist(), dtype=pd.StringDtype("pyarrow")),
                         "section": placed["section"].to_pandas().astype("Int64").array,
                         "point": placed["point"].to_pandas().astype("Int64").array})


def parts_by_speech(corpus: pd.DataFrame, parts: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """Each speech's rows of the parts table (:func:`corpus_outline`, read from the store when
    not given), as :func:`analysis.outline` returns them: for code that walks the speeches
    one by one. The table's rows are contiguous per speech, so this slices, not groups."""
    table = corpus_outline(corpus) if parts is None else parts
    ids = table["speech_id"].to_numpy(dtype=object)
    if not len(ids):
        return {}
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    ends = np.r_[starts[1:], len(ids)]
    body = table.drop(columns="speech_id")
    return {ids[a]: body.iloc[a:b].reset_index(drop=True) for a, b in zip(starts, ends)}


__all__ = ["CORPUS_TOKEN_COLUMNS", "PARTS_COLUMNS", "TABLES", "categorical", "corpus_outline", "corpus_tokens",
           "parts_by_speech", "parts_of", "place", "process", "run", "speech_tokens"]
