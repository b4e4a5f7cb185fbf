"""Passage ids: <speech_id>:<locus>:s<k>, from the outline and the sentence count."""
from __future__ import annotations

import pandas as pd
import pytest

from analysis.corpus.passages import passage_ids, sentence_ends
from analysis.corpus.pipeline import corpus_outline

TEXT = ("同志們：\n今天開會。講三點。\n一、第一部分\n第一，要抓好甲。甲很重要！\n第二，要抓好乙。\n"
        "二、第二部分\n這是第二部分的話。還有一句？\n同志們，讓我們共同努力。")


@pytest.fixture(scope="module")
def corpus():
    return pd.DataFrame({"speech_id": ["s"], "text": [TEXT]})


def test_sentence_ends_merge_a_terminator_with_its_line_break():
    assert sentence_ends("一。二！\n三").tolist() == [2, 5]
    assert sentence_ends("他說：“好。”然後") .tolist() == [7]


def test_each_locus_and_sentence(corpus):
    parts = corpus_outline(corpus, cache=False)
    assert parts["part"].tolist() == ["salutation", "preamble", "section", "point", "point", "section", "closing"]
    cases = {"同志們：": "s:sal:s1", "講三點": "s:pre:s2", "甲很重要": "s:1.1:s2", "要抓好乙": "s:1.2:s1",
             "這是第二": "s:2:s2", "還有一句": "s:2:s3", "讓我們": "s:end:s1", "第一部分": "s:1:s1"}
    positions = [TEXT.index(k) for k in cases]
    assert passage_ids(["s"] * len(cases), positions, corpus, parts).tolist() == list(cases.values())


def test_unknown_speech_and_empty_input(corpus):
    assert passage_ids([], [], corpus).tolist() == []
    with pytest.raises(KeyError, match="nope"):
        passage_ids(["nope"], [0], corpus)
