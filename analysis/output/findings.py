"""Findings stated from the data: each notebook ends with one of these, so that a run on
another corpus states that corpus's numbers, never the seed's.

Every function takes the tables the notebook already computed and returns a
:class:`Finding`: Markdown text that a notebook shows as its last output, and a plain
``str`` for tests. The sentences say what the method supports and no more: counts with their
denominators, which reference a comparison used, and "too few hits" where a measure would be
read into noise.
"""
from __future__ import annotations

import pandas as pd

from ..common.wording import counted, listed
from ..measures.concordance import MIN_HITS
from ..measures.groups import SMALL_MULTIPLES, speech_groups, time_unit
from ..measures.reference import own_reports  # noqa: F401 (analysis.findings.own_reports, as notebook 04 calls it)
from ..text.cleaning import LINE_END
from ..text.outline import PREAMBLE_LABEL, cn_numeral


class Finding(str):
    """Markdown text; shown rendered as a notebook cell's output."""

    def _repr_markdown_(self) -> str:
        return str(self)


def _finding(lines: list[str]) -> Finding:
    return Finding("\n".join(f"- {line}" for line in lines if line))


def _list(items: list[str], limit: int = 5) -> str:
    return listed(items, limit)


def _section_name(section) -> str:
    return cn_numeral(int(section)) if pd.notna(section) else PREAMBLE_LABEL


# ---------------------------------------------------------------- 00: the corpus
# What one deletion of each kind (analysis.cleaning.KINDS) is, in words, and its plural where
# the rule of analysis.common.wording.plural does not give it; docs/cleaning.md.
_KIND_WORDS = {"title": "title line", "date": "date line", "byline": "byline", "lede": "lede (導語) line",
               "meta": "page-information line", "seo": "SEO keyword line", "toolbar": "page-tool line",
               "code": "line of leaked page code", "legal": "copyright or licence line",
               "related": "related-articles line", "page": "PDF page header or number", "footer": "footer line",
               "furniture": "other page-furniture line", "marker": "paywall marker",
               "pinyin": "inline pinyin reading", "invisible": "invisible character",
               "join": "line break inside a paragraph", "split": "indent inside a line",
               "spacing": "space between CJK characters or digits", "whitespace": "run of whitespace"}
_KIND_PLURALS = {"page": "PDF page headers or numbers", "join": "line breaks inside a paragraph",
                 "split": "indents inside a line", "spacing": "spaces between CJK characters or digits"}


# A substitution of each kind (analysis.cleaning.SUBSTITUTION_KINDS), singular and plural.
_CHANGE_WORDS = {"newline": ("line end to LF", "line ends to LF"),
                 "width": ("full-width digit or letter to ASCII", "full-width digits or letters to ASCII"),
                 "punctuation": ("punctuation mark to full width", "punctuation marks to full width"),
                 "space": ("odd space to a plain one", "odd spaces to plain ones"),
                 "join": ("line break between Latin words to a space", "line breaks between Latin words to spaces"),
                 "split": ("line break inserted", "line breaks inserted")}


def _deletions(kind: str, n: int) -> str:
    return counted(n, _KIND_WORDS.get(kind, f"{kind} deletion"), _KIND_PLURALS.get(kind))


def overview(corpus: pd.DataFrame, parts: pd.DataFrame, audit: pd.DataFrame) -> Finding:
    """What was loaded, how it is dated, what cleaning removed and how the speeches are built."""
    from ..text.script import is_traditional

    n = len(corpus)
    traditional = sum(is_traditional(t, s) for t, s in zip(corpus["text"], _simplified_texts(corpus)))
    lines = [f"**{counted(n, 'speech')}**, {int(corpus['n_chars'].sum()):,} Han characters "
             f"({traditional} in Traditional characters, {n - traditional} in Simplified)."]
    lines.append(_dating(corpus))
    if "speaker" in corpus.columns:
        lines.append(_speakers(corpus))
    lines.append(_cleaning(corpus, audit))
    lines.append(_structure(corpus, parts))
    return _finding(lines)


def _simplified_texts(corpus: pd.DataFrame) -> list:
    """The corpus's ``text_simplified`` where it has one (None per speech where not)."""
    if "text_simplified" in corpus.columns:
        return corpus["text_simplified"].tolist()
    return [None] * len(corpus)


def _dating(corpus: pd.DataFrame) -> str:
    if len(corpus) == 1:
        row = corpus.iloc[0]
        if pd.isna(row["year"]):
            said = "Nothing dates the speech (no metadata, no dateline, no year in its name or text)."
        else:
            when = row["date"].strftime("%Y-%m-%d") if pd.notna(row["date"]) else str(int(row["year"]))
            said = f"Dated **{when}** from its {row['date_source']} (`{row['date_evidence']}`)"
            said += "; year only" if pd.isna(row["date"]) else ""
            said += "."
        if pd.notna(row.get("published", pd.NaT)):
            said += (f" The page's posting time, {row['published']:%Y-%m-%d}, stays in `published`: "
                     "it says when the page went up, not when the speech was given.")
        return said
    sources = corpus["date_source"].fillna("undated").value_counts()
    parts = [f"{int(sources[s]):,} from {s if s != 'text' else 'their text'}"
             for s in ("metadata", "text", "filename") if s in sources]
    undated = int(sources.get("undated", 0))
    years = corpus["year"].dropna()
    span = f", {int(years.min())}–{int(years.max())}" if len(years) else ""
    return f"Dated: {', '.join(parts) or 'none'}; {undated:,} undated{span}."


def _speakers(corpus: pd.DataFrame) -> str:
    """Who the speeches name as their speaker, and where that came from."""
    named = corpus[corpus["speaker"].notna()]
    if named.empty:
        who = "Speaker: not named" if len(corpus) == 1 else "Speakers: none named"
        return f"{who} (no `speaker` in metadata, no byline under a published head's dateline)."
    sources = named["speaker_source"].value_counts()
    said = ", ".join(f"{int(sources[s]):,} from {'the metadata' if s == 'metadata' else 'a byline in the text'}"
                     for s in ("metadata", "text") if s in sources)
    if len(corpus) == 1:
        return f"Speaker: **{named['speaker'].iloc[0]}** ({said.split(' from ')[1]})."
    top = named["speaker"].astype(str).value_counts().head(3)
    most = ", ".join(f"{name} ({counted(int(n), 'speech')})" for name, n in top.items())
    return (f"Speakers: {counted(len(named), 'speech')} of {len(corpus):,} name one ({said}); "
            f"most often {most}.")


def _cleaning(corpus: pd.DataFrame, audit: pd.DataFrame) -> str:
    """What cleaning deleted, kind by kind (whitespace aside), and how many characters it
    changed in place (``audit`` is :func:`analysis.removals`, which lists substitutions too:
    a deletion's ``new`` is empty, a substitution's is not)."""
    changed = audit["new"].astype(str) != "" if "new" in audit.columns else pd.Series(False, index=audit.index)
    deleted = audit[~changed]
    made = audit.loc[changed, "kind"].value_counts()
    also = "; other changes: " + _list([counted(int(n), *_CHANGE_WORDS.get(k, (f"{k} change", None)))
                                    for k, n in made.items()], 10) if len(made) else ""
    counts = deleted["kind"].value_counts()
    kinds = [k for k in counts.index if k not in ("whitespace", LINE_END)]   # the most frequent first
    if not kinds:
        return f"Cleaning removed {'nothing but whitespace' if len(deleted) else 'nothing'}{also}."
    if len(corpus) <= SMALL_MULTIPLES:
        kinds = _order(kinds)   # a handful of speeches: in the cleaner's order, every kind named
        pieces = [_deletions(k, int(counts[k])) for k in kinds]
        pinyin = deleted[deleted["kind"] == "pinyin"]
        if len(pinyin):
            raw = corpus.set_index("speech_id")["raw"]
            top = pd.Series([raw.loc[s][a - 1] for s, a in zip(pinyin["speech_id"], pinyin["start"])]).value_counts()
            pieces[kinds.index("pinyin")] += f" ({int(top.iloc[0])} after {top.index[0]})"
        return (f"Cleaning removed {_list(pieces, 10)}{also}, and nothing else (every change is in the audit "
                "table).")
    per_speech = deleted.groupby("kind", observed=True)["speech_id"].nunique()
    pieces = [f"{_deletions(k, int(counts[k]))} in {counted(int(per_speech[k]), 'speech')}" for k in kinds]
    return f"Cleaning removed {_list(pieces, 10)}{also}."


def _order(kinds: list[str]) -> list[str]:
    """The kinds in the cleaner's order (analysis.cleaning.KINDS), any other after."""
    order = {k: i for i, k in enumerate(_KIND_WORDS)}
    return sorted(kinds, key=lambda k: (order.get(k, len(order)), str(k)))


def _structure(corpus: pd.DataFrame, parts: pd.DataFrame) -> str:
    sections = parts[parts["part"] == "section"]
    if len(corpus) > SMALL_MULTIPLES:
        with_sections = sections["speech_id"].nunique()
        return (f"{with_sections:,} of {len(corpus):,} speeches ({with_sections / len(corpus):.0%}) have numbered "
                f"sections; the median speech has {int(corpus['n_chars'].median()):,} Han characters.")
    said = []
    for sid, n_chars in zip(corpus["speech_id"], corpus["n_chars"]):
        mine = parts[parts["speech_id"] == sid]
        secs = mine[mine["part"] == "section"]
        if secs.empty:
            said.append(f"{sid}: no numbered sections found")
            continue
        points = mine[mine["part"] == "point"].groupby("section", observed=True).size()
        listing = ", ".join(f"{cn_numeral(int(s))} ({counted(int(points.get(s, 0)), 'point')})"
                            for s in secs["section"])
        longest = secs.loc[secs["n_chars"].idxmax()]
        share = int(longest["n_chars"]) / max(int(n_chars), 1)
        closing = " and a closing (結語)" if (mine["part"] == "closing").any() else ""
        said.append(f"{sid}: {counted(len(secs), 'numbered section')}: {listing}{closing}; the longest, "
                    f"{cn_numeral(int(longest['section']))}, has {int(longest['n_chars']):,} of "
                    f"{int(n_chars):,} Han characters ({share:.0%})")
    return "Structure: " + "; ".join(said) + "."


def provenance(corpus: pd.DataFrame) -> Finding:
    """Where the texts' own words say something about their source: Simplified-only
    characters surviving in a Traditional text (a machine conversion), and titles that come
    from the page rather than from metadata."""
    from ..text.script import surviving_simplified

    lines = []
    for sid, text, simplified in zip(corpus["speech_id"], corpus["text"], _simplified_texts(corpus)):
        found = surviving_simplified(text, simplified=simplified)
        if len(found):
            shown = ", ".join(f"{c} ×{n} ({ex})" for c, n, ex in zip(found["char"], found["count"], found["example"]))
            n = counted(int(found["count"].sum()), "Simplified-only character")
            lines.append(f"{sid}: written in Traditional characters, but {n} survive ({shown}): consistent "
                         "with a machine conversion from a Simplified original (older prints' variant forms, "
                         "such as 决 and 况, can explain some).")
        if len(lines) >= SMALL_MULTIPLES:
            lines.append("(more speeches show the same; see `analysis.text.script.surviving_simplified`)")
            break
    if "date_source" in corpus.columns and not (corpus["date_source"] == "metadata").any():
        lines.append("No metadata table: titles are the pages' own headings, and any speaker or place they "
                     "name is the site's label, not a verified fact.")
    return _finding(lines or ["Nothing in the texts questions their provenance."])


# ---------------------------------------------------------------- 01: vocabulary
def _both_counts(word: int, row) -> str:
    """``"15; 24 counting 群眾 inside 群眾工作 4 · 群眾團體 2 …"`` when the counts differ."""
    if row is None or int(row["within"]) == word:
        return f"{word}"
    inside = f", with those inside {row['inside']}" if isinstance(row.get("inside"), str) and row["inside"] else ""
    return f"{word} as a word; {int(row['within'])} in all{inside}"


def register_words(general: pd.DataFrame, same: pd.DataFrame, top: int = 10) -> list[str]:
    """Of the ``top`` keywords against general Chinese (:func:`analysis.keyness`), those the
    same-genre reference has but that are no keyword against it (LRC 0 or below, or rarer in
    the target): the register of official text rather than the speech's own vocabulary.
    ``same`` is :func:`analysis.keyness` against that reference with ``absent="include"`` and
    ``positive_only=False``, so that such words are in it."""
    attested = same[same["in_reference"]]
    key = set(attested.loc[(attested["lrc"].fillna(0) > 0) & (attested["g2"] > 0), "term"])
    known = set(attested["term"])
    return [t for t, term in zip(general["token"].head(top), general["term"].head(top))
            if term in known and term not in key]


def vocabulary(freq: pd.DataFrame, key: pd.DataFrame, apart: pd.DataFrame, node: str,
               colloc: pd.DataFrame, n_candidates: int | None = None, *, counts: pd.DataFrame | None = None,
               same: pd.DataFrame | None = None) -> Finding:
    """The most frequent content words (with the count inside longer words where it differs:
    ``counts`` from :func:`analysis.term_counts` with ``match="both"``), the keywords against
    a named reference ranked by LRC (with the terms that reference lacks, counted apart), how
    they fare against the same-genre reference ``same`` (:func:`analysis.keyness` with
    ``absent="include"`` and ``positive_only=False``: :func:`register_words`), its own
    keywords, and the collocates of ``node``."""
    lines = []
    by_term = counts.set_index("term") if counts is not None and len(counts) else None

    def both(token, count):
        row = by_term.loc[token] if by_term is not None and token in by_term.index else None
        return _both_counts(int(count), row)

    if len(freq):
        top = freq.head(3)
        first = top.iloc[0]
        variants = f"; written {first['variants']}" if isinstance(first.get("variants"), str) else ""
        lines.append(f"Most frequent content word: **{first['token']}** ({both(first['token'], first['count'])}"
                     f"{variants}), then "
                     + ", ".join(f"{t} ({both(t, c)})" for t, c in zip(top["token"][1:], top["count"][1:])) + ".")
    reference = key.attrs.get("reference", "the reference")
    if len(key):
        shown = ", ".join(f"{t} (×{int(c)}, LRC {r:.1f})" for t, c, r in
                          zip(key["token"].head(5), key["count"].head(5), key["lrc"].head(5)) if pd.notna(r))
        lines.append(f"Keywords against {reference.split(':')[0]}, by LRC: {shown}.")
    if same is not None and len(key):
        same_name = same.attrs.get("reference", "the same-genre reference").split(" (")[0]
        register = register_words(key, same)
        attested = same[same["in_reference"]]
        there = dict(zip(attested["term"], attested["lrc"].fillna(0)))
        shrunk = [f"{t} (LRC {a:.1f} → {there[term]:.1f})" for t, term, a in
                  zip(key["token"].head(10), key["term"].head(10), key["lrc"].head(10))
                  if t not in register and pd.notna(a) and term in there and 0 < there[term] < a / 2]
        lacking = [t for t, term in zip(key["token"].head(10), key["term"].head(10))
                   if term in set(same.loc[~same["in_reference"], "term"])]
        said = []
        if register:
            said.append(f"{_list(register, 10)} {'is' if len(register) == 1 else 'are'} no keyword against the "
                        f"{same_name}")
        if shrunk:
            said.append(f"{_list(shrunk, 10)} shrink to less than half there")
        if said:
            lines.append("Of those top 10, " + "; ".join(said) + ": much of what general Chinese brings up is the "
                         "shared register of official text, which tops any official speech against it. Read the "
                         "comparison with the reports.")
        if lacking:
            lines.append(f"{_list(lacking)}: never in the {same_name}, as a word or inside one (words of another "
                         "level of government or of the sector).")
        ranked = same[same["in_reference"] & (same["g2"] > 0)]
        if len(ranked):
            shown = []
            for row in ranked.head(6).itertuples(index=False):
                note = (f", compared inside words: {int(row.within)} against {int(row.ref_within)}"
                        if row.basis == "within" and pd.notna(row.ref_within) else "")
                shown.append(f"{row.token} (×{int(row.count)}{note}, LRC {row.lrc:.1f})")
            lines.append(f"Against the {same_name} (same genre), by LRC: " + ", ".join(shown) + ".")
    if len(apart):
        shown = ", ".join(f"{t} (×{int(c)})" for t, c in zip(apart["token"].head(6), apart["count"].head(6)))
        lines.append(f"Absent from {reference.split(':')[0]} (as a word and inside words), or phrases its segmenter "
                     f"cuts into words, and so counted apart rather than ranked: {shown}.")
    if len(colloc):
        shown = ", ".join(f"{c} ({int(f)} times, logDice {d:.1f})" for c, f, d in
                          zip(colloc["collocate"].head(3), colloc["f_xy"].head(3), colloc["logdice"].head(3)))
        lines.append(f"{node} co-occurs most with {shown} (within the window, same paragraph).")
    elif node:
        lines.append(f"{node}: no collocate reaches the minimum count.")
    candidates = f" over {n_candidates:,} candidates" if n_candidates else ""
    lines.append(f"LRC is Log Ratio's conservative estimate (Evert 2022: the bound of its 95% interval nearer to "
                 f"zero, Bonferroni-corrected{candidates}); the bare Log Ratio would put words seen twice on "
                 "top, and G² grows with frequency. Against a frequency list, terms seen fewer than 5 times get "
                 "no LRC.")
    return _finding(lines)


# ---------------------------------------------------------------- 03: one term, dispersion, themes
def term_spread(hits: pd.DataFrame, term: str, corpus: pd.DataFrame,
                tokens: pd.DataFrame | None = None) -> Finding:
    """Where ``term``'s hits (:func:`analysis.kwic`) fall: speeches, sections, points, and how
    many stand inside a 《》 document title or a quoted name. With ``tokens``, how many of
    the hits are the term as a word, where that differs (the rest stand inside longer words)."""
    if hits.empty:
        return _finding([f"{term} does not occur."])
    n, speeches = len(hits), hits["speech_id"].nunique()
    as_word = ""
    if tokens is not None:
        from ..measures.counts import term_counts

        row = term_counts(tokens, [term], match="both").iloc[0]
        if int(row["word"]) != n:
            inside = f" ({row['inside']})" if row["inside"] else ""
            as_word = (f"; {int(row['word'])} of them as a word, the others inside longer words{inside} or "
                       "across a word boundary")
    lines = [f"**{term}** occurs {counted(n, 'time')} in {counted(speeches, 'speech')}{as_word}."]
    if speeches <= SMALL_MULTIPLES:
        for sid, rows in hits.groupby("speech_id", sort=False, observed=True):
            in_sections = rows[rows["section"].notna()]
            by_section = in_sections.groupby("section", observed=True).size()
            where = ", ".join(f"{cn_numeral(int(s))} {int(c)}" for s, c in by_section.items())
            outside = len(rows) - len(in_sections)
            said = f"{sid}: in sections {where}" if where else f"{sid}: in no numbered section"
            if outside:
                said += f", {outside} outside the sections"
            in_points = rows[rows["point"].notna()]
            if len(in_points):
                per_point = in_points.groupby(["section", "point"], observed=True).size().sort_values(ascending=False)
                top = per_point.head(2)
                said += (f"; {len(in_points)} of {len(rows)} in points, "
                         + ", ".join(f"{cn_numeral(int(s))}.{int(p)}: {int(c)}" for (s, p), c in top.items()))
            text = corpus.set_index("speech_id").loc[sid, "text"]
            titled = sum(_inside_marks(text, a, b, "《", "》") for a, b in zip(rows["start"], rows["end"]))
            quoted = sum(_inside_marks(text, a, b, "“", "”") and not _exact_quote(text, a, b)
                         for a, b in zip(rows["start"], rows["end"]))
            if titled:
                said += f"; {titled} inside a document title 《…》"
            if quoted:
                said += f"; {quoted} inside a longer quoted name"
            lines.append(said + ".")
    else:
        per_speech = hits.groupby("speech_id", observed=True).size()
        lines.append(f"Median {per_speech.median():g} hits per speech using it; the most, {int(per_speech.max())}, "
                     f"in {per_speech.idxmax()}.")
    return _finding(lines)


def _inside_marks(text: str, a: int, b: int, opening: str, closing: str) -> bool:
    left = text.rfind(opening, 0, a)
    if left < 0 or "\n" in text[left:a] or text.rfind(closing, left, a) >= 0:
        return False
    right = text.find(closing, b)
    return right >= 0 and "\n" not in text[b:right]


def _exact_quote(text: str, a: int, b: int) -> bool:
    return text[a - 1:a] == "“" and text[b:b + 1] == "”"


def dispersion(measures: pd.DataFrame, tokens: pd.DataFrame | None = None) -> Finding:
    """Each term's spread, with the unit and the number of parts, and "too few hits" where
    the measure would be read into noise. Hits are occurrences in the text; with ``tokens``,
    a term whose count as a word differs says so."""
    lines = []
    words = {}
    if tokens is not None and len(measures):
        from ..measures.counts import term_counts

        table = term_counts(tokens, list(dict.fromkeys(measures["term"])), match="word")
        words = dict(zip(table["term"], table["count"]))
    pooled = measures.groupby("term", sort=False)["hits"].sum()
    for row in measures.itertuples(index=False):
        several = measures["speech_id"].nunique() > 1
        where = f" ({row.speech_id})" if several and row.speech_id != "(corpus)" else ""
        word = words.get(row.term)
        as_word = (f" ({int(word)} as a word)" if word is not None and not several
                   and int(word) != int(pooled[row.term]) else "")
        base = (f"{row.term}{where}: {counted(int(row.hits), 'hit')}{as_word} in {int(row.parts_with_hits)} of "
                f"{counted(int(row.n_parts), row.unit)}")
        if row.hits == 0:
            lines.append(base + ".")
        elif not row.enough_hits:
            lines.append(base + f"; DP {row.dp:.2f}, but fewer than {MIN_HITS} hits are too few to read as a spread.")
        else:
            evenness = "fairly even" if row.dp < 0.3 else "uneven" if row.dp < 0.6 else "concentrated"
            lines.append(base + f"; DP {row.dp:.2f} ({evenness}; 0 = spread as the text is, 1 = all in one part).")
    return _finding(lines)


def themes(shares: pd.DataFrame, group: str = "place") -> Finding:
    """The densest theme in each part of the speech (or group of speeches), in hits per 1,000
    Han characters, with the hits behind it."""
    lines = []
    keys = ["speech_id", group] if "speech_id" in shares.columns and shares["speech_id"].nunique() > 1 else [group]
    for key, rows in shares.groupby(keys, sort=False, observed=True):
        rows = rows[rows["hits"] > 0]
        if rows.empty:
            continue
        best = rows.sort_values(["per_1000", "hits"], ascending=False).iloc[0]
        label = " ".join(str(k) for k in (key if isinstance(key, tuple) else (key,)))
        lines.append(f"{label}: {best['label']} ({best['per_1000']:.1f} per 1,000 characters, "
                     f"{counted(int(best['hits']), 'hit')})")
    if not lines:
        return _finding(["No theme term occurs."])
    return _finding(["Densest theme by part: " + "; ".join(lines) + ".",
                     "Theme hits are lexicon matches (leftmost-longest): a density compares parts of unequal "
                     "length, not the speaker's intent."])


# ---------------------------------------------------------------- 04: change over time
def national(trends: pd.DataFrame, marks: pd.DataFrame | None, reference_span: str, *,
             corpus: pd.DataFrame | None = None, within: pd.DataFrame | None = None) -> Finding:
    """For each term: its course in the government work reports and, where the corpus has its
    own rate, how that compares with the reports of the same year: the years where the corpus
    uses the term most (at most :data:`SMALL_MULTIPLES`, saying how many years there are).
    ``within`` (:func:`analysis.reference_trends` with ``match="within"``) adds the count
    inside longer words of the reports where it differs from the count as a word.
    When ``corpus`` contains the reports themselves (:func:`own_reports`), its rates are not
    compared with the reports: it would be compared with itself."""
    lines = []
    mine = own_reports(corpus)
    for term, rows in trends.groupby("term", sort=False, observed=True):
        total = int(rows["count"].sum())
        if total == 0:
            lines.append(f"**{term}** never occurs in the government work reports ({reference_span}).")
        else:
            peak = rows.loc[rows["per_10k"].idxmax()]
            years = rows.loc[rows["count"] > 0, "year"]
            inside = ""
            if within is not None:
                all_of = int(within.loc[within["term"] == term, "count"].sum())
                if all_of != total:
                    inside = f" as a word ({all_of} counting it inside longer words)"
            lines.append(f"**{term}**: {counted(total, 'time')}{inside} in the reports, "
                         f"{int(years.min())}–{int(years.max())}; "
                         f"peak {peak['year']} ({peak['per_10k']:.1f} per 10,000 words).")
        if marks is None:
            continue
        own = marks[(marks["term"] == term) & marks["year"].notna()]
        if own.empty:
            continue
        used = own[own["count"] > 0] if "count" in own.columns else own[own["per_10k"] > 0]
        n_years = own["year"].nunique()
        if used.empty:
            lines[-1] += f" This corpus never uses it ({counted(n_years, 'year')} with speeches)."
            continue
        shown = used.sort_values(["per_10k", "year"], ascending=[False, True], kind="stable").head(SMALL_MULTIPLES)
        if mine:
            listing = ", ".join(f"{m.year} {m.per_10k:.1f}" for m in shown.itertuples(index=False))
            lines[-1] += (f" This corpus uses it in {len(used)} of its {counted(n_years, 'year')} (highest: "
                          f"{listing} per 10,000); not compared with the reports, because "
                          f"{counted(len(mine), 'speech')} of the corpus {'is' if len(mine) == 1 else 'are'} "
                          "the reports themselves.")
            continue
        lines[-1] += (f" This corpus uses it in {len(used)} of its {counted(n_years, 'year')}"
                      + (f"; the {len(shown)} highest:" if len(used) > len(shown) else ":"))
        for mark in shown.itertuples(index=False):
            same = rows[rows["year"] == mark.year]
            if same.empty:
                lines[-1] += f" {mark.year}: {mark.per_10k:.1f} per 10,000 (no report that year)."
                continue
            ref = same.iloc[0]
            overlap = not (mark.ci_low > ref["ci_high"] or mark.ci_high < ref["ci_low"])
            higher = mark.per_10k > ref["per_10k"]
            verdict = ("intervals overlap: no clear difference" if overlap
                       else "higher than the reports" if higher else "lower than the reports")
            lines[-1] += (f" {mark.year}: {mark.per_10k:.1f} per 10,000 "
                          f"(95% CI {mark.ci_low:.1f}–{mark.ci_high:.1f}) against the report's "
                          f"{ref['per_10k']:.1f} ({ref['ci_low']:.1f}–{ref['ci_high']:.1f}): {verdict}.")
    lines.append("Intervals are Wilson intervals on words as independent draws; a speech's repeated set phrases "
                 "make its real uncertainty larger.")
    if marks is not None and len(marks) and not mine:
        lines.append("The reports are omnibus national reports, another genre and level of government: a speech "
                     "\"higher than the reports\" talks about its own sector; the comparison places the terms in "
                     "time (when the reports take them up and drop them), not the speech's usage against theirs.")
    return _finding(lines)


# ---------------------------------------------------------------- 02: names and formulas
def names(names: pd.DataFrame, mentions: pd.DataFrame, formulas: pd.DataFrame,
          agreement: pd.DataFrame | None = None) -> Finding:
    """What names the speeches invoke, where the campaigns stand, how the formulas are spelled
    out, and how far the labels can be trusted (the validation table's agreement)."""
    from ..extract.campaigns import FUNCTION_LABELS

    lines = []
    own = mentions[mentions["nested_in"].isna()]
    n_speeches = names["speech_id"].nunique() if len(names) else 0
    if n_speeches <= SMALL_MULTIPLES:
        for sid, rows in names.groupby("speech_id", sort=False, observed=True):
            functions = rows["function"].value_counts()
            listing = ", ".join(f"{int(n)} {FUNCTION_LABELS.get(f, f)} ({f})" for f, n in functions.items())
            lines.append(f"{sid}: {counted(len(rows), 'name')}: {listing}.")
            campaigns = own[(own["speech_id"] == sid) & (own["function"] == "campaign")]
            sections = campaigns["section"].dropna().astype(int)
            if len(campaigns):
                per_section = sections.value_counts().sort_index()
                if sections.nunique() == 1 and len(sections) == len(campaigns):
                    where = f"all stand in section {cn_numeral(sections.iloc[0])}"
                else:
                    where = "stand in sections " + ", ".join(f"{cn_numeral(s)} ({n})" for s, n in per_section.items())
                shown = _list(list(dict.fromkeys(campaigns["name"])), 12)
                what = counted(campaigns["name"].nunique(), "campaign or activity", "campaigns and activities")
                lines.append(f"Its {what} {where}: {shown}.")
            mine = formulas[formulas["speech_id"] == sid]
            expanded = mine[mine["n_items"].notna()]
            if len(expanded):
                off = ", not the number its numeral says"
                said = [f"{f} into {int(n)} items ({src}{'' if m is pd.NA or m else off})"
                        for f, n, src, m in zip(expanded["formula"], expanded["n_items"],
                                                expanded["expansion_source"], expanded["matches"])]
                lines.append("Formulas spelled out: " + "; ".join(said) + ".")
            bare = mine[mine["n_items"].isna()]["formula"].tolist()
            if bare:
                lines.append(f"Formulas used without an expansion (assumed known): {_list(bare, 8)}.")
            both = mine[mine["numeral_kind"] == "both"]["formula"].tolist()
            if both:
                lines.append(f"{_list(both)}: 雙 here means both parties, not a count of two.")
    else:
        summary = names.assign(_k=names["canonical"].fillna(names["simplified"])).groupby("_k", observed=True).agg(
            name=("name", "first"), speeches=("speech_id", "nunique")).sort_values("speeches", ascending=False)
        top = ", ".join(f"{n} ({int(k)} speeches)" for n, k in zip(summary["name"].head(5),
                                                                    summary["speeches"].head(5)))
        lines.append(f"{len(summary):,} distinct names over {n_speeches:,} speeches; the most widespread: {top}.")
        expanded = formulas["n_items"].notna()
        lines.append(f"{formulas['simplified'].nunique():,} distinct formulas; {int(expanded.sum()):,} of "
                     f"{len(formulas):,} speech-formula pairs are spelled out in the speech.")
    if agreement is not None and len(agreement):
        best = agreement[agreement["sample"] == "gwr-heldout"]
        row = (best if len(best) else agreement).iloc[0]
        lines.append(f"Labels measured against the hand-coded validation table ({row['sample']}, {int(row['names'])} "
                     f"names): form {row['form']:.0%}, function {row['function']:.0%} agree. Read the function "
                     "column as a first sort, to be checked, not as coding.")
    return _finding(lines)


# ---------------------------------------------------------------- 06: targets and directives
def targets_and_directives(corpus: pd.DataFrame, directives: pd.DataFrame, targets: pd.DataFrame,
                           mentions: pd.DataFrame, growth: pd.DataFrame,
                           target_checks: pd.DataFrame | None = None,
                           directive_checks: pd.DataFrame | None = None, terms: list[str] | None = None) -> Finding:
    """What the speeches command in words (directive sentences by strength, whom they name,
    their deadlines) and in numbers (the figures they set, whether the named targets get a
    number, each year's growth target against the result the next report gives), and how far
    the two readers were measured to hold."""
    lines = _directive_lines(corpus, directives)
    lines += _target_lines(targets, mentions, terms)
    lines += _growth_lines(growth)
    lines += _check_lines(target_checks, directive_checks)
    return _finding(lines)


def _directive_lines(corpus: pd.DataFrame, directives: pd.DataFrame) -> list[str]:
    """The directive sentences: how many, by strength, by decade, whom they name, their deadlines."""
    from ..corpus.passages import sentence_ends
    from ..extract.directives import by_simplified_form

    lines = []
    sentences = pd.Series([max(len(sentence_ends(t)), 1) for t in corpus["text"]], index=corpus.index)
    n_sentences = int(sentences.sum())
    n = len(directives)
    strengths = directives["strength"].astype(str).value_counts()
    by_strength = ", ".join(counted(int(strengths.get(s, 0)), s) for s in
                            ("obligation", "requirement", "encouragement", "prohibition"))
    lines.append(f"**{counted(n, 'directive sentence')}** of {n_sentences:,} sentences "
                 f"({n / n_sentences:.0%}), by their strongest cue: {by_strength}.")
    dated = corpus[corpus["year"].notna()] if "year" in corpus else corpus.iloc[:0]
    if len(corpus) > SMALL_MULTIPLES and dated["year"].nunique() >= 2:
        # by year or by decade, as the chart above groups them (directive_groups)
        unit = time_unit(dated)
        group = speech_groups(dated["speech_id"], by=unit, corpus=dated).astype(int).to_numpy()
        sizes = sentences[dated.index].reset_index(drop=True).groupby(group).sum()
        counts = directives["speech_id"].map(dict(zip(dated["speech_id"], group))).value_counts()
        rate = (counts.reindex(sizes.index, fill_value=0) / sizes * 100).sort_index()

        def name(g) -> str:
            return f"the {g}s" if unit == "decade" else str(g)

        lines.append(f"Per 100 sentences, from {rate.iloc[0]:.0f} in {name(rate.index[0])} to {rate.iloc[-1]:.0f} "
                     f"in {name(rate.index[-1])} (highest: {rate.max():.0f}, {name(rate.idxmax())}). "
                     "These are *marked* directives only: a speech that writes its tasks as bare imperatives "
                     "(严守耕地红线。) has fewer, so a fall can be a change of style rather than of command.")
    if n:
        named = directives[directives["addressee"] != ""]
        who = ", ".join(f"{a} ({k})" for a, k in by_simplified_form(named["addressee"], 5).itertuples(index=False))
        lines.append(f"{counted(len(named), 'directive')} name{'s' if len(named) == 1 else ''} whom "
                     f"{'it addresses' if len(named) == 1 else 'they address'}"
                     + (f": {who}" if len(named) else "") + "; the others leave the addressee implicit.")
        dated = directives[directives["deadline"] != ""]
        if len(dated) == 0:
            lines.append("No directive names a deadline.")
        elif len(dated) <= 5:
            said = "; ".join(f"{d} ({s}, `{p}`)" for d, s, p in zip(dated["deadline"], dated["strength"].astype(str),
                                                                     dated["passage"]))
            lines.append(f"{counted(len(dated), 'directive')} name{'s' if len(dated) == 1 else ''} a deadline: "
                         f"{said}.")
        else:
            common = by_simplified_form(dated["deadline"], 5).itertuples(index=False)
            lines.append(f"{counted(len(dated), 'directive')} name a deadline; the most frequent: "
                         + ", ".join(f"{d} ({k})" for d, k in common) + ".")
    return lines


def _target_lines(targets: pd.DataFrame, mentions: pd.DataFrame, terms: list[str] | None) -> list[str]:
    """The figures given, and whether the named terms get a number."""
    from ..text.script import to_simplified

    lines = []
    if targets.empty:
        lines.append("No figure is given for any indicator of `indicators.tsv`: no quantitative target is set.")
    else:
        kinds = targets["kind"].astype(str).value_counts()
        lines.append(f"**{counted(len(targets), 'figure')}** for {counted(targets['indicator'].nunique(), 'indicator')}"
                     f" in {counted(targets['speech_id'].nunique(), 'speech')}: "
                     + ", ".join(counted(int(kinds.get(k, 0)), k) for k in ("target", "result", "plan", "other"))
                     + ".")
    bare = []
    for _, rows in mentions.groupby(mentions["term"].map(to_simplified), sort=False):
        with_figures = rows[rows["figures"] > 0]
        written = rows["term"].iloc[0]
        sentences = rows["passage"].nunique()
        if len(with_figures):
            k = with_figures["passage"].nunique()
            lines.append(f"{written} is named {counted(len(rows), 'time')} in {counted(sentences, 'sentence')}; "
                         f"{k} of them give{'s' if k == 1 else ''} a figure "
                         f"({_list(list(dict.fromkeys(with_figures['indicators'])), 3)}).")
        else:
            bare.append(f"{written} ({counted(len(rows), 'time')}, {counted(sentences, 'sentence')})")
    unnamed = [t for t in (terms or []) if to_simplified(t) not in set(mentions["term"].map(to_simplified))]
    if unnamed:
        lines.append(f"Not named at all: {_list(unnamed, 8)}.")
    if bare:
        lines.append(f"Named without any figure in their sentences: {_list(bare, 8)}: the speech names "
                     f"{'it' if len(bare) == 1 else 'them'} and gives no number.")
    return lines


def _growth_lines(growth: pd.DataFrame) -> list[str]:
    """Each year's growth target beside the result the next report gives."""
    from ..extract.targets import enough_for_targets

    lines = []
    both = growth[growth["result"].notna()] if len(growth) else growth
    enough = enough_for_targets(growth)
    if not enough and len(both) >= 2:
        lines.append(f"Targets are not set beside results: {enough.message}.")
    elif enough:
        for indicator, rows in both.groupby("indicator", sort=False):
            above, within, below = int((rows["gap"] > 0).sum()), int((rows["gap"] == 0).sum()), int(
                (rows["gap"] < 0).sum())
            worst = rows.loc[rows["gap"].idxmin()]
            said = (f"{indicator}: in {counted(len(rows), 'year')} with a target and the next report's result "
                    f"({int(rows['year'].min())}–{int(rows['year'].max())}), the result was above the target "
                    f"(its upper end) in {above}, on it in {within} and below it in {below}")
            if worst["gap"] < 0:
                said += (f"; the largest shortfall: {int(worst['year'])} (target {worst['target']}, "
                         f"result {worst['result']:g}{worst['unit']})")
            lines.append(said + ". A 左右 target is read as its single figure: no tolerance band is assumed.")
    else:
        lines.append(f"Too little to set targets beside results: {counted(len(both), 'year')} with both a growth "
                     "target and the following report's result; nothing is charted.")
    return lines


def _check_lines(target_checks: pd.DataFrame | None, directive_checks: pd.DataFrame | None) -> list[str]:
    """How far the two readers were measured to hold."""
    lines = []
    if target_checks is not None and len(target_checks):
        said = "; ".join(f"{r['sample']} ({int(r['figures'])} figures): precision {r['precision']:.0%}, recall "
                         f"{r['recall']:.0%}, kind {r['kind']:.0%}" for _, r in target_checks.iterrows())
        lines.append(f"The figure reader, measured on hand-coded reports: {said}.")
    else:
        lines.append("The hand-coded sample of figures lies in the shared corpus, absent here: their accuracy is "
                     "not measured in this run (see docs/targets-and-directives.md).")
    if directive_checks is not None and len(directive_checks):
        held = directive_checks[directive_checks["sample"] == "heldout"]
        row = (held if len(held) else directive_checks).iloc[0]
        lines.append(f"The directive reader, on {int(row['sentences'])} hand-coded sentences ({row['sample']}): "
                     f"precision {row['precision']:.0%}, recall {row['recall']:.0%}, strength agreement "
                     f"{row['accuracy']:.0%} (Cohen's κ {row['kappa']:.2f}). It reads marked modals only: unmarked "
                     "imperatives (严守耕地红线。) are not counted.")
    return lines


# ---------------------------------------------------------------- 05: text reuse
_MEANING = ("Shared wording shows that two texts use the same words, not who copied whom: both may quote "
            "a common source (a Party document, a State Council decision).")


def reuse_within(found: pd.DataFrame, links: pd.DataFrame, corpus: pd.DataFrame, min_chars: int) -> Finding:
    """What the speeches repeat inside themselves: the frames of
    :func:`analysis.repeated_frames` and the passages of :func:`analysis.reuse`
    whose two sides are in one speech."""
    lines = []
    if len(found):
        shown = []
        for row in found.head(3).itertuples():
            slots = _list([f"「{s}」" for s in row.slots], limit=3)
            where = f" in {row.speech_id}" if len(corpus) > 1 else ""
            shown.append(f"**{row.frame}** {counted(row.n, 'time')}{where} ({slots})")
        lines.append(f"{counted(len(found), 'repeated frame')} (a fixed beginning and end around a changing "
                     f"slot, each slot different, at least 3 times in one speech): " + "; ".join(shown) + ".")
    else:
        lines.append("No speech uses a frame (a fixed beginning and end around a changing slot) three times "
                     "with three different slots.")
    own = links[links["speech_a"] == links["speech_b"]]
    if len(own):
        longest = own.sort_values("n_chars", ascending=False, kind="stable").iloc[0]
        lines.append(f"{counted(len(own), 'passage')} of {min_chars} or more characters "
                     f"{'is' if len(own) == 1 else 'are'} repeated inside "
                     f"{counted(own['speech_a'].nunique(), 'speech')}; the longest, {longest['n_chars']} "
                     f"characters at {longest['passage_a']}, again at {longest['passage_b']} "
                     f"({longest['similarity']:.0%} identical).")
    else:
        lines.append(f"No passage of {min_chars} or more characters is repeated inside a speech.")
    return _finding(lines)


def reuse_echoes(links: pd.DataFrame, corpus: pd.DataFrame, against: pd.DataFrame, reference_name: str,
                 min_chars: int) -> Finding:
    """Which passages of the corpus the ``against`` documents share, and how much."""
    from ..reuse.summary import reuse_summary

    n_ref = len(against)
    if links.empty:
        return _finding([f"No passage of {min_chars} or more characters is shared with the {n_ref} "
                         f"{reference_name}.", _MEANING])
    pooled = reuse_summary(links, corpus=corpus, against=against, pooled=True)
    sharing = pooled[pooled["shared_chars"] > 0]
    total = pooled["shared_chars"].sum() / max(pooled["n_chars"].sum(), 1)
    own = set(corpus["speech_id"].astype(str))
    other = [b if a in own else a for a, b in zip(links["speech_a"].astype(str), links["speech_b"].astype(str))]
    per_ref = pd.Series(other).value_counts()
    longest = links.sort_values(["n_chars", "similarity"], ascending=False, kind="stable").iloc[0]
    corpus_side = "a" if str(longest["speech_a"]) in own else "b"
    ref_side = "b" if corpus_side == "a" else "a"
    lines = [f"{counted(len(sharing), 'speech')} of {len(corpus)} share{'s' if len(sharing) == 1 else ''} "
             f"{counted(len(links), 'passage')} of {min_chars} or more characters with "
             f"{counted(len(per_ref), 'document')} of the {n_ref} {reference_name}: {total:.1%} of the corpus's "
             f"characters.",
             "Most with " + _list([f"{r} ({counted(int(n), 'passage')})" for r, n in per_ref.items()], 3) + ".",
             f"The longest, {longest['n_chars' if corpus_side == 'a' else 'n_chars_b']} characters at "
             f"{longest[f'passage_{corpus_side}']}, is found at {longest[f'passage_{ref_side}']} "
             f"({longest['similarity']:.0%} identical after conversion to Simplified and the local substitutions).",
             _MEANING]
    return _finding(lines)


def reuse_over_time(pred: pd.DataFrame, top: pd.DataFrame, corpus: pd.DataFrame, *,
                    group: str | list[str] | None = None) -> Finding:
    """How much each dated speech repeats its predecessor, whether that changes over the
    years (Spearman's rank correlation of share and year), and the most reused passage.
    ``group``: the series :func:`analysis.predecessor_reuse` kept apart (a column or a list);
    a line for each, or one for all of them pooled when there are more than a handful."""
    from scipy.stats import spearmanr

    from ..reuse.summary import series_groups, series_label

    lines = []
    keys, groups = series_groups(pred, group)
    named = [(series_label(key), rows) for key, rows in groups]
    if len(groups) > SMALL_MULTIPLES:
        named = [(f"{len(groups):,} series ({' × '.join(keys)}) pooled", pred)]
    for label, rows in named:
        name = "" if label is None else f"{label}: "
        if rows.empty:
            continue
        best = rows.sort_values("share", ascending=False, kind="stable").iloc[0]
        line = (f"{name}a speech repeats a median {rows['share'].median():.1%} of its characters from its "
                f"predecessor ({counted(len(rows), 'speech')}; most: {best['speech_id']}, {best['share']:.1%} "
                f"from {best['predecessor']})")
        years = pd.to_numeric(rows["year"], errors="coerce")
        if years.nunique() >= 5 and rows["share"].nunique() < 2:
            # Spearman's ρ is undefined for a constant share (nan, and scipy warns): say what it is.
            line += f"; the same share every year ({rows['share'].iloc[0]:.1%}), so no trend to test"
        elif years.nunique() >= 5:
            rho, p = spearmanr(years, rows["share"])
            trend = "rises" if rho > 0 else "falls"
            line += (f"; the share {trend} with the year (Spearman ρ = {rho:.2f}, p = {p:.2g})" if p < 0.05
                     else f"; no monotonic change with the year (Spearman ρ = {rho:.2f}, p = {p:.2g})")
        lines.append(line + ".")
    if len(top):
        first = top.iloc[0]
        years = dict(zip(corpus["speech_id"].astype(str), corpus["year"])) if "year" in corpus.columns else {}
        found = [years.get(s) for s in first["speeches"] if pd.notna(years.get(s))]
        span = f", from {min(found)} to {max(found)}" if found else ""
        lines.append(f"The passage found in the most other speeches: {first['n_chars']} characters at "
                     f"{first['passage']}, shared by {counted(int(first['n_speeches']), 'other speech')}{span}.")
    lines.append(_MEANING)
    return _finding(lines)
