"""Where words occur: keyword in context, dispersion plots and dispersion measures (AntConc's
KWIC and Plot tools, Gries' DP).

A term is matched on ``text_simplified`` (the query converted with
:func:`analysis.to_simplified`), so 計生協會 and 计生协会 both find either script; the
conversion keeps one character per character, so a hit's span is the same in ``text`` and
every table shows the original.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..common.deprecation import renamed_arguments
from ..corpus.memo import corpus_memo
from ..corpus.passages import passage_ids
from ..corpus.pipeline import place
from ..text.aliases import variants
from ..text.chars import han_before
from ..text.script import to_simplified

KWIC_COLUMNS = ["speech_id", "start", "end", "left", "keyword", "right", "section", "point", "part", "passage"]
# Line breaks inside a context are shown as this mark (one character for one, so a context
# is still ``window`` characters wide).
PARAGRAPH_MARK = "¶"
# speech_id of the rows of dispersion_measures(pooled=True): every speech's parts together.
CORPUS_ID = "(corpus)"


def _pattern(term: str, regex: bool, aliases: bool = True) -> re.Pattern:
    """The pattern a term is searched with on the Simplified texts: the term itself, or with
    ``aliases`` every variant of its alias group, longest first (so 计生协会 is found whole,
    not as 计生协 plus 会)."""
    if not term:
        raise ValueError("term must not be empty")
    if regex:
        return re.compile(to_simplified(term))
    forms = variants(term) if aliases else [to_simplified(term)]
    return re.compile("|".join(re.escape(f) for f in forms))


def _token_bounds(corpus: pd.DataFrame, tokens: pd.DataFrame | None,
                  speech_ids) -> tuple[set, set]:
    """The (speech_id, offset) pairs where a token starts and where one ends."""
    if tokens is None:
        from ..corpus.pipeline import corpus_tokens

        tokens = corpus_tokens(corpus[corpus["speech_id"].isin(speech_ids)])
    tokens = tokens[tokens["speech_id"].isin(speech_ids)]
    starts = set(zip(tokens["speech_id"], tokens["start"]))
    ends = set(zip(tokens["speech_id"], tokens["end"]))
    return starts, ends


def _empty_kwic() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in KWIC_COLUMNS})
    return frame.astype({"start": "int64", "end": "int64", "section": "Int64", "point": "Int64"})


def _parts(corpus: pd.DataFrame, parts: pd.DataFrame | None) -> pd.DataFrame:
    """The corpus's parts table: ``parts`` when given, else :func:`analysis.corpus_outline`
    (cached on disk: read, not rebuilt)."""
    if parts is not None:
        return parts
    from ..corpus.pipeline import corpus_outline

    return corpus_outline(corpus)


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


@renamed_arguments(moved=("window", "tokens", "whole_token", "regex"))
@corpus_memo("kwic")
def kwic(corpus: pd.DataFrame, term: str, *, window: int = 20, tokens: pd.DataFrame | None = None,
         whole_token: bool = False, regex: bool = False, aliases: bool = True,
         parts: pd.DataFrame | None = None, passages: bool = True) -> pd.DataFrame:
    """Every occurrence of ``term`` with ``window`` characters of context on each side.

    Returns one row per hit, in corpus order then by offset: ``speech_id``, ``start``,
    ``end`` (``text[start:end]`` is the hit), ``left``, ``keyword`` (as written: with alias
    groups, the variant this hit uses), ``right`` (original script; line breaks shown as ¶),
    and where the hit is: ``section`` and ``point`` (numbers, NA outside them), ``part``
    (salutation, preamble, section, closing) and ``passage``, its citable id
    (:func:`analysis.passages.passage_ids`: ``<speech_id>:<section.point>:s<sentence>``;
    ``passages=False`` leaves it missing, for callers that only place hits).

    ``term`` in Traditional or Simplified finds both. With ``aliases`` (default) every variant
    of the term's alias group is found too (計生協會 finds 計生協 and 計劃生育協會;
    :mod:`analysis.aliases`). ``whole_token=True`` keeps only hits that start and end on
    token boundaries (計生協 then misses 計生協會 when aliases are off); it uses ``tokens``
    (from :func:`analysis.corpus_tokens`), or segments the speeches with hits.
    ``regex=True`` reads ``term`` as a regular expression (its Han characters converted
    too; no alias groups). Hits do not overlap, as in AntConc. ``parts`` is the corpus's
    :func:`analysis.corpus_outline` (read from the cache when not given).

    >>> from analysis import load_corpus
    >>> corpus = load_corpus()   # the seed
    >>> kwic(corpus, "双降", window=4).iloc[0][["left", "keyword", "right"]].tolist()
    ['要實現“', '雙降', '”目標任']
    >>> kwic(corpus, "計生協會").keyword.value_counts().to_dict()
    {'計生協會': 17, '計生協': 14, '計劃生育協會': 4}
    """
    if window < 0:
        raise ValueError("window must not be negative")
    hits = _hits(corpus, _pattern(term, regex, aliases))
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
    table = _parts(corpus, parts)
    located = place(hits["speech_id"], hits["start"], table)
    located["part"] = located["part"].astype(object)
    located["passage"] = (passage_ids(hits["speech_id"], hits["start"], corpus, table).to_numpy(dtype=object)
                          if passages else None)
    return pd.concat([hits, located], axis=1)[KWIC_COLUMNS]


def _as_terms(terms) -> list[str]:
    terms = [terms] if isinstance(terms, str) else list(terms)
    return list(dict.fromkeys(terms))  # unique, in the order given


@renamed_arguments(moved=("tokens", "whole_token"))
@corpus_memo("dispersion")
def dispersion(corpus: pd.DataFrame, terms, *, tokens: pd.DataFrame | None = None,
               whole_token: bool = False, aliases: bool = True,
               parts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Where each term occurs along each speech: the data of a dispersion (barcode) plot.

    Returns one row per hit: ``speech_id``, ``term`` (as given), ``keyword`` (as written),
    ``start``, ``position`` (``start / len(text)``, 0 at the first character, below 1),
    ``section`` (NA outside the numbered sections) and ``part``; in corpus order, then term
    order, then offset. ``tokens``, ``whole_token``, ``aliases`` and ``parts`` as in
    :func:`kwic`. Draw the section starts from :func:`section_bounds`.

    >>> from analysis import load_corpus
    >>> corpus = load_corpus()   # the seed
    >>> dispersion(corpus, "雙降")["section"].tolist()
    [1, 1, 1, 2, 2, 2, 3]
    """
    terms = _as_terms(terms)
    if not terms:
        raise ValueError("no terms given")
    parts = _parts(corpus, parts)
    lengths = dict(zip(corpus["speech_id"], corpus["text"].str.len()))
    order = {speech_id: n for n, speech_id in enumerate(corpus["speech_id"])}
    frames = []
    for n, term in enumerate(terms):
        hits = kwic(corpus, term, window=0, tokens=tokens, whole_token=whole_token,
                    aliases=aliases, parts=parts, passages=False)
        hits.insert(1, "term", term)
        hits["_term"] = n
        frames.append(hits)
    table = pd.concat(frames, ignore_index=True)
    table["position"] = table["start"] / table["speech_id"].map(lengths).astype(float)
    table["_speech"] = table["speech_id"].map(order)
    table = table.sort_values(["_speech", "_term", "start"], kind="stable")
    columns = ["speech_id", "term", "keyword", "start", "position", "section", "part"]
    return table[columns].reset_index(drop=True)


@renamed_arguments(moved=("parts",))
def section_bounds(corpus: pd.DataFrame, *, parts: pd.DataFrame | None = None) -> pd.DataFrame:
    """The top-level parts of each speech (salutation, preamble, sections, closing; not the
    points) with absolute and relative spans, for marking sections on a dispersion plot.

    Returns ``speech_id``, ``part``, ``section``, ``label``, ``title``, ``start``, ``end``,
    ``rel_start`` and ``rel_end`` (offsets over ``len(text)``), in corpus and reading order.

    >>> from analysis import load_corpus
    >>> corpus = load_corpus()   # the seed
    >>> section_bounds(corpus).query("part == 'section'").rel_start.round(3).tolist()
    [0.105, 0.308, 0.748]
    """
    columns = ["speech_id", "part", "section", "label", "title", "start", "end",
               "rel_start", "rel_end"]
    table = _parts(corpus, parts)
    table = table[(table["part"] != "point") & table["speech_id"].isin(corpus["speech_id"])].copy()
    lengths = table["speech_id"].map(dict(zip(corpus["speech_id"], corpus["text"].str.len())))
    table["rel_start"] = table["start"] / lengths
    table["rel_end"] = table["end"] / lengths
    return table[columns].reset_index(drop=True)


# ---------------------------------------------------------------- dispersion measures
UNITS = ("paragraph", "equal", "section", "speech")
MIN_HITS = 10
"""Fewer hits than this and a dispersion measure is flagged (``enough_hits`` False) rather than
read: with a handful of hits, which part each falls in is chance (Gries 2008 warns that DP is
unstable at low frequency)."""


def dp(freqs, sizes) -> float:
    """Gries' deviation of proportions over parts with hit counts ``freqs`` and sizes
    ``sizes``: ``½ Σ |f_i/Σf − s_i/Σs|`` (Gries 2008, IJCL 13(4)); NaN without hits or with
    fewer than two parts. 0 when the hits follow the part sizes exactly.

    >>> dp([1, 1], [1, 1]), dp([2, 0], [1, 1]), round(dp([3, 1, 0], [2, 1, 1]), 3)
    (0.0, 0.5, 0.25)
    """
    f, size = np.asarray(freqs, dtype=float), np.asarray(sizes, dtype=float)
    if len(f) < 2 or f.sum() == 0:
        return float("nan")
    return float(0.5 * np.abs(f / f.sum() - size / size.sum()).sum())


def dp_norm(freqs, sizes) -> float:
    """DP over its maximum ``1 − min s_i`` (Lijffijt & Gries 2012, IJCL 17(1)), so that 1 is
    the most uneven spread whatever the part sizes.

    >>> dp_norm([2, 0], [1, 1]), round(dp_norm([0, 0, 4], [2, 1, 1]), 3)
    (1.0, 1.0)
    """
    size = np.asarray(sizes, dtype=float)
    value = dp(freqs, sizes)
    return float(value / (1 - (size / size.sum()).min())) if not np.isnan(value) else value


def juilland_d(freqs, sizes) -> float:
    """Juilland's D on the parts' relative frequencies ``p_i = f_i / size_i`` (the form for
    unequal parts, Gries 2008): ``1 − V / √(n − 1)``, ``V`` the coefficient of variation of
    the ``p_i`` (population standard deviation over the mean); 1 even, 0 all in one part.

    >>> juilland_d([1, 1], [1, 1]), juilland_d([2, 0], [1, 1]), round(juilland_d([3, 1], [1, 1]), 3)
    (1.0, 0.0, 0.5)
    """
    f, size = np.asarray(freqs, dtype=float), np.asarray(sizes, dtype=float)
    if len(f) < 2 or f.sum() == 0:
        return float("nan")
    rel = f / size
    variation = rel.std(ddof=0) / rel.mean()
    # Rounded off at 12 places: all hits in one part give 1 - √(n-1)/√(n-1), which floating
    # point leaves a hair off zero.
    return float(np.clip(round(1 - variation / np.sqrt(len(f) - 1), 12), 0, 1))


@renamed_arguments(moved=("unit", "n_parts", "parts"))
def dispersion_units(corpus: pd.DataFrame, *, unit: str = "paragraph", n_parts: int = 10,
                     parts: pd.DataFrame | None = None) -> pd.DataFrame:
    """The parts a dispersion measure counts over, tiling each speech: one row per part with
    ``speech_id``, ``unit``, ``part_no`` (1, 2, … within the speech), ``start``, ``end`` and
    ``size`` (Han characters; parts without one are left out).

    ``unit``: ``paragraph`` (each line of the cleaned text), ``equal`` (``n_parts`` slices of
    equal Han-character count), ``section`` (the speech's own preamble, numbered sections and
    closing, each running to the next one's start), or ``speech`` (one part per speech: the
    unit for a corpus).

    >>> from analysis import load_corpus
    >>> corpus = load_corpus()   # the seed
    >>> dispersion_units(corpus, unit="section")["size"].tolist()
    [245, 515, 1077, 516, 106]
    >>> len(dispersion_units(corpus, unit="paragraph"))
    17
    >>> dispersion_units(corpus, unit="equal", n_parts=4)["size"].tolist()
    [615, 615, 615, 614]
    """
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {UNITS}, not {unit!r}")
    if unit == "equal" and n_parts < 2:
        raise ValueError("n_parts must be at least 2")
    table = _parts(corpus, parts) if unit == "section" else None
    frames = []
    for speech_id, text in zip(corpus["speech_id"], corpus["text"]):
        if unit == "paragraph":
            starts = [0] + [m.end() for m in re.finditer("\n", text)]
        elif unit == "section":
            rows = table[(table["speech_id"] == speech_id) & table["part"].isin(["section", "closing"])]
            starts = [0, *rows["start"]]
        elif unit == "equal":
            before = han_before(text)
            targets = np.ceil(np.arange(n_parts) * before[-1] / n_parts).astype(np.int64)
            starts = np.searchsorted(before, targets, side="left").tolist()
        else:
            starts = [0]
        starts = sorted(set(int(a) for a in starts))
        ends = [*starts[1:], len(text)]
        before = han_before(text)
        sizes = before[ends] - before[starts]
        frame = pd.DataFrame({"speech_id": speech_id, "unit": unit, "start": starts, "end": ends,
                              "size": sizes})
        frame = frame[frame["size"] > 0]
        frame.insert(2, "part_no", np.arange(1, len(frame) + 1))
        frames.append(frame)
    columns = ["speech_id", "unit", "part_no", "start", "end", "size"]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns].astype(
        {"part_no": "int64", "start": "int64", "end": "int64", "size": "int64"})


@renamed_arguments(moved=("tokens", "whole_token"))
@corpus_memo("dispersion_measures")
def dispersion_measures(corpus: pd.DataFrame, terms, *, tokens: pd.DataFrame | None = None,
                        whole_token: bool = False, unit: str | None = None, n_parts: int = 10,
                        min_hits: int = MIN_HITS, aliases: bool = True,
                        parts: pd.DataFrame | None = None) -> pd.DataFrame:
    """How evenly each term is spread: Gries' DP, its normalised form and Juilland's D.

    ``unit`` says what the parts are (:func:`dispersion_units`). By default, for one speech,
    its paragraphs; for a corpus, its speeches (the whole corpus, one row per term). DP over
    a speech's own sections changes with how the speech happens to be divided, so
    ``unit="section"`` is there to compare with, not as a default; ``unit="equal"`` cuts each
    speech into ``n_parts`` slices of equal Han-character count. Part sizes are Han
    characters (a term is matched on characters, so a part's chance of a hit grows with its
    characters).

    Returns one row per term (and per speech, for the units inside a speech): ``speech_id``
    (:data:`CORPUS_ID` for ``unit="speech"``), ``term``, ``hits``, ``unit``, ``n_parts``,
    ``parts_with_hits``, ``dp``, ``dp_norm``, ``juilland_d`` (see :func:`dp`,
    :func:`dp_norm`, :func:`juilland_d`; NaN without hits) and ``enough_hits``: whether
    ``hits >= min_hits``. A row with too few hits is a count to report, not a spread to
    interpret. ``tokens``, ``whole_token``, ``aliases`` and ``parts`` as in :func:`kwic`.

    >>> from analysis import load_corpus
    >>> corpus = load_corpus()   # the seed
    >>> row = dispersion_measures(corpus, "雙降").iloc[0]
    >>> row.unit, int(row.n_parts), int(row.hits), round(float(row.dp), 2), bool(row.enough_hits)
    ('paragraph', 17, 7, 0.77, False)
    """
    terms = _as_terms(terms)
    if unit is None:
        unit = "paragraph" if len(corpus) == 1 else "speech"
    parts = _parts(corpus, parts) if unit == "section" else parts
    units = dispersion_units(corpus, unit=unit, n_parts=n_parts, parts=parts)
    hits = dispersion(corpus, terms, tokens=tokens, whole_token=whole_token, aliases=aliases,
                      parts=parts)
    units["_speech"] = pd.factorize(units["speech_id"])[0]
    code_of = dict(zip(units["speech_id"], units["_speech"]))
    hits = hits[hits["speech_id"].isin(code_of)]
    # Each hit's part: the last part of its speech that starts at or before it.
    shift = np.int64(1) << np.int64(40)
    keys = units["_speech"].to_numpy(dtype=np.int64) * shift + units["start"].to_numpy(dtype=np.int64)
    at = np.searchsorted(keys, hits["speech_id"].map(code_of).to_numpy(dtype=np.int64) * shift
                         + hits["start"].to_numpy(dtype=np.int64), side="right") - 1
    counts = pd.DataFrame({"_part": at, "term": hits["term"].to_numpy()}).value_counts()
    pooled = unit == "speech"
    group = pd.Series(CORPUS_ID if pooled else units["speech_id"], index=units.index)
    rows = []
    for key, part_rows in units.groupby(group, sort=False, observed=True):
        sizes = part_rows["size"].to_numpy()
        for term in terms:
            freqs = np.array([counts.get((i, term), 0) for i in part_rows.index])
            rows.append({"speech_id": key, "term": term, "hits": int(freqs.sum()), "unit": unit,
                         "n_parts": len(freqs), "parts_with_hits": int((freqs > 0).sum()),
                         "dp": dp(freqs, sizes), "dp_norm": dp_norm(freqs, sizes),
                         "juilland_d": juilland_d(freqs, sizes),
                         "enough_hits": bool(freqs.sum() >= min_hits)})
    columns = ["speech_id", "term", "hits", "unit", "n_parts", "parts_with_hits", "dp", "dp_norm",
               "juilland_d", "enough_hits"]
    return pd.DataFrame(rows, columns=columns)
