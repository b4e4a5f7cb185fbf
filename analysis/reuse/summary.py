"""Summaries of the reuse links: shares per speech or group, reuse of the predecessor, the most
reused passages, the passages side by side, and whether a corpus has enough for them."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..common.deprecation import renamed_arguments
from ..corpus.memo import corpus_memo
from .shingles import keep_mask

# --------------------------------------------------------------------------- summaries

def _kept_before(text: str) -> np.ndarray:
    """``out[i]``: compared characters (Han, letters, digits) in ``text[:i]``."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    return np.concatenate([[0], np.cumsum(keep_mask(codes))])


def _sides(links: pd.DataFrame) -> pd.DataFrame:
    """Each link seen from both ends: ``speech_id``, ``other``, ``start``, ``end`` (a passage
    repeated inside one speech gives both of its spans to that speech)."""
    a = pd.DataFrame({"speech_id": links["speech_a"].astype(str), "other": links["speech_b"].astype(str),
                      "start": links["start_a"], "end": links["end_a"]})
    b = pd.DataFrame({"speech_id": links["speech_b"].astype(str), "other": links["speech_a"].astype(str),
                      "start": links["start_b"], "end": links["end_b"]})
    return pd.concat([a, b], ignore_index=True)


def _union_chars(spans: pd.DataFrame, kept: dict[str, np.ndarray], key: list[str]) -> pd.DataFrame:
    """Compared characters covered by the union of the spans of each ``key`` group."""
    rows = []
    if spans.empty:
        return pd.DataFrame(columns=[*key, "shared_chars"])
    spans = spans.sort_values([*key, "start", "end"], kind="stable")
    for group, rows_ in spans.groupby(key, sort=False, observed=True):
        group = group if isinstance(group, tuple) else (group,)
        cum = kept[group[0]]
        total, reach = 0, -1
        for s, e in zip(rows_["start"].tolist(), rows_["end"].tolist()):
            if e <= reach:
                continue
            s = max(s, reach)
            total += int(cum[e] - cum[s])
            reach = e
        rows.append((*group, total))
    return pd.DataFrame(rows, columns=[*key, "shared_chars"])


def _documents(corpus: pd.DataFrame, against: pd.DataFrame | None) -> pd.DataFrame:
    frames = [corpus] if against is None else [corpus, against]
    return pd.concat(frames, ignore_index=True)


@renamed_arguments(moved=("corpus", "against"))
@corpus_memo("reuse_summary")
def reuse_summary(links: pd.DataFrame, *, corpus: pd.DataFrame, against: pd.DataFrame | None = None,
                  by: str | None = None, pooled: bool = False) -> pd.DataFrame:
    """How much of each speech it shares, from the passages of :func:`reuse`.

    ``by=None``: one row per speech and other document it shares passages with (the speech
    itself for passages it repeats): ``speech_id``, ``other``, ``n_chars`` (the speech's
    compared characters: Han characters, letters and digits), ``shared_chars`` (those inside
    a passage it shares with ``other``, overlaps counted once) and ``share``. Speeches that
    share nothing have no row.

    ``pooled=True``: one row per speech of ``corpus``, all others together (with
    ``against``, the ``against`` documents; else the corpus's other speeches, the speech's
    repeats of itself left out): ``speech_id``, ``n_chars``, ``shared_chars``, ``share``;
    speeches that share nothing have 0.

    ``by="year"`` (or any column of the corpus, and of ``against`` when given): the matrix
    of groups, one row per pair of groups (zeros included): ``<by>``, ``other_<by>``,
    ``n_chars`` (all the group's speeches), ``shared_chars`` (their characters shared with
    any other speech of the other group) and ``share``. A speech's repeats of itself are
    left out of the matrix.

    >>> import pandas as pd
    >>> corpus = pd.DataFrame({"speech_id": ["a", "b"], "text": ["一二三四五六", "一二三七八九"]})
    >>> links = pd.DataFrame({"speech_a": ["a"], "start_a": [0], "end_a": [3], "speech_b": ["b"],
    ...                       "start_b": [0], "end_b": [3], "dated": [False]})
    >>> reuse_summary(links, corpus=corpus)[["speech_id", "other", "share"]].values.tolist()
    [['a', 'b', 0.5], ['b', 'a', 0.5]]
    """
    docs = _documents(corpus, against)
    ids = docs["speech_id"].astype(str)
    kept = {sid: _kept_before(text) for sid, text in zip(ids, docs["text"])}
    n_chars = {sid: int(cum[-1]) for sid, cum in kept.items()}
    sides = _sides(links)
    if pooled:
        own = corpus["speech_id"].astype(str)
        sides = sides[(sides["speech_id"] != sides["other"]) & sides["speech_id"].isin(set(own))]
        if against is not None:
            sides = sides[sides["other"].isin(set(against["speech_id"].astype(str)))]
        shared = _union_chars(sides.assign(_all=0), kept, ["speech_id", "_all"])
        out = pd.DataFrame({"speech_id": own.to_numpy()})
        out["n_chars"] = out["speech_id"].map(n_chars).astype("int64")
        out["shared_chars"] = out["speech_id"].map(dict(zip(shared["speech_id"], shared["shared_chars"]))) \
            .fillna(0).astype("int64")
        out["share"] = (out["shared_chars"] / out["n_chars"].where(out["n_chars"] > 0)).astype(float)
        return out
    if by is None:
        out = _union_chars(sides, kept, ["speech_id", "other"])
        out.insert(2, "n_chars", out["speech_id"].map(n_chars).astype("int64"))
        out["shared_chars"] = out["shared_chars"].astype("int64")
        out["share"] = (out["shared_chars"] / out["n_chars"].where(out["n_chars"] > 0)).astype(float)
        order = {sid: i for i, sid in enumerate(ids)}
        out = out.assign(_s=out["speech_id"].map(order), _o=out["other"].map(order))
        return out.sort_values(["_s", "_o"], kind="stable").drop(columns=["_s", "_o"]).reset_index(drop=True)
    if by not in docs.columns:
        raise KeyError(f"reuse_summary: no column {by!r} to group by (the corpus has {list(corpus.columns)})")
    group = dict(zip(ids, docs[by]))
    sides = sides[sides["speech_id"] != sides["other"]].copy()
    sides["other_group"] = sides["other"].map(group)
    sides = sides[sides["other_group"].notna()]
    per = _union_chars(sides, kept, ["speech_id", "other_group"])
    per[by] = per["speech_id"].map(group)
    shared = per.groupby([by, "other_group"], observed=True)["shared_chars"].sum()
    totals = pd.Series(n_chars).groupby(pd.Series(group)).sum()
    values = sorted(v for v in pd.unique(docs[by]) if pd.notna(v))
    grid = pd.MultiIndex.from_product([values, values], names=[by, f"other_{by}"])
    out = pd.DataFrame(index=grid).reset_index()
    out["n_chars"] = out[by].map(totals).astype("int64")
    shared.index = shared.index.set_names([by, f"other_{by}"])
    out["shared_chars"] = out.set_index([by, f"other_{by}"]).index.map(shared).fillna(0).astype("int64")
    out["share"] = (out["shared_chars"] / out["n_chars"].where(out["n_chars"] > 0)).astype(float)
    return out


def _order_key(frame: pd.DataFrame) -> pd.Series:
    """A sortable date of each speech (its date, else the middle of its year)."""
    date = pd.to_datetime(frame["date"]) if "date" in frame.columns else pd.Series(pd.NaT, index=frame.index)
    if "year" in frame.columns:
        years = pd.to_numeric(frame["year"], errors="coerce")
        mid = pd.to_datetime(years.astype("Int64").astype(str).where(years.notna()) + "-07-01", errors="coerce")
        date = date.where(date.notna(), mid)
    return date


def series_columns(corpus: pd.DataFrame) -> list[str]:
    """The corpus columns that tell one series of documents from another, for
    :func:`predecessor_reuse`: ``place`` and ``genre``, each where the corpus has one with
    more than one value. A city's work report follows that city's report of the year
    before, not another city's that happened to be dated a day earlier, and a resolution
    follows a resolution. Empty: one series. A speech without a value in one of them is in
    no series, and :func:`predecessor_reuse` gives it no predecessor.

    >>> import pandas as pd
    >>> series_columns(pd.DataFrame({"place": ["A", "B"], "genre": ["report", "report"]}))
    ['place']
    """
    return [c for c in SERIES_COLUMNS if c in corpus.columns and corpus[c].nunique(dropna=True) > 1]


SERIES_COLUMNS = ("place", "genre")


def series_keys(by: str | list[str] | None) -> list[str]:
    """``by`` of :func:`predecessor_reuse` and :func:`series_groups` as a list of columns."""
    return [] if by is None else [by] if isinstance(by, str) else list(by)


def series_groups(frame: pd.DataFrame, by: str | list[str] | None) -> tuple[list[str], list[tuple]]:
    """``frame``'s rows by series: ``(keys, groups)``, ``keys`` the columns of ``by`` (a
    column or a list; those ``frame`` has) and ``groups`` a list of ``(key, rows)``, ``key``
    a tuple of the keys' values in sorted order (``None`` and the whole frame when there are
    no keys). For :func:`predecessor_reuse`, its chart and its finding alike."""
    keys = [c for c in series_keys(by) if c in frame.columns]
    if not keys:
        return keys, [(None, frame)]
    return keys, list(frame.groupby(keys, sort=True, observed=True))


def series_label(key: tuple | None) -> str | None:
    """A series key of :func:`series_groups` as a label: ``A · report``."""
    return None if key is None else " · ".join(map(str, key))


@renamed_arguments({"group": "by"}, moved=("corpus",))
@corpus_memo("predecessor_reuse")
def predecessor_reuse(links: pd.DataFrame, *, corpus: pd.DataFrame, by: str | list[str] | None = None) -> pd.DataFrame:
    """How much of each dated speech repeats its predecessor: the latest speech dated before
    it (in the same group of the corpus column or columns ``by`` when given, e.g. ``"genre"``
    or :func:`series_columns`; of several on that date, the last by id). One row per dated
    speech that has a predecessor: ``speech_id``, ``year``, the ``by`` columns when given,
    ``predecessor``, ``predecessor_year``, ``n_chars``, ``shared_chars`` (its compared
    characters inside a passage shared with the predecessor) and ``share``; in date order.
    Without ``by`` the corpus is one series: in a corpus of many places, a speech's
    predecessor may be another place's.

    >>> import pandas as pd
    >>> corpus = pd.DataFrame({"speech_id": ["a", "b"], "text": ["一二三四", "一二三七八九"], "year": [2001, 2002]})
    >>> links = pd.DataFrame({"speech_a": ["a"], "start_a": [0], "end_a": [3], "speech_b": ["b"],
    ...                       "start_b": [0], "end_b": [3], "dated": [True]})
    >>> predecessor_reuse(links, corpus=corpus)[["speech_id", "predecessor", "share"]].values.tolist()
    [['b', 'a', 0.5]]
    """
    columns = ["speech_id", "year", "predecessor", "predecessor_year", "n_chars", "shared_chars", "share"]
    when = _order_key(corpus)
    dated = corpus.assign(_when=when)[when.notna()]
    missing = [c for c in series_keys(by) if c not in corpus.columns]
    if missing:
        raise KeyError(f"predecessor_reuse: no column {missing[0]!r} in the corpus")
    rows = []
    keys, groups = series_groups(dated, by)
    for key, rows_ in groups:
        rows_ = rows_.sort_values(["_when", "speech_id"], kind="stable")
        prev_id, prev_when, prev_year = None, None, None
        best: tuple | None = None
        for sid, when_, year in zip(rows_["speech_id"].astype(str), rows_["_when"],
                                    rows_["year"] if "year" in rows_.columns else [None] * len(rows_)):
            if prev_when is not None and when_ > prev_when:
                best = (prev_id, prev_year)
            if best is not None:
                rows.append((sid, year, best[0], best[1], when_, key))
            prev_id, prev_when, prev_year = sid, when_, year
    if not rows:
        return pd.DataFrame(columns=columns)
    pairs = pd.DataFrame(rows, columns=["speech_id", "year", "predecessor", "predecessor_year", "_when", "_group"])
    kept = {str(s): _kept_before(t) for s, t in zip(corpus["speech_id"], corpus["text"])}
    sides = _sides(links)
    wanted = set(zip(pairs["speech_id"], pairs["predecessor"]))
    sides = sides[[(s, o) in wanted for s, o in zip(sides["speech_id"], sides["other"])]]
    shared = _union_chars(sides, kept, ["speech_id", "other"]).rename(columns={"other": "predecessor"})
    out = pairs.merge(shared, on=["speech_id", "predecessor"], how="left")
    out["n_chars"] = out["speech_id"].map(lambda s: int(kept[s][-1])).astype("int64")
    out["shared_chars"] = out["shared_chars"].fillna(0).astype("int64")
    out["share"] = (out["shared_chars"] / out["n_chars"].where(out["n_chars"] > 0)).astype(float)
    out = out.sort_values(["_when", "speech_id"], kind="stable").drop(columns="_when")
    for i, column in enumerate(keys):
        out[column] = [g[i] for g in out["_group"]]
    columns = [*columns[:2], *keys, *columns[2:]]
    return out[columns].reset_index(drop=True)


@renamed_arguments({"top": "n"}, moved=("corpus", "against"))
@corpus_memo("most_reused")
def most_reused(links: pd.DataFrame, *, corpus: pd.DataFrame, against: pd.DataFrame | None = None,
                n: int | None = None, passage_ids: bool = True) -> pd.DataFrame:
    """The passages found again in the most other documents, at their source: the a side of
    each link (the earlier speech where dates are known), overlapping spans of one speech
    merged into one passage, counted by the distinct other speeches that share it. A passage
    that is itself mostly (more than half) a copy of an earlier speech is left out, so that a
    passage carried from year to year is listed once, where it first appears.

    One row per passage: ``speech_id``, ``start``, ``end`` (offsets in its ``text``),
    ``n_chars``, ``n_speeches`` (distinct other speeches sharing it), ``speeches`` (their
    ids, in corpus order), ``text`` and ``passage``. Largest ``n_speeches`` first, then
    longest; ``n`` rows at most.
    """
    columns = ["speech_id", "start", "end", "n_chars", "n_speeches", "speeches", "text", "passage"]
    links = links[links["speech_a"] != links["speech_b"]]
    docs = _documents(corpus, against)
    texts = dict(zip(docs["speech_id"].astype(str), docs["text"]))
    order = {sid: i for i, sid in enumerate(docs["speech_id"].astype(str))}
    kept = {sid: _kept_before(t) for sid, t in texts.items()}
    rows = []
    for sid, group in links.groupby(links["speech_a"].astype(str), sort=False, observed=True):
        group = group.sort_values(["start_a", "end_a"], kind="stable")
        # Copies this speech took from earlier ones: its b sides of dated links.
        copied = links[(links["speech_b"].astype(str) == sid) & links["dated"].astype(bool)]
        copied = sorted(zip(copied["start_b"].tolist(), copied["end_b"].tolist()))
        regions: list[list] = []
        for s, e, other in zip(group["start_a"].tolist(), group["end_a"].tolist(), group["speech_b"].astype(str)):
            if regions and s < regions[-1][1]:
                regions[-1][1] = max(regions[-1][1], e)
                regions[-1][2].add(other)
            else:
                regions.append([s, e, {other}])
        cum = kept[sid]
        for s, e, others in regions:
            covered, reach = 0, s
            for cs, ce in copied:
                cs, ce = max(cs, reach), min(ce, e)
                if ce > cs:
                    covered += int(cum[ce] - cum[cs])
                    reach = ce
            total = int(cum[e] - cum[s])
            if total and covered / total <= 0.5:
                rows.append((sid, s, e, others))
    out = pd.DataFrame([(sid, s, e, int(kept[sid][e] - kept[sid][s]), len(others),
                         sorted(others, key=order.get), texts[sid][s:e]) for sid, s, e, others in rows],
                       columns=columns[:-1])
    out = out.assign(_o=out["speech_id"].map(order))
    out = out.sort_values(["n_speeches", "n_chars", "_o", "start"], ascending=[False, False, True, True],
                          kind="stable").drop(columns="_o").reset_index(drop=True)
    if n is not None:
        out = out.head(n).reset_index(drop=True)
    out["passage"] = pd.Series([pd.NA] * len(out), dtype="string")
    if passage_ids and len(out):
        from ..corpus.passages import passage_ids as ids

        used = docs[docs["speech_id"].astype(str).isin(set(out["speech_id"]))]
        out["passage"] = ids(out["speech_id"], out["start"], used).to_numpy()
    for column in ("start", "end", "n_chars", "n_speeches"):
        out[column] = out[column].astype("int64")
    return out


def enough_for_reuse(corpus: pd.DataFrame):
    """Whether ``corpus`` can show reuse over time: at least 3 dated speeches in at least 2
    years (the year-by-year matrix and the predecessors need both); an
    :class:`analysis.trends.Enough`, whose text says what the corpus has and, when it is not
    enough, what it needs.

    >>> found = enough_for_reuse(pd.DataFrame({"speech_id": ["a"], "year": [2012]}))
    >>> bool(found), repr(found).split(";")[0]
    (False, 'not enough to compare speeches over time: 1 dated speech in 1 year')
    """
    from ..common.wording import counted
    from ..measures.trends import MIN_DATED, MIN_GROUPS, Enough

    years = pd.to_numeric(corpus["year"], errors="coerce") if "year" in corpus.columns else pd.Series(dtype=float)
    dated, n_years = int(years.notna().sum()), int(years.dropna().nunique())
    said = f"{counted(dated, 'dated speech')} in {counted(n_years, 'year')}"
    if dated >= MIN_DATED and n_years >= MIN_GROUPS:
        return Enough(True, f"enough to compare speeches over time: {said}")
    return Enough(False, f"not enough to compare speeches over time: {said}; reuse over time needs at least "
                         f"{MIN_DATED} dated speeches in at least {MIN_GROUPS} years (add speeches, or give dates "
                         "in metadata.csv)")


@renamed_arguments(moved=("corpus",))
def side_by_side(links: pd.DataFrame, *, corpus: pd.DataFrame) -> pd.DataFrame:
    """The passages of :func:`reuse` with the corpus's side first: ``speech_id``,
    ``passage``, ``text`` (the corpus speech's words), ``other``, ``other_passage``,
    ``other_text`` (the words they share with, in the other document's own script),
    ``n_chars`` (the corpus side's) and ``similarity``; longest first. For links between a
    corpus and ``against`` documents, whichever side a corpus speech is on."""
    own = set(corpus["speech_id"].astype(str))
    first = links["speech_a"].astype(str).isin(own)
    pick = {name: links[f"{name}_a"].where(first, links[f"{name}_b"]) for name in ("speech", "passage", "text")}
    other = {name: links[f"{name}_b"].where(first, links[f"{name}_a"]) for name in ("speech", "passage", "text")}
    out = pd.DataFrame({"speech_id": pick["speech"], "passage": pick["passage"], "text": pick["text"],
                        "other": other["speech"], "other_passage": other["passage"], "other_text": other["text"],
                        "n_chars": links["n_chars"].where(first, links["n_chars_b"]),
                        "similarity": links["similarity"]})
    return out.sort_values(["n_chars", "similarity"], ascending=False, kind="stable").reset_index(drop=True)
