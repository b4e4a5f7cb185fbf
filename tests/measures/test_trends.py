"""Change over time: Wilson intervals worked out by hand, term trends on a synthetic multi-year
corpus, the shipped government-work-report counts, and the life cycle of 提法."""
from __future__ import annotations

import math

import pandas as pd
import pytest

import analysis
from analysis import enough_for_trends, lifecycle, reference_trends, term_trends
from analysis.measures.reference import gwr_counts
from analysis.measures.trends import bin_values, wilson

from .test_vocabulary import toy_tokens

Z = 1.959963984540054


def test_wilson_interval_by_hand():
    # 5 of 100: p = .05, z² = 3.841459; centre = (.05 + 3.841459/200) / (1 + 3.841459/100) = 0.066647,
    # half = z·sqrt(.05·.95/100 + 3.841459/40000) / 1.038415 = 0.045103: (0.021544, 0.111750),
    # the 0.0215–0.1118 of published tables.
    low, high = wilson([5], [100])
    assert low[0] == pytest.approx(0.021544, abs=1e-6) and high[0] == pytest.approx(0.111750, abs=1e-6)
    # 0 of 100: the lower bound is 0 and the upper (z²/100) / (1 + z²/100) = 0.036994.
    low, high = wilson([0], [100])
    assert low[0] == 0.0 and high[0] == pytest.approx((Z * Z / 100) / (1 + Z * Z / 100))
    # n = 0: no interval.
    assert [x[0] for x in wilson([0], [0])] == [0.0, 0.0]


@pytest.fixture(scope="module")
def corpus_and_tokens():
    """Four speeches over three years: 甲甲 rises, 乙乙 falls; 的 is a word too."""
    corpus = pd.DataFrame({"speech_id": ["a", "b", "c", "d"],
                           "year": pd.array([2010, 2010, 2011, 2019], dtype="Int64"),
                           "genre": ["report", "speech", "speech", "report"]})
    tokens = pd.concat([
        toy_tokens("甲甲/n 乙乙/n 乙乙/n 的/uj", "a"),          # 4 words
        toy_tokens("乙乙/n 的/uj 的/uj 的/uj 的/uj ，", "b"),   # 5 words (，is not one)
        toy_tokens("甲甲/n 甲甲/n 乙乙/n 的/uj", "c"),          # 4 words
        toy_tokens("甲甲/n 甲甲/n 甲甲/n 的/uj", "d"),          # 4 words
    ], ignore_index=True)
    return corpus, tokens


def test_term_trends_by_year(corpus_and_tokens):
    corpus, tokens = corpus_and_tokens
    table = term_trends(tokens, ["甲甲", "乙乙"], by="year", corpus=corpus)
    assert table.columns.tolist() == ["term", "year", "count", "per_10k", "ci_low", "ci_high", "docs", "n_docs",
                                      "n_words"]
    assert table[["term", "year", "count", "docs", "n_docs", "n_words"]].values.tolist() == [
        ["甲甲", 2010, 1, 1, 2, 9], ["甲甲", 2011, 2, 1, 1, 4], ["甲甲", 2019, 3, 1, 1, 4],
        ["乙乙", 2010, 3, 2, 2, 9], ["乙乙", 2011, 1, 1, 1, 4], ["乙乙", 2019, 0, 0, 1, 4]]
    row = table.iloc[0]
    assert row["per_10k"] == pytest.approx(10_000 / 9)
    low, high = wilson([1], [9])
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low[0] * 10_000, high[0] * 10_000))
    assert table.attrs["ci"].startswith("95% Wilson score interval")


def test_term_trends_by_any_column_decades_and_bins(corpus_and_tokens):
    corpus, tokens = corpus_and_tokens
    by_genre = term_trends(tokens, "甲甲", by="genre", corpus=corpus)
    assert by_genre[["genre", "count", "n_words"]].values.tolist() == [["report", 4, 8], ["speech", 2, 9]]
    by_decade = term_trends(tokens, "甲甲", by="decade", corpus=corpus)
    assert by_decade[["decade", "count", "n_words"]].values.tolist() == [[2010, 6, 17]]
    binned = term_trends(tokens, "甲甲", by="year", corpus=corpus, bins=5)
    assert binned[["year", "count", "n_docs"]].values.tolist() == [["2010–2014", 3, 3], ["2015–2019", 3, 1]]
    assert bin_values(pd.Series([2009, 2012, 2016]), [2000, 2010, 2020]).tolist() == ["2000–2009", "2010–2019",
                                                                                      "2010–2019"]
    with pytest.raises(ValueError, match="pass corpus="):
        term_trends(tokens, "甲甲", by="year")
    with pytest.raises(ValueError, match="no such corpus column"):
        term_trends(tokens, "甲甲", by="province", corpus=corpus)


def test_terms_in_either_script_and_alias_groups():
    corpus = pd.DataFrame({"speech_id": ["a", "b"], "year": pd.array([2015, 2021], dtype="Int64")})
    tokens = pd.concat([toy_tokens("計生協/nt 計生協會/nt 的/uj", "a"), toy_tokens("计生协会/nt 三孩/n 三胎/n", "b")],
                       ignore_index=True)
    table = term_trends(tokens, ["计生协会", "三胎"], by="year", corpus=corpus)
    assert table[["term", "year", "count"]].values.tolist() == [
        ["计生协会", 2015, 2], ["计生协会", 2021, 1], ["三胎", 2015, 0], ["三胎", 2021, 2]]
    apart = term_trends(tokens, "計生協會", by="year", corpus=corpus, aliases=False)
    assert apart["count"].tolist() == [1, 1]


def test_a_term_cut_by_the_segmenter_is_warned_about(corpus_and_tokens):
    corpus, tokens = corpus_and_tokens
    texts = corpus.assign(text_simplified=["甲甲乙乙", "乙乙", "甲甲甲甲乙乙", "甲甲甲甲甲甲"])
    with pytest.warns(UserWarning, match="never as a word"):
        table = term_trends(tokens, "甲乙", by="year", corpus=texts)
    assert table["count"].sum() == 0


def test_reference_trends_come_from_the_shipped_counts():
    counts, years, _ = gwr_counts()
    table = reference_trends(["計劃生育", "雙降"])
    plan = table[table.term == "計劃生育"].set_index("year")
    by_year = counts[counts.word == "计划生育"].set_index("year")["count"]
    assert plan["count"].sum() == by_year.sum() > 0
    for year, n in by_year.items():
        assert plan.loc[year, "count"] == n
    assert plan["n_words"].tolist() == years["n_words"].tolist()
    assert table.loc[table.term == "雙降", "count"].sum() == 0   # a local target, never national
    decades = reference_trends("计划生育", bins=10)
    assert decades["count"].sum() == by_year.sum()
    assert decades["year"].iloc[0] == "1950–1959"


def test_enough_for_trends(corpus_and_tokens):
    corpus, _ = corpus_and_tokens
    assert enough_for_trends(corpus)
    one = corpus.iloc[:1]
    found = enough_for_trends(one)
    assert not found and "need at least 3 dated speeches in at least 2 groups" in repr(found)


def test_lifecycle_by_hand():
    corpus = pd.DataFrame({"speech_id": ["a", "b", "c", "d"], "year": pd.array([2010, 2012, 2012, None], dtype="Int64"),
                           "n_chars": [1000, 2000, 1000, 500]})
    formulas = pd.DataFrame({"speech_id": ["a", "b", "c", "d"], "formula": ["雙降", "双降", "雙降", "雙降"],
                             "simplified": ["双降"] * 4, "count": [1, 2, 3, 9]})
    campaigns = pd.DataFrame({"speech_id": ["b"], "name": ["幸福工程"], "simplified": ["幸福工程"],
                              "canonical": [None], "form": ["quoted"], "function": ["campaign"], "count": [1]})
    table = lifecycle(corpus, formulas=formulas, campaigns=campaigns)
    assert table.attrs["undated"] == 1   # speech d has no year: left out
    row = table.set_index("name").loc["雙降"]
    # 2010: 1 mention in 1,000 characters (10 per 10k); 2012: 5 in 3,000 (16.7 per 10k): the peak.
    assert (row["kind"], row["first"], row["last"], row["span_years"], row["n_speeches"], row["mentions"]) == (
        "formula", 2010, 2012, 3, 3, 6)
    assert row["peak"] == 2012 and row["peak_per_10k_chars"] == pytest.approx(5 / 3000 * 10_000)
    assert table.set_index("name").loc["幸福工程", ["kind", "first", "last", "n_speeches"]].tolist() == [
        "campaign", 2012, 2012, 1]
    assert table["name"].tolist() == ["雙降", "幸福工程"]   # by first attestation


def test_lifecycle_one_row_per_name_whatever_its_function():
    # 低保 read as a campaign in three speeches and as a slogan in one: one row, over all four.
    corpus = pd.DataFrame({"speech_id": ["a", "b", "c", "d"], "year": pd.array([2002, 2003, 2005, 2025], dtype="Int64"),
                           "n_chars": [1000, 1000, 2000, 4000]})
    campaigns = pd.DataFrame({"speech_id": ["a", "b", "c", "d"], "name": ["低保", "低保", "低保", "低保"],
                              "simplified": ["低保"] * 4, "canonical": [None] * 4,
                              "form": ["quoted", "bare", "bare", "bare"],
                              "function": ["campaign", "slogan", "campaign", "campaign"], "count": [1, 3, 2, 4]})
    table = lifecycle(corpus, formulas=pd.DataFrame(), campaigns=campaigns)
    assert len(table) == 1
    row = table.iloc[0]
    # 2003: 3 in 1,000 characters = 30 per 10k, the peak (2002: 10, 2005: 10, 2025: 10).
    assert row.to_dict() == {"name": "低保", "kind": "campaign", "first": 2002, "last": 2025, "span_years": 24,
                             "n_speeches": 4, "mentions": 10, "peak": 2003, "peak_per_10k_chars": 30.0}


def test_national_trend_matches_the_shared_corpus(gwr_dir):
    # The shipped counts were computed from the shared reports by this pipeline: counting them
    # again from the texts gives the same numbers.
    from analysis import corpus_tokens, load_corpus

    corpus = load_corpus(gwr_dir)
    reports = corpus[corpus.genre == "report"].reset_index(drop=True)
    again = term_trends(corpus_tokens(reports), "计划生育", by="year", corpus=reports)
    shipped = reference_trends("计划生育")
    assert again["count"].tolist() == shipped["count"].tolist()
    assert again["n_words"].tolist() == shipped["n_words"].tolist()
    assert math.isclose(again["per_10k"].max(), shipped["per_10k"].max())


def test_corpus_terms_follows_the_corpus_own_keywords_when_the_given_terms_are_absent(tokens):
    from analysis import corpus_terms

    kept = corpus_terms(tokens, ["計生協會", "乡村振兴", "計劃生育"])
    assert list(kept) == ["計生協會", "計劃生育"]
    assert str(kept) == "following 計生協會, 計劃生育; not used as a word in this corpus: 乡村振兴"
    instead = corpus_terms(tokens, ["乡村振兴", "放管服"])
    top = analysis.keyness(tokens).token.head(2).tolist()
    assert list(instead) == top and str(instead).startswith(
        "乡村振兴, 放管服: not used as a word in this corpus; following its own top 2 keywords instead "
        f"(against general Chinese): {', '.join(top)}")


def test_time_unit_and_speech_groups_for_grouped_views():
    from analysis import speech_groups, time_unit

    few = pd.DataFrame({"speech_id": ["a", "b", "c"], "year": pd.array([1987, 1991, pd.NA], "Int64")})
    many = pd.DataFrame({"year": range(1950, 1981)})            # 31 distinct years
    assert (time_unit(few), time_unit(many)) == ("year", "decade")
    groups = speech_groups(pd.Series(["c", "a", "b"]), by="decade", corpus=few)
    assert pd.isna(groups.iloc[0]) and groups.iloc[1:].tolist() == [1980, 1990]
    with pytest.raises(ValueError, match="no such corpus column"):
        speech_groups(pd.Series(["a"]), by="place", corpus=few)


def test_period_reference_stays_within_the_reports_years():
    from analysis import period_reference

    _, years, _ = gwr_counts()
    first, last = int(years["year"].min()), int(years["year"].max())
    assert period_reference([2012, 2013], margin=2) == "gwr:2010-2015"
    assert period_reference([first + 1], margin=4) == f"gwr:{first}-{first + 5}"
    assert period_reference([last], margin=4) == f"gwr:{last - 4}-{last}"
    assert period_reference(pd.Series([None], dtype="Int64")) is None


def test_reference_trends_inside_words_from_the_shipped_counts():
    counts, _, _ = gwr_counts()
    word = reference_trends(["計劃生育"]).set_index("year")["count"]
    within = reference_trends(["計劃生育"], match="within").set_index("year")["count"]
    # Worked out on the shipped counts directly: every word holding 计划生育, times how often.
    held = counts[counts.word.str.contains("计划生育")]
    expected = (held["count"] * held["word"].str.count("计划生育")).groupby(held["year"]).sum()
    assert within[within > 0].to_dict() == expected.to_dict()
    assert (word.sum(), within.sum()) == (95, 104)   # as a word; and inside 计划生育委员会 and others too
    assert (within >= word).all()
    with pytest.raises(ValueError, match="match must be 'word' or 'within'"):
        reference_trends(["計劃生育"], match="both")


def test_missing_spans_are_computed_from_the_years_present():
    from analysis.measures.trends import missing_spans, spans_text

    _, years, _ = gwr_counts()
    gaps = missing_spans(years["year"])
    # The shipped reports: none in 1961–63, 1965–74, 1976–77, 1989–91, 1996 or 2020.
    assert spans_text(gaps) == "1961–1963, 1965–1974, 1976–1977, 1989–1991, 1996, 2020"
    assert missing_spans([1990, 2000, 2020], step=10) == [(2010, 2010)]
    assert missing_spans([2012]) == [] and missing_spans([]) == []


def test_policy_breaks_file_and_its_errors(tmp_path):
    from analysis import policy_breaks

    breaks = policy_breaks()
    assert breaks[["start", "end"]].values.tolist() == [[2013, 2013], [2015, 2016]]
    assert breaks["label"].str.contains("health merger|two-child policy").all()
    path = tmp_path / "breaks.tsv"
    path.write_text("# a comment\n2013\t2013\tmerger\n15\t2016\ttwo-child\n", encoding="utf-8")
    with pytest.raises(ValueError, match="breaks.tsv:3: expected start<TAB>end<TAB>label"):
        policy_breaks(path)
    path.write_text("2016\t2015\tbackwards\n", encoding="utf-8")
    with pytest.raises(ValueError, match="breaks.tsv:1: the break ends \\(2015\\) before it starts \\(2016\\)"):
        policy_breaks(path)


def test_the_national_caption_says_what_is_compared(tokens):
    from analysis import national_caption

    national = reference_trends(["計劃生育", "計生協會"])
    own = term_trends(tokens, ["計劃生育", "計生協會"], by=pd.Series({"000_8ebf5a98b5b66884": 2012}, name="year"))
    caption = national_caption(national, own=own, tokens=tokens)
    _, years, _ = gwr_counts()
    assert caption.startswith("Blue: the Premier's government work reports to the NPC, 1954–2025 (52 reports in "
                              f"52 years, {int(years['n_words'].sum()):,} words)")
    assert "no report in 1961–1963, 1965–1974, 1976–1977, 1989–1991, 1996, 2020" in caption
    assert "red: this corpus, 1 speech (1,185 words)" in caption
    assert "a different genre and level of government" in caption
    assert caption.endswith("alias groups applied (計生協會: 计划生育协会, 计生协会, 计生协).")
    alone = national_caption(reference_trends(["流動人口"]))
    assert "red:" not in alone and alone.endswith("terms counted as words (no alias group among them).")


def test_the_national_caption_for_several_speeches_and_for_the_reports_themselves():
    from analysis import national_caption

    national = reference_trends(["計劃生育"])
    by_year = pd.Series({"gwr_2012": 2012, "gwr_2013": 2013, "x": 2013}, name="year")
    reports = pd.concat([toy_tokens("計劃生育/n 工作/vn", "gwr_2012"), toy_tokens("工作/vn", "gwr_2013")],
                        ignore_index=True)
    caption = national_caption(national, own=term_trends(reports, ["計劃生育"], by=by_year), tokens=reports)
    assert "red: this corpus, 2 speeches (3 words), its rate in its year(s): it holds the reports themselves" in caption
    others = pd.concat([toy_tokens("計劃生育/n", "x"), toy_tokens("工作/vn", "gwr_2012")], ignore_index=True)
    others["speech_id"] = ["x", "y"]
    caption = national_caption(national, own=term_trends(others, ["計劃生育"], by=pd.Series({"x": 2012, "y": 2013},
                                                                                     name="year")), tokens=others)
    assert "2 speeches (2 words), its rate in its year(s): speeches set against omnibus national reports" in caption
