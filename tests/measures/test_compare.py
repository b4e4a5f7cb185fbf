"""Keyness with a target and a reference (quanteda's textstat_keyness): selections, the two
statistics worked out by hand, references that hold up, and the keyword network."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from analysis import keyness, keyness_by_speech, keyword_network, period_contrast, select
from analysis.measures.compare import g2_against_rate, g2_two_samples
from analysis.measures.reference import Reference, ReferenceWarning, _changed_words, gwr_counts, gwr_reference
from analysis.measures.vocabulary import collocations

from .test_vocabulary import toy_tokens

# ---------------------------------------------------------------- selecting speeches

CORPUS = pd.DataFrame({"speech_id": ["a", "b", "c", "d"], "year": [2010, 2012, 2013, 2015],
                       "genre": ["report", "speech", "speech", "report"]})


def test_select_by_id_list_mask_array_function_and_query():
    assert select(CORPUS, "b") == ["b"]
    assert select(CORPUS, ["d", "a"]) == ["a", "d"]                     # corpus order
    assert select(CORPUS, CORPUS.year >= 2013) == ["c", "d"]           # aligned with the rows
    assert select(CORPUS, pd.Series({"b": True, "c": False})) == ["b"]  # indexed by speech_id
    assert select(CORPUS, np.array([True, False, False, True])) == ["a", "d"]
    assert select(CORPUS, lambda c: c.genre == "report") == ["a", "d"]
    assert select(CORPUS, "year >= 2013 and genre == 'speech'") == ["c"]
    assert select(None, ["b"], ids=["a", "b"]) == ["b"]


@pytest.mark.parametrize("spec, message", [
    (["a", "zz"], "unknown speech id"),
    ("year > 2100", "selects no speech"),
    ("colour == 'red'", "not a query on the corpus columns"),
    (np.array([True]), "one value per speech"),
])
def test_bad_selections_say_what_is_wrong(spec, message):
    with pytest.raises(ValueError, match=message):
        select(CORPUS, spec)


def test_a_query_needs_the_corpus():
    with pytest.raises(ValueError, match="pass corpus="):
        select(None, "year >= 2013", ids=["a", "b"])


# ---------------------------------------------------------------- statistics by hand


def test_two_sample_g2_by_hand():
    # Target 100 words, 10 of them the word; reference 1,000 words, 10 of them. N = 1100;
    # expected 100·20/1100 and 1000·20/1100, for the other words 100·1080/1100 and 1000·1080/1100:
    # G² = 2(10 ln 5.5 + 10 ln 0.55 + 90 ln(90/98.18) + 990 ln(990/981.8)) = 22.90780.
    assert g2_two_samples(10, 10, 100, 1000)[0] == pytest.approx(22.907804, abs=1e-6)
    # Equal rates give 0.
    assert g2_two_samples(5, 50, 100, 1000)[0] == pytest.approx(0.0, abs=1e-12)


def test_goodness_of_fit_g2_by_hand():
    # 20 of 1,000 words where the list says 1%: expected 10.
    # G² = 2(20 ln(20/10) + 980 ln(980/990)) = 2(13.862944 - 9.949324) = 7.827239.
    assert g2_against_rate(20, 1000, 0.01)[0] == pytest.approx(7.827239, abs=1e-6)
    assert g2_against_rate(10, 1000, 0.01)[0] == pytest.approx(0.0, abs=1e-12)


def test_keyness_against_counts_worked_out_by_hand():
    target = toy_tokens(" ".join(["甲甲/n"] * 10 + ["乙乙/n"] * 4 + ["的/uj"] * 86))
    reference = pd.Series({"甲甲": 10, "丙丙": 990})
    table = keyness(target, reference=reference).set_index("token")
    row = table.loc["甲甲"]
    assert (row["count"], row["ref_count"]) == (10, 10)
    assert row["g2"] == pytest.approx(22.907804, abs=1e-6)
    assert row["log_ratio"] == pytest.approx(math.log2(10))   # 10% against 1%
    assert row["p"] == pytest.approx(1.6996e-06, rel=1e-4)   # chi² 1 df tail
    assert row["per_10k"] == 1000.0 and row["ref_per_10k"] == 100.0
    # 乙乙 is absent from the reference: reported apart, not ranked.
    assert table.index.tolist() == ["甲甲"]
    apart = keyness(target, reference=reference, absent="only").set_index("token")
    assert apart.index.tolist() == ["乙乙"] and not apart.loc["乙乙", "in_reference"]
    # Included on request, with b = 0: G² = 2(4 ln 11 + 96 ln(96·1100/109600) + 1000 ln(1100/1096))
    # = 19.33078, and Log Ratio takes the zero as 0.5: log2(0.04 / 0.0005).
    row = keyness(target, reference=reference, absent="include").set_index("token").loc["乙乙"]
    assert row["g2"] == pytest.approx(19.330776, abs=1e-6)
    assert row["log_ratio"] == pytest.approx(math.log2(0.04 / 0.0005))


def test_negative_keywords_are_signed_and_only_shown_on_request():
    target = toy_tokens(" ".join(["甲甲/n"] * 2 + ["乙乙/n"] * 98))
    reference = pd.Series({"甲甲": 100, "乙乙": 900})
    assert keyness(target, reference=reference)["token"].tolist() == ["乙乙"]
    both = keyness(target, reference=reference, positive_only=False).set_index("token")
    assert both.loc["甲甲", "g2"] < 0 and both.loc["甲甲", "log_ratio"] == pytest.approx(math.log2(0.2))
    assert both.loc["乙乙", "g2"] > 0


# ---------------------------------------------------------------- target and reference


@pytest.fixture(scope="module")
def four_speeches():
    """Four speeches: 甲甲 is frequent from 2013 on, 乙乙 before; 的 pads them."""
    tokens = pd.concat([
        toy_tokens("甲甲/n 乙乙/n 乙乙/n 乙乙/n 的/uj 的/uj", "a"),   # 2010: 6 words
        toy_tokens("乙乙/n 乙乙/n 甲甲/n 的/uj", "b"),              # 2012: 4 words
        toy_tokens("甲甲/n 甲甲/n 甲甲/n 乙乙/n 的/uj", "c"),        # 2013: 5 words
        toy_tokens("甲甲/n 甲甲/n 甲甲/n 甲甲/n 的/uj ，", "d"),     # 2015: 5 words
    ], ignore_index=True)
    return tokens


def test_a_period_against_the_rest_of_the_corpus(four_speeches):
    table = keyness(four_speeches, target="year >= 2013", reference="rest", corpus=CORPUS)
    assert table.attrs["target"] == "target 'year >= 2013': 2 speeches, 10 words"
    assert table.attrs["reference"] == "reference: the rest of the corpus: 2 speeches, 10 words"
    row = table.set_index("token").loc["甲甲"]
    # 7 of 10 against 2 of 10.
    assert (row["count"], row["ref_count"]) == (7, 2)
    assert row["g2"] == pytest.approx(g2_two_samples(7, 2, 10, 10)[0])
    assert row["log_ratio"] == pytest.approx(math.log2(7 / 2))
    assert table.index.size == 1   # 乙乙 is rarer after 2013: not listed with positive_only


def test_target_and_reference_as_two_selections_and_their_overlap(four_speeches):
    table = keyness(four_speeches, target=["d"], reference=["a"], corpus=CORPUS)
    assert table.set_index("token").loc["甲甲", ["count", "ref_count"]].tolist() == [4, 1]
    with pytest.raises(ValueError, match="share 1 speech"):
        keyness(four_speeches, target=["a", "b"], reference=["b", "c"], corpus=CORPUS)
    with pytest.raises(ValueError, match="give a reference"):
        keyness(four_speeches, target=["a", "b", "c", "d"], reference="rest", corpus=CORPUS)


def test_period_contrast_puts_both_sides_in_one_frame(four_speeches):
    later = keyness(four_speeches, target="year >= 2013", reference="rest", corpus=CORPUS)
    earlier = keyness(four_speeches, target="year < 2013", reference="rest", corpus=CORPUS)
    both = period_contrast(later, earlier, 2013)
    assert both[["period", "token"]].values.tolist() == [["≥ 2013", "甲甲"], ["< 2013", "乙乙"]]


def test_period_contrast_keeps_the_significant_keywords_and_says_so():
    # 振興 with G² 0.00002 (p 0.997) is not a keyword of either period: left out by default.
    from analysis.measures.compare import chi2_p

    later = pd.DataFrame({"token": ["甲甲", "振興"], "g2": [12.0, 0.00002]})
    earlier = pd.DataFrame({"token": ["乙乙", "丙丙"], "g2": [3.9, 3.8]})
    for table in (later, earlier):
        table["p"] = chi2_p(table["g2"])
    both = period_contrast(later, earlier, 2013)
    assert both[["period", "token"]].values.tolist() == [["≥ 2013", "甲甲"], ["< 2013", "乙乙"]]
    assert both.attrs["threshold"] == "p < 0.05 (G² ≥ 3.84), not corrected for multiple tests"
    assert both.attrs["left_out"] == 2
    assert period_contrast(later, earlier, 2013, max_p=0.01)["token"].tolist() == ["甲甲"]
    everything = period_contrast(later, earlier, 2013, max_p=None)
    assert everything["token"].tolist() == ["甲甲", "振興", "乙乙", "丙丙"]
    assert everything.attrs["left_out"] == 0 and "significant or not" in everything.attrs["threshold"]


# ---------------------------------------------------------------- references


def test_the_seed_against_general_chinese(tokens):
    import wordfreq

    freqs = wordfreq.get_frequency_dict("zh", wordlist="large")
    table = keyness(tokens)
    assert table.attrs["reference"].startswith("general Chinese: wordfreq")
    row = table.set_index("token").loc["工作"]
    q, a, c = freqs["工作"], 32, 1185
    assert row["count"] == a and row["ref_per_10k"] == pytest.approx(q * 10_000)
    assert row["g2"] == pytest.approx(2 * (a * math.log(a / (c * q)) + (c - a) * math.log((c - a) / (c * (1 - q)))))
    assert row["log_ratio"] == pytest.approx(math.log2((a / c) / q))
    assert pd.isna(row["ref_count"])   # a frequency list has no counts
    # t2s keeps 著, Simplified texts write 着力: the word is looked up under both forms.
    assert table.set_index("token").loc["著力", "ref_per_10k"] == pytest.approx(freqs["着力"] * 10_000)
    assert (table["in_reference"] & ~table["cut_differs"]).all()
    # Ranked by LRC (then G²); terms seen fewer than 5 times have none and come last.
    ranked = table["lrc"].dropna()
    assert ranked.is_monotonic_decreasing and table["lrc"].iloc[: len(ranked)].notna().all()
    assert table.loc[table["count"] < 5, "lrc"].isna().all() and table.loc[table["count"] >= 5, "lrc"].notna().all()


def test_the_general_reference_is_read_back_from_the_cache_without_wordfreq(tmp_path):
    """The cached list and character map are wordfreq's own; a second process reads them
    back without importing wordfreq (a second's import in every notebook that ranks keywords)."""
    import subprocess
    import sys

    import wordfreq
    from wordfreq.chinese import simplify_chinese

    code = ("import sys; from analysis.measures.reference import general_reference as g; r = g(); "
            "print('wordfreq' in sys.modules, len(r.table), r.key('計劃生育協會'), r.lookup('著力'))")
    env = {"SPEECHES_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    first, second = (subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                    env=env, check=True).stdout.split() for _ in range(2))
    freqs = wordfreq.get_frequency_dict("zh", wordlist="large")
    assert first[0] == "True" and second[0] == "False"
    assert first[1:] == second[1:] == [str(len(freqs)), simplify_chinese("計劃生育協會"), str(freqs["着力"])]


def test_terms_general_chinese_lacks_are_reported_apart(tokens):
    apart = keyness(tokens, absent="only").set_index("token")
    # The association's names and the local target never top the ranking: they are apart.
    assert {"計生協會", "雙降", "人口計生"} <= set(apart.index)
    assert apart.loc["計生協會", "count"] == 35 and not apart.loc["計生協會", "in_reference"]
    assert apart.loc["計生協會", "variants"] == "計生協會 17 · 計生協 14 · 計劃生育協會 4"
    assert not {"計生協會", "雙降"} & set(keyness(tokens).token)


def test_the_seed_against_the_reports_of_its_period(tokens):
    table = keyness(tokens, reference="gwr:2008-2016")
    counts, years, _ = gwr_counts()
    period = counts[counts.year.between(2008, 2016)]
    size = int(years[years.year.between(2008, 2016)].n_words.sum())
    assert table.attrs["reference"] == (f"government work reports 2008–2016 (9 reports, {size:,} words; "
                                        "project pipeline)")
    row = table.set_index("term").loc["工作"]
    assert row["ref_count"] == period.loc[period.word == "工作", "count"].sum()
    assert row["g2"] == pytest.approx(g2_two_samples(32, row["ref_count"], 1185, size)[0])
    apart = keyness(tokens, reference="gwr:2008-2016", absent="only")
    assert {"雙降", "計生協會"} <= set(apart.token)   # the reports never use them


def test_a_named_reference_for_years_without_reports():
    with pytest.raises(ValueError, match="no government work report in 1970–1974"):
        gwr_reference((1970, 1974))


def test_cut_differences_are_flagged_in_the_direction_that_inflates_a_count():
    ref = Reference(name="t", description="t", counts=pd.Series({"计划生育": 5, "协会": 5, "人口": 3}), size=100,
                    merged_here=frozenset({"计划生育协会"}), merged_there=frozenset({"人口计生"}))
    # Merged here only: the merged word (and anything containing it) has no counterpart there.
    assert ref.cut_differs("计划生育协会") and ref.cut_differs("市计划生育协会")
    # Its parts are only undercounted here: a conservative bias, not flagged.
    assert not ref.cut_differs("协会")
    # Merged there only: our parts of it are inflated against the reference.
    assert ref.cut_differs("人口") and not ref.cut_differs("人口计生")


def test_a_changed_dictionary_warns_and_names_the_words(monkeypatch):
    _, _, record = gwr_counts()
    stale = dict(record, dictionary_words=sorted(set(record["dictionary_words"]) - {"雙降", "双降"} | {"旧词"}))
    with pytest.warns(ReferenceWarning, match="make reference"):
        added, removed = _changed_words(stale)
    assert "双降" in added and removed == frozenset({"旧词"})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _changed_words(record) == (frozenset(), frozenset())   # as built: silent


# ---------------------------------------------------------------- network and per speech


def test_keyword_network_links_only_top_keywords(tokens):
    edges = keyword_network(tokens, n=10)
    top = set(keyness(tokens, sort="g2").head(10).token)
    assert set(edges.source) | set(edges.target) <= top
    pairs = collocations(tokens).set_index(["node", "collocate"])
    for source, target, weight in edges[["source", "target", "weight"]].itertuples(index=False):
        assert pairs.loc[(source, target), "f_xy"] == weight
    assert edges.weight.is_monotonic_decreasing


def test_keyness_by_speech_ranks_each_speech_on_its_own(tokens):
    two = pd.concat([tokens, tokens.assign(speech_id="copy")], ignore_index=True)
    by_speech = keyness_by_speech(two, n=5)
    assert by_speech.speech_id.tolist() == ["000_8ebf5a98b5b66884"] * 5 + ["copy"] * 5
    alone = keyness(tokens).head(5)
    for _, rows in by_speech.groupby("speech_id"):
        assert rows.token.tolist() == alone.token.tolist()
        assert rows.g2.round(6).tolist() == alone.g2.round(6).tolist()


# ---------------------------------------------------------------- LRC: the conservative Log Ratio


def test_clopper_pearson_at_its_closed_forms():
    from analysis.measures.compare import clopper_pearson

    # All of n: the lower bound is (α/2)^(1/n); none of n: the upper bound is 1 − (α/2)^(1/n).
    low, high = clopper_pearson([10, 0, 4], [10, 10, 4])
    assert low[0] == pytest.approx(0.025 ** (1 / 10), rel=1e-10) and high[0] == 1.0
    assert low[1] == 0.0 and high[1] == pytest.approx(1 - 0.025 ** (1 / 10), rel=1e-10)
    assert low[2] == pytest.approx(0.025 ** (1 / 4), rel=1e-10)


def test_beta_quantiles_match_scipy_where_it_is_installed():
    special = pytest.importorskip("scipy.special", reason="scipy is not a dependency; checked when present")
    from analysis.measures.compare import beta_cdf, beta_ppf

    a = np.array([1, 2, 9, 40, 3_000, 90_000, 5], dtype=float)
    b = np.array([1, 700, 2, 40, 200_000, 1_000, 5], dtype=float)
    for q in (1e-6, 0.025, 0.5, 0.975, 1 - 1e-6):
        assert beta_ppf(np.full(len(a), q), a, b) == pytest.approx(special.betaincinv(a, b, q), rel=1e-8)
    x = np.array([0.3, 0.001, 0.8, 0.5, 0.015, 0.99, 0.5])
    assert beta_cdf(x, a, b) == pytest.approx(special.betainc(a, b, x), rel=1e-9, abs=1e-15)


def test_lrc_by_hand():
    from analysis.measures.compare import lrc_against_rate, lrc_two_samples

    # 10 in 1,000 words against 0 in 1,000: given 10 hits, τ ≥ 0.025^(1/10), and the ratio is
    # τ/(1−τ) · 1000/1000; Bonferroni over 4 terms makes it 0.00625^(1/10).
    tau = 0.025 ** (1 / 10)
    assert lrc_two_samples(10, 0, 1000, 1000)[0] == pytest.approx(math.log2(tau / (1 - tau)))
    tau4 = 0.00625 ** (1 / 10)
    assert lrc_two_samples(10, 0, 1000, 1000, family=4)[0] == pytest.approx(math.log2(tau4 / (1 - tau4)))
    # Mirrored: rarer in the target gives the upper bound, negative; equal rates give 0.
    assert lrc_two_samples(0, 10, 1000, 1000)[0] == pytest.approx(-math.log2(tau / (1 - tau)))
    assert lrc_two_samples(50, 50, 1000, 1000)[0] == 0.0
    # Against a known rate: 10 of 10 against 0.5 is at least 0.025^(1/10) / 0.5.
    assert lrc_against_rate(10, 10, 0.5)[0] == pytest.approx(math.log2(tau / 0.5))
    assert lrc_against_rate(5, 10, 0.5)[0] == 0.0


def test_keyness_lrc_and_its_ranking_worked_out_by_hand():
    # 甲甲 10 and 乙乙 4 of 100 target words; neither in a reference of 1,000 words: with both
    # terms tested (Bonferroni family 2), 甲甲's τ ≥ 0.0125^(1/10) and 乙乙's ≥ 0.0125^(1/4).
    target = toy_tokens(" ".join(["甲甲/n"] * 10 + ["乙乙/n"] * 4 + ["的/uj"] * 86))
    table = keyness(target, reference=pd.Series({"丙丙": 1000}), absent="include").set_index("token")
    for token, a in (("甲甲", 10), ("乙乙", 4)):
        tau = 0.0125 ** (1 / a)
        assert table.loc[token, "lrc"] == pytest.approx(math.log2(tau / (1 - tau) * 1000 / 100))
    assert table.index.tolist() == ["甲甲", "乙乙"]   # by LRC
    by_g2 = keyness(target, reference=pd.Series({"丙丙": 1000}), absent="include", sort="g2")
    assert by_g2["g2"].is_monotonic_decreasing
    with pytest.raises(ValueError, match="sort must be one of"):
        keyness(target, reference=pd.Series({"丙丙": 1000}), sort="count")


def test_the_seed_top_keywords_are_no_longer_words_seen_twice(tokens):
    table = keyness(tokens, absent="include")
    # Sorted by the bare Log Ratio, the top four terms the list attests are phrases seen twice
    # (the finding) …
    by_ratio = table[table.in_reference].sort_values("log_ratio", ascending=False, kind="stable").head(4)
    assert by_ratio["token"].tolist() == ["少生", "聯系群眾", "群眾團體", "新形勢下"]
    assert by_ratio["count"].tolist() == [2, 2, 2, 2]
    # … phrases wordfreq's own tokenizer cuts (少|生, 联系|群众, 群众|团体, 新|形势|下): its list
    # has no rate of the whole for them, so they are flagged and set apart, as is 流動人口.
    row = table.set_index("token").loc[[*by_ratio["token"], "流動人口"]]
    assert row["cut_differs"].all() and row["in_reference"].all()
    ranked = keyness(tokens)
    assert not set(row.index) & set(ranked.token)
    assert {"少生", "聯系群眾", "流動人口"} <= set(keyness(tokens, absent="only").token)
    # By LRC against the frequency list every ranked keyword is seen at least 5 times: the
    # register of official text leads.
    assert ranked.dropna(subset=["lrc"])["count"].min() >= 5
    assert ranked["token"].head(5).tolist() == ["著力", "做好", "全市", "開展", "切實"]


# ---------------------------------------------------------------- words the reference holds only inside others


def test_a_word_the_reference_holds_only_inside_compounds_is_compared_inside_words():
    # Target (our words): 宣傳 alone 3 times and inside 宣傳教育 once; 協會 twice; 甲甲 5 times.
    # Reference: no 宣传 and no 协会 as words, but 宣传教育 4 times and 行业协会 2 times; 乙乙 never.
    target = toy_tokens("宣傳/vn 宣傳/vn 宣傳/vn 宣傳教育/l 協會/n 協會/n 乙乙/n 乙乙/n " + " ".join(["甲甲/n"] * 5))
    reference = pd.Series({"宣传教育": 4, "行业协会": 2, "甲甲": 10, "丙丙": 984})
    table = keyness(target, reference=reference, absent="include").set_index("token")
    row = table.loc["宣傳"]
    assert (row["count"], row["ref_count"]) == (3, 0)
    assert bool(row["in_reference"]) and bool(row["cut_differs"]) and row["basis"] == "within"
    assert (row["within"], row["ref_within"]) == (4, 4)
    # Statistics on the occurrences inside words: 4 of 13 target words against 4 of 1,000.
    assert row["g2"] == pytest.approx(g2_two_samples(4, 4, 13, 1000)[0])
    assert row["log_ratio"] == pytest.approx(math.log2((4 / 13) / (4 / 1000)))
    assert row["ref_within_per_10k"] == pytest.approx(40.0)
    assert table.loc["協會", ["within", "ref_within", "basis"]].tolist() == [2, 2, "within"]
    # A term the reference lacks altogether stays apart, not ranked.
    assert not table.loc["乙乙", "in_reference"] and table.loc["乙乙", "basis"] == "word"
    assert "乙乙" not in set(keyness(target, reference=reference).token)
    # A term both sides have as words is compared as words; its within counts are not computed.
    assert table.loc["甲甲", "basis"] == "word" and pd.isna(table.loc["甲甲", "within"])


def test_the_seed_against_its_period_names_no_word_absent_that_the_reports_hold_inside_words(tokens):
    table = keyness(tokens, reference="gwr:2008-2016").set_index("token")
    counts, _, _ = gwr_counts()
    period = counts[counts.year.between(2008, 2016)]
    for token, simplified in (("宣傳", "宣传"), ("協會", "协会")):
        row = table.loc[token]
        assert row["ref_count"] == 0 and row["basis"] == "within" and bool(row["cut_differs"])
        held = period[period.word.str.contains(simplified)]
        assert row["ref_within"] == int((held["count"] * held["word"].str.count(simplified)).sum())
    assert table.loc["宣傳", ["within", "ref_within"]].tolist() == [10, 4]   # 宣传教育 2, 法制宣传 2
    assert table.loc["協會", ["within", "ref_within"]].tolist() == [27, 4]   # 行业协会 4
    apart = set(keyness(tokens, reference="gwr:2008-2016", absent="only").token)
    assert not {"宣傳", "協會"} & apart and {"雙降", "計生協會", "全市"} <= apart


def test_keyness_by_reference_puts_two_references_side_by_side(tokens):
    from analysis import keyness_by_reference

    both = keyness_by_reference(tokens, {"general": "general", "reports": "gwr:2008-2016"}, n=3)
    assert both["reference"].tolist() == ["general"] * 3 + ["reports"] * 3
    alone = keyness(tokens, reference="gwr:2008-2016")
    assert both[both.reference == "reports"]["token"].tolist() == alone.token.head(3).tolist()
    assert both.attrs["references"]["reports"].startswith("government work reports 2008–2016")


def test_the_same_genre_reference():
    from analysis import same_genre_reference

    two = pd.DataFrame({"speech_id": ["a", "b"], "year": [2012, 2014]})
    assert same_genre_reference(two, margin=2) == "gwr:2010-2016"
    assert same_genre_reference(pd.DataFrame({"speech_id": ["a"], "year": [pd.NA]})) == "gwr"
    assert same_genre_reference(pd.DataFrame({"speech_id": ["gwr_2012"], "year": [2012]})) is None


def test_phrases_the_reference_segmenter_cuts_are_set_apart():
    # A reference whose segmenter cuts 甲乙 (its list still gives the whole a rate): the phrase is
    # flagged and set apart; 丙丙, which it keeps whole, is ranked.
    target = toy_tokens(" ".join(["甲乙/n"] * 6 + ["丙丙/n"] * 6 + ["的/uj"] * 88))
    reference = Reference(name="t", description="t", counts=pd.Series({"甲乙": 1, "丙丙": 10, "丁丁": 989}),
                          size=1000, splits=lambda words: frozenset(w for w in words if w == "甲乙"))
    table = keyness(target, reference=reference, absent="include").set_index("token")
    assert bool(table.loc["甲乙", "cut_differs"]) and table.loc["甲乙", "basis"] == "word"
    assert not table.loc["丙丙", "cut_differs"]
    assert keyness(target, reference=reference).token.tolist() == ["丙丙"]
    assert keyness(target, reference=reference, absent="only").token.tolist() == ["甲乙"]


def test_keyness_from_counts_equals_keyness_from_tokens(tokens):
    from analysis.measures.vocabulary import collapse

    counted = collapse(tokens)
    assert counted["n"].sum() == len(tokens) and len(counted) < len(tokens)
    for kwargs in ({}, {"reference": "gwr"}, {"absent": "only"}):
        pd.testing.assert_frame_equal(keyness(counted, **kwargs), keyness(tokens, **kwargs))
    two = pd.concat([tokens, tokens.assign(speech_id="copy")], ignore_index=True)
    two["speech_id"] = two["speech_id"].astype("category")
    pd.testing.assert_frame_equal(keyness(collapse(two), target=["copy"], reference="rest", corpus=None),
                                  keyness(two, target=["copy"], reference="rest", corpus=None))


def test_keyness_with_a_target_and_no_reference_warns_at_the_callers_line(tmp_path):
    """The old meaning of reference=None with a target is kept for a release with a
    SpellingDeprecationWarning, attributed to the caller's own line (so Python shows it by
    default), with the memo in between or not (it used to show nothing but on a replay)."""
    import subprocess
    import sys

    folder = tmp_path / "c"
    folder.mkdir()
    for n, year in enumerate((2001, 2002, 2003, 2004)):
        (folder / f"s{n}.txt").write_text(f"各地要抓好计划生育工作。\n{year}年我们加强领导。\n", encoding="utf-8")
    (folder / "metadata.csv").write_text("speech_id,year\ns0,2001\ns1,2002\ns2,2003\ns3,2004\n", encoding="utf-8")
    script = tmp_path / "use.py"
    script.write_text("import sys, analysis\n"
                      "t = analysis.corpus_tokens(analysis.load_corpus(sys.argv[1]))\n"
                      "analysis.keyness(t, target='year >= 2003')\n", encoding="utf-8")
    for memo in ("0", "1", "1"):   # without the memo; computed under it; read back from it
        run = subprocess.run([sys.executable, str(script), str(folder)], capture_output=True, text=True,
                             env={**__import__("os").environ, "SPEECHES_MEMO": memo,
                                  "SPEECHES_CACHE_DIR": str(tmp_path / f"cache{memo}")})
        assert run.returncode == 0, run.stderr
        assert f"{script}:3: SpellingDeprecationWarning: keyness(): reference=None with a target" in run.stderr, \
            (memo, run.stderr)
