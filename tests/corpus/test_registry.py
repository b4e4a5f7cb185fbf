"""Docvars travel with the tokens, as in quanteda: a token table made by corpus_tokens knows its
corpus (a key in attrs, the corpus kept aside), so keyness and term_trends read the corpus
columns without corpus=, and the columns are joined per speech, never copied into the rows.
Tables the package keeps in memory are handed out as copies."""
from __future__ import annotations

import pandas as pd
import pytest

import analysis
from analysis.corpus.registry import corpus_of

# Our own words: three short speeches of two years and two speakers.
TEXTS = {
    "a2011": "同志們：今年我們要加強計劃生育工作，做好流動人口服務。計劃生育是基本國策。",
    "b2013": "各位代表：我們要深化改革，推進改革開放，改革是發展的動力。要做好流動人口服務。",
    "c2014": "同志們：改革要落實到基層，要把群眾工作做好，把改革的成果帶給群眾。",
}


@pytest.fixture(scope="module")
def dated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dated")
    for sid, text in TEXTS.items():
        (folder / f"{sid}.txt").write_text(text, encoding="utf-8")
    (folder / "metadata.csv").write_text("speech_id,year,speaker\na2011,2011,王明\nb2013,2013,李強\n"
                                         "c2014,2014,李強\n", encoding="utf-8")
    corpus = analysis.load_corpus(folder)
    return corpus, analysis.corpus_tokens(corpus)


def test_the_tokens_know_their_corpus_without_holding_its_columns(dated):
    corpus, tokens = dated
    assert corpus_of(tokens) is corpus
    assert not {"year", "speaker", "title", "text"} & set(tokens.columns)   # joined on demand, not copied
    assert isinstance(tokens.attrs["corpus"], str)                           # attrs hold a key only
    assert corpus_of(tokens[tokens["speech_id"] != "a2011"]) is corpus       # a selection keeps it
    assert corpus_of(analysis.tokenize("改革開放")) is None


def test_term_trends_by_a_corpus_column_without_corpus(dated):
    corpus, tokens = dated
    found = analysis.term_trends(tokens, ["改革", "計劃生育"], by="speaker")
    pd.testing.assert_frame_equal(found, analysis.term_trends(tokens, ["改革", "計劃生育"], by="speaker",
                                                              corpus=corpus))
    counts = found.set_index(["term", "speaker"])["count"].to_dict()
    # 改革 as a word: once in b2013 (深化改革 and 改革開放 are words of their own), twice in c2014.
    assert counts[("改革", "李強")] == 3 and counts[("改革", "王明")] == 0 and counts[("計劃生育", "王明")] == 2
    by_year = analysis.term_trends(tokens, ["改革"], by="year")
    assert by_year["year"].tolist() == [2011, 2013, 2014] and by_year["count"].tolist() == [0, 1, 2]


def test_keyness_by_a_query_on_corpus_columns_without_corpus(dated):
    corpus, tokens = dated
    found = analysis.keyness(tokens, target="year >= 2013", reference="rest", min_count=1)
    pd.testing.assert_frame_equal(found, analysis.keyness(tokens, target="year >= 2013", reference="rest", min_count=1,
                                                          corpus=corpus))
    assert found.attrs["target"].startswith("target 'year >= 2013': 2 speeches")
    assert found.attrs["reference"].startswith("reference: the rest of the corpus: 1 speech")
    kept = analysis.keyness(tokens, target="year >= 2013", reference="rest", min_count=1,
                            absent="include").set_index("term")
    assert kept.loc["改革", "count"] == 3 and not kept.loc["改革", "in_reference"]   # a2011 never says it


def test_tokens_without_a_corpus_ask_for_one():
    tokens = analysis.tokenize("改革開放是發展的動力。").assign(speech_id="x")
    with pytest.raises(ValueError, match="do not come from corpus_tokens.*pass corpus="):
        analysis.term_trends(tokens, ["改革"], by="year")
    with pytest.raises(ValueError, match="query on corpus columns.*pass corpus="):
        analysis.keyness(tokens, target="year >= 2013", reference="rest")


def test_a_given_corpus_wins_over_the_remembered_one(dated):
    corpus, tokens = dated
    other = corpus.assign(speaker=["甲", "甲", "乙"])
    found = analysis.term_trends(tokens, ["改革"], by="speaker", corpus=other)
    assert found.set_index("speaker")["count"].to_dict() == {"甲": 1, "乙": 2}


@pytest.mark.parametrize("get", [
    lambda: analysis.reference_data("gwr")[0],
    lambda: analysis.reference_data("gwr")[1],
    lambda: __import__("analysis.text.dates", fromlist=["sessions"]).sessions(),
])
def test_cached_tables_are_handed_out_as_copies(get):
    first = get()
    size = len(first)
    first.drop(first.index, inplace=True)   # a caller's edit …
    assert len(get()) == size                # … leaves the next call whole


def test_the_reference_record_and_frequencies_are_copies():
    from analysis.measures.reference import gwr_counts
    from analysis.measures.vocabulary import reference_frequencies

    _, _, record = gwr_counts()
    record["files"].clear()
    assert gwr_counts()[2]["files"]
    frequencies = reference_frequencies()
    size = len(frequencies)
    frequencies.drop(frequencies.index[:10], inplace=True)
    assert len(reference_frequencies()) == size


def test_a_corpus_that_lacks_some_of_the_speeches_is_not_used(dated):
    corpus, tokens = dated
    more = pd.concat([tokens, tokens.assign(speech_id="copy")], ignore_index=True)   # attrs carried over
    assert corpus_of(more) is corpus
    with pytest.raises(ValueError, match="pass corpus="):
        analysis.term_trends(more, ["改革"], by="year")
