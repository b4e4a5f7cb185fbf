"""Change over time: how often terms are used per year (or any grouping of the speeches), and
the life cycle of numbered formulas and campaign names.

``term_trends(tokens, terms, by="year", corpus=corpus)`` counts terms per group of speeches;
``reference_trends(terms)`` does the same on the shipped counts of the government work
reports (no text needed), so a single speech can be placed in national official language
over time; ``lifecycle(corpus)`` lists each formula and campaign name with its first and
last attestation, its speeches and its peak period.

Rates are per 10,000 word tokens (punctuation left out, stopwords in), with a 95% Wilson
score interval (Wilson 1927; Newcombe 1998) on the proportion ``count / n_words``. The
interval treats each word as an independent draw: speeches cluster their use of a term, so
it understates the uncertainty between speeches. Read it with ``docs`` (speeches using the
term) and ``n_docs`` (speeches in the group): a rate carried by one speech of ten is a
fact about that speech.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..common.deprecation import renamed_arguments
from ..common.warning import warn_user
from ..common.wording import counted
from ..config import DATA_DIR
from ..corpus.cluster import map_counts
from ..corpus.memo import corpus_memo
from ..corpus.registry import docvars
from .groups import (  # noqa: F401 (re-exported: analysis.measures.trends.speech_groups …)
    GROUPING_COLUMNS,
    MAX_YEARS_SHOWN,
    SMALL_MULTIPLES,
    bin_values,
    group_column,
    many,
    speech_grouping,
    speech_groups,
    term_keys,
    time_unit,
)
from .vocabulary import term_of, word_tokens

TREND_COLUMNS = ["term", "count", "per_10k", "ci_low", "ci_high", "docs", "n_docs", "n_words"]
CI_METHOD = "95% Wilson score interval on count / n_words (words as independent draws)"
Z95 = 1.959963984540054


def wilson(count, n, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """The Wilson score interval of the proportion ``count / n`` (default 95%): ``(low, high)``,
    both 0 where ``n`` is 0.

    >>> low, high = wilson([0, 5], [100, 100])
    >>> [round(float(x), 4) for x in low], [round(float(x), 4) for x in high]
    ([0.0, 0.0215], [0.037, 0.1118])
    """
    count, n = np.asarray(count, dtype=float), np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(n > 0, count / n, 0.0)
        denominator = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denominator
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
        # With no hit the lower bound is 0 exactly (floating point leaves a hair above it).
        low = np.where((n > 0) & (count > 0), np.clip(centre - half, 0, 1), 0.0)
        high = np.where(n > 0, np.clip(centre + half, 0, 1), 0.0)
    return low, high


@renamed_arguments(moved=("by",))
@corpus_memo("term_trends")
def term_trends(tokens: pd.DataFrame, terms, *, by="year", corpus: pd.DataFrame | None = None,
                bins=None, aliases: bool = True) -> pd.DataFrame:
    """How often each term is used in each group of speeches.

    ``terms`` in either script (alias groups apply unless ``aliases=False``); ``by`` a corpus
    column (``year``, ``speaker``, ``level``, ``place``, ``meeting``, ``genre``, …;
    ``"decade"`` is derived from ``year``) or a Series mapping speech_id to a group; ``bins`` bins a numeric column
    (:func:`bin_values`: ``5`` for five-year periods, or a list of edges). Speeches without a
    group value are left out.

    Returns one row per term and group, zero counts included, in the order of ``terms`` then
    groups: ``term`` (as given), the group column, ``count``, ``per_10k`` (per 10,000 word
    tokens), ``ci_low``/``ci_high`` (:data:`CI_METHOD`, per 10,000), ``docs`` (speeches
    using it), ``n_docs`` (speeches in the group) and ``n_words``. ``attrs["ci"]`` names the
    interval's method.

    A term that never occurs as a word but does occur inside the texts (the segmenter cuts it
    into parts) is warned about: add it to ``userdict.txt``.
    """
    corpus = docvars(tokens, corpus)  # the corpus the tokens came from, unless one is given
    keys = term_keys(terms, aliases)
    wanted = list(dict.fromkeys(key for _, key in keys))
    # Counted per speech first: on a cluster each partition is counted where it lies
    # (analysis.cluster), and only these per-speech counts come back.
    per_speech = map_counts(tokens, lambda frame: speech_term_counts(frame, wanted, aliases))
    per_speech = per_speech.groupby("speech_id", sort=False, observed=True).sum().reset_index()
    name, group = speech_grouping(per_speech["speech_id"].astype(object), by, corpus, bins)
    per_speech["group"] = group.array  # .array keeps an ordered level (central … township) in its order
    per_speech = per_speech[per_speech["group"].notna()]
    with_words = per_speech[per_speech["n_words"] > 0]
    order = _group_order(pd.Series(with_words["group"].array))
    by_group = per_speech.groupby("group", sort=False, observed=True)
    n_words = by_group["n_words"].sum()
    n_docs = by_group.size()
    rows = []
    for given, key in keys:
        column = f"key:{key}"
        counts = by_group[column].sum()
        docs = per_speech[per_speech[column] > 0].groupby("group", sort=False, observed=True).size()
        if not counts.sum() and corpus is not None and _occurs_in_text(corpus, key):
            warn_user(f"{given!r} occurs in the texts but never as a word: the segmenter cuts "
                      "it; add it to analysis/data/userdict.txt to count it")
        for value in order:
            rows.append({"term": given, name: value, "count": int(counts.get(value, 0)),
                         "docs": int(docs.get(value, 0)), "n_docs": int(n_docs.get(value, 0)),
                         "n_words": int(n_words.get(value, 0))})
    return _with_rates(pd.DataFrame(rows, columns=["term", name, "count", "docs", "n_docs", "n_words"]), name)


def speech_term_counts(tokens: pd.DataFrame, keys: list[str], aliases: bool = True) -> pd.DataFrame:
    """Per speech of ``tokens``: ``n_words`` (word tokens) and, for each key, ``key:<key>``
    (the word tokens counted as it). One row per speech with a token (a speech of
    punctuation alone has ``n_words`` 0)."""
    ids = pd.Series(tokens["speech_id"].astype(object).to_numpy(), index=tokens.index)
    words = word_tokens(tokens)
    out = pd.DataFrame({"speech_id": pd.unique(ids.to_numpy())})
    out["n_words"] = out["speech_id"].map(ids.loc[words.index].value_counts()).fillna(0).astype(np.int64)
    key_of_word = term_of(words, aliases)
    for key in keys:
        hit = (key_of_word == key).to_numpy()
        counts = ids.loc[words.index[hit]].value_counts()
        out[f"key:{key}"] = out["speech_id"].map(counts).fillna(0).astype(np.int64).to_numpy()
    return out


def _group_order(groups: pd.Series) -> list:
    if isinstance(groups.dtype, pd.CategoricalDtype):
        present = set(groups.dropna().unique())
        return [c for c in groups.cat.categories if c in present]
    return sorted(groups.dropna().unique().tolist())


def _occurs_in_text(corpus: pd.DataFrame, key: str) -> bool:
    return any(key in text for text in corpus["text_simplified"])


class ChosenTerms(list):
    """The terms :func:`corpus_terms` chose (a list), with ``note`` saying why."""

    def __init__(self, terms, note: str):
        super().__init__(terms)
        self.note = note

    def __str__(self) -> str:
        return self.note


def corpus_terms(tokens: pd.DataFrame, terms, *, n: int | None = None, reference="general",
                 aliases: bool = True) -> ChosenTerms:
    """The ``terms`` this corpus uses as words (either script; alias groups apply), in the
    order given; when it uses none of them, its own top ``n`` keywords against ``reference``
    (default: as many as ``terms``) instead. A notebook's default terms are the seed's (雙降,
    計生協會): on another corpus they would draw empty panels and say "does not occur", so
    the notebook follows that corpus's own words and says so (``str()`` of the result).

    >>> from analysis import corpus_tokens, load_corpus
    >>> tokens = corpus_tokens(load_corpus())
    >>> chosen = corpus_terms(tokens, ["雙降", "乡村振兴"])
    >>> list(chosen), str(chosen)
    (['雙降'], 'following 雙降; not used as a word in this corpus: 乡村振兴')
    """
    keys = term_keys(terms, aliases)
    present = _words_used(tokens, aliases)
    used = [given for given, key in keys if key in present]
    missing = [given for given, key in keys if key not in present]
    if used:
        note = f"following {', '.join(used)}"
        return ChosenTerms(used, note + (f"; not used as a word in this corpus: {', '.join(missing)}"
                                         if missing else ""))
    from .compare import keyness

    n = len(keys) if n is None else n
    ranked = keyness(tokens, reference=reference) if len(tokens) else pd.DataFrame(columns=["token"])
    own = ranked["token"].head(n).tolist()
    if not own:
        return ChosenTerms([given for given, _ in keys], f"{', '.join(missing)}: not in this corpus, and no "
                           "keyword to follow instead")
    what = "keyword" if n == 1 else f"{n} keywords"
    against = str(ranked.attrs.get("reference", reference)).split(":")[0]
    return ChosenTerms(own, f"{', '.join(missing)}: not used as a word in this corpus; following its own top "
                       f"{what} instead (against {against}): {', '.join(own)}")


def _words_used(tokens: pd.DataFrame, aliases: bool) -> set:
    """The distinct words (terms, or Simplified forms) of the word tokens: on a categorical
    column, the categories whose codes occur, without a Python object per token."""
    words = ~tokens["is_punct"].to_numpy()
    column = term_of(tokens, aliases)
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()[words]
        used = np.unique(codes[codes >= 0])
        return set(column.cat.categories[used])
    return set(column[words].dropna())


def _with_rates(table: pd.DataFrame, name: str) -> pd.DataFrame:
    table["per_10k"] = np.where(table["n_words"] > 0, table["count"] / table["n_words"].clip(lower=1) * 10_000,
                                np.nan)
    low, high = wilson(table["count"], table["n_words"])
    table["ci_low"], table["ci_high"] = low * 10_000, high * 10_000
    table = table[["term", name, "count", "per_10k", "ci_low", "ci_high", "docs", "n_docs", "n_words"]]
    table.attrs["ci"] = CI_METHOD
    return table


# ---------------------------------------------------------------- gaps, breaks and captions
BREAKS = DATA_DIR / "breaks.tsv"
BREAK_COLUMNS = ["start", "end", "label", "note"]


def missing_spans(values, step: int | None = None) -> list[tuple[int, int]]:
    """The runs of whole numbers missing between the ``values`` present (years without a
    report): ``[(first missing, last missing), …]``, computed from the data. ``step`` is the
    spacing of the series (default: its smallest gap, 1 for years, 10 for decades).

    >>> missing_spans([1960, 1964, 1975, 1978, 1979, 1981])
    [(1961, 1963), (1965, 1974), (1976, 1977), (1980, 1980)]
    """
    present = sorted({int(v) for v in pd.Series(list(values)).dropna()})
    if len(present) < 2:
        return []
    gaps = np.diff(present)
    step = int(step or gaps[gaps > 0].min())
    return [(a + step, b - step) for a, b, gap in zip(present, present[1:], gaps) if gap > step]


def spans_text(spans: list[tuple[int, int]]) -> str:
    """``[(1965, 1974), (1996, 1996)]`` as ``"1965–1974, 1996"``."""
    return ", ".join(f"{a}" if a == b else f"{a}–{b}" for a, b in spans)


def policy_breaks(path=None) -> pd.DataFrame:
    """The policy breaks of ``analysis/data/breaks.tsv`` (or ``path``): ``start``, ``end``
    (years), ``label`` and ``note``, one row per line. Raises ``ValueError`` naming the file
    and line for a line without a label or with a year that is not one.

    >>> policy_breaks()[["start", "end"]].values.tolist()
    [[2013, 2013], [2015, 2016]]
    """
    from pathlib import Path

    from ..common.datafiles import data_lines

    path = Path(path) if path is not None else BREAKS
    rows = []
    for lineno, fields in data_lines(path):
        fields = fields + [""] * (4 - len(fields))
        start, end, label, note = fields[:4]
        if not (start.isdigit() and end.isdigit() and len(start) == len(end) == 4) or not label:
            raise ValueError(f"{path}:{lineno}: expected start<TAB>end<TAB>label[<TAB>note] with "
                             f"four-digit years, got {chr(9).join(fields)!r}")
        if int(end) < int(start):
            raise ValueError(f"{path}:{lineno}: the break ends ({end}) before it starts ({start})")
        rows.append((int(start), int(end), label, note))
    return pd.DataFrame(rows, columns=BREAK_COLUMNS).astype({"start": "int64", "end": "int64"})


@renamed_arguments(moved=("own", "tokens"))
def national_caption(national: pd.DataFrame, *, own: pd.DataFrame | None = None,
                     tokens: pd.DataFrame | None = None, aliases: bool = True) -> str:
    """What the national chart compares, in one paragraph computed from its data: the reports
    (their years, number, words, the years without one), the corpus (its speeches and
    words), the genre and level that separate them, and the alias groups applied.

    >>> table = reference_trends(["计划生育"])
    >>> national_caption(table).split(" (")[0]
    "Blue: the Premier's government work reports to the NPC, 1954–2025"
    """
    per_year = national.drop_duplicates("year")
    years = per_year["year"].astype(int)
    said = [f"Blue: the Premier's government work reports to the NPC, {years.min()}–{years.max()} "
            f"({counted(int(per_year['n_docs'].sum()), 'report')} in {counted(len(per_year), 'year')}, "
            f"{int(per_year['n_words'].sum()):,} words); rate per 10,000 words with its 95% Wilson interval"]
    gaps = missing_spans(years)
    if gaps:
        said.append(f"no report in {spans_text(gaps)}: nothing is drawn across those years")
    if own is not None and len(own):
        if tokens is not None and "speech_id" in tokens.columns:
            n_speeches, n_words = tokens["speech_id"].nunique(), int((~tokens["is_punct"]).sum())
        else:
            mine = own.drop_duplicates([c for c in own.columns if c in ("year", "speech_id")])
            n_speeches, n_words = int(mine["n_docs"].sum()), int(mine["n_words"].sum())
        from .reference import own_reports

        ids = pd.DataFrame({"speech_id": pd.unique(tokens["speech_id"])}) if tokens is not None \
            and "speech_id" in tokens.columns else None
        mine = f"red: this corpus, {counted(n_speeches, 'speech')} ({n_words:,} words), its rate in its year(s): "
        if own_reports(ids):
            said.append(mine + "it holds the reports themselves, so where it does the two series are one")
        elif n_speeches == 1:
            said.append(mine + "one speech of one sector and level set against omnibus national reports, a "
                               "different genre and level of government: compare where the term rises and fades, "
                               "not the heights")
        else:
            said.append(mine + "speeches set against omnibus national reports, of another genre and level of "
                               "government unless they are such reports: compare where a term rises and fades, "
                               "not the heights")
    groups = []
    if aliases:
        from ..text.aliases import variants

        for term in pd.unique(national["term"]):
            forms = variants(term)
            if len(forms) > 1:
                groups.append(f"{term}: " + ", ".join(forms))
    said.append("terms counted as words" + (f", alias groups applied ({'; '.join(groups)})" if groups
                                             else " (no alias group among them)"))
    return "; ".join(said) + "."


def reference_trends(terms, *, aliases: bool = True, years: tuple[int, int] | None = None,
                     bins=None, match: str = "word") -> pd.DataFrame:
    """:func:`term_trends` of ``terms`` in the government work reports, by year (or ``bins``),
    from the counts shipped with the package (``analysis/data/reference/``): no text and no
    shared corpus needed. Same columns, with ``year`` as the group.

    ``match="word"`` (default) counts the term as a word; ``"within"`` counts its occurrences
    inside the reports' words too (计划生育 in 计划生育委员会: :mod:`analysis.counts`);
    ``docs`` then counts the reports with any such word."""
    from ..text.script import taiwan_simplified
    from .counts import WordCounts
    from .reference import gwr_counts

    if match not in ("word", "within"):
        raise ValueError(f"match must be 'word' or 'within', not {match!r}")
    counts, year_rows, _ = gwr_counts()
    if years is not None:
        counts = counts[counts["year"].between(*years)]
        year_rows = year_rows[year_rows["year"].between(*years)]
    group = pd.Series(year_rows["year"].to_numpy(), index=year_rows["year"].to_numpy())
    if bins is not None:
        group = bin_values(group, bins)
    n_words = year_rows.groupby(group.to_numpy(), observed=True)["n_words"].sum()
    n_docs = year_rows.groupby(group.to_numpy(), observed=True)["n_speeches"].sum()
    word_group = counts["year"].map(group)
    order = _group_order(group)
    vocabulary = None
    if match == "within":
        words = counts["word"].astype(object)
        word_codes, uniques = pd.factorize(words)
        vocabulary = WordCounts(uniques, np.bincount(word_codes, weights=counts["count"].to_numpy()))
    rows = []
    for given, key in term_keys(terms, aliases):
        from ..text.aliases import variants

        forms = set(variants(key) if aliases else [key])
        forms |= {taiwan_simplified(f) for f in forms}
        if vocabulary is None:
            hit = counts["word"].isin(forms).to_numpy()
            weight = np.ones(int(hit.sum()))
        else:
            found, occurrences = vocabulary.holding(forms)
            per_word = np.zeros(len(vocabulary.words), dtype=np.int64)
            per_word[found] = occurrences
            hit = per_word[word_codes] > 0
            weight = per_word[word_codes][hit]
        chosen = counts[hit]
        frame = pd.DataFrame({"group": word_group[hit].to_numpy(), "count": chosen["count"].to_numpy() * weight,
                              "docs": chosen["docs"].to_numpy()})
        per = frame.groupby("group", observed=True)[["count", "docs"]].sum()
        for value in order:
            rows.append({"term": given, "year": value,
                         "count": int(per["count"].get(value, 0)),
                         "docs": int(min(per["docs"].get(value, 0), n_docs.get(value, 0))),
                         "n_docs": int(n_docs.get(value, 0)), "n_words": int(n_words.get(value, 0))})
    table = _with_rates(pd.DataFrame(rows, columns=["term", "year", "count", "docs", "n_docs", "n_words"]), "year")
    table.attrs["match"] = match
    return table


def speech_rates(tokens: pd.DataFrame, terms, *, aliases: bool = True) -> pd.DataFrame:
    """Each speech's own rate of each term: ``speech_id``, ``term`` (as given), ``count``,
    ``per_10k``, ``ci_low``, ``ci_high``, ``docs`` (1 or 0), ``n_docs`` (1) and ``n_words``:
    the points to set against a trend."""
    table = term_trends(tokens, terms, by=pd.Series(pd.unique(tokens["speech_id"]),
                                                    index=pd.unique(tokens["speech_id"]), name="speech_id"),
                        aliases=aliases)
    return table[["speech_id", *[c for c in table.columns if c != "speech_id"]]]


class Enough:
    """Whether a corpus can show change within itself; false with the reason as its text."""

    def __init__(self, ok: bool, message: str):
        self.ok, self.message = ok, message

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return self.message


MIN_DATED, MIN_GROUPS = 3, 2


@renamed_arguments(moved=("by",))
def enough_for_trends(corpus: pd.DataFrame, *, by: str = "year") -> Enough:
    """Whether ``corpus`` has enough dated speeches (:data:`MIN_DATED`) in enough groups of
    ``by`` (:data:`MIN_GROUPS`) to compare within itself; the object's text says what it has
    and, when it is not enough, what it needs.

    >>> found = enough_for_trends(pd.DataFrame({"speech_id": ["a"], "year": pd.array([2012], dtype="Int64")}))
    >>> bool(found), repr(found).split(";")[0]
    (False, 'not enough to compare within the corpus: 1 dated speech in 1 year group')
    """
    try:
        column = speech_groups(corpus["speech_id"], by=by, corpus=corpus)
    except ValueError:
        return Enough(False, f"no corpus column {by!r} to group by")
    dated = int(corpus["year"].notna().sum()) if "year" in corpus.columns else 0
    groups = int(column.dropna().nunique())
    said = f"{counted(dated, 'dated speech')} in {counted(groups, f'{by} group')}"
    if dated >= MIN_DATED and groups >= MIN_GROUPS:
        return Enough(True, f"enough to compare within the corpus: {said}")
    return Enough(False, f"not enough to compare within the corpus: {said}; trends, period keyness and "
                         f"life cycles need at least {MIN_DATED} dated speeches in at least {MIN_GROUPS} groups "
                         "(add speeches, or give dates in metadata.csv)")
