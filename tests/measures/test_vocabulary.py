"""Word lists, n-grams and collocations: exact values on the seed (checked against str.count
on the text) and on hand-built token frames whose statistics are worked out by hand in the
comments. Keyness lives in test_compare.py."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis import to_simplified
from analysis.measures.vocabulary import (
    CONTENT_POS,
    collocations,
    content_words,
    frequencies,
    logdice,
    ngrams,
    pair_counts,
    pmi,
    reference_frequencies,
)

# ---------------------------------------------------------------- fixtures and helpers


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
    # 在…上 is a frame: 上 and 有 stay apart (the segmenter's rule against 上有).
    assert clause.token.tolist() == ["一", "是", "要", "著力", "在", "實現", "“", "雙降", "”", "目標",
                                     "上", "有", "新", "作為", "。"]
    # 一 (m), 是 要 在 有 作為 stopwords, “ ” 。 punctuation, 上 新 one character.
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
    assert table.columns.tolist() == ["rank", "token", "term", "pos", "count", "per_10k", "variants"]
    top = table.head(7)[["rank", "token", "count"]].values.tolist()
    # The association's three names are one alias group: 17 + 14 + 4 = 35.
    assert top == [[1, "計生協會", 35], [2, "工作", 32], [3, "群眾", 15], [4, "開展", 14], [4, "服務", 14],
                   [6, "人口計生", 11], [6, "積極", 11]]   # a tie shares the rank; code point breaks it
    assert text.count("計生協會") == 17 and text.count("計劃生育協會") == 4
    assert text.count("計生協") - text.count("計生協會") == 14
    assert table.iloc[0]["variants"] == "計生協會 17 · 計生協 14 · 計劃生育協會 4"
    assert pd.isna(table.iloc[1]["variants"])   # 工作 is written one way
    n_words = int((~tokens.is_punct).sum())
    # 1,185 word tokens: 計劃生育協會 (4 times) and 人口和計劃生育 (once) are one word each, and
    # jieba's floor-count phrases (深入開展, 發揮優勢) are cut into their words.
    assert n_words == 1185
    row = table.set_index("term").loc["双降"]
    assert row["count"] == text.count("雙降") == 7
    assert row["per_10k"] == pytest.approx(7 / 1185 * 10_000)   # 59.07
    assert row["token"] == "雙降" and row["pos"] == "j"
    assert table["count"].is_monotonic_decreasing


def test_frequencies_without_aliases_count_each_name_as_written(tokens):
    table = frequencies(tokens, aliases=False)
    assert table.head(6)[["token", "count"]].values.tolist() == [
        ["工作", 32], ["計生協會", 17], ["群眾", 15], ["開展", 14], ["服務", 14], ["計生協", 14]]
    assert table.set_index("token").loc["計劃生育協會", "count"] == 4
    assert table["variants"].isna().all()


def test_frequencies_all_words_include_function_words(tokens):
    table = frequencies(tokens, words="all").set_index("term")
    assert table.loc["的", "count"] == (tokens.simplified == "的").sum() > 0
    assert table["count"].sum() == 1185
    with pytest.raises(ValueError):
        frequencies(tokens, words="nouns")


def test_mixed_scripts_count_one_word_once_under_its_commonest_form(tokens):
    # The seed twice in Traditional and once in Simplified: one word list, 3 × the counts,
    # shown in the form seen more often.
    simplified = tokens.assign(speech_id="simplified", token=tokens["simplified"])
    mixed = pd.concat([tokens, tokens.assign(speech_id="copy"), simplified], ignore_index=True)
    table = frequencies(mixed, aliases=False).set_index("term")
    assert table.loc["双降", ["token", "count"]].tolist() == ["雙降", 21]
    assert table.loc["计生协会", ["token", "count"]].tolist() == ["計生協會", 51]
    assert table.loc["双降", "per_10k"] == pytest.approx(21 / (3 * 1185) * 10_000)
    # With the alias group the Simplified copy's variants join the Traditional ones.
    grouped = frequencies(mixed).set_index("term").loc["计生协会"]
    assert grouped["count"] == 105
    # Variants are Simplified words, each shown in its commonest script.
    assert grouped["variants"] == "計生協會 51 · 計生協 42 · 計劃生育協會 12"
    # A tie between the two forms goes to the lower code point (双 U+53CC before 雙 U+96D9).
    tie = frequencies(pd.concat([tokens, simplified], ignore_index=True)).set_index("term")
    assert tie.loc["双降", ["token", "count"]].tolist() == ["双降", 14]


def test_frequencies_by_speech_long_format():
    tokens = pd.concat([toy_tokens("甲甲/n 乙乙/n 甲甲/n 的/uj", "a"), toy_tokens("乙乙/n 丙丙/n", "b")],
                       ignore_index=True)
    table = frequencies(tokens, by="speech_id")
    assert table.columns.tolist() == ["speech_id", "rank", "token", "term", "pos", "count",
                                      "per_10k", "variants", "corpus_count"]
    shown = table[["speech_id", "rank", "token", "count", "per_10k", "corpus_count"]]
    assert shown.values.tolist() == [
        # speech a has 4 word tokens (的 counts towards the size), b has 2
        ["a", 1, "甲甲", 2, 5000.0, 2],
        ["a", 2, "乙乙", 1, 2500.0, 2],
        ["b", 1, "丙丙", 1, 5000.0, 1],
        ["b", 1, "乙乙", 1, 5000.0, 2],
    ]


def test_frequencies_by_a_token_column_other_than_speech_id():
    """by="section" (the docstring's own example) counts within each section: its column
    was dropped before counting and raised KeyError."""
    tokens = pd.concat([toy_tokens("甲甲/n 乙乙/n 甲甲/n", "a"), toy_tokens("乙乙/n 丙丙/n", "b")],
                       ignore_index=True)
    tokens["section"] = pd.array([1, 1, 2, 2, 2], dtype="Int64")
    table = frequencies(tokens, by="section")
    table["per_10k"] = table["per_10k"].round(2)
    # section 1: 甲甲 and 乙乙 once each of 2 words; section 2: one each of 3 (ties in code-point order)
    assert table[["section", "rank", "token", "count", "per_10k", "corpus_count"]].values.tolist() == [
        [1, 1, "乙乙", 1, 5000.0, 2], [1, 1, "甲甲", 1, 5000.0, 2],
        [2, 1, "丙丙", 1, 3333.33, 1], [2, 1, "乙乙", 1, 3333.33, 2], [2, 1, "甲甲", 1, 3333.33, 2]]


def test_frequencies_by_corpus_columns_count_each_speech_in_its_group():
    """A ``by`` that is a corpus column (year, genre, decade…) is read from the corpus the
    tokens came from, or from ``corpus=``; a speech's counts go to its group, and a speech
    with no value to a group of its own (NA)."""
    from analysis.corpus.registry import remember_corpus

    tokens = pd.concat([toy_tokens("甲甲/n 乙乙/n 甲甲/n 的/uj", "a"), toy_tokens("乙乙/n 丙丙/n", "b"),
                        toy_tokens("甲甲/n", "c"), toy_tokens("丙丙/n", "d")], ignore_index=True)
    corpus = pd.DataFrame({"speech_id": ["a", "b", "c", "d"], "year": pd.array([2011, 2011, 2023, None], "Int64"),
                           "genre": ["report", "speech", "report", "report"]})
    with pytest.raises(ValueError, match="pass corpus="):
        frequencies(tokens, by="year")
    table = frequencies(remember_corpus(tokens, corpus), by="year")
    assert table.equals(frequencies(tokens, by="year", corpus=corpus))
    shown = [[None if pd.isna(y) else int(y), rank, token, count, round(per_10k, 2), total] for
             y, rank, token, count, per_10k, total in
             table[["year", "rank", "token", "count", "per_10k", "corpus_count"]].values.tolist()]
    assert shown == [
        # 2011: a and b, 6 word tokens (的 counts towards the size); d has no year: NA, last
        [2011, 1, "乙乙", 2, 3333.33, 2], [2011, 1, "甲甲", 2, 3333.33, 3], [2011, 3, "丙丙", 1, 1666.67, 2],
        [2023, 1, "甲甲", 1, 10000.0, 3],
        [None, 1, "丙丙", 1, 10000.0, 2]]
    decades = frequencies(tokens, by=["decade", "genre"], corpus=corpus)
    assert decades[["decade", "genre", "token", "count"]].astype(str).values.tolist() == [
        ["2010", "report", "甲甲", "2"], ["2010", "report", "乙乙", "1"],
        ["2010", "speech", "丙丙", "1"], ["2010", "speech", "乙乙", "1"],
        ["2020", "report", "甲甲", "1"], ["<NA>", "report", "丙丙", "1"]]


# ---------------------------------------------------------------- n-grams

TOY_NGRAMS = "甲甲/n 乙乙/n 丙丙/n ， 甲甲/n 乙乙/n | 丙丙/n 丁丁/n 的/uj 戊戊/n"


def test_content_bigrams_stop_at_punctuation_paragraphs_and_function_words():
    table = ngrams(toy_tokens(TOY_NGRAMS), min_count=1)
    assert table[["ngram", "count"]].values.tolist() == [
        ["甲甲 乙乙", 2], ["丙丙 丁丁", 1], ["乙乙 丙丙", 1]]
    # not 丙丙 甲甲 (comma), not a second 乙乙 丙丙 (line break), not 丁丁 戊戊 (的)


def test_all_word_trigrams_and_min_count():
    table = ngrams(toy_tokens(TOY_NGRAMS), size=3, words="all", min_count=1)
    assert table["ngram"].tolist() == ["丁丁 的 戊戊", "丙丙 丁丁 的", "甲甲 乙乙 丙丙"]
    assert ngrams(toy_tokens(TOY_NGRAMS), min_count=2)["ngram"].tolist() == ["甲甲 乙乙"]
    assert ngrams(toy_tokens(TOY_NGRAMS), size=6).empty


def test_seed_bigrams(tokens, text):
    table = ngrams(tokens, min_count=2)
    # The alias group joins 計生協會工作 (7), 計生協工作 (4) and 計劃生育協會工作 (3).
    assert table.head(2)[["ngram", "term", "count"]].values.tolist() == [
        ["計生協會 工作", "计生协会 工作", 14], ["人口計生 工作", "人口计生 工作", 6]]
    assert text.count("計生協會工作") == 7 and text.count("人口計生工作") == 6
    assert text.count("計生協工作") == 4 and text.count("計劃生育協會工作") == 3
    unaliased = ngrams(tokens, aliases=False, min_count=2)
    assert unaliased.head(1)[["ngram", "count"]].values.tolist() == [["計生協會 工作", 7]]
    unigrams = ngrams(tokens, size=1, min_count=1).set_index("term")["count"]
    assert unigrams.equals(frequencies(tokens).set_index("term")["count"]
                           .reindex(unigrams.index))


# ---------------------------------------------------------------- the jieba dictionary


def test_jiebas_dictionary_counts_are_read_on_simplified_words():
    counts = reference_frequencies()
    assert int(counts.sum()) == 60_101_967   # awk '{s+=$2}' jieba/dict.txt
    assert counts["工作"] == 66367 and counts["群众"] == 17849   # the dict.txt lines
    assert "双降" not in counts.index and "计生协会" not in counts.index


# ---------------------------------------------------------------- collocations

TOY_COLLOCATIONS = "甲甲/n 乙乙/n 的/uj 丙丙/n ； | 甲甲/n 乙乙/n 丁丁/n"


def test_collocates_by_hand():
    # Paragraph 1: 甲甲–乙乙 1 apart, 甲甲–丙丙 3 apart (的 counts, ； does not).
    # Paragraph 2: 甲甲–乙乙, 甲甲–丁丁. 丙丙 ends paragraph 1 and 甲甲 opens paragraph 2:
    # not a pair. f: 甲甲 2, 乙乙 2, 丙丙 1, 丁丁 1; N = 7 word tokens.
    table = collocations(toy_tokens(TOY_COLLOCATIONS), node="甲甲", min_count=1)
    assert table.columns.tolist() == ["node", "collocate", "f_xy", "f_node", "f_collocate",
                                      "logdice", "pmi", "node_term", "collocate_term"]
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
    # 人口計生 (with 人口和計劃生育 in its group, 11 in all) stands near 雙降 twice.
    assert table[["node", "collocate", "f_xy", "f_node", "f_collocate"]].values.tolist() == [
        ["雙降", "實現", 5, 7, 6], ["雙降", "目標", 6, 7, 9], ["雙降", "全市", 2, 7, 8],
        ["雙降", "人口計生", 2, 7, 11]]
    assert text.count("實現") == 6 and text.count("全市") == 8
    assert table["logdice"].tolist() == pytest.approx(
        [14 + math.log2(10 / 13), 14 + math.log2(12 / 16), 14 + math.log2(4 / 15), 14 + math.log2(4 / 18)])
    assert table["pmi"].tolist() == pytest.approx(
        [math.log2(5 * 1185 / 42), math.log2(6 * 1185 / 63), math.log2(2 * 1185 / 56), math.log2(2 * 1185 / 77)])
    assert collocations(tokens, node="双降").equals(table)   # a Simplified node, same word
    # Sorted by PMI, the words seen once, and once near 雙降, come first: log2(1·1153/(7·1)).
    by_pmi = collocations(tokens, node="雙降", min_count=1, measure="pmi")
    assert by_pmi["pmi"].iloc[0] == pytest.approx(math.log2(1185 / 7))
    assert (by_pmi.iloc[0]["f_xy"], by_pmi.iloc[0]["f_collocate"]) == (1, 1)
    assert by_pmi["pmi"].is_monotonic_decreasing
    assert collocations(tokens, node="不存在").empty
    with pytest.raises(ValueError):
        collocations(tokens, measure="t-score")


def test_logdice_pmi_and_pair_counts_by_hand():
    assert logdice(2, 2, 2).item() == 14.0
    assert logdice(1, 2, 6).item() == pytest.approx(14 + math.log2(2 / 8))
    assert pmi(1, 2, 4, 16).item() == pytest.approx(1.0)   # log2(1·16 / 8)
    # Words 0 1 0: occurrence 1 (word 1) has both 0s in reach; f_xy = min(2 sightings of 0 near
    # a 1, 1 sighting of 1 near a 0) = 1, in both directions.
    x, y, f = pair_counts(np.array([0, 1, 0]), np.array([0, 1]), np.array([1, 2]), 2)
    assert x.tolist() == [0, 1] and y.tolist() == [1, 0] and f.tolist() == [1, 1]
