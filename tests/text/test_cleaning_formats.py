"""clean_text on the sources researchers scrape (issue 9): other sites' furniture, PDF text
layers, news sites that mark paragraphs only by indents, pages flattened into one line, wiki
pages with link text on lines of their own; characters; the audit of every change.

The pages in tests/fixtures/pages/ are written by hand in the project's own words: two short
speeches (speech-trad.txt, speech-simp.txt) and the same speeches laid out as each kind of
source gives them. Cleaning any of these pages must give back the speech exactly.
"""
from __future__ import annotations

import random
import re
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from analysis.text.cleaning import KINDS, SUBSTITUTION_KINDS, clean_text
from analysis.text.outline import outline

PAGES = Path(__file__).parents[1] / "fixtures" / "pages"
SEED_TITLE = "局長在計生理事專題會講話"


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


SPEECH = {"trad": page("speech-trad.txt").strip(), "simp": page("speech-simp.txt").strip()}


def audited(raw: str):
    """clean_text, checked for an exact audit and idempotence."""
    r = clean_text(raw)
    assert r.rebuild(raw) == r.text
    for x in r.removed:
        assert raw[x.start:x.end] == x.text
    for s in r.substitutions:
        assert raw[s.position:s.end] == s.old
    again = clean_text(r.text)
    assert again.text == r.text and again.removed == [] and again.substitutions == []
    return r


def kinds_of(r) -> dict[str, int]:
    return {k: v for k, v in r.counts().items() if v}


# ------------------------------------------------------------------ the hand-written pages
@pytest.mark.parametrize(
    "name, script, title, published, kinds",
    [
        # A government portal: breadcrumb, title, 發布時間 line, toolbar, indented paragraphs
        # between blank lines, 責任編輯, toolbars, share line, site menu, copyright and ICP.
        ("portal-trad.txt", "trad", "區長在全區社區綠化工作會議上的講話", "2023-03-15 10:20",
         {"meta": 2, "title": 1, "date": 1, "toolbar": 2, "furniture": 1, "legal": 1}),
        # A content farm: SEO first line, leaked CSS and JavaScript, a keyword line, then a
        # disclaimer and a related-articles list.
        ("farm-simp.txt", "simp", "安全生产工作会议讲话稿", None,
         {"seo": 2, "code": 1, "legal": 1, "related": 1}),
        # PDF text layers: hard wraps at a fixed width, a running header and a page number on
        # every page ("- 2 -"; "第 2 页 共 2 页"), paragraphs indented with full-width or ASCII spaces.
        ("pdf-trad.txt", "trad", None, None, {"page": 4}),
        ("pdf-simp.txt", "simp", None, None, {"page": 3}),
        # A news site: every paragraph marked only by a full-width indent, on one line.
        ("news-indents-trad.txt", "trad", "區長在全區社區綠化工作會議上的講話", "2023-03-16 08:45",
         {"title": 1, "date": 1}),
        # The same speech with every paragraph mark lost.
        ("flat-simp.txt", "simp", None, None, {}),
        # A wiki page: title broken across lines, dash date line and byline, link text on lines
        # of its own, labels alone on a line, zero-width spaces, full-width and spaced digits,
        # a licence footer. The dash date line dates the speech, not the page: no `published`.
        ("wiki-simp.txt", "simp", "在全县安全生产工作会议上的讲话", None,
         {"title": 1, "date": 1, "byline": 1, "legal": 1}),
    ],
)
def test_each_page_cleans_to_its_speech(name, script, title, published, kinds):
    r = audited(page(name))
    assert r.text == SPEECH[script]
    assert r.title == title
    if published:
        assert r.published == pd.Timestamp(published)
    else:
        assert pd.isna(r.published)
    found = kinds_of(r)
    for kind, n in kinds.items():
        assert found.get(kind) == n, (kind, found)
    # Nothing of the speech is taken as furniture: every deletion is furniture, a join, a
    # split, or whitespace.
    assert set(found) <= set(kinds) | {"join", "split", "spacing", "invisible", "whitespace"}


def test_portal_fields_and_furniture_by_kind():
    r = audited(page("portal-trad.txt"))
    removed = [(x.kind, x.text) for x in r.removed if x.kind != "whitespace"]
    assert removed == [
        ("meta", "首頁 > 新聞中心 > 領導講話\n"),
        ("title", "區長在全區社區綠化工作會議上的講話\n"),
        ("date", "發布時間：2023年03月15日 10:20\u3000\u3000來源：區政府辦公室\u3000\u3000瀏覽次數：1536\n"),
        ("toolbar", "【字體：大 中 小】【打印本頁】【關閉窗口】\n"),
        ("meta", "責任編輯：王小明\n"),
        ("toolbar", "【打印本頁】【關閉窗口】【收藏本頁】\n分享到：微信 微博 QQ空間\n"),
        ("furniture", "網站地圖 | 聯繫我們 | 使用幫助 | 無障礙瀏覽\n"),
        ("legal", "版權所有：某某市某某區人民政府辦公室\u3000\u3000主辦單位：某某區人民政府\n"
                  "某ICP備12345678號-1\u3000\u3000某公網安備 11010502000001號\n"),
    ]


@pytest.mark.parametrize("toolbar", ["【打印本页】【关闭窗口】", "【打印本頁】【關閉窗口】",
                                     "【字体：大中小】【打印本页】【关闭窗口】"])
def test_a_toolbar_in_either_script_is_a_toolbar_above_and_below(toolbar):
    # 关闭 (fully Simplified) was missing: the line became the speech's title above it,
    # and a page of nothing else kept it as its whole text.
    speech = "同志们：\n今年全市要加强安全生产工作。"
    r = audited(f"{toolbar}\n{speech}\n{toolbar}\n")
    assert r.text == speech and r.title is None
    assert [x.kind for x in r.removed if x.kind != "whitespace"] == ["toolbar", "toolbar"]
    assert audited(f"{toolbar}\n").text == ""


def test_content_farm_furniture_by_kind():
    r = audited(page("farm-simp.txt"))
    removed = [(x.kind, x.text.split("\n")[0]) for x in r.removed if x.kind != "whitespace"]
    assert removed == [
        ("seo", "安全生产工作会议讲话稿_领导讲话_某某范文网"),
        ("code", ".article-content p{text-indent:2em;line-height:1.75;margin:0 0 10px;}"),
        ("seo", "关键词：安全生产 讲话稿 范文 领导讲话"),
        ("legal", "本站部分文章来源于网络，版权归原作者所有，如有侵权请联系删除。"),
        ("related", "相关文章："),
    ]
    code = next(x for x in r.removed if x.kind == "code")
    assert code.text.count("\n") == 3  # the CSS rule and both JavaScript lines, as one block
    related = next(x for x in r.removed if x.kind == "related")
    assert related.text.count("\n") == 4  # the heading and its three titles


def test_pdf_joins_hard_wraps_and_drops_running_headers_and_page_numbers():
    raw = page("pdf-trad.txt")
    r = audited(raw)
    pages = [x.text.strip() for x in r.removed if x.kind == "page"]
    # Header and number of a page break between two paragraphs or inside one, as blocks.
    assert all(re.search(r"某某市某某區人民政府文件|- \d -", p) for p in pages)
    assert sum(p.count("某某市某某區人民政府文件") for p in pages) == 3
    assert sum(len(re.findall(r"- \d -", p)) for p in pages) == 3
    joins = [x for x in r.removed if x.kind == "join"]
    assert joins and all(not x.text.strip() for x in joins)  # only line ends and blank lines
    # Every wrap inside a paragraph is joined; no heading is run into a paragraph.
    assert r.text.count("\n") == SPEECH["trad"].count("\n")


def test_pdf_wrapped_at_a_number_of_characters_is_joined_whatever_the_digits():
    # An official document's grid: 28 characters a line, digits and % among them, so that
    # lines measure 28 characters but fewer columns (a digit is one column, a Han two).
    paragraphs = ["到2025年，全市常住人口出生率控制在12‰以內，人口自然增長率保持在5‰左右，"
                  "城鎮新增就業5萬人以上，城鎮登記失業率控制在4.5%以內，居民收入增長與經濟增長基本同步，"
                  "基本養老保險參保率達到95%以上，各項民生指標穩步提高。",
                  "各級各部門要把思想和行動統一到市委市政府的決策部署上來，切實增強責任感和緊迫感，"
                  "聚焦2024年確定的12項重點任務和36個重大項目，倒排工期、掛圖作戰，確保各項工作落到實處、見到實效，"
                  "以實際行動向全市人民交出一份滿意的合格答卷。",  # its last line short: a paragraph's end
                  "今年要重點抓好三個方面的工作：一是穩住經濟基本盤，全年地區生產總值增長6%左右，"
                  "一般公共預算收入增長5.5%；二是守住民生底線，新建改造老舊小區120個、保障性住房3000套；"
                  "三是築牢安全防線，生產安全事故起數和死亡人數分別下降10%和8%。"]
    raw = "\n".join(p[k:k + 28] for p in paragraphs for k in range(0, len(p), 28)) + "\n"
    assert len(raw.split("\n")) > 14
    r = audited(raw)
    assert r.text == "\n".join(paragraphs)
    assert {x.kind for x in r.removed if x.kind != "whitespace"} == {"join"}


def test_pdf_wrapped_at_a_number_of_characters_among_lines_of_han_only():
    # Most lines are Han only (full in columns and in characters alike); the few with digits
    # are full in characters only, and must be joined too. No line repeats (a repeated short
    # line would be a running header).
    rng = random.Random(5)
    han = ("各級部門要把思想和行動統一到市委政府的決策部署上來切實增強責任感緊迫"
           "堅持穩中求進工作總基調完整準確全面貫徹新發展理念")
    paragraphs = ["".join(rng.choice(han) for _ in range(60 + 9 * k)) + f"，全年完成投資{120 + k}億元，增長{5 + k}.5%，"
                  for k in range(6)]
    # Each ends on a short line: a paragraph that fills its last line is one with the next.
    paragraphs = [p + "".join(rng.choice(han) for _ in range(40 + (10 - len(p) - 41) % 28)) + "。" for p in paragraphs]
    raw = "\n".join(p[k:k + 28] for p in paragraphs for k in range(0, len(p), 28)) + "\n"
    lines = raw.split("\n")
    assert 0 < sum(any(c.isdigit() for c in line) for line in lines) < 0.3 * len(lines)
    r = audited(raw)
    assert r.text == "\n".join(paragraphs)


def test_pdf_never_joins_across_a_heading():
    # Hard-wrapped lines without indents; a paragraph ends exactly at the margin, and a
    # heading and an unnumbered heading follow at the margin.
    full = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"
    # Lines of one width, each different (a line repeated on every page would be a header).
    lines = [full[k:] + full[:k] for k in range(11)]
    lines[2] = lines[2][:-1] + "。"
    lines[3] = "二、加強領導"
    lines[6] = lines[6][:-1] + "。"
    lines[7] = "結束語"
    lines[10] = "結束。"
    r = audited("\n".join(lines))
    assert r.text.split("\n") == ["".join(lines[:3]), "二、加強領導", "".join(lines[4:7]), "結束語",
                                  "".join(lines[8:])]


# ------------------------------------------------------------------ the seed in other sources' formats
def test_seed_under_a_portal_toolbar(seed_text):
    raw = (f"首頁 > 新聞中心 > 領導講話\n{SEED_TITLE}\n【字體:大 中 小】【打印本頁】【關閉窗口】\n{seed_text}\n"
           "【打印本頁】【關閉窗口】\n")
    r = audited(raw)
    assert r.text == seed_text and r.title == SEED_TITLE
    assert kinds_of(r) == {"meta": 1, "title": 1, "toolbar": 2, "whitespace": 1}


def test_seed_under_an_seo_line_and_a_leaked_css_rule(seed_text):
    raw = (f"{SEED_TITLE}_講話稿範文_某某範文網\n.article-body p{{text-indent:2em;line-height:1.8;}}\n"
           f"{seed_text}\n本站部分文章來源于網絡，如有侵權請聯系刪除。\n")
    r = audited(raw)
    assert r.text == seed_text and r.title == SEED_TITLE
    assert kinds_of(r) == {"seo": 1, "code": 1, "legal": 1, "whitespace": 1}


def _wrap(text: str, cols: int) -> list[str]:
    out, line, width = [], "", 0
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if width + w > cols:
            out.append(line)
            line, width = "", 0
        line, width = line + ch, width + w
    return [*out, line] if line else out


@pytest.mark.parametrize("cols", [48, 61, 80])
def test_seed_as_a_pdf_text_layer(seed_text, cols):
    lines = [w for p in seed_text.split("\n") for w in _wrap("\u3000\u3000" + p, cols)]
    pages = [lines[k:k + 20] for k in range(0, len(lines), 20)]
    raw = "\n".join(line for n, chunk in enumerate(pages, 1)
                    for line in ["某某市計劃生育協會文件", *chunk, f"- {n} -"])
    r = audited(raw)
    assert r.text == seed_text
    # The first header, each page's number with the next page's header, the last number.
    assert r.counts()["page"] == len(pages) + 1


def test_seed_with_a_title_line_and_no_time_line(seed_text):
    r = audited(f"{SEED_TITLE}\n{seed_text}\n")
    assert r.text == seed_text and r.title == SEED_TITLE
    assert [(x.kind, x.text) for x in r.removed] == [("title", SEED_TITLE + "\n"), ("whitespace", "\n")]


def test_seed_with_paragraphs_marked_only_by_full_width_indents(seed_text):
    paragraphs = seed_text.split("\n")
    raw = "".join("\u3000\u3000" + p for p in paragraphs)
    r = audited(raw)
    assert r.text == seed_text
    # Each indent but the first became one line break and one deleted space, both reported.
    assert r.substitution_counts()["split"] == len(paragraphs) - 1
    splits = [s for s in r.substitutions if s.kind == "split"]
    assert all(s.old == "\u3000" and s.new == "\n" for s in splits)
    assert sum(1 for x in r.removed if x.kind == "split" and x.text == "\u3000") == len(paragraphs) - 1


def test_seed_flattened_into_one_line_gets_its_parts_back(seed_text):
    flat = seed_text.replace("\n", "")
    r = audited(flat)
    assert r.text == seed_text
    inserted = [s for s in r.substitutions if s.kind == "split"]
    assert len(inserted) == seed_text.count("\n") and all(s.old == "" and s.new == "\n" for s in inserted)
    # The outline of the flattened line itself, uncleaned, matches the seed's.
    columns = ["part", "section", "point", "label"]
    assert outline(flat)[columns].equals(outline(seed_text)[columns])


def test_indents_in_ascii_spaces_mark_paragraphs_after_a_sentence():
    r = audited("第一段說完了。    第二段接着說。\n英文 Deng  Xiaoping 不拆。")
    assert r.text == "第一段說完了。\n第二段接着說。\n英文Deng Xiaoping不拆。"


def test_an_indent_after_a_comma_is_not_a_paragraph():
    assert audited("我們要努力，\u3000\u3000繼續前進。").text == "我們要努力，繼續前進。"


# ------------------------------------------------------------------ line breaks inside a paragraph
@pytest.mark.parametrize(
    "raw, text",
    [
        # Link text on a line of its own, with the punctuation after it on the next.
        ("會議聽取了總理所作的\n政府工作報告\n。會議認為報告很好。",
         "會議聽取了總理所作的政府工作報告。會議認為報告很好。"),
        ("根據《\n安全生產法\n》的規定，我講三點。", "根據《安全生產法》的規定，我講三點。"),
        ("今年是我們與\n友好城市\n、兄弟單位合作的第十年。", "今年是我們與友好城市、兄弟單位合作的第十年。"),
        ("細顆粒物（PM\n2.5\n）濃度下降。", "細顆粒物（PM2.5）濃度下降。"),
        # A heading broken across lines.
        ("政府工作報\n告\n同志們：\n今天開會。", "同志們：\n今天開會。"),
        # A numbering label alone on a line.
        ("今天召開全體會議，研究工作。\n一、\n提高認識\n第一，\n要學習。",
         "今天召開全體會議，研究工作。\n一、提高認識\n第一，要學習。"),
        # A line that stops at a comma goes on (but not into a numbered line).
        ("深化改革，\n擴大開放。\n我講兩點，\n一是要學習。", "深化改革，擴大開放。\n我講兩點，\n一是要學習。"),
        # Latin words on either side of a joined break keep a space between them.
        ("我們使用《\nOpen\nSource\n》的軟件。", "我們使用《Open Source》的軟件。"),
    ],
)
def test_breaks_inside_a_paragraph_are_joined(raw, text):
    r = audited(raw)
    assert r.text == text
    assert all(not x.text.strip() for x in r.removed if x.kind == "join")


def test_blank_lines_mark_paragraphs_and_single_breaks_are_link_text():
    raw = ("第一段在這裏，按照上級的要求，說到了\n某某條例\n的規定。\n\n第二段也說完了，大家都同意。\n\n"
           "第三段在這裏，提到\n某某辦法\n和其他文件。\n\n第四段是最後一段，就講這些。\n")
    r = audited(raw)
    assert r.text == ("第一段在這裏，按照上級的要求，說到了某某條例的規定。\n第二段也說完了，大家都同意。\n"
                      "第三段在這裏，提到某某辦法和其他文件。\n第四段是最後一段，就講這些。")
    assert r.counts()["join"] == 4


def test_indent_marked_paragraphs_join_unindented_lines():
    raw = ("\u3000\u3000第一段先說形勢，情況總體是好的。\n\u3000\u3000在\n工資制度改革\n上邁出新步子，是今年的任務。\n"
           "\u3000\u3000第三段從這裏開始，講講措施。\n")
    assert audited(raw).text == ("第一段先說形勢，情況總體是好的。\n在工資制度改革上邁出新步子，是今年的任務。\n"
                                 "第三段從這裏開始，講講措施。")


def test_a_plain_speech_keeps_its_lines():
    text = "同志們：\n一、提高認識\n第一，加強學習。\n二、狠抓落實\n謝謝大家"
    r = audited(text)
    assert r.text == text and r.removed == [] and r.title is None


def test_lines_without_prose_stay_unless_the_page_has_furniture():
    """Slogans with no sentence in them are kept as the text when nothing marks a web page;
    under a site's menus and over its footer, a page with no prose is all furniture (its
    title read), so that the site's name is not taken for a speech."""
    slogans = "计划生育，利国利民\n少生优生，幸福一生"
    r = audited(slogans)
    assert r.text == slogans and r.removed == []
    r = audited("青山市计生协网站\n首页 | 协会动态 | 领导讲话\n计生协工作口号\n来源：市计生协 发布时间：2012-03-05\n"
                "版权所有：青山市计生协\n")
    assert (r.text, r.title, r.published) == ("", "计生协工作口号", pd.Timestamp("2012-03-05"))
    assert [x.kind for x in r.removed] == ["meta", "furniture", "title", "meta", "legal"]


# ------------------------------------------------------------------ furniture of each kind
@pytest.mark.parametrize(
    "line, kind",
    [
        ("【字體：大 中 小】【打印本頁】【關閉窗口】", "toolbar"),
        ("【字体：大 中 小】 【打印】 【关闭】", "toolbar"),
        ("分享到：微信 微博 QQ空間", "toolbar"),
        ("扫一扫在手机打开当前页", "toolbar"),
        ("收藏本页 | 打印 | 关闭", "toolbar"),
        ("關鍵詞：講話稿 計生協會 範文", "seo"),
        ("keywords: 讲话稿,范文", "seo"),
        ("某某講話稿_範文大全_某某範文網", "seo"),
        (".content p{text-indent:2em;}", "code"),
        ("var _hmt = _hmt || [];", "code"),
        ("<script src=\"https://example.com/a.js\"></script>", "code"),
        ("版權所有 © 2012-2023 某某網 All Rights Reserved", "legal"),
        ("京ICP备12345678号-2", "legal"),
        ("本站部分文章來源於網絡，如有侵權請聯繫刪除。", "legal"),
        ("免责声明：本站文章仅代表作者观点，不代表本站立场。", "legal"),
        ("转载请注明出处。", "legal"),
        ("責任編輯：張三", "meta"),
        ("责任编辑：李四", "meta"),
        ("來源：某某日報", "meta"),
        ("作者：王五", "meta"),
        ("瀏覽次數：2048", "meta"),
        ("浏览次数：99次", "meta"),
        ("- 2 -", "page"),
        ("第 1 頁 共 3 頁", "page"),
        ("第2页", "page"),
        ("上一篇：某某講話", "footer"),
        ("上一則：某某講話", "footer"),
        ("【字級：小 中 大】【列印】【關閉】", "toolbar"),   # Taiwan's sites: 字級 (type size), 列印 (print)
        ("友善列印 | 轉寄 | 回上頁", "toolbar"),
        ("首頁 | 新聞 | 政務 | 互動", "furniture"),
    ],
)
def test_furniture_lines_above_and_below_the_speech(line, kind):
    speech = "同志們：\n今天開會，研究工作。\n一、提高認識\n大家要努力學習。"
    for raw in (f"{line}\n{speech}", f"{speech}\n{line}\n"):
        r = audited(raw)
        assert r.text == speech, raw
        assert [x.kind for x in r.removed if x.kind != "whitespace"] == [kind], raw


def test_running_headers_and_page_numbers_go_wherever_they_stand():
    paragraphs = [f"第{n}段的內容在這裏，說了一些事情。" for n in "一二三四五"]
    raw = "\n".join(["某某局文件", paragraphs[0], paragraphs[1], "1", "某某局文件", paragraphs[2],
                     paragraphs[3], "2", "某某局文件", paragraphs[4], "3"])
    r = audited(raw)
    assert r.text == "\n".join(paragraphs)
    # The first header; each number with the next header; the last number.
    assert [x.text for x in r.removed if x.kind == "page"] == ["某某局文件\n", "1\n某某局文件\n", "2\n某某局文件\n",
                                                               "3"]


def test_an_enumerator_on_its_own_line_is_no_running_header_however_often_it_repeats():
    # 二要 and 三要 open points of their own line in speech after speech of a long file (a
    # newspaper year, reports one after another); seen three times and more they once went
    # as a running header, the speech's words with them. The real header still goes.
    speech = "\n".join(["某某局文件", "一是要提高認識，加強學習。", "二要", "抓好落實，不能放鬆。", "三要",
                        "加強領導，明確責任。"])
    r = audited("\n".join([speech] * 4))
    assert r.text == "\n".join(["一是要提高認識，加強學習。", "二要抓好落實，不能放鬆。",
                                "三要加強領導，明確責任。"] * 4)
    assert [x.text for x in r.removed if x.kind == "page"] == ["某某局文件\n"] * 4


def test_a_short_line_repeated_as_link_text_stays():
    # The same document linked three times: each time inside a sentence, so never furniture.
    raw = "\n".join(["根據《", "某某規定", "》，我們要做好工作。"] * 3)
    assert audited(raw).text == "\n".join(["根據《某某規定》，我們要做好工作。"] * 3)


def test_unseen_furniture_goes_by_its_position_and_shape():
    # None of these lines uses a word the cleaner knows: above the speech they are the page's
    # header (the first is the title), below it they follow a known furniture line.
    raw = ("某某市某某區人民政府門戶網站\n首頁 政務公開 辦事服務 互動交流\n局長講話\n同志們：\n今天開會，研究工作。\n"
           "大家要努力學習。\n責任編輯：張三\n聯繫電話：010-12345678 傳真：010-87654321\n技術支持 某某網絡公司\n")
    r = audited(raw)
    assert r.text == "同志們：\n今天開會，研究工作。\n大家要努力學習。"
    assert r.title == "局長講話"
    # The site's name reads as a byline (page information), its menu as furniture.
    assert [x.kind for x in r.removed if x.kind != "whitespace"] == ["meta", "furniture", "title", "meta",
                                                                     "furniture"]
    assert r.removed[-1].text.endswith("技術支持 某某網絡公司\n")


def test_speech_lines_without_punctuation_below_the_speech_stay():
    # A closing line with no full stop is no furniture unless furniture comes first.
    text = "同志們：\n今天開會，研究工作。\n謝謝大家"
    assert audited(text).text == text


# ------------------------------------------------------------------ characters
@pytest.mark.parametrize(
    "raw, text",
    [
        ("１９９７年ＧＤＰ增長８．８％，ｗｅｂ", "1997年GDP增長8.8％，web"),  # NFKC digits, letters, decimal point
        ("全角標點，。：；！？（）《》“”、保留", "全角標點，。：；！？（）《》“”、保留"),
        ("零\u200b寬\u200c字\u200d符\ufeff和\u00ad軟連字", "零寬字符和軟連字"),
        ("不換行\u00a0空格 與 CJK", "不換行空格與CJK"),
        ("Latin\u00a0words", "Latin words"),
        ("加 強 計 生 協 會", "加強計生協會"),
        ("本屆政府從1 9 9 3 年3 月就職", "本屆政府從1993年3月就職"),
        ("增長1 1 ％，達到8 ．8 ％", "增長11％，達到8.8％"),
        ("增長9 6 %", "增長96%"),
        ("Room 1 2 stays", "Room 1 2 stays"),
    ],
)
def test_characters(raw, text):
    r = audited(raw)
    assert r.text == text


def test_width_changes_are_substitutions_and_zero_width_deletions():
    r = audited("１\u200b２年")
    assert [(s.kind, s.old, s.new) for s in r.substitutions] == [("width", "１", "1"), ("width", "２", "2")]
    assert [(x.kind, x.text) for x in r.removed] == [("invisible", "\u200b")]


# ------------------------------------------------------------------ the audit
def test_changes_frame_lists_every_change_in_raw_order():
    raw = "標題\n同志們：\u3000\u3000今天１２點開會,研究工作。"
    r = audited(raw)
    frame = r.changes_frame()
    assert frame.columns.tolist() == ["kind", "start", "end", "text", "new"]
    assert frame[["kind", "text", "new"]].values.tolist() == [
        ["title", "標題\n", ""], ["split", "\u3000", "\n"], ["split", "\u3000", ""],
        ["width", "１", "1"], ["width", "２", "2"], ["punctuation", ",", "，"]]
    assert frame.start.is_monotonic_increasing


def test_counts_name_every_kind():
    r = clean_text("正文。")
    assert list(r.counts()) == list(KINDS) and list(r.substitution_counts()) == list(SUBSTITUTION_KINDS)


def test_pdf_of_short_paragraphs_with_a_table_is_joined():
    """A report's PDF page: short paragraphs (their last lines short), numbered headings and a
    table flattened into lines of cells. Fewer than 60% of its lines are full, and it is still
    a hard-wrapped page: every paragraph comes back whole, the headings and the table's rows
    stay lines of their own, and the rows keep the spaces between their cells (found by a
    new user's trial: a table in a page left every paragraph of the file in its PDF lines)."""
    han = "坚持稳中求进工作总基调完整准确全面贯彻新发展理念加快构建新发展格局着力推动高质量发展"
    rng = random.Random(7)

    def paragraph(k: int) -> str:
        return "　　" + "".join(rng.choice(han) for _ in range(40 + 7 * k)) + f"，增长{k + 5}%。"

    table = ["表1 2013年主要经济指标完成情况", "指标单位计划完成", "地区生产总值 亿元 46778 47578",
             "生产总值增速 % 8.5 8.7", "城镇新增就业 万人 100 63.3"]
    layout = ["一、2013年工作回顾", 0, 1, "（一）经济运行总体平稳。", 2, 3, *table, "二、2014年主要目标", 4, 5,
              "三、切实做好今年的重点工作", 6, 7]
    raw_lines, want = [], []
    for item in layout:
        if isinstance(item, str):
            raw_lines.append(item)
            want.append(item)
        else:
            text = paragraph(item)
            raw_lines += [text[k:k + 30] for k in range(0, len(text), 30)]
            want.append(text.lstrip("　"))
    widths = [len(line) for line in raw_lines]
    assert sum(w == 30 for w in widths) < 0.6 * len(raw_lines)  # what the old rule asked for
    r = audited("\n".join(raw_lines) + "\n")
    assert r.text.split("\n") == want


def test_spaced_out_digits_are_joined_but_numbers_and_table_cells_kept_apart():
    r = audited("各位代表：\n现在我代表省人民政府向大会报告工作。\n表1 2012年主要经济指标完成情况\n"
                "指标 单位 计划 完成\n居民消费价格 % 4 3.1\n1 9 9 3 年经济增长 8 . 5 %，物价上涨 1 0 %。\n"
                "国务 院 关 于 加强 工作 的 意见\n我们要继续努力，完成各项任务。\n")
    assert r.text.split("\n")[2:7] == ["表1 2012年主要经济指标完成情况", "指标单位计划完成",
                                       "居民消费价格 % 4 3.1", "1993年经济增长8.5%，物价上涨10%。",
                                       "国务院关于加强工作的意见"]
    assert {x.kind for x in r.removed} == {"spacing", "whitespace"}
