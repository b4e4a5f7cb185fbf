"""Themes: how much of a speech, and of each of its sections, talks about what.

A theme is a list of terms in the researcher-editable lexicon ``analysis/data/themes.tsv``
(``theme<TAB>term[<TAB>label]``; see the comments in the file). Counting is by substring on
the Simplified text, not by jieba token: jieba cuts the same phrase differently in
different contexts (聯系群眾 is one token, but 密切聯系群眾 is 密切聯系|群眾, and 服務群眾工作
is 服務|群眾工作), so token matching would find a term or not depending on its neighbours,
and a term would have to be in jieba's dictionary to be found at all. Substrings are matched
leftmost-longest, each character counted once: 群眾工作 counts once for its term and not
again for 群眾. Passing ``tokens`` additionally refuses a match that starts inside one
jieba word and ends inside another (少生 in 減少|生育).
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from ..common.datafiles import data_lines
from ..common.deprecation import renamed_arguments
from ..config import THEMES
from ..corpus.memo import corpus_memo
from ..text.chars import HAN_RE, count_han
from ..text.outline import locate, outline
from ..text.outline import places as place_labels
from ..text.script import to_simplified
from .groups import speech_groups

LEXICON_COLUMNS = ["theme", "label", "term", "simplified"]
HIT_COLUMNS = ["speech_id", "theme", "label", "term", "simplified", "start", "end", "part",
               "section", "point"]
SECTION_SHARE_COLUMNS = ["speech_id", "section", "place", "theme", "label", "hits", "share", "per_1000",
                         "n_chars"]
SPEECH_SHARE_COLUMNS = ["speech_id", "theme", "label", "hits", "share", "per_1000", "n_chars"]
_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def theme_lexicon(path: str | Path | None = None) -> pd.DataFrame:
    """The theme lexicon, one row per term in file order.

    Returns columns ``theme`` (English key), ``label`` (its Chinese label, the key when
    the file gives none), ``term`` (as written) and ``simplified``. Raises ``ValueError``
    naming the line for a malformed line, a bad key, two labels for one theme, or a term
    (compared in Simplified) listed twice.

    >>> theme_lexicon().query("theme == 'floating'").term.iloc[0]
    '流動人口'
    """
    path = Path(path) if path is not None else THEMES
    rows, labels, seen = [], {}, {}
    for lineno, fields in data_lines(path):
        line = "\t".join(fields)
        if len(fields) not in (2, 3) or not fields[0] or not fields[1]:
            raise ValueError(
                f"{path}:{lineno}: expected theme<TAB>term[<TAB>label], got {line!r}")
        theme, term = fields[0], fields[1]
        if not _KEY.match(theme):
            raise ValueError(
                f"{path}:{lineno}: theme key {theme!r} must be ASCII letters, digits, _")
        if len(fields) == 3 and fields[2]:
            if labels.get(theme, fields[2]) != fields[2]:
                raise ValueError(f"{path}:{lineno}: theme {theme!r} has two labels")
            labels[theme] = fields[2]
        simplified = to_simplified(term)
        if simplified in seen:
            raise ValueError(
                f"{path}:{lineno}: term {term!r} already listed on line {seen[simplified]}")
        seen[simplified] = lineno
        rows.append((theme, term, simplified))
    frame = pd.DataFrame(rows, columns=["theme", "term", "simplified"])
    frame.insert(1, "label", [labels.get(t, t) for t in frame["theme"]])
    return frame[LEXICON_COLUMNS]


def _matcher(lexicon: pd.DataFrame) -> tuple[re.Pattern, dict[str, list[str]]]:
    """A regex and a first-character index over the terms, both longest first: Python's
    alternation takes the first alternative that matches at a position, so the regex
    matches leftmost-longest; the index lets the token-aware scan try shorter terms."""
    terms = sorted(lexicon["simplified"], key=lambda t: (-len(t), t))
    by_first: dict[str, list[str]] = {}
    for term in terms:
        by_first.setdefault(term[0], []).append(term)
    return re.compile("|".join(map(re.escape, terms))), by_first


def _speeches(corpus):
    """(speech_id, text, simplified) for a corpus frame, or for one text given as a str."""
    if isinstance(corpus, str):
        yield "text", corpus, to_simplified(corpus)
        return
    has_simp = "text_simplified" in corpus.columns
    for row in corpus.itertuples(index=False):
        simp = row.text_simplified if has_simp else to_simplified(row.text)
        yield row.speech_id, row.text, simp


def _cuts_both_ends(starts, ends, s: int, e: int) -> bool:
    """True when the span [s, e) starts inside one token and ends inside another
    (少生 in 減少|生育). A span that cuts only one end is kept: jieba often attaches a
    neighbour to a term (服務|群眾工作, 密切聯系|群眾), and those are real hits."""
    i = np.searchsorted(starts, s, side="right") - 1
    j = np.searchsorted(starts, e - 1, side="right") - 1
    return i >= 0 and j >= 0 and starts[i] < s and e < ends[j] and i != j


def _spans(simp: str, pattern: re.Pattern, by_first: dict, tokens) -> list[tuple[int, int]]:
    """Leftmost-longest matches of the lexicon in ``simp``. With ``tokens``, a match that
    cuts words at both ends is refused and the next shorter term at that position tried."""
    if tokens is None:
        return [(m.start(), m.end()) for m in pattern.finditer(simp)]
    starts, ends = tokens["start"].to_numpy(), tokens["end"].to_numpy()
    order = np.argsort(starts, kind="stable")
    starts, ends = starts[order], ends[order]
    # The regex finds the next leftmost-longest candidate in C; only a refused match (rare)
    # tries the shorter terms at its position in Python.
    spans, i = [], 0
    while True:
        m = pattern.search(simp, i)
        if m is None:
            return spans
        s = m.start()
        for term in by_first.get(simp[s], ()):
            e = s + len(term)
            if simp.startswith(term, s) and not _cuts_both_ends(starts, ends, s, e):
                spans.append((s, e))
                i = e
                break
        else:
            i = s + 1


def _tokens_by_speech(tokens: pd.DataFrame | None) -> dict:
    if tokens is None:
        return {}
    return {sid: group for sid, group in tokens.groupby("speech_id", sort=False, observed=True)}


def _matched(corpus, tokens, lexicon, parts=None):
    """For each speech: (speech_id, text, simp, its parts, spans, places of the span starts).
    The parts come from the corpus's parts table (cached), read once for hits and shares."""
    matcher = _matcher(lexicon)
    by_speech = _tokens_by_speech(tokens)
    if isinstance(corpus, str):
        table = outline(corpus).assign(speech_id="text")
    else:
        from ..corpus.pipeline import corpus_outline

        table = corpus_outline(corpus) if parts is None else parts
    parts_by_speech = {sid: rows for sid, rows in table.groupby("speech_id", sort=False, observed=True)}
    empty = table.iloc[:0]
    for speech_id, text, simp in _speeches(corpus):
        toks = None
        if tokens is not None:
            toks = by_speech.get(speech_id)
            if toks is None:
                if HAN_RE.search(text):  # tokens of another corpus: say so
                    raise ValueError(f"tokens has no rows for speech {speech_id!r}")
                toks = tokens.iloc[:0]  # nothing left after cleaning (a page of site furniture)
        speech_parts = parts_by_speech.get(speech_id, empty)
        spans = _spans(simp, *matcher, toks)
        yield speech_id, text, simp, speech_parts, spans, locate([s for s, _ in spans], speech_parts)


def with_aliases(lexicon: pd.DataFrame) -> pd.DataFrame:
    """The lexicon with every variant of a term's alias group added to the term's theme
    (:mod:`analysis.aliases`): listing 计生协会 finds 计生协 and 计划生育协会 too. A variant the
    lexicon already lists keeps its own theme."""
    from ..text.aliases import alias_table

    groups = alias_table()
    listed = set(lexicon["simplified"])
    extra = []
    for row in lexicon.itertuples(index=False):
        mine = groups[groups["canonical_simplified"] == canonical_of(row.simplified, groups)]
        for variant in mine["variant_simplified"]:
            if variant not in listed:
                listed.add(variant)
                extra.append({"theme": row.theme, "label": row.label, "term": variant,
                              "simplified": variant})
    return pd.concat([lexicon, pd.DataFrame(extra, columns=LEXICON_COLUMNS)], ignore_index=True) \
        if extra else lexicon


def canonical_of(simplified: str, groups: pd.DataFrame) -> str:
    found = groups.loc[groups["variant_simplified"] == simplified, "canonical_simplified"]
    return found.iloc[0] if len(found) else simplified


@renamed_arguments(moved=("tokens",))
@corpus_memo("theme_hits")
def theme_hits(corpus, *, tokens: pd.DataFrame | None = None,
               lexicon: pd.DataFrame | None = None, aliases: bool = True,
               parts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every occurrence of a lexicon term in every speech of ``corpus``.

    ``corpus`` is the frame of :func:`analysis.load_corpus` (or one text as a str, whose
    speech_id is "text"). ``tokens`` (from :func:`analysis.corpus_tokens`), when given,
    refuses a match that starts inside one token and ends inside another (少生 in
    減少|生育) and tries the next shorter term there; without it, matching is plain
    leftmost-longest substring matching on the Simplified text. ``lexicon`` defaults to
    :func:`theme_lexicon`.

    Returns one row per hit, in speech and text order: ``speech_id``, ``theme``,
    ``label``, ``term`` (as written in the speech, ``text[start:end]``), ``simplified``
    (the lexicon term), ``start``, ``end``, ``part``, ``section``, ``point``.

    >>> theme_hits("加強群眾工作，服務群眾")[["term", "theme"]].values.tolist()
    [['群眾工作', 'mass_work'], ['服務群眾', 'mass_work']]
    """
    lexicon = theme_lexicon() if lexicon is None else lexicon
    lexicon = with_aliases(lexicon) if aliases else lexicon
    themes = dict(zip(lexicon["simplified"], lexicon["theme"]))
    labels = dict(zip(lexicon["theme"], lexicon["label"]))
    columns: dict[str, list] = {c: [] for c in HIT_COLUMNS}
    for speech_id, text, simp, _, spans, places in _matched(corpus, tokens, lexicon, parts):
        for i, (s, e) in enumerate(spans):
            theme = themes[simp[s:e]]
            for column, value in (("speech_id", speech_id), ("theme", theme),
                                  ("label", labels[theme]), ("term", text[s:e]),
                                  ("simplified", simp[s:e]), ("start", s), ("end", e),
                                  ("part", places["part"][i]), ("section", places["section"][i]),
                                  ("point", places["point"][i])):
                columns[column].append(value)
    frame = pd.DataFrame(columns, columns=HIT_COLUMNS)
    return frame.astype({"start": "int64", "end": "int64", "section": "Int64", "point": "Int64"})


def _section_label(part, section) -> str:
    # The salutation (同志們：) is the preamble's first line; points belong to their section.
    if part == "section":
        return str(int(section))
    if part == "closing":
        return "closing"
    return "preamble"


@renamed_arguments({"by": "unit"}, moved=("unit", "tokens"))
@corpus_memo("theme_shares")
def theme_shares(corpus, *, unit: str = "section", tokens: pd.DataFrame | None = None,
                 lexicon: pd.DataFrame | None = None, aliases: bool = True,
                 parts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Theme hits per speech and section (``unit="section"``) or per speech (``unit="speech"``):
    the part of a speech counted over, as :func:`analysis.dispersion_units`'s ``unit``
    (``by`` is a grouping of speeches by a corpus column, as in :func:`theme_density`).

    Returns every speech × section × theme, zero hits included, in corpus order, sections
    in reading order (``preamble`` with the salutation, ``1``, ``2``, …, ``closing``: all
    strings) and themes in lexicon order: ``speech_id``, ``section``, ``theme``, ``label``,
    ``place`` (the section as charts label it: 前言, 一, 二, …, 結語, an ordered category),
    ``hits``, ``share`` (hits / all theme hits of that section; NaN when it has none),
    ``per_1000`` (hits per 1,000 Han characters of the section) and ``n_chars`` (its Han
    characters). ``unit="speech"`` gives the same without ``section``. Arguments as for
    :func:`theme_hits`.

    >>> shares = theme_shares("流動人口。", unit="speech")
    >>> shares.query("hits > 0")[["theme", "hits", "share"]].values.tolist()
    [['floating', 1, 1.0]]
    """
    if unit not in ("section", "speech"):
        raise ValueError("unit must be 'section' or 'speech'")
    lexicon = theme_lexicon() if lexicon is None else lexicon
    lexicon = with_aliases(lexicon) if aliases else lexicon
    themes = dict(zip(lexicon["simplified"], lexicon["theme"]))
    labels = dict(zip(lexicon["theme"], lexicon["label"]))
    theme_order = list(dict.fromkeys(lexicon["theme"]))
    rows = []
    for speech_id, text, simp, speech_parts, spans, places in _matched(corpus, tokens, lexicon, parts):
        if unit == "speech":
            sizes = {None: count_han(text)}
            keys = [None] * len(spans)
        else:
            sizes = {}
            for part, section, n in speech_parts[["part", "section", "n_chars"]].itertuples(
                    index=False, name=None):
                if part != "point":
                    key = _section_label(part, section)
                    sizes[key] = sizes.get(key, 0) + int(n)
            keys = [_section_label(p, sec) for p, sec in zip(places["part"], places["section"])]
            for key in keys:
                sizes.setdefault(key, 0)
        counts = Counter((key, themes[simp[s:e]]) for key, (s, e) in zip(keys, spans))
        for key, n_chars in sizes.items():
            total = sum(counts[(key, theme)] for theme in theme_order)
            for theme in theme_order:
                n = counts[(key, theme)]
                rows.append({"speech_id": speech_id, "section": key, "theme": theme,
                             "label": labels[theme], "hits": n,
                             "share": n / total if total else np.nan,
                             "per_1000": 1000 * n / n_chars if n_chars else np.nan,
                             "n_chars": n_chars})
    columns = SECTION_SHARE_COLUMNS if unit == "section" else SPEECH_SHARE_COLUMNS
    frame = pd.DataFrame(rows, columns=SECTION_SHARE_COLUMNS)[columns]
    if unit == "section":
        # The same sections as chart labels in reading order: 前言, 一, 二, …, 結語.
        part = frame["section"].where(frame["section"].isin(["preamble", "closing"]), "section")
        frame["place"] = place_labels(pd.DataFrame(
            {"part": part, "section": pd.to_numeric(frame["section"], errors="coerce")}))
    return frame.astype({"hits": "int64", "n_chars": "int64", "share": "float64",
                         "per_1000": "float64"})


@renamed_arguments({"per_theme": "n"}, moved=("n", "lexicon"))
def top_terms(hits: pd.DataFrame, *, n: int = 1, lexicon: pd.DataFrame | None = None) -> list[str]:
    """The ``n`` most frequent terms of each theme in ``hits`` (:func:`theme_hits`),
    themes in lexicon order, ties in order of first occurrence: the rows of a dispersion plot.

    >>> top_terms(theme_hits("流動人口和群眾，群眾。"))
    ['群眾', '流動人口']
    """
    lexicon = theme_lexicon() if lexicon is None else lexicon
    order = {theme: i for i, theme in enumerate(dict.fromkeys(lexicon["theme"]))}
    counts = hits.groupby(["theme", "term"], sort=False, observed=True).size().rename("n").reset_index()
    counts["theme_rank"] = counts["theme"].map(order)
    counts = counts.sort_values(["theme_rank", "n"], ascending=[True, False], kind="mergesort")
    return counts.groupby("theme", sort=False, observed=True).head(n)["term"].tolist()


@renamed_arguments(moved=("by", "tokens"))
@corpus_memo("theme_density")
def theme_density(corpus: pd.DataFrame, *, by: str = "year", tokens: pd.DataFrame | None = None,
                  lexicon: pd.DataFrame | None = None, aliases: bool = True) -> pd.DataFrame:
    """Theme density per group of speeches (a corpus column, e.g. ``year``; ``"decade"`` is
    derived from ``year``): ``by``, ``theme``, ``label``, ``hits``, ``n_chars`` (Han
    characters of the group's speeches), ``per_1000`` (hits per 1,000 of them) and
    ``speeches``. The many-speech form of :func:`theme_shares`; speeches without a value of
    ``by`` are left out.

    >>> import pandas as pd
    >>> corpus = pd.DataFrame({"speech_id": ["a", "b"], "year": [2010, 2011],
    ...                        "text": ["流動人口。", "群眾。"], "text_simplified": ["流动人口。", "群众。"]})
    >>> theme_density(corpus).query("hits > 0")[["year", "theme", "per_1000"]].values.tolist()
    [[2010, 'floating', 250.0], [2011, 'mass_work', 500.0]]
    """
    groups = speech_groups(corpus["speech_id"], by=by, corpus=corpus)  # checked before the costly part
    per_speech = theme_shares(corpus, unit="speech", tokens=tokens, lexicon=lexicon, aliases=aliases,
                              parts=_empty_parts())
    # A Series keeps an ordered categorical (level: central … township) in its order.
    per_speech[by] = per_speech["speech_id"].map(pd.Series(groups.array, index=corpus["speech_id"].to_numpy()))
    per_speech = per_speech[per_speech[by].notna()]
    table = per_speech.groupby([by, "theme", "label"], sort=False, observed=True).agg(
        hits=("hits", "sum"), n_chars=("n_chars", "sum"), speeches=("speech_id", "nunique")).reset_index()
    table["per_1000"] = 1000 * table["hits"] / table["n_chars"].where(table["n_chars"] > 0)
    order = {t: i for i, t in enumerate(dict.fromkeys(table["theme"]))}
    table = table.sort_values([by, "theme"], key=lambda c: c.map(order) if c.name == "theme" else c,
                              kind="stable")
    return table[[by, "theme", "label", "hits", "n_chars", "per_1000", "speeches"]].reset_index(drop=True)


def _empty_parts() -> pd.DataFrame:
    """A parts table with no rows: per-speech shares need no outline."""
    return pd.DataFrame({"speech_id": pd.Series(dtype=object), "part": pd.Series(dtype=object),
                         "section": pd.Series(dtype="Int64"), "point": pd.Series(dtype="Int64"),
                         "start": pd.Series(dtype="int64"), "end": pd.Series(dtype="int64"),
                         "n_chars": pd.Series(dtype="int64")})
