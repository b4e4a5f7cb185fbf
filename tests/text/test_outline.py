"""outline: salutation, preamble, sections with points, closing; tokens join to parts."""
from __future__ import annotations

import pytest

from analysis import assign_parts, outline, to_simplified, tokenize
from analysis.text.outline import locate


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
    tokens = assign_parts(tokenize(seed_text), parts=seed_outline)
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




# ------------------------------------------------------------------ the formats of this field (issue 9)
SPEECH = ("同志們：\n今天開會，我講三點意見。\n一、提高認識\n第一，要學習文件。\n第二，要統一思想。\n"
          "二、突出重點\n一是要抓好改造。\n二是要抓好管護。\n三、加強領導\n（一）成立工作小組。\n（二）加大資金投入。\n"
          "四、嚴格考核\n要把工作納入年度考核。\n同志們，讓我們一起努力！")
STRUCTURE = [["salutation", "<NA>", "<NA>", ""], ["preamble", "<NA>", "<NA>", ""],
             ["section", "1", "<NA>", "一、"], ["point", "1", "1", "第一，"], ["point", "1", "2", "第二，"],
             ["section", "2", "<NA>", "二、"], ["point", "2", "1", "一是"], ["point", "2", "2", "二是"],
             ["section", "3", "<NA>", "三、"], ["point", "3", "1", "（一）"], ["point", "3", "2", "（二）"],
             ["section", "4", "<NA>", "四、"], ["closing", "<NA>", "<NA>", ""]]


def structure(text: str) -> list[list[str]]:
    return outline(text)[["part", "section", "point", "label"]].astype(str).values.tolist()


def test_speech_numbered_one_to_four():
    assert structure(SPEECH) == STRUCTURE


def test_speech_flattened_into_one_line_has_the_same_outline():
    flat = SPEECH.replace("\n", "")
    assert structure(flat) == STRUCTURE
    parts = outline(flat)
    sections = parts[parts.part == "section"]
    assert [flat[a:a + 2] for a in sections.start] == ["一、", "二、", "三、", "四、"]
    # A heading followed by points ends where they start; one without, at its first sentence's end.
    assert sections.title.tolist() == ["提高認識", "突出重點", "加強領導", "嚴格考核要把工作納入年度考核"]
    # Each part runs to the start of the next: nothing of the line is left out.
    assert parts[parts.part != "point"].start.tolist()[1:] == parts[parts.part != "point"].end.tolist()[:-1]


def test_numbers_inside_sentences_make_no_parts():
    text = ("同志們：\n我們要把發展作為第一要務，統一是前提，團結是保證。\n其中一是指本地，二是指外地。\n"
            "一、提高認識\n我們第一，要學習；第二，要落實。\n二、加強領導\n這是唯一是我們的出路。")
    parts = outline(text)
    assert parts.part.tolist() == ["salutation", "preamble", "section", "section"]
    # A flattened version: the 一是 of 統一是 / 唯一是 and a 第一 inside a sentence stay inside.
    flat = text.replace("\n", "")
    assert outline(flat).part.tolist() == ["salutation", "preamble", "section", "section"]


def test_a_list_that_starts_again_inside_a_section_is_not_sections():
    text = ("各位代表：\n開場。\n一、總的任務\n內容。\n二、具體措施\n第一，基本建設問題。\n"
            "一、提高設計工作，避免差錯；\n二、加強施工指導；\n三、保證材料供應；\n四、加強質量檢查。\n"
            "第二，生產問題。\n三、為完成計劃而奮鬥\n內容。")
    parts = outline(text)
    sections = parts[parts.part == "section"]
    assert sections.label.tolist() == ["一、", "二、", "三、"]
    assert sections.title.tolist() == ["總的任務", "具體措施", "為完成計劃而奮鬥"]
    points = parts[parts.part == "point"]
    assert points.label.tolist() == ["第一，", "第二，"]


def test_bare_numerals_on_their_own_lines_are_sections():
    text = "各位代表：\n開場白。\n一\n第一部分的內容。\n二\n第二部分的內容。\n三\n第三部分的內容，最後一段。"
    parts = outline(text)
    assert parts[parts.part == "section"].label.tolist() == ["一", "二", "三"]


def test_bracketed_headings_are_sections_when_nothing_is_numbered_above_them():
    text = ("各位代表：\n開場白。\n（一）去年的工作\n內容。\n（二）今年的任務\n第一，要發展。\n第二，要穩定。\n"
            "（三）加強自身建設\n內容。")
    parts = outline(text)
    assert parts[parts.part == "section"].label.tolist() == ["（一）", "（二）", "（三）"]
    assert parts[parts.part == "point"].label.tolist() == ["第一，", "第二，"]


def test_unnumbered_headings_are_sections_and_numbered_ones_below_them_points():
    text = ("各位代表：\n現在我作報告，請審議。\n過去五年的回顧\n五年來，我們做了大量工作。\n今後五年的主要任務\n"
            "今後五年，任務很重。\n一、關於經濟建設\n內容。\n二、關於對外開放\n內容。\n結束語\n各位代表，讓我們努力奮鬥！")
    parts = outline(text)
    assert parts.part.tolist() == ["salutation", "preamble", "section", "section", "point", "point", "closing"]
    assert parts[parts.part == "section"].title.tolist() == ["過去五年的回顧", "今後五年的主要任務"]
    assert parts[parts.part == "section"].label.tolist() == ["", ""]
    assert parts[parts.part == "point"].label.tolist() == ["一、", "二、"]
    assert parts.iloc[-1].title == "結束語"


def test_a_short_line_inside_a_sentence_is_no_heading():
    # Link text left on a line of its own (the sentence before it has not ended) is no heading.
    text = ("各位代表：\n我們在聽了\n關於憲法草案的報告\n並進行了討論以後，通過了決議。\n"
            "我們還要\n繼續努力工作\n把事情辦好。")
    assert outline(text).part.tolist() == ["salutation", "preamble"]


def test_salutation_with_an_exclamation_mark():
    parts = outline("各位代表！\n我代表國務院作報告。\n一、回顧\n內容。\n二、任務\n內容。")
    assert parts.part.tolist() == ["salutation", "preamble", "section", "section"]
