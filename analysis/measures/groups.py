"""Grouping speeches: by a corpus column (year, decade, speaker, level, place, meeting, …),
by bins of a numeric one, or as small multiples; and the terms a count asks for, keyed as
the tokens count them (alias groups applied). Trends, counts, themes and the extractors
group by these."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..common.deprecation import renamed_arguments
from ..text.script import to_simplified

SMALL_MULTIPLES = 6
"""Up to this many speeches, charts draw one panel (or one group of bars) per speech; beyond it
they draw grouped views (by year, period or another column) or the top N with the rest summed."""


def many(corpus: pd.DataFrame) -> bool:
    """Whether ``corpus`` has too many speeches for one panel each (> :data:`SMALL_MULTIPLES`)."""
    return len(corpus) > SMALL_MULTIPLES


def speech_grouping(speech_ids: pd.Series, by, corpus: pd.DataFrame | None, bins) -> tuple[str, pd.Series]:
    """(name, group of each speech id) for a ``by`` of :func:`analysis.term_trends`: a corpus
    column, ``"decade"``, or a Series mapping speech_id to a group; ``bins`` bins the values."""
    if isinstance(by, pd.Series):
        name = by.name or "group"
        mapping = by
    else:
        if corpus is None:
            raise ValueError(f"by={by!r} is a corpus column, and these tokens do not come from "
                             "corpus_tokens(corpus): pass corpus= (the frame of load_corpus)")
        name = by
        if by == "decade" and "decade" not in corpus.columns:
            years = corpus["year"].astype("Int64")
            values = (years // 10 * 10).astype("Int64")
        elif by not in corpus.columns:
            raise ValueError(f"by={by!r}: no such corpus column (have {list(corpus.columns)[:15]}…)")
        else:
            values = corpus[by]
        # .array keeps an ordered categorical (level: central … township) in its order.
        mapping = pd.Series(values.array, index=corpus["speech_id"].to_numpy())
    if bins is not None:
        mapping = bin_values(mapping, bins)
    return name, speech_ids.map(mapping)


MAX_YEARS_SHOWN = 30
"""Beyond this many distinct years, grouped views of a corpus go by decade."""


def time_unit(corpus: pd.DataFrame) -> str:
    """``"year"``, or ``"decade"`` when the corpus spans more than :data:`MAX_YEARS_SHOWN`
    distinct years: the grouping a chart of the whole corpus reads best by.

    >>> time_unit(pd.DataFrame({"year": [2011, 2012]}))
    'year'
    """
    return "year" if corpus["year"].nunique() <= MAX_YEARS_SHOWN else "decade"


GROUPING_COLUMNS = ("speaker", "level", "place", "meeting")
"""The metadata columns researchers group speeches by (``docs/data-model.md``), besides
``year`` and ``decade``: any of them is a ``by`` of the groupings here and a ``BY`` of the
notebooks."""


@renamed_arguments(moved=("by",))
def group_column(corpus: pd.DataFrame, *, by: str | None = None) -> str:
    """The column a grouped view of ``corpus`` goes by: ``by`` when given (any corpus column:
    ``speaker``, ``level``, ``place``, ``meeting``, ``genre``, …; or ``"decade"``), checked to
    exist and to hold a value for at least one speech; else :func:`time_unit`. Raises
    ``ValueError`` saying what the corpus has and how to give the column.

    >>> corpus = pd.DataFrame({"speech_id": ["a", "b"], "year": [2011, 2012], "speaker": ["王明", None]})
    >>> group_column(corpus), group_column(corpus, by="speaker")
    ('year', 'speaker')
    """
    if by is None:
        return time_unit(corpus)
    values = corpus["year"] if by == "decade" and "decade" not in corpus.columns and "year" in corpus.columns \
        else corpus.get(by)
    if values is None:
        hint = (" (give it in metadata.csv: see docs/data-model.md)" if by in GROUPING_COLUMNS else "")
        raise ValueError(f"by={by!r}: the corpus has no such column{hint}; it has "
                         f"{', '.join(map(str, corpus.columns[:12]))}…")
    if not values.notna().any():
        source = "no speech is dated" if by == "decade" else f"no speech has a {by}"
        raise ValueError(f"by={by!r}: {source}, so nothing can be grouped by it")
    return by


@renamed_arguments(moved=("by", "corpus"))
def speech_groups(speech_ids: pd.Series, *, by: str, corpus: pd.DataFrame) -> pd.Series:
    """The group of each speech id under ``by``: a corpus column, or ``"decade"`` derived
    from ``year`` (as :func:`term_trends` groups). NA where the speech has no value.

    >>> corpus = pd.DataFrame({"speech_id": ["a", "b"], "year": pd.array([1987, 1991], "Int64")})
    >>> speech_groups(pd.Series(["b", "a", "b"]), by="decade", corpus=corpus).tolist()
    [1990, 1980, 1990]
    """
    return speech_grouping(speech_ids, by, corpus, None)[1]


def bin_values(values: pd.Series, bins) -> pd.Series:
    """Numbers (years) binned: ``bins`` an int width (``5`` → 2010–2014, 2015–2019, …,
    aligned on multiples of the width) or a list of edges (each bin from an edge up to the
    next one, exclusive). Labels are ordered categories such as ``"2010–2014"``.

    >>> bin_values(pd.Series([2009, 2012, 2016]), 5).tolist()
    ['2005–2009', '2010–2014', '2015–2019']
    """
    numbers = pd.to_numeric(values, errors="coerce")
    if isinstance(bins, int):
        if bins < 1:
            raise ValueError("bins must be a positive width")
        low = numbers // bins * bins
        labels = [f"{int(a)}–{int(a) + bins - 1}" for a in sorted(low.dropna().unique())]
        binned = [f"{int(a)}–{int(a) + bins - 1}" if pd.notna(a) else None for a in low]
    else:
        edges = sorted(bins)
        labels = [f"{a}–{b - 1}" for a, b in zip(edges, edges[1:])]
        idx = np.searchsorted(edges, numbers.to_numpy(dtype=float), side="right") - 1
        binned = [labels[i] if 0 <= i < len(labels) and pd.notna(x) else None for i, x in zip(idx, numbers)]
    return pd.Series(pd.Categorical(binned, categories=labels, ordered=True), index=values.index)


def term_keys(terms, aliases: bool) -> list[tuple[str, str]]:
    terms = [terms] if isinstance(terms, str) else list(terms)
    if not terms:
        raise ValueError("no terms given")
    if aliases:
        from ..text.aliases import canonical

        return [(t, canonical(t)) for t in dict.fromkeys(terms)]
    return [(t, to_simplified(t)) for t in dict.fromkeys(terms)]
