"""Alias groups: names that mean one thing (計生協會, 計生協, 計劃生育協會), counted as one term.

The groups come from the researcher-editable ``analysis/data/aliases.tsv``: one group a line,
the canonical term first, then its variants, TAB-separated, in either script. Everything is
compared in Simplified. Tokens carry the group in their ``term`` column (the canonical
Simplified form; a word in no group is its own term), and the analyses count ``term`` by
default; ``aliases=False`` counts the ``simplified`` word as written.
"""
from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd

from ..common.datafiles import data_lines
from ..config import DATA_DIR
from .script import to_simplified

ALIASES = DATA_DIR / "aliases.tsv"
ALIAS_COLUMNS = ["canonical", "variant", "canonical_simplified", "variant_simplified"]


def alias_table(path: str | Path | None = None) -> pd.DataFrame:
    """The alias groups, one row per variant (the canonical term is listed as its own
    variant first): ``canonical`` and ``variant`` as written, and their Simplified forms.

    Raises ``ValueError`` naming the line for a line with no variant, or a term listed in
    two groups (or twice in one).

    >>> alias_table().query("canonical == '计生协会'").variant.tolist()
    ['计生协会', '计生协', '计划生育协会']
    """
    path = Path(path) if path is not None else ALIASES
    return _alias_table(str(path), path.stat().st_mtime_ns).copy()


@functools.lru_cache(maxsize=4)
def _alias_table(path: str, _mtime: int) -> pd.DataFrame:
    rows, seen = [], {}
    for lineno, fields in data_lines(path):
        fields = [f for f in fields if f]
        if len(fields) < 2:
            raise ValueError(f"{path}:{lineno}: expected canonical<TAB>variant[<TAB>variant…], "
                             f"got {chr(9).join(fields)!r}")
        canonical = fields[0]
        canonical_simplified = to_simplified(canonical)
        for variant in fields:
            simplified = to_simplified(variant)
            if simplified in seen:
                raise ValueError(f"{path}:{lineno}: {variant!r} is already listed on line {seen[simplified]}")
            seen[simplified] = lineno
            rows.append((canonical, variant, canonical_simplified, simplified))
    return pd.DataFrame(rows, columns=ALIAS_COLUMNS)


def alias_map() -> dict[str, str]:
    """Simplified variant → Simplified canonical term, for every variant of every group."""
    return alias_maps()[0]


def alias_maps() -> tuple[dict[str, str], dict[str, list[str]]]:
    """(variant → canonical, canonical → variants longest first), read once per edit of the file."""
    return _maps_for(str(ALIASES), ALIASES.stat().st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _maps_for(path: str, mtime: int) -> tuple[dict[str, str], dict[str, list[str]]]:
    table = _alias_table(path, mtime)
    to_canonical = dict(zip(table["variant_simplified"], table["canonical_simplified"]))
    groups: dict[str, list[str]] = {}
    for variant, key in to_canonical.items():
        groups.setdefault(key, []).append(variant)
    return to_canonical, {k: sorted(v, key=lambda f: (-len(f), f)) for k, v in groups.items()}


def alias_words() -> list[str]:
    """Every term of every group (Simplified), for the segmenter to keep whole."""
    return alias_table()["variant_simplified"].tolist()


def canonical(term: str) -> str:
    """The Simplified canonical term of ``term`` (either script); ``term`` itself, in
    Simplified, when it is in no group.

    >>> canonical("計生協"), canonical("工作")
    ('计生协会', '工作')
    """
    simplified = to_simplified(term)
    return alias_map().get(simplified, simplified)


def variants(term: str) -> list[str]:
    """The Simplified forms that count as ``term`` (either script): its group's canonical
    term and variants, longest first; just ``term`` when it is in no group.

    >>> variants("計生協會")
    ['计划生育协会', '计生协会', '计生协']
    """
    key = canonical(term)
    return list(alias_maps()[1].get(key, [key]))


def term_keys(simplified: pd.Series | np.ndarray | list) -> np.ndarray:
    """The canonical term of each Simplified word (itself when in no group), vectorised:
    each distinct word is looked up once."""
    codes, uniques = pd.factorize(pd.Series(simplified, dtype=object) if not isinstance(simplified, pd.Series)
                                  else simplified)
    mapping = alias_map()
    keys = np.array([mapping.get(word, word) for word in uniques], dtype=object)
    return keys[codes] if len(keys) else np.array([], dtype=object)


def fingerprint_bytes() -> bytes:
    """The alias file's bytes, for the token cache key (the groups change segmentation)."""
    return ALIASES.read_bytes()
