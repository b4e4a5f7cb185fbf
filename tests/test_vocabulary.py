"""Word lists, n-grams, keyness and collocations: exact values on the seed (checked against
str.count on the text and jieba's dict.txt) and on hand-built token frames whose statistics
are worked out by hand in the comments."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis import to_simplified
from analysis.vocabulary import (
    CONTENT_POS,
    collocations,
    content_words,
    frequencies,
    keyness,
    ngrams,
    reference_frequencies,
)

# ---------------------------------------------------------------- fixtures and helpers


@pytest.fixture(scope="module")
def seed_keyness(tokens):
    return keyness(tokens)


def toy_tokens(spec: str, speech_id: str = "toy") -> pd.DataFrame:
    """A token frame from ``"甲甲/n 的/uj ， 乙乙/v | 丙丙/n"``: ``word/tag`` tokens, ``，``
    ``；`` punctuation, ``|`` a line break (a one-character gap in the offsets), ``的`` and
    ``在`` stopwords."""
    rows, pos = [], 0
    for item in spec.split():
        if item == "|":
            pos += 1
            continue
        word, _, tag = item.partition("/")
        punct = word in "，；、。"
        rows.append(dict(speech_id=speech_id, token=word, simplified=to_simplified(word),
                         start=pos, end=pos + len(word), pos=tag or "x",
                         is_stop=word in ("的", "在"), is_punct=punct))
        pos += len(word)
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- content words


def test_content_pos_keeps_nouns_verbs_adjectives_and_leaves_function_tags_out():
    assert {"n", "nt", "nz", "j", "l", "i", "vn", "v", "a", "an"} <= CONTENT_POS
    assert not {"m", "q", "r", "p", "c", "u", "uj", "d", "f", "t", "x", "eng"} & CONTENT_POS


def test_content_words_on_a_sentence(tokens, text):
    heading = "一是要著力在實現“雙降”目標上有新作為。"
    start = text.index(heading)
    clause = tokens[(tokens.start >= start) & (tokens.end <= start + len(heading))]
    assert clause.token.tolist() == ["一", "是", "要", "著力", "在", "實現", "“", "雙降", "”", "目標",
                                     "上", "有", "新", "作為", "。"]
    # 一 (m), 是 要 在 作為 stopwords, “ ” 。 punctuation, 上 (f), 有 and 新 one character.
    assert content_words(clause).token.tolist() == ["著力", "實現", "雙降", "目標"]


def test_content_words_keep_user_dictionary_words_whatever_their_tag(tokens):
    kept = content_words(tokens)
    # 五有 and 三進 carry the numeral tag m in the user dictionary.
    assert {"五有", "三進", "雙建雙匯"} <= set(kept.token)
    assert set(kept.loc[kept.token == "五有", "pos"]) == {"m"}
    assert not kept.is_punct.any() and not kept.is_stop.any()
    assert (kept.token.str.len() >= 2).all()
    # The index is kept: rows align with the token frame.
    assert kept.index.isin(tokens.index).all()


# ---------------------------------------------------------------- frequencies


def test_seed_frequency_list(tokens, text):
    table = frequencies(tokens)
    assert table.columns.tolist() == ["rank", "token", "simplified", "pos", "count", "per_10k"]
    top = table.head(5)[["rank", "token", "count"]].values.tolist()
    assert top == [[1, "工作", 32], [2, "計生協會", 17], [3, "群眾", 15], [4, "開展", 14],
                   [4, "服務", 14]]   # a tie shares the rank; code point breaks it
    n_words = int((~tokens.is_punct).sum())
    assert n_words == 1191
    row = table.set_index("simplified").loc["双降"]
    assert row["count"] == text.count("雙降") == 7
    assert row["per_10k"] == pytest.approx(7 / 1191 * 10_000)   # 58.77
    assert row["token"] == "雙降" and row["pos"] == "j"
    assert table["count"].is_monotonic_decreasing


def test_frequencies_all_words_include_function_words(tokens):
    table = frequencies(tokens, words="all").set_index("simplified")
    assert table.loc["的", "count"] == (tokens.simplified == "的").sum() > 0
    assert table["count"].sum() == 1191
    with pytest.raises(ValueError):
        frequencies(tokens, words="nouns")


def test_mixed_scripts_count_one_word_once_under_its_commonest_form(tokens):
    # The seed twice in Traditional and once in Simplified: one word list, 3 × the counts,
    # shown in the form seen more often.
    simplified = tokens.assign(speech_id="simplified", token=tokens["simplified"])
    mixed = pd.concat([tokens, tokens.assign(speech_id="copy"), simplified], ignore_index=True)
    table = frequencies(mixed).set_index("simplified")
    assert table.loc["双降", ["token", "count"]].tolist() == ["雙降", 21]
    assert table.loc["计生协会", ["token", "count"]].tolist() == ["計生協會", 51]
    assert table.loc["双降", "per_10k"] == pytest.approx(21 / (3 * 1191) * 10_000)
    # A tie between the two forms goes to the lower code point (双 U+53CC before 雙 U+96D9).
    tie = frequencies(pd.concat([tokens, simplified], ignore_index=True)).set_index("simplified")
    assert tie.loc["双降", ["token", "count"]].tolist() == ["双降", 14]


def test_frequencies_by_speech_long_format():
    tokens = pd.concat([toy_tokens("甲甲/n 乙乙/n 甲甲/n 的/uj", "a"), toy_tokens("乙乙/n 丙丙/n", "b")],
                       ignore_index=True)
    table = frequencies(tokens, by="speech_id")
    assert table.columns.tolist() == ["speech_id", "rank", "token", "simplified", "pos", "count",
                                      "per_10k", "corpus_count"]
    shown = table[["speech_id", "rank", "token", "count", "per_10k", "corpus_count"]]
    assert shown.values.tolist() == [
        # speech a has 4 word tokens (的 counts towards the size), b has 2
        ["a", 1, "甲甲", 2, 5000.0, 2],
        ["a", 2, "乙乙", 1, 2500.0, 2],
        ["b", 1, "丙丙", 1, 5000.0, 1],
        ["b", 1, "乙乙", 1, 5000.0, 2],
    ]


# ---------------------------------------------------------------- n-grams

TOY_NGRAMS = "甲甲/n 乙乙/n 丙丙/n ， 甲甲/n 乙乙/n | 丙丙/n 丁丁/n 的/uj 戊戊/n"


def test_content_bigrams_stop_at_punctuation_paragraphs_and_function_words():
    table = ngrams(toy_tokens(TOY_NGRAMS))
    assert table[["ngram", "count"]].values.tolist() == [
        ["甲甲 乙乙", 2], ["丙丙 丁丁", 1], ["乙乙 丙丙", 1]]
    # not 丙丙 甲甲 (comma), not a second 乙乙 丙丙 (line break), not 丁丁 戊戊 (的)


def test_all_word_trigrams_and_min_count():
    table = ngrams(toy_tokens(TOY_NGRAMS), n=3, words="all")
    assert table["ngram"].tolist() == ["丁丁 的 戊戊", "丙丙 丁丁 的", "甲甲 乙乙 丙丙"]
    assert ngrams(toy_tokens(TOY_NGRAMS), min_count=2)["ngram"].tolist() == ["甲甲 乙乙"]
    assert ngrams(toy_tokens(TOY_NGRAMS), n=6).empty


def test_seed_bigrams(tokens, text):
    table = ngrams(tokens)
    assert table.head(2)[["ngram", "simplified", "count"]].values.tolist() == [
        ["計生協會 工作", "计生协会 工作", 7], ["人口計生 工作", "人口计生 工作", 6]]
    assert text.count("計生協會工作") == 7 and text.count("人口計生工作") == 6
    unigrams = ngrams(tokens, n=1).set_index("simplified")["count"]
    assert unigrams.equals(frequencies(tokens).set_index("simplified")["count"]
                           .reindex(unigrams.index))


# ---------------------------------------------------------------- keyness


def test_g2_and_log_ratio_by_hand():
    # Target: 100 word tokens, 10 of them 甲甲. Reference: 1,000 words, 10 of them 甲甲.
    # N = 1100; expected a = 100·20/1100, b = 1000·20/1100, and for the other words
    # 100·1080/1100 and 1000·1080/1100:
    # G² = 2(10 ln 5.5 + 10 ln 0.55 + 90 ln(90/98.18) + 990 ln(990/981.8)) = 22.90780.
    # (Rayson's two-term form, 2(10 ln 5.5 + 10 ln 0.55) = 22.13822, is not what we use.)
    target = toy_tokens(" ".join(["甲甲/n"] * 10 + ["乙乙/n"] * 4 + ["的/uj"] * 86))
    reference = pd.Series({"甲甲": 10, "丙丙": 990})
    table = keyness(target, reference=reference).set_index("token")
    row = table.loc["甲甲"]
    assert (row["count"], row["ref_count"]) == (10, 10)
    assert row["g2"] == pytest.approx(22.907804, abs=1e-6)
    assert row["log_ratio"] == pytest.approx(math.log2(10))   # 10% against 1%
    assert row["p"] == pytest.approx(1.6996e-06, rel=1e-4)   # chi² 1 df tail
    # 乙乙 is absent from the reference: b = 0, so G² = 2(4 ln 11 + 96 ln(96·1100/109600)
    # + 1000 ln(1100/1096)) = 19.33078 and Log Ratio uses 0.5: log2(0.04 / 0.0005) = 6.3219.
    row = table.loc["乙乙"]
    assert row["ref_count"] == 0
    assert row["g2"] == pytest.approx(19.330776, abs=1e-6)
    assert row["log_ratio"] == pytest.approx(math.log2(0.04 / 0.0005))
    assert table.index.tolist() == ["甲甲", "乙乙"]


def test_negative_keywords_are_signed_and_only_shown_on_request():
    # 甲甲: 2 of 100 words against 100 of 1,000 in the reference: underused.
    target = toy_tokens(" ".join(["甲甲/n"] * 2 + ["乙乙/n"] * 98))
    reference = pd.Series({"甲甲": 100, "乙乙": 900})
    assert keyness(target, reference=reference)["token"].tolist() == ["乙乙"]
    both = keyness(target, reference=reference, positive_only=False).set_index("token")
    assert both.loc["甲甲", "g2"] < 0 and both.loc["甲甲", "log_ratio"] == pytest.approx(math.log2(0.2))
    assert both.loc["乙乙", "g2"] > 0


def test_reference_is_jiebas_dictionary_on_simplified_words():
    counts = reference_frequencies()
    assert int(counts.sum()) == 60_101_967   # awk '{s+=$2}' jieba/dict.txt
    assert counts["工作"] == 66367 and counts["群众"] == 17849   # the dict.txt lines
    assert "双降" not in counts.index and "计生协会" not in counts.index


def test_seed_keywords_rank_domain_terms_first(seed_keyness):
    table = seed_keyness
    assert table.columns.tolist() == ["token", "simplified", "count", "ref_count", "g2",
                                      "log_ratio", "p"]
    top10 = table.head(10)["token"].tolist()
    assert top10 == ["計生協會", "計生協", "人口計生", "雙降", "工作", "著力", "開展", "流動人口",
                     "群眾工作", "計劃生育"]
    assert top10.index("雙降") < top10.index("工作")
    row = table.set_index("token").loc["雙降"]
    assert (row["count"], row["ref_count"]) == (7, 0)
    # 7 of 1,191 words against 0 of 60,101,967: the four-term G² worked out separately.
    assert row["g2"] == pytest.approx(151.647563, abs=1e-5)
    assert row["log_ratio"] == pytest.approx(math.log2((7 / 1191) / (0.5 / 60_101_967)))
    assert row["p"] < 1e-30
    assert (table["g2"] > 0).all() and table["g2"].is_monotonic_decreasing
    assert (table["count"] >= 2).all()


def test_seed_keyness_looks_up_zhuoli_under_its_taiwan_simplified_form(seed_keyness):
    # t2s leaves 著 alone; dict.txt has 着力 449 n.
    row = seed_keyness.set_index("token").loc["著力"]
    assert row["simplified"] == "著力" and row["ref_count"] == 449
    assert seed_keyness.set_index("token").loc["工作", "ref_count"] == 66367


def test_keyness_against_another_token_frame():
    target = toy_tokens("甲甲/n 甲甲/n 乙乙/n 的/uj")
    reference = toy_tokens("甲甲/n 乙乙/n 乙乙/n 乙乙/n 的/uj ，")   # 5 word tokens
    row = keyness(target, reference=reference).set_index("token").loc["甲甲"]
    assert (row["count"], row["ref_count"]) == (2, 1)
    assert row["log_ratio"] == pytest.approx(math.log2((2 / 4) / (1 / 5)))


# ---------------------------------------------------------------- collocations

TOY_COLLOCATIONS = "甲甲/n 乙乙/n 的/uj 丙丙/n ； | 甲甲/n 乙乙/n 丁丁/n"


def test_collocates_by_hand():
    # Paragraph 1: 甲甲–乙乙 1 apart, 甲甲–丙丙 3 apart (的 counts, ； does not).
    # Paragraph 2: 甲甲–乙乙, 甲甲–丁丁. 丙丙 ends paragraph 1 and 甲甲 opens paragraph 2:
    # not a pair. f: 甲甲 2, 乙乙 2, 丙丙 1, 丁丁 1; N = 7 word tokens.
    table = collocations(toy_tokens(TOY_COLLOCATIONS), node="甲甲", min_count=1)
    assert table.columns.tolist() == ["node", "collocate", "f_xy", "f_node", "f_collocate",
                                      "logdice", "pmi"]
    assert table[["collocate", "f_xy", "f_node", "f_collocate"]].values.tolist() == [
        ["乙乙", 2, 2, 2], ["丁丁", 1, 2, 1], ["丙丙", 1, 2, 1]]
    # logDice 14 + log2(2·2/(2+2)) = 14 and 14 + log2(2/3); PMI log2(2·7/4) = log2(1·7/2).
    assert table["logdice"].tolist() == pytest.approx([14.0, 13.415037, 13.415037], abs=1e-6)
    assert table["pmi"].tolist() == pytest.approx([math.log2(3.5)] * 3)
    assert collocations(toy_tokens(TOY_COLLOCATIONS), node="甲甲", window=1, min_count=1)[
        "collocate"].tolist() == ["乙乙"]


def test_all_pairs_list_each_pair_once_with_the_more_frequent_word_as_node():
    table = collocations(toy_tokens(TOY_COLLOCATIONS), min_count=1)
    pairs = table[["node", "collocate", "f_xy"]].values.tolist()
    assert sorted(pairs) == sorted([["乙乙", "甲甲", 2], ["甲甲", "丙丙", 1], ["乙乙", "丙丙", 1],
                                    ["甲甲", "丁丁", 1], ["乙乙", "丁丁", 1]])
    assert table["logdice"].is_monotonic_decreasing
    assert collocations(toy_tokens(TOY_COLLOCATIONS))["f_xy"].tolist() == [2]   # min_count=2


def test_a_repeated_word_around_a_single_one_counts_once():
    # 甲甲 乙乙 甲甲: two pairs, but 乙乙 occurs once; f_xy = min(2, 1) = 1, so logDice stays
    # within its maximum: 14 + log2(2/3).
    row = collocations(toy_tokens("甲甲/n 乙乙/n 甲甲/n"), node="乙乙", min_count=1).iloc[0]
    assert (row["collocate"], row["f_xy"]) == ("甲甲", 1)
    assert row["logdice"] == pytest.approx(14 + math.log2(2 / 3))


def test_seed_collocates_of_shuangjiang(tokens, text):
    table = collocations(tokens, node="雙降")
    # By hand: 雙降's 7 contexts (±5 words) hold 實現 5 times, 目標 6 times and 全市
    # twice (為全市人口計生工作實現“雙降”, “雙降”目標任務十分艱巨。全市各級).
    assert table[["node", "collocate", "f_xy", "f_node", "f_collocate"]].values.tolist() == [
        ["雙降", "實現", 5, 7, 6], ["雙降", "目標", 6, 7, 9], ["雙降", "全市", 2, 7, 8]]
    assert text.count("實現") == 6 and text.count("全市") == 8
    assert table["logdice"].tolist() == pytest.approx(
        [14 + math.log2(10 / 13), 14 + math.log2(12 / 16), 14 + math.log2(4 / 15)])
    assert table["pmi"].tolist() == pytest.approx(
        [math.log2(5 * 1191 / 42), math.log2(6 * 1191 / 63), math.log2(2 * 1191 / 56)])
    assert collocations(tokens, node="双降").equals(table)   # a Simplified node, same word
    # Sorted by PMI, the words seen once, and once near 雙降, come first: log2(1·1191/(7·1)).
    by_pmi = collocations(tokens, node="雙降", min_count=1, measure="pmi")
    assert by_pmi["pmi"].iloc[0] == pytest.approx(math.log2(1191 / 7))
    assert (by_pmi.iloc[0]["f_xy"], by_pmi.iloc[0]["f_collocate"]) == (1, 1)
    assert by_pmi["pmi"].is_monotonic_decreasing
    assert collocations(tokens, node="不存在").empty
    with pytest.raises(ValueError):
        collocations(tokens, measure="t-score")


def test_keyword_network_links_only_top_keywords(tokens, seed_keyness):
    from analysis.vocabulary import keyword_network

    edges = keyword_network(tokens, top=10)
    top = set(seed_keyness.head(10).token)
    assert set(edges.source) | set(edges.target) <= top
    # 計生協會 stands next to 工作 in 計生協會工作 seven times and within five words of it
    # four more times (…支持計生協會開展工作, …計生協會開展工作創造…).
    assert edges.iloc[0][["source", "target", "weight"]].tolist() == ["工作", "計生協會", 11]
    pairs = collocations(tokens).set_index(["node", "collocate"])
    for source, target, weight in edges[["source", "target", "weight"]].itertuples(index=False):
        assert pairs.loc[(source, target), "f_xy"] == weight
    assert edges.weight.is_monotonic_decreasing


def test_keyness_by_speech_ranks_each_speech_on_its_own(tokens):
    from analysis.vocabulary import keyness_by_speech

    two = pd.concat([tokens, tokens.assign(speech_id="copy")], ignore_index=True)
    by_speech = keyness_by_speech(two, top=5)
    assert by_speech.speech_id.tolist() == ["000_8ebf5a98b5b66884"] * 5 + ["copy"] * 5
    alone = keyness(tokens).head(5)
    for _, rows in by_speech.groupby("speech_id"):
        assert rows.token.tolist() == alone.token.tolist()
        assert rows.g2.round(6).tolist() == alone.g2.round(6).tolist()
