"""The life cycle of numbered formulas and campaign names: when each is first and last
attested in a dated corpus, in how many speeches, and where it peaks (notebook 04)."""
from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from .campaigns import campaign_table, corpus_campaigns
from .formulas import attested_formulas, corpus_formulas, formula_table, lexicon

LIFECYCLE_COLUMNS = ["name", "kind", "first", "last", "span_years", "n_speeches", "mentions",
                     "peak", "peak_per_10k_chars"]


def lifecycle(corpus: pd.DataFrame, *, formulas: pd.DataFrame | None = None,
              campaigns: pd.DataFrame | None = None, by: str = "year", min_speeches: int = 1,
              client=None) -> pd.DataFrame:
    """The life cycle of every numbered formula and campaign name of a dated corpus.

    ``formulas`` and ``campaigns`` default to :func:`analysis.corpus_formulas` and
    :func:`analysis.corpus_campaigns` of ``corpus``. Returns one row per name (its
    Simplified form, or its gazetteer name; the first written form shown as ``name``),
    ``kind`` (``formula``, or for another name its function: campaign, period, slogan, …; a
    name labelled differently in different speeches gets one row, with its most common label
    among its entries (one per speech and written form), ties to the alphabetically first),
    ``first`` and ``last`` (the earliest and latest ``year`` attesting it),
    ``span_years``, ``n_speeches``, ``mentions`` (all occurrences), ``peak`` (the ``by``
    group with the most mentions per 10,000 Han characters of its speeches; ties: the
    earliest) and ``peak_per_10k_chars``; names in fewer than ``min_speeches`` speeches are
    left out. Speeches without a year are left out (say how many with ``attrs["undated"]``).
    Sorted by first attestation, then mentions.

    With a Dask ``client`` (:mod:`analysis.cluster`), the formulas and campaign names are
    found on its workers, a batch of speeches each, and only their counts come back.
    """
    if "year" not in corpus.columns:
        raise ValueError("lifecycle needs a dated corpus (a year column: see load_corpus)")
    dated = corpus[corpus["year"].notna()]
    # First and last attestations need no places in the speech: skip them.
    if client is not None and (formulas is None or campaigns is None):
        from ..corpus.cluster import map_speeches

        # Two rounds, as on one machine: the formulas quoted anywhere in the corpus first
        # (each batch's, joined), then every batch looked through for all of them (a formula
        # quoted in one speech is looked for in all: corpus_lexicon).
        quoted = map_speeches(client, dated, _quoted_in)
        names = sorted(set(quoted["formula"])) if len(quoted) else []
        if formulas is None:
            formulas = map_speeches(client, dated, functools.partial(_formulas_of, names=names))
        if campaigns is None:
            campaigns = map_speeches(client, dated, functools.partial(_campaigns_of, names=names))
    formulas = corpus_formulas(dated, places=False) if formulas is None else formulas
    campaigns = corpus_campaigns(dated, places=False) if campaigns is None else campaigns
    frames = []
    for kind, table, name_col in (("formula", formulas, "formula"), ("campaign", campaigns, "name")):
        if table is None or table.empty:
            continue
        if kind == "campaign" and "form" in table.columns:
            table = table[table["form"] != "formula"]  # a formula is listed once, as a formula
        key = table["canonical"].fillna(table["simplified"]) if "canonical" in table.columns else table["simplified"]
        # A formula is a formula; another name says what it names (campaign, period, slogan, …).
        label = table["function"].to_numpy() if kind == "campaign" and "function" in table.columns else kind
        frames.append(pd.DataFrame({"speech_id": table["speech_id"].to_numpy(), "key": key.to_numpy(),
                                    "written": table[name_col].to_numpy(), "kind": label,
                                    "mentions": table["count"].to_numpy(dtype=np.int64)}))
    if not frames:
        out = pd.DataFrame(columns=LIFECYCLE_COLUMNS)
        out.attrs["undated"] = int(corpus["year"].isna().sum())
        return out
    rows = pd.concat(frames, ignore_index=True)
    rows = rows[rows["speech_id"].isin(set(dated["speech_id"]))]
    year = dict(zip(dated["speech_id"], dated["year"].astype(int)))
    group = dict(zip(dated["speech_id"], dated[by])) if by != "year" else year
    size = dated.assign(_g=dated["speech_id"].map(group)).groupby("_g", observed=True)["n_chars"].sum()
    rows["year"] = rows["speech_id"].map(year)
    rows["group"] = rows["speech_id"].map(group)
    # All per name at once (a corpus holds thousands of names): spans, speeches, mentions…
    # One row per name, whatever its function in each speech: the label is the most common.
    by_name = rows.groupby("key", sort=False, observed=True)
    table = by_name.agg(name=("written", "first"), kind=("kind", lambda v: v.mode().iloc[0]),
                        first=("year", "min"), last=("year", "max"),
                        n_speeches=("speech_id", "nunique"), mentions=("mentions", "sum")).reset_index()
    # … and the peak: the group with the highest rate, ties to the earliest group.
    per_group = rows.groupby(["key", "group"], sort=False, observed=True)["mentions"].sum().reset_index()
    per_group["rate"] = per_group["mentions"] / per_group["group"].map(size).to_numpy() * 10_000
    per_group["_rounded"] = per_group["rate"].round(9)
    peaks = per_group.sort_values(["key", "_rounded", "group"], ascending=[True, False, True],
                                  kind="stable").drop_duplicates(["key"])
    table = table.merge(peaks[["key", "group", "rate"]], on="key", how="left")
    table = table.rename(columns={"group": "peak", "rate": "peak_per_10k_chars"})
    table["span_years"] = table["last"] - table["first"] + 1
    table = table[table["n_speeches"] >= min_speeches]
    table = table.sort_values(["first", "mentions", "key"], ascending=[True, False, True], kind="stable")
    table = table[LIFECYCLE_COLUMNS].astype({"first": "int64", "last": "int64", "span_years": "int64",
                                             "n_speeches": "int64", "mentions": "int64"}).reset_index(drop=True)
    table.attrs["undated"] = int(corpus["year"].isna().sum())
    return table


def _quoted_in(batch: pd.DataFrame) -> pd.DataFrame:
    """The formulas a batch of speeches quotes (:func:`analysis.formulas.attested_formulas`)."""
    return pd.DataFrame({"formula": attested_formulas(batch)}, dtype=object)


def _formulas_of(batch: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    return formula_table(batch, lexicon().with_attested(names), places=False)


def _campaigns_of(batch: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    return campaign_table(batch, lexicon().with_attested(names), places=False)
