"""KWIC, dispersion and dispersion measures: exact values on the seed (checked with str.count
and str.index on the text) and on a toy speech whose part sizes make Gries' DP and
Juilland's D easy to work out by hand."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis import to_simplified
from analysis.measures.concordance import (
    CORPUS_ID,
    KWIC_COLUMNS,
    dispersion,
    dispersion_measures,
    dispersion_units,
    dp,
    dp_norm,
    juilland_d,
    kwic,
    section_bounds,
)


def toy_corpus(*texts: str) -> pd.DataFrame:
    return pd.DataFrame({"speech_id": [f"toy{n}" for n in range(len(texts))], "text": list(texts),
                         "text_simplified": [to_simplified(t) for t in texts]})


# A speech whose parts hold 10, 20, 20, 30 and 20 Han characters (preamble with the
# salutation 同志們, three sections counting their numeral 一/二/三, closing), 100 in all,
# so the part shares are s = (.1, .2, .2, .3, .2). 甲 is filler.
TOY = "\n".join([
    "同志們：",
    "丙丁甲甲甲甲甲",                                         # 3 + 7 = 10
    "一、丙丙" + "甲" * 17,                                   # 1 + 2 + 17 = 20
    "二、雙降雙降丙丙" + "甲" * 13,                            # 1 + 4 + 2 + 13 = 20
    "三、雙降丙丙丙" + "甲" * 6 + "雙降" + "甲" * 16,            # 1 + 2 + 3 + 6 + 2 + 16 = 30
    "同志們，丙丙" + "甲" * 15,                                # 3 + 2 + 15 = 20
])


# ---------------------------------------------------------------- kwic


def test_kwic_on_the_seed(corpus, text):
    hits = kwic(corpus, "雙降", window=4)
    assert hits.columns.tolist() == KWIC_COLUMNS
    assert len(hits) == text.count("雙降") == 7
    first = hits.iloc[0]
    assert first["start"] == text.index("雙降") == 502 and first["end"] == 504
    assert [first["left"], first["keyword"], first["right"]] == ["要實現“", "雙降", "”目標任"]
    assert hits["section"].tolist() == [1, 1, 1, 2, 2, 2, 3]
    assert hits["point"].tolist() == [2, 2, 2, 1, 1, 1, 1]
    assert set(hits["part"]) == {"section"}
    assert all(text[a:b] == "雙降" for a, b in zip(hits["start"], hits["end"]))


def test_kwic_rows_carry_their_passage(corpus):
    hits = kwic(corpus, "雙降", window=4)
    # Point 2 of section 一 holds three uses, in its sentences 2, 3 and 3; section 三 point 1 the last.
    assert hits["passage"].tolist() == [f"000_8ebf5a98b5b66884:{p}" for p in
                                        ("1.2:s2", "1.2:s3", "1.2:s3", "2.1:s1", "2.1:s4", "2.1:s4", "3.1:s3")]
    assert kwic(corpus, "雙降", passages=False)["passage"].isna().all()
    assert kwic(corpus, "不在文中的詞")["passage"].tolist() == []


def test_kwic_finds_either_script_and_shows_the_original(corpus):
    traditional = kwic(corpus, "計生協會", aliases=False)
    simplified = kwic(corpus, "计生协会", aliases=False)
    assert len(traditional) == 17
    pd.testing.assert_frame_equal(traditional, simplified)
    assert set(simplified["keyword"]) == {"計生協會"}
    # With its alias group (the default) every variant is found, each shown as written.
    grouped = kwic(corpus, "计生协会")
    assert len(grouped) == 35 and set(grouped["keyword"]) == {"計生協會", "計生協", "計劃生育協會"}


def test_kwic_parts_and_line_breaks(corpus, text):
    hits = kwic(corpus, "同志們", window=3)
    # The salutation, and the closing's first words.
    assert hits["part"].tolist() == ["salutation", "closing"]
    assert hits["section"].isna().all() and hits["point"].isna().all()
    assert hits.iloc[0]["right"] == "：¶在"   # the line break shown as ¶
    assert hits.iloc[1]["left"] == "伍。¶"   # section 3 ends 計生協隊伍。
    assert text[hits.iloc[1]["start"] - 3:hits.iloc[1]["start"]] == "伍。\n"


def test_kwic_whole_tokens_only(corpus, tokens, text):
    # 計生協 occurs 31 times as characters, 14 times as a word of its own (the rest is
    # inside 計生協會).
    assert text.count("計生協") == 31 and text.count("計生協會") == 17
    assert len(kwic(corpus, "計生協", aliases=False)) == 31
    whole = kwic(corpus, "計生協", tokens=tokens, whole_token=True, aliases=False)
    assert len(whole) == (tokens.token == "計生協").sum() == 14
    assert len(kwic(corpus, "計生協", whole_token=True, aliases=False)) == 14   # segments on its own


def test_kwic_no_hit_regex_and_errors(corpus):
    assert kwic(corpus, "不存在的詞").empty
    assert kwic(corpus, "不存在的詞").columns.tolist() == KWIC_COLUMNS
    # 計生協會? finds 計生協 and 計生協會: 31 in all, none overlapping.
    assert len(kwic(corpus, "计生协会?", regex=True)) == 31
    with pytest.raises(ValueError):
        kwic(corpus, "")


# ---------------------------------------------------------------- dispersion


def test_dispersion_rows_and_positions(corpus, text):
    table = dispersion(corpus, ["流動人口", "雙降"])
    assert table.columns.tolist() == ["speech_id", "term", "keyword", "start", "position", "section", "part"]
    assert table["term"].tolist() == ["流動人口"] * 5 + ["雙降"] * 7   # term order as given
    first = table.iloc[5]
    assert first["start"] == 502 and first["position"] == pytest.approx(502 / len(text))
    assert len(text) == 2783
    assert table.loc[table.term == "流動人口", "section"].tolist() == [2] * 5
    assert ((table["position"] >= 0) & (table["position"] < 1)).all()


def test_section_bounds_of_the_seed(corpus, text):
    bounds = section_bounds(corpus)
    assert bounds["part"].tolist() == ["salutation", "preamble", "section", "section", "section",
                                       "closing"]
    sections = bounds[bounds.part == "section"]
    assert sections["start"].tolist() == [text.index("一、"), text.index("二、"), text.index("三、")]
    assert sections["start"].tolist() == [292, 857, 2082]
    assert sections["rel_start"].tolist() == pytest.approx([292 / 2783, 857 / 2783, 2082 / 2783])


def test_dispersion_units_tile_each_speech(corpus, text):
    sections = dispersion_units(corpus, unit="section")
    # Han characters: salutation 同志們 (3) + preamble 242; sections as outline counts them.
    assert sections["size"].tolist() == [245, 515, 1077, 516, 106]
    paragraphs = dispersion_units(corpus, unit="paragraph")
    lines = text.split("\n")
    assert len(paragraphs) == len(lines) == 17
    assert paragraphs["size"].tolist() == [len([c for c in line if "\u4e00" <= c <= "\u9fff"]) for line in lines]
    equal = dispersion_units(corpus, unit="equal", n_parts=4)
    assert equal["size"].tolist() == [615, 615, 615, 614]
    for units in (sections, paragraphs, equal):
        assert units["size"].sum() == corpus.n_chars.iloc[0] == 2459
        assert units["start"].iloc[0] == 0 and units["end"].iloc[-1] == len(text) == 2783
        assert (units["start"].iloc[1:].to_numpy() == units["end"].iloc[:-1].to_numpy()).all()
    assert dispersion_units(corpus, unit="speech")["size"].tolist() == [2459]
    with pytest.raises(ValueError):
        dispersion_units(corpus, unit="chapter")


# ---------------------------------------------------------------- dispersion measures


def test_the_three_measures_by_hand():
    # Parts of sizes (1, 1): even hits give DP 0 and D 1; all in one part DP .5, DP_norm 1, D 0.
    assert (dp([1, 1], [1, 1]), dp_norm([1, 1], [1, 1]), juilland_d([1, 1], [1, 1])) == (0.0, 0.0, 1.0)
    assert (dp([2, 0], [1, 1]), dp_norm([2, 0], [1, 1]), juilland_d([2, 0], [1, 1])) == (0.5, 1.0, 0.0)
    # Sizes (2, 1, 1), hits (3, 1, 0): v = (.75, .25, 0), s = (.5, .25, .25):
    # DP = ½(.25 + 0 + .25) = .25; DP_norm = .25 / .75 = 1/3; p = (1.5, 1, 0), mean 5/6,
    # population sd .623610, V = .748331, D = 1 - V/√2 = .470850.
    assert dp([3, 1, 0], [2, 1, 1]) == pytest.approx(0.25)
    assert dp_norm([3, 1, 0], [2, 1, 1]) == pytest.approx(1 / 3)
    assert juilland_d([3, 1, 0], [2, 1, 1]) == pytest.approx(0.470850, abs=1e-6)
    assert math.isnan(dp([0, 0], [1, 1])) and math.isnan(juilland_d([3], [1]))


def test_toy_part_sizes():
    assert dispersion_units(toy_corpus(TOY), unit="section")["size"].tolist() == [10, 20, 20, 30, 20]
    assert dispersion_units(toy_corpus(TOY), unit="paragraph")["size"].tolist() == [3, 7, 20, 20, 30, 20]


def test_dp_and_juilland_over_sections_by_hand():
    table = dispersion_measures(toy_corpus(TOY), ["雙降", "丙", "丁", "同志們", "乙"], unit="section")
    assert table.columns.tolist() == ["speech_id", "term", "hits", "unit", "n_parts", "parts_with_hits", "dp",
                                      "dp_norm", "juilland_d", "enough_hits"]
    rows = table.set_index("term")
    assert rows["hits"].tolist() == [4, 10, 1, 2, 0]
    assert set(rows["n_parts"]) == {5} and set(rows["unit"]) == {"section"}
    # 雙降: f = (0, 0, 2, 2, 0), v = (0, 0, .5, .5, 0).
    # DP = ½(.1 + .2 + .3 + .2 + .2) = .5; DP_norm = .5 / (1 - .1) = .5556.
    # p = f/size = (0, 0, .1, .0667, 0): mean .03333, population sd .042164, V = 1.264911,
    # D = 1 - V/√4 = .367544.
    assert rows.loc["雙降", "dp"] == pytest.approx(0.5)
    assert rows.loc["雙降", "dp_norm"] == pytest.approx(0.5 / 0.9)
    assert rows.loc["雙降", "juilland_d"] == pytest.approx(0.367544, abs=1e-6)
    assert rows.loc["雙降", "parts_with_hits"] == 2
    # 丙: f = (1, 2, 2, 3, 2), proportional to the sizes: DP 0, D 1.
    assert rows.loc["丙", "dp"] == pytest.approx(0.0, abs=1e-12)
    assert rows.loc["丙", "juilland_d"] == pytest.approx(1.0)
    # 丁: once, in the smallest part (the preamble): DP = 1 - .1, DP_norm 1, D 0.
    assert rows.loc["丁", ["dp", "dp_norm", "juilland_d"]].tolist() == pytest.approx([0.9, 1.0, 0.0])
    # 同志們: salutation (counted in the preamble) and closing, v = (.5, 0, 0, 0, .5):
    # DP = ½(.4 + .2 + .2 + .3 + .3) = .7.
    assert rows.loc["同志們", "dp"] == pytest.approx(0.7)
    # 乙 never occurs: undefined; 丙's 10 hits are enough to read, the others are not.
    assert rows.loc["乙", ["dp", "dp_norm", "juilland_d"]].isna().all()
    assert rows["enough_hits"].tolist() == [False, True, False, False, False]


def test_dp_over_paragraphs_by_hand():
    # Paragraph sizes (3, 7, 20, 20, 30, 20); 雙降 twice in the 4th and twice in the 5th:
    # DP = ½(.03 + .07 + .2 + |.5 - .2| + |.5 - .3| + .2) = .5.
    row = dispersion_measures(toy_corpus(TOY), "雙降").iloc[0]
    assert (row["unit"], row["n_parts"], row["hits"]) == ("paragraph", 6, 4)
    assert row["dp"] == pytest.approx(0.5)


def test_a_corpus_is_measured_over_its_speeches():
    # Speech A: 100 Han characters, 4 hits; speech B: 50, none. s = (2/3, 1/3), v = (1, 0):
    # DP = ½(1/3 + 1/3) = 1/3, DP_norm = (1/3) / (2/3) = .5; p = (.04, 0): V = 1, D = 0.
    a = "雙降" * 2 + "甲" * 96
    corpus = toy_corpus(a, "甲" * 50)
    row = dispersion_measures(corpus, "雙降").iloc[0]
    assert (row["speech_id"], row["unit"], row["n_parts"], row["hits"]) == (CORPUS_ID, "speech", 2, 2)
    assert row["dp"] == pytest.approx(1 / 3) and row["dp_norm"] == pytest.approx(0.5)
    assert row["juilland_d"] == pytest.approx(0.0)
    # Equal parts inside each speech instead: one row per speech.
    per_speech = dispersion_measures(corpus, "雙降", unit="equal", n_parts=2)
    assert per_speech["speech_id"].tolist() == ["toy0", "toy1"] and per_speech["n_parts"].tolist() == [2, 2]
    assert per_speech["hits"].tolist() == [2, 0]


def test_one_part_leaves_dispersion_undefined():
    table = dispersion_measures(toy_corpus("雙降甲甲雙降"), "雙降").iloc[0]
    assert (table["hits"], table["n_parts"]) == (2, 1)
    assert math.isnan(table["dp"]) and math.isnan(table["juilland_d"])


def test_seed_dispersion_over_paragraphs(corpus, text):
    table = dispersion_measures(corpus, ["雙降", "群眾", "流動人口"]).set_index("term")
    lines = text.split("\n")
    sizes = [sum("\u4e00" <= c <= "\u9fff" for c in line) for line in lines]
    for term in ["雙降", "群眾", "流動人口"]:
        counts = [line.count(term) for line in lines]
        hits = sum(counts)
        expected = 0.5 * sum(abs(f / hits - s / sum(sizes)) for f, s in zip(counts, sizes))
        assert table.loc[term, "hits"] == hits
        assert table.loc[term, "parts_with_hits"] == sum(c > 0 for c in counts)
        assert table.loc[term, "dp"] == pytest.approx(expected)
    # 雙降: 7 hits in 3 of 17 paragraphs, DP .77, flagged as too few to read; over the five
    # sections the same hits give DP .22: the division, not the speech, made the difference.
    assert table.loc["雙降", ["hits", "parts_with_hits"]].tolist() == [7, 3]
    assert table.loc["雙降", "dp"] == pytest.approx(0.771858, abs=1e-6)
    assert not table.loc["雙降", "enough_hits"] and table.loc["群眾", "enough_hits"]
    by_section = dispersion_measures(corpus, "雙降", unit="section").iloc[0]
    assert by_section["dp"] == pytest.approx(0.219137, abs=1e-6)
