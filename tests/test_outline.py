"""outline: salutation, preamble, sections with points, closing; tokens join to parts."""
from __future__ import annotations

import pytest

from analysis import assign_parts, outline, to_simplified, tokenize
from analysis.outline import cn_number, locate


@pytest.fixture(scope="module")
def seed_outline(seed_text):
    return outline(seed_text)


def test_seed_has_three_sections_with_3_5_3_points(seed_outline):
    sections = seed_outline[seed_outline.part == "section"]
    assert sections.section.tolist() == [1, 2, 3]
    points = seed_outline[seed_outline.part == "point"]
    assert points.groupby("section").size().tolist() == [3, 5, 3]
    assert sections.title.tolist() == [
        "提高認識，進一步增強做好計劃生育協會工作的責任感和使命感",
        "發揮優勢，努力在統籌解決人口問題的大局中有新作為",
        "加強領導，著力推進計生協會工作再上新水平",
    ]
    assert points.label.tolist() == ["第一，", "第二，", "第三，", "一是", "二是", "三是", "四是", "五是",
                                     "一是", "二是", "三是"]
    assert points.title.iloc[3] == "要著力在實現“雙降”目標上有新作為"


def test_parts_in_order_with_spans(seed_text, seed_outline):
    assert seed_outline.part.tolist() == (["salutation", "preamble", "section"] + ["point"] * 3
                                          + ["section"] + ["point"] * 5 + ["section"]
                                          + ["point"] * 3 + ["closing"])
    first = seed_outline.iloc[0]
    assert seed_text[first.start:first.end] == "同志們："
    closing = seed_outline.iloc[-1]
    assert seed_text[closing.start:closing.end].startswith("同志們，做好計生協會工作")
    assert closing.end == len(seed_text)
    # Top-level parts tile the text (each next part starts after the newline).
    top = seed_outline[seed_outline.part != "point"]
    assert all(b == a + 1 for a, b in zip(top.end[:-1], top.start[1:]))
    assert seed_outline.n_chars.iloc[0] == 3


def test_simplified_speech_has_the_same_outline(seed_text, seed_outline):
    simplified = outline(to_simplified(seed_text))
    assert simplified[["part", "section", "point", "start", "end"]].equals(
        seed_outline[["part", "section", "point", "start", "end"]])


def test_tokens_join_their_part(seed_text, seed_outline):
    tokens = assign_parts(tokenize(seed_text), seed_outline)
    hits = tokens[tokens.token == "雙降"]
    assert hits.section.tolist() == [1, 1, 1, 2, 2, 2, 3]
    assert hits.point.tolist() == [2, 2, 2, 1, 1, 1, 1]
    assert tokens.part.iloc[0] == "salutation" and tokens.part.iloc[-1] == "closing"
    assert set(tokens.part) == {"salutation", "preamble", "section", "closing"}


def test_speech_without_numbered_sections():
    text = "各位代表：\n今年工作很多。\n我們要努力。\n同志們，讓我們一起奮鬥！"
    parts = outline(text)
    assert parts.part.tolist() == ["salutation", "preamble", "closing"]
    assert locate([0, 6, len(text) - 1], parts).part.tolist() == ["salutation", "preamble", "closing"]


def test_bracketed_points_and_empty_text():
    text = "一、總體要求\n（一）堅持黨的領導。\n（二）堅持人民至上。\n二、主要任務\n第一，抓落實。"
    parts = outline(text)
    assert parts[["part", "section", "point"]].astype(str).values.tolist() == [
        ["section", "1", "<NA>"], ["point", "1", "1"], ["point", "1", "2"],
        ["section", "2", "<NA>"], ["point", "2", "1"]]
    assert outline("").empty


@pytest.mark.parametrize("numeral, value", [("一", 1), ("十", 10), ("十一", 11), ("二十", 20),
                                            ("二十三", 23), ("兩", 2)])
def test_cn_number(numeral, value):
    assert cn_number(numeral) == value
