"""Where words occur: keyword in context, dispersion plots and dispersion measures (AntConc's
KWIC and Plot tools, Gries' DP).

A term is matched on ``text_simplified`` (the query converted with
:func:`analysis.to_simplified`), so 計生協會 and 计生协会 both find either script; the
conversion keeps one character per character, so a hit's span is the same in ``text`` and
every table shows the original.
"""
from __future__ import annotations

import functools
import re

import numpy as np
import pandas as pd

from .chars import han_before
from .outline import locate, outline
from .script import to_simplified

KWIC_COLUMNS = ["speech_id", "start", "end", "left", "keyword", "right", "section", "point", "part"]
# Line breaks inside a context are shown as this mark (one character for one, so a context
# is still ``window`` characters wide).
PARAGRAPH_MARK = "¶"
# speech_id of the rows of dispersion_measures(pooled=True): every speech's parts together.
CORPUS_ID = "(corpus)"


def _pattern(term: str, regex: bool) -> re.Pattern:
    if not term:
        raise ValueError("term must not be empty")
    simplified = to_simplified(term)
    return re.compile(simplified if regex else re.escape(simplified))


def _token_bounds(corpus: pd.DataFrame, tokens: pd.DataFrame | None,
                  speech_ids) -> tuple[set, set]:
    """The (speech_id, offset) pairs where a token starts and where one ends."""
    if tokens is None:
        from . import corpus_tokens  # at call time: the package re-exports it

        tokens = corpus_tokens(corpus[corpus["speech_id"].isin(speech_ids)])
    tokens = tokens[tokens["speech_id"].isin(speech_ids)]
    starts = set(zip(tokens["speech_id"], tokens["start"]))
    ends = set(zip(tokens["speech_id"], tokens["end"]))
    return starts, ends


def _empty_kwic() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in KWIC_COLUMNS})
    return frame.astype({"start": "int64", "end": "int64", "section": "Int64", "point": "Int64"})


@functools.lru_cache(maxsize=8192)
def _outline(text: str) -> pd.DataFrame:
    """:func:`analysis.outline`, kept per text: a notebook asks for the same speeches'
    outlines once per term. Callers must not modify the frame."""
    return outline(text)


def _locate(hits: pd.DataFrame, texts: dict[str, str]) -> pd.DataFrame:
    """``section``, ``point`` and ``part`` of each hit (by its start): :func:`analysis.outline.locate`
    on each speech's hits, aligned with ``hits``."""
    frames = []
    for speech_id, rows in hits.groupby("speech_id", sort=False):
        where = locate(rows["start"].to_numpy(), _outline(texts[speech_id]))
        frames.append(where.set_index(rows.index))
    return pd.concat(frames).sort_index()[["section", "point", "part"]].reset_index(drop=True)


def _hits(corpus: pd.DataFrame, pattern: re.Pattern) -> pd.DataFrame:
    """speech_id, start, end of every match of ``pattern`` on the Simplified texts."""
    speech_ids, starts, ends = [], [], []
    for speech_id, simplified in zip(corpus["speech_id"], corpus["text_simplified"]):
        for match in pattern.finditer(simplified):
            if match.end() > match.start():
                speech_ids.append(speech_id)
                starts.append(match.start())
                ends.append(match.end())
    return pd.DataFrame({"speech_id": pd.Series(speech_ids, dtype=object),
                         "start": pd.Series(starts, dtype="int64"),
                         "end": pd.Series(ends, dtype="int64")})


def kwic(corpus: pd.DataFrame, term: str, window: int = 20, tokens: pd.DataFrame | None = None,
         whole_token: bool = False, regex: bool = False) -> pd.DataFrame:
    """Every occurrence of ``term`` with ``window`` characters of context on each side.

    Returns one row per hit, in corpus order then by offset: ``speech_id``, ``start``,
    ``end`` (``text[start:end]`` is the hit), ``left``, ``keyword``, ``right`` (original
    script; line breaks shown as ¶), and where the hit is: ``section`` and ``point``
    (numbers, NA outside them) and ``part`` (salutation, preamble, section, closing).

    ``term`` in Traditional or Simplified finds both. ``whole_token=True`` keeps only hits
    that start and end on token boundaries (計生協 then misses 計生協會); it uses
    ``tokens`` (from :func:`analysis.corpus_tokens`), or segments the speeches with hits.
    ``regex=True`` reads ``term`` as a regular expression (its Han characters converted
    too). Hits do not overlap, as in AntConc.

    >>> from analysis import load_corpus
    >>> corpus = load_corpus()   # the seed
    >>> kwic(corpus, "双降", window=4).iloc[0][["left", "keyword", "right"]].tolist()
    ['要實現“', '雙降', '”目標任']
    """
    if window < 0:
        raise ValueError("window must not be negative")
    hits = _hits(corpus, _pattern(term, regex))
    if hits.empty:
        return _empty_kwic()
    if whole_token:
        token_starts, token_ends = _token_bounds(corpus, tokens, hits["speech_id"].unique())
        on_bounds = [(s, a) in token_starts and (s, b) in token_ends
                     for s, a, b in zip(hits["speech_id"], hits["start"], hits["end"])]
        hits = hits[on_bounds].reset_index(drop=True)
        if hits.empty:
            return _empty_kwic()
    with_hits = corpus[corpus["speech_id"].isin(hits["speech_id"].unique())]
    texts = dict(zip(with_hits["speech_id"], with_hits["text"]))
    spans = list(zip(hits["speech_id"].map(texts), hits["start"], hits["end"]))
    hits["left"] = [text[max(0, a - window):a] for text, a, _ in spans]
    hits["keyword"] = [text[a:b] for text, a, b in spans]
    hits["right"] = [text[b:b + window] for text, _, b in spans]
    for side in ("left", "right"):
        hits[side] = hits[side].str.replace("\n", PARAGRAPH_MARK, regex=False)
    located = _locate(hits, texts)
    return pd.concat([hits, located], axis=1)[KWIC_COLUMNS]


def _as_terms(terms) -> list[str]:
    terms = [terms] if isinstance(terms, str) else list(terms)
    return list(dict.fromkeys(terms))  # unique, in the order given


def dispersion(corpus: pd.DataFrame, terms, tokens: pd.DataFrame | None = None,
               whole_token: bool = False) -> pd.DataFrame:
    """Where each term occurs along each speech: the data of a dispersion (barcode) plot.

    Returns one row per hit: ``speech_id``, ``term`` (as given), ``start``, ``position``
    (``start / len(text)``, 0 at the first character, below 1), ``section`` (NA outside
    the numbered sections) and ``part``; in corpus order, then term order, then offset.
    ``tokens`` and ``whole_token`` as in :func:`kwic`. Draw the section starts from
    :func:`section_bounds`.

    >>> from analysis import load_corpus
    >>> corpus = load_corpus()   # the seed
    >>> dispersion(corpus, "雙降")["section"].tolist()
    [1, 1, 1, 2, 2, 2, 3]
    """
    terms = _as_terms(terms)
    if not terms:
        raise ValueError("no terms given")
    lengths = dict(zip(corpus["speech_id"], corpus["text"].str.len()))
    order = {speech_id: n for n, speech_id in enumerate(corpus["speech_id"])}
    frames = []
    for n, term in enumerate(terms):
        hits = kwic(corpus, term, window=0, tokens=tokens, whole_token=whole_token)
        hits.insert(1, "term", term)
        hits["_term"] = n
        frames.append(hits)
    table = pd.concat(frames, ignore_index=True)
    table["position"] = table["start"] / table["speech_id"].map(lengths).astype(float)
    table["_speech"] = table["speech_id"].map(order)
    table = table.sort_values(["_speech", "_term", "start"], kind="stable")
    columns = ["speech_id", "term", "start", "position", "section", "part"]
    return table[columns].reset_index(drop=True)


def section_bounds(corpus: pd.DataFrame) -> pd.DataFrame:
    """The top-level parts of each speech (salutation, preamble, sections, closing; not the
    points) with absolute and relative spans, for marking sections on a dispersion plot.

    Returns ``speech_id``, ``part``, ``section``, ``label``, ``title``, ``start``, ``end``,
    ``rel_start`` and ``rel_end`` (offsets over ``len(text)``), in corpus and reading order.

    >>> from analysis import load_corpus
    >>> corpus = load_corpus()   # the seed
    >>> section_bounds(corpus).query("part == 'section'").rel_start.round(3).tolist()
    [0.105, 0.308, 0.748]
    """
    frames = []
    for speech_id, text in zip(corpus["speech_id"], corpus["text"]):
        parts = _outline(text)
        parts = parts[parts["part"] != "point"].copy()
        parts.insert(0, "speech_id", speech_id)
        parts["rel_start"] = parts["start"] / len(text)
        parts["rel_end"] = parts["end"] / len(text)
        frames.append(parts)
    columns = ["speech_id", "part", "section", "label", "title", "start", "end",
               "rel_start", "rel_end"]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def speech_parts(corpus: pd.DataFrame) -> pd.DataFrame:
    """The parts dispersion is measured over: for each speech, the preamble (everything
    before the first section, salutation included), each numbered section and the closing,
    as returned by :func:`analysis.outline`, stretched to tile the text (each part runs to
    the next one's start, the last to the end) so every hit falls in one.

    Returns ``speech_id``, ``part`` (preamble, section, closing), ``section``, ``start``,
    ``end`` and ``size`` (Han characters); parts without a Han character are left out.

    >>> from analysis import load_corpus
    >>> corpus = load_corpus()   # the seed
    >>> speech_parts(corpus)["size"].tolist()
    [245, 515, 1077, 516, 106]
    """
    frames = []
    for speech_id, text in zip(corpus["speech_id"], corpus["text"]):
        parts = _outline(text)
        top = parts[parts["part"].isin(["section", "closing"])]
        starts = [0, *top["start"]]
        labels = ["preamble", *top["part"]]
        sections = [pd.NA, *top["section"]]
        before = han_before(text)
        ends = [*starts[1:], len(text)]
        frame = pd.DataFrame({"speech_id": speech_id, "part": labels,
                              "section": pd.array(sections, dtype="Int64"),
                              "start": starts, "end": ends})
        frame["size"] = before[frame["end"]] - before[frame["start"]]
        frames.append(frame[frame["size"] > 0])
    columns = ["speech_id", "part", "section", "start", "end", "size"]
    if not frames:
        return pd.DataFrame(columns=columns)
    table = pd.concat(frames, ignore_index=True)[columns]
    return table.astype({"start": "int64", "end": "int64", "size": "int64"})


def dispersion_measures(corpus: pd.DataFrame, terms, tokens: pd.DataFrame | None = None,
                        whole_token: bool = False, pooled: bool = False) -> pd.DataFrame:
    """How evenly each term is spread over the parts of each speech.

    The parts are the speech's own (:func:`speech_parts`: preamble, each numbered section,
    closing), sized by their Han characters (the term is matched on characters, so a
    part's chance of a hit grows with its characters), not equal slices. With ``n`` parts,
    ``s_i`` part i's share of the speech's size, ``f_i`` the hits in part i,
    ``v_i = f_i / Σ f``:

    * ``dp``, Gries' deviation of proportions (Gries 2008, "Dispersions and adjusted
      frequencies in corpora", IJCL 13(4)): ``DP = ½ Σ |v_i − s_i|``; 0 when the hits
      follow the part sizes exactly, ``1 − min s_i`` when all fall in the smallest part.
    * ``dp_norm`` (Lijffijt & Gries 2012, "Correction to Stefan Th. Gries' 'Dispersions and
      adjusted frequencies in corpora'", IJCL 17(1)): ``DP / (1 − min s_i)``, so 1 is the
      most uneven whatever the part sizes.
    * ``juilland_d``, Juilland's D on the parts' relative frequencies ``p_i = f_i / size_i``
      (the form for unequal parts in Gries 2008): ``D = 1 − V / √(n − 1)`` with ``V`` the
      coefficient of variation of the ``p_i`` (population standard deviation over the
      mean); 1 perfectly even, 0 all in one part.

    Returns one row per speech and term (``pooled=True``: one row per term, speech_id
    :data:`CORPUS_ID`, all speeches' parts pooled as one corpus): ``speech_id``, ``term``,
    ``freq``, ``n_parts``, ``dp``, ``dp_norm``, ``juilland_d``. The measures are NaN where
    undefined: a term that does not occur, or fewer than two parts. ``tokens`` and
    ``whole_token`` as in :func:`kwic`.

    >>> from analysis import load_corpus
    >>> corpus = load_corpus()   # the seed
    >>> dispersion_measures(corpus, "雙降")[["freq", "n_parts"]].values.tolist()
    [[7, 5]]
    """
    terms = _as_terms(terms)
    order = {speech_id: n for n, speech_id in enumerate(corpus["speech_id"])}
    parts = speech_parts(corpus).reset_index(drop=True)
    parts["_part"] = np.arange(len(parts))
    parts["_speech"] = parts["speech_id"].map(order).astype("int64")
    hits = dispersion(corpus, terms, tokens=tokens, whole_token=whole_token)
    hits["_speech"] = hits["speech_id"].map(order).astype("int64")
    # Each hit's part: the last part of its speech that starts at or before it.
    part_of_hit = pd.merge_asof(
        hits[["_speech", "term", "start"]].sort_values("start"),
        parts[["_speech", "start", "_part"]].sort_values("start"),
        on="start", by="_speech", direction="backward",
    )
    counts = part_of_hit.groupby(["_part", "term"]).size().rename("f").reset_index()
    grid = parts.merge(pd.DataFrame({"term": terms}), how="cross")
    grid = grid.merge(counts, on=["_part", "term"], how="left")
    grid["f"] = grid["f"].fillna(0).astype(float)
    grid["_group"] = CORPUS_ID if pooled else grid["speech_id"]
    keys = ["_group", "term"]
    by_group = grid.groupby(keys, sort=False)
    grid["_freq"] = by_group["f"].transform("sum")
    grid["_s"] = grid["size"] / by_group["size"].transform("sum")
    grid["_v"] = grid["f"] / grid["_freq"].where(grid["_freq"] > 0)
    grid["_abs"] = (grid["_v"] - grid["_s"]).abs()
    grid["_p"] = grid["f"] / grid["size"]
    by_group = grid.groupby(keys, sort=False)
    table = pd.DataFrame({
        "freq": by_group["f"].sum().astype("int64"),
        "n_parts": by_group.size().astype("int64"),
        "dp": 0.5 * by_group["_abs"].sum(min_count=1),
        "_min_s": by_group["_s"].min(),
        "_p_mean": by_group["_p"].mean(),
        "_p_sd": by_group["_p"].std(ddof=0),
    }).reset_index()
    undefined = (table["freq"] == 0) | (table["n_parts"] < 2)
    table.loc[undefined, "dp"] = np.nan
    table["dp_norm"] = table["dp"] / (1 - table["_min_s"])
    variation = table["_p_sd"] / table["_p_mean"]
    with np.errstate(divide="ignore", invalid="ignore"):
        # Clipped to its range [0, 1]: all hits in one part give 1 - √(n-1)/√(n-1), which
        # floating point can leave a hair below zero.
        table["juilland_d"] = (1 - variation / np.sqrt(table["n_parts"] - 1)).clip(0, 1)
    table.loc[undefined, ["dp_norm", "juilland_d"]] = np.nan
    table = table.rename(columns={"_group": "speech_id"})
    term_order = {term: n for n, term in enumerate(terms)}
    table = table.sort_values(
        ["speech_id", "term"],
        key=lambda col: col.map(order if col.name == "speech_id" else term_order).fillna(-1),
        kind="stable",
    )
    columns = ["speech_id", "term", "freq", "n_parts", "dp", "dp_norm", "juilland_d"]
    return table[columns].reset_index(drop=True)
