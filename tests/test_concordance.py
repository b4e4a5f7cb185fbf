"""KWIC, dispersion and dispersion measures: exact values on the seed (checked with str.count
and str.index on the text) and on a toy speech whose part sizes make Gries' DP and
Juilland's D easy to work out by hand."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis import to_simplified
from analysis.concordance import (
    CORPUS_ID,
    KWIC_COLUMNS,
    dispersion,
    dispersion_measures,
    kwic,
    section_bounds,
    speech_parts,
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


def test_kwic_finds_either_script_and_shows_the_original(corpus):
    traditional = kwic(corpus, "計生協會")
    simplified = kwic(corpus, "计生协会")
    assert len(traditional) == 17
    pd.testing.assert_frame_equal(traditional, simplified)
    assert set(simplified["keyword"]) == {"計生協會"}


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
    assert len(kwic(corpus, "計生協")) == 31
    whole = kwic(corpus, "計生協", tokens=tokens, whole_token=True)
    assert len(whole) == (tokens.token == "計生協").sum() == 14
    assert len(kwic(corpus, "計生協", whole_token=True)) == 14   # segments on its own


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
    assert table.columns.tolist() == ["speech_id", "term", "start", "position", "section", "part"]
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


def test_speech_parts_tile_the_seed(corpus):
    parts = speech_parts(corpus)
    assert parts["part"].tolist() == ["preamble", "section", "section", "section", "closing"]
    # Han characters: salutation 同志們 (3) + preamble 242; sections as outline counts them.
    assert parts["size"].tolist() == [245, 515, 1077, 516, 106]
    assert parts["size"].sum() == corpus.n_chars.iloc[0] == 2459
    assert parts["start"].iloc[0] == 0 and parts["end"].iloc[-1] == 2783
    assert (parts["start"].iloc[1:].to_numpy() == parts["end"].iloc[:-1].to_numpy()).all()


# ---------------------------------------------------------------- dispersion measures


def test_toy_part_sizes():
    assert speech_parts(toy_corpus(TOY))["size"].tolist() == [10, 20, 20, 30, 20]


def test_dp_and_juilland_by_hand():
    table = dispersion_measures(toy_corpus(TOY), ["雙降", "丙", "丁", "同志們", "乙"])
    assert table.columns.tolist() == ["speech_id", "term", "freq", "n_parts", "dp", "dp_norm",
                                      "juilland_d"]
    rows = table.set_index("term")
    assert rows["freq"].tolist() == [4, 10, 1, 2, 0]
    assert set(rows["n_parts"]) == {5}
    # 雙降: f = (0, 0, 2, 2, 0), v = (0, 0, .5, .5, 0).
    # DP = ½(.1 + .2 + .3 + .2 + .2) = .5; DP_norm = .5 / (1 - .1) = .5556.
    # p = f/size = (0, 0, .1, .0667, 0): mean .03333, population sd .042164, V = 1.264911,
    # D = 1 - V/√4 = .367544.
    assert rows.loc["雙降", "dp"] == pytest.approx(0.5)
    assert rows.loc["雙降", "dp_norm"] == pytest.approx(0.5 / 0.9)
    assert rows.loc["雙降", "juilland_d"] == pytest.approx(0.367544, abs=1e-6)
    # 丙: f = (1, 2, 2, 3, 2), proportional to the sizes: DP 0, D 1.
    assert rows.loc["丙", "dp"] == pytest.approx(0.0, abs=1e-12)
    assert rows.loc["丙", "juilland_d"] == pytest.approx(1.0)
    # 丁: once, in the smallest part (the preamble): DP = 1 - .1, DP_norm 1, D 0.
    assert rows.loc["丁", ["dp", "dp_norm", "juilland_d"]].tolist() == pytest.approx([0.9, 1.0, 0.0])
    # 同志們: salutation (counted in the preamble) and closing, v = (.5, 0, 0, 0, .5):
    # DP = ½(.4 + .2 + .2 + .3 + .3) = .7.
    assert rows.loc["同志們", "dp"] == pytest.approx(0.7)
    # 乙 never occurs: undefined.
    assert rows.loc["乙", ["dp", "dp_norm", "juilland_d"]].isna().all()


def test_pooled_dp_over_two_copies_equals_the_speech_dp():
    corpus = toy_corpus(TOY, TOY)
    per_speech = dispersion_measures(corpus, "雙降")
    assert per_speech["speech_id"].tolist() == ["toy0", "toy1"]
    assert per_speech["dp"].tolist() == pytest.approx([0.5, 0.5])
    pooled = dispersion_measures(corpus, "雙降", pooled=True).iloc[0]
    assert pooled["speech_id"] == CORPUS_ID
    assert (pooled["freq"], pooled["n_parts"]) == (8, 10)
    # Ten parts with shares (.05, .1, .1, .15, .1) twice and v = (0, 0, .25, .25, 0) twice:
    # DP = ½ · 2 · (.05 + .1 + .15 + .1 + .1) = .5; min share .05, DP_norm = .5/.95.
    assert pooled["dp"] == pytest.approx(0.5)
    assert pooled["dp_norm"] == pytest.approx(0.5 / 0.95)
    # p as before, twice: the same mean and sd, V = 1.264911, D = 1 - V/3 = .578363.
    assert pooled["juilland_d"] == pytest.approx(1 - 1.264911 / 3, abs=1e-6)


def test_one_part_leaves_dispersion_undefined():
    table = dispersion_measures(toy_corpus("雙降甲甲雙降"), "雙降").iloc[0]
    assert (table["freq"], table["n_parts"]) == (2, 1)
    assert math.isnan(table["dp"]) and math.isnan(table["juilland_d"])


def test_seed_dispersion_measures(corpus, text):
    table = dispersion_measures(corpus, ["雙降", "群眾", "流動人口"]).set_index("term")
    sizes = [245, 515, 1077, 516, 106]
    shares = [size / 2459 for size in sizes]
    # Hits per part from the text itself: the parts start at 0, 292, 857, 2082, 2664.
    bounds = [0, 292, 857, 2082, 2664, 2783]
    for term, expected in [("雙降", [0, 3, 3, 1, 0]), ("群眾", [0, 9, 12, 3, 0]),
                           ("流動人口", [0, 0, 5, 0, 0])]:
        counts = [text[a:b].count(term) for a, b in zip(bounds, bounds[1:])]
        assert counts == expected
        freq = sum(counts)
        dp = 0.5 * sum(abs(f / freq - s) for f, s in zip(counts, shares))
        assert table.loc[term, "freq"] == freq
        assert table.loc[term, "dp"] == pytest.approx(dp)
    assert table["dp"].tolist() == pytest.approx([0.219137, 0.227582, 0.562017], abs=1e-6)
    assert table["dp_norm"].tolist() == pytest.approx([0.229009, 0.237835, 0.587335], abs=1e-6)
    # 流動人口 is all in section 2: DP = 1 - 1077/2459, D = 0.
    assert table.loc["流動人口", "dp"] == pytest.approx(1 - 1077 / 2459)
    assert table["juilland_d"].tolist() == pytest.approx([0.489572, 0.511595, 0.0], abs=1e-6)
