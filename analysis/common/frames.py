"""Helpers for pandas frames that every layer counts with, written once: counts of the values
that occur, whether the column is plain or dictionary-encoded (Categorical)."""
from __future__ import annotations

import numpy as np
import pandas as pd


def value_counts(values: pd.Series, sort: bool = True, weights: np.ndarray | None = None) -> pd.Series:
    """``values.value_counts()`` of the values that occur, indexed by plain values: a
    categorical column (the token table's strings) would also list its categories that do
    not occur in ``values``, with count 0, in category order. ``weights``: how many each row
    stands for (a table of counts)."""
    if weights is not None:
        counts = pd.Series(weights, index=values.index).groupby(values.astype(object).to_numpy(), sort=False).sum()
        counts = counts[counts > 0]
        return counts.sort_values(ascending=False, kind="stable") if sort else counts
    counts = values.value_counts(sort=sort)
    if isinstance(values.dtype, pd.CategoricalDtype):
        counts = counts[counts > 0]
        counts.index = pd.Index(counts.index.astype(object), name=counts.index.name)
    return counts
