"""Counts that do not depend on the segmenter's cut (analysis.counts.term_counts): as a word,
inside words, both. Token frames are built by hand (tests/test_vocabulary.py's toy_tokens), so
the cut is the test's own and every expected count is worked out in the comments; the seed's
numbers are those the issue names (群眾: 15 words, 24 occurrences)."""
from __future__ import annotations

import pandas as pd
import pytest

from analysis import term_counts
from analysis.measures.counts import WordCounts

from .test_vocabulary import toy_tokens


@pytest.fixture(scope="module")
def cut():
    # 群眾 alone twice, inside 群眾工作 and 聯系群眾 once each, twice inside 群眾群眾 (a made-up
    # reduplication); 工作 alone once and once inside 群眾工作.
    return toy_tokens("群眾/n 群眾工作/n ， 聯系群眾/l 群眾/n 工作/vn ， 群眾群眾/n 的/uj")


def test_as_a_word_inside_words_and_both(cut):
    words = term_counts(cut, ["群眾", "工作"], match="word")
    # 7 word tokens (the commas are punctuation): 群眾 2 of them, 工作 1.
    assert words[["term", "count", "n_words"]].values.tolist() == [["群眾", 2, 7], ["工作", 1, 7]]
    assert words["per_10k"].tolist() == pytest.approx([2 / 7 * 10_000, 1 / 7 * 10_000])
    within = term_counts(cut, ["群眾", "工作"], match="within")
    # 群眾: 2 alone + 群眾工作 1 + 聯系群眾 1 + 群眾群眾 2 = 6; 工作: 1 + 群眾工作 1 = 2.
    assert within["count"].tolist() == [6, 2]
    both = term_counts(cut, ["群眾", "工作"], match="both")
    assert both[["term", "word", "within", "differs"]].values.tolist() == [["群眾", 2, 6, True], ["工作", 1, 2, True]]
    # The longer words holding the term, most frequent first (ties by code point), with counts.
    assert both["inside"].tolist() == ["群眾工作 1 · 群眾群眾 1 · 聯系群眾 1", "群眾工作 1"]


def test_either_script_and_alias_groups():
    tokens = toy_tokens("計生協會/n 計生協/j 計劃生育協會/n 市計生協會/n 協會/n 工作/vn")
    both = term_counts(tokens, ["计生协会", "協會"], match="both").set_index("term")
    # The group 計生協會 = 計生協 = 計劃生育協會: three words; inside words, longest variant first,
    # 市計生協會 holds it once more (its 計生協 is part of 計生協會, not counted twice): 4.
    assert both.loc["计生协会", ["word", "within"]].tolist() == [3, 4]
    # 協會 is a word once; inside 計生協會, 計劃生育協會 and 市計生協會 three times more (計生協
    # holds no 協會).
    assert both.loc["協會", ["word", "within"]].tolist() == [1, 4]
    plain = term_counts(tokens, ["計生協會"], match="both", aliases=False).iloc[0]
    assert (plain["word"], plain["within"]) == (1, 2)   # 計生協會 and 市計生協會 only


def test_grouped_by_a_token_or_corpus_column():
    tokens = pd.concat([toy_tokens("群眾工作/n 群眾/n", "a"), toy_tokens("工作/vn 群眾/n 群眾/n ，", "b")],
                       ignore_index=True)
    by_speech = term_counts(tokens, ["群眾"], match="both", by="speech_id")
    assert by_speech[["speech_id", "word", "within", "n_words"]].values.tolist() == [["a", 1, 2, 2], ["b", 2, 2, 3]]
    assert "inside" not in by_speech.columns
    corpus = pd.DataFrame({"speech_id": ["a", "b"], "year": [2010, 2021]})
    by_decade = term_counts(tokens, ["群眾"], match="within", by="decade", corpus=corpus)
    assert by_decade[["decade", "count"]].values.tolist() == [[2010, 2], [2020, 2]]


def test_a_term_that_never_occurs_and_bad_arguments(cut):
    row = term_counts(cut, ["雙降"], match="both").iloc[0]
    assert (row["word"], row["within"], row["differs"], row["inside"]) == (0, 0, False, "")
    with pytest.raises(ValueError, match="match must be one of"):
        term_counts(cut, ["群眾"], match="substring")
    with pytest.raises(ValueError, match="no terms"):
        term_counts(cut, [], match="word")


def test_the_seed_counts_named_in_the_issue(tokens):
    both = term_counts(tokens, ["群眾", "宣傳", "協會", "雙降"], match="both").set_index("term")
    # 群眾 is a word 15 times; 群眾工作 (4), 群眾團體 (2), 聯系群眾 (2), 動員群眾 (1) hold the other 9.
    assert both.loc["群眾", ["word", "within"]].tolist() == [15, 24]
    assert both.loc["群眾", "inside"] == "群眾工作 4 · 群眾團體 2 · 聯系群眾 2 · 動員群眾 1"
    assert both.loc["宣傳", ["word", "within"]].tolist() == [7, 10]
    # 協會 alone 5 times; inside 計生協會 (17), 計劃生育協會 (4) and 協會會員 (1): 27.
    assert both.loc["協會", ["word", "within"]].tolist() == [5, 27]
    assert both.loc["雙降", ["word", "within", "differs"]].tolist() == [7, 7, False]


def test_the_seed_text_agrees_with_the_within_count(tokens, text):
    # No seed word straddles a boundary for these terms: inside words = in the text.
    from analysis import to_simplified

    simplified = to_simplified(text)
    for term in ("群眾", "宣傳", "工作"):
        within = term_counts(tokens, [term], match="within")["count"].iloc[0]
        assert within == simplified.count(to_simplified(term))


def test_word_counts_of_a_frequency_list():
    # Relative frequencies work as counts do: 群众 at 0.002 alone, 0.0005 inside 群众工作.
    vocab = WordCounts(["群众", "群众工作", "工作"], [0.002, 0.0005, 0.003])
    assert vocab.within(["群众"]) == pytest.approx(0.0025)
    found, occurrences = vocab.holding(["工作"])
    assert found.tolist() == [1, 2] and occurrences.tolist() == [1, 1]
    with pytest.raises(ValueError, match="differ in length"):
        WordCounts(["甲"], [1, 2])
