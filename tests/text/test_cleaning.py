"""clean_text: header, footer, markers, pinyin, punctuation and whitespace, with an audit trail."""
from __future__ import annotations

import re

import pandas as pd
import pytest
from pypinyin import Style, pinyin

from analysis.text.cleaning import KINDS, LINE_END, clean_text


# ------------------------------------------------------------------ the seed
def test_seed_header_and_footer_fields(seed_raw):
    r = clean_text(seed_raw)
    assert r.title == "局長在計生理事專題會講話"
    assert r.published == pd.Timestamp("2022-05-17 10:38:00")
    assert r.prev_title == "局長在司法行政交流大會發言"  # its (fā) is cleaned too
    assert r.next_title == "道路景觀構造與城市文化結合思索"


def test_seed_removals_by_kind(seed_raw):
    r = clean_text(seed_raw)
    assert {k: v for k, v in r.counts().items() if v} == {"title": 1, "date": 1, "lede": 1, "footer": 1,
                                                           "pinyin": 132, "whitespace": 1}
    assert list(r.counts()) == list(KINDS)
    by_kind = {x.kind: x for x in r.removed if x.kind != "pinyin"}
    assert by_kind["title"].text == "局長在計生理事專題會講話\n"
    assert by_kind["date"].text == "時間:2022-05-17 10:38:00\n"
    assert by_kind["lede"].text.startswith("導語:局長在計生理事專題會講話一文來源于網(wǎng)友上傳")
    assert by_kind["footer"].text == "- 上一篇:局長在司法行政交流大會發(fā)言\n- 下一篇:道路景觀構造與城市文化結合思索"
    # The seed has 135 pinyin readings; 3 stand in the header and footer lines removed whole.
    assert len(re.findall(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)", seed_raw)) == 135


def test_seed_cleaned_text(seed_raw):
    text = clean_text(seed_raw).text
    assert text.startswith("同志們：\n在全市上下認真學習貫徹全國“兩會”精神之際，今天，市計劃生育協會隆重召開")
    assert text.endswith("為全市經濟社會又好又快、更好更快發展創造更加有利的人口環境！")
    assert not re.search("[A-Za-z]", text)
    assert text.count("\n") == 16  # salutation + 16 paragraphs: one line each, no blank lines
    for parenthetical in ["各縣（區）", "村（居）民", "理事（擴大）會議", "村（居）兩委",
                          "（即有活動場所、有活動制度、有宣傳隊伍、有文體器材、有服務計劃和記錄）",
                          "（進校園、進企業、進社區、）"]:
        assert parenthetical in text
    for half in ",;:!?()":
        assert half not in text


def test_every_removal_is_audited(seed_raw):
    r = clean_text(seed_raw)
    for x in r.removed:
        assert seed_raw[x.start:x.end] == x.text
    assert r.rebuild(seed_raw) == r.text
    frame = r.removed_frame()
    assert frame.columns.tolist() == ["kind", "start", "end", "text"]
    assert len(frame) == 137
    pinyin_rows = frame[frame.kind == "pinyin"]
    # Each pinyin removal stands right after a Han character that is kept.
    assert all(re.match(r"[\u4e00-\u9fff]", seed_raw[s - 1]) for s in pinyin_rows.start)
    assert pinyin_rows.text.value_counts()["(xié)"] == 46  # grep -o "(xié)" on the seed: 46


def test_seed_is_idempotent(seed_raw):
    text = clean_text(seed_raw).text
    again = clean_text(text)
    assert again.text == text and again.removed == [] and again.substitutions == []


# ------------------------------------------------------------------ pinyin
def _dense(text: str, style=Style.TONE) -> str:
    """Every Han character followed by its reading in brackets, as some pages have it."""
    return "".join(
        f"{ch}({py[0]})" if "\u4e00" <= ch <= "\u9fff" else ch
        for ch, py in zip(text, pinyin(text, style=style, errors=lambda x: [[""] for _ in x]))
    )


@pytest.mark.parametrize("style", [Style.TONE, Style.NORMAL, Style.TONE3])
def test_dense_pinyin_is_removed_whatever_its_form(seed_text, style):
    paragraph = seed_text.split("\n")[3]  # 第一，加強計生協工作是推動…
    dense = _dense(paragraph, style)
    assert dense.count("(") > 100
    r = clean_text(dense)
    assert r.text == paragraph
    assert r.counts()["pinyin"] == len(re.findall("[\u4e00-\u9fff]", paragraph))


def test_multi_syllable_and_full_width_readings():
    assert clean_text("計生協會（xié huì）工作").text == "計生協會工作"
    assert clean_text("協（xié）會").text == "協會"
    # xié is no reading of 會: the bracket stays.
    assert clean_text("協會（xié）").text == "協會（xié）"


@pytest.mark.parametrize("raw", ["中國(China)是", "協(abc)會", "第(一)條", "第(yi)條", "時(shi)"])
def test_brackets_that_are_not_readings_stay(raw):
    r = clean_text(raw)
    assert r.counts()["pinyin"] == (1 if raw == "時(shi)" else 0)
    if raw != "時(shi)":
        assert r.text == raw.replace("(", "（").replace(")", "）")


# ------------------------------------------------------------------ markers
@pytest.mark.parametrize(
    "raw, marker, kept",
    [
        ("前文……此处隐藏3163个字……後文", "……此处隐藏3163个字……", "前文後文"),
        ("前文……(某某網省略440字,正式會員可完整閱讀)……後文", "……(某某網省略440字,正式會員可完整閱讀)……", "前文後文"),
        ("正文……（此處隱藏1200字）……續", "……（此處隱藏1200字）……", "正文續"),
        ("最後一段。試讀結束，如需閱讀全文請購買\n", "試讀結束，如需閱讀全文請購買", "最後一段。"),
        ("本段(登錄會員後可查看全文)完", "(登錄會員後可查看全文)", "本段完"),
    ],
)
def test_paywall_markers_are_removed_and_reported(raw, marker, kept):
    r = clean_text(raw)
    assert r.text == kept
    assert [(x.kind, x.text) for x in r.removed if x.kind == "marker"] == [("marker", marker)]


def test_ordinary_ellipsis_and_numbers_stay():
    assert clean_text("他說……真的……好").text == "他說……真的……好"
    assert clean_text("省略了三百字的說明").text == "省略了三百字的說明"


# ------------------------------------------------------------------ header and footer
def test_header_with_several_metadata_lines():
    raw = "標題一則\n來源:某某網\n作者:張三\n時間:2012年3月5日\n導語:僅供參考。\n\n正文第一段。\n"
    r = clean_text(raw)
    assert r.text == "正文第一段。"
    assert r.title == "標題一則"
    assert r.published == pd.Timestamp("2012-03-05")
    # Lines of one kind that follow each other go as one block.
    assert [(x.kind, x.text) for x in r.removed if x.kind != "whitespace"] == [
        ("title", "標題一則\n"), ("meta", "來源:某某網\n作者:張三\n"), ("date", "時間:2012年3月5日\n"),
        ("lede", "導語:僅供參考。\n")]


def test_plain_speech_keeps_its_first_line():
    raw = "一、提高認識\n第一，加強工作。\n"
    r = clean_text(raw)
    assert r.text == "一、提高認識\n第一，加強工作。"
    assert r.title is None and pd.isna(r.published)


def test_site_furniture_after_the_speech_goes():
    raw = "正文。\n上一篇：甲\n下一篇：乙\n相關文章\n某某講話\n另一篇講話\n"
    r = clean_text(raw)
    assert r.text == "正文。"
    assert r.prev_title == "甲" and r.next_title == "乙"
    assert [(x.kind, x.text) for x in r.removed] == [
        ("whitespace", "\n"), ("footer", "上一篇：甲\n下一篇：乙\n"), ("related", "相關文章\n某某講話\n另一篇講話\n")]


@pytest.mark.parametrize("prev, following", [("上一則", "下一則"), ("上一则", "下一则"), ("上則", "下則")])
def test_taiwan_and_hong_kong_sites_previous_and_next_links_go(prev, following):
    """Taiwan's and Hong Kong's government sites write 上一則/下一則 (則, an item) where
    mainland sites write 上一篇: kept as speech, such lines made text-reuse links of their own."""
    raw = f"各局處要加強防災準備，確保市民安全。\n{prev}：市長施政報告\n{following}：行政院記者會談話\n"
    r = clean_text(raw)
    assert r.text == "各局處要加強防災準備，確保市民安全。"
    assert (r.prev_title, r.next_title) == ("市長施政報告", "行政院記者會談話")
    assert [(x.kind, x.text) for x in r.removed] == [
        ("whitespace", "\n"), ("footer", f"{prev}：市長施政報告\n{following}：行政院記者會談話\n")]


# ------------------------------------------------------------------ punctuation and whitespace
@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2012年,全市;好:對!嗎?", "2012年，全市；好：對！嗎？"),
        ("時間10:38，共1,000人", "時間10:38，共1,000人"),
        ("A,B;c (a) x", "A,B;c (a) x"),
        ("文件(a)是", "文件（a）是"),
        ("\u3000\u3000第一段。 \n\n\n  第二段\t。\n", "第一段。\n第二段。"),
        ("Deng  Xiaoping\u3000說", "Deng Xiaoping說"),
    ],
)
def test_punctuation_width_and_whitespace(raw, expected):
    r = clean_text(raw)
    assert r.text == expected
    assert r.rebuild(raw) == expected


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_line_ends_do_not_change_the_text(seed_raw, newline):
    r = clean_text(seed_raw.replace("\n", newline))
    assert r.text == clean_text(seed_raw).text
    assert r.title == "局長在計生理事專題會講話"


def test_rejects_non_text():
    with pytest.raises(TypeError):
        clean_text(b"bytes")


def test_breadcrumb_and_page_tools_are_site_furniture():
    raw = ("您現在的位置：首頁 > 範文大全 > 講話稿\n局長講話\n發布時間：2012-03-05 來源：某某網 點擊：1024\n"
           "字號：大 中 小\n同志們：\n今天我們開會。\n分享到：\n【打印】 【關閉】\n")
    r = clean_text(raw)
    assert r.text == "同志們：\n今天我們開會。"
    assert r.title == "局長講話" and r.published == pd.Timestamp("2012-03-05")
    assert [(x.kind, x.text) for x in r.removed if x.kind != "whitespace"] == [
        ("meta", "您現在的位置：首頁 > 範文大全 > 講話稿\n"), ("title", "局長講話\n"),
        ("date", "發布時間：2012-03-05 來源：某某網 點擊：1024\n"), ("toolbar", "字號：大 中 小\n"),
        ("toolbar", "分享到：\n【打印】 【關閉】\n"),
    ]
    assert clean_text(r.text).text == r.text


def test_breadcrumb_without_a_header_goes_alone():
    r = clean_text("首頁 > 講話 > 正文\n同志們：\n一、提高認識\n")
    assert r.text == "同志們：\n一、提高認識" and r.title is None
    assert r.counts()["meta"] == 1


# ------------------------------------------------------------------ a text too long to be a page
def _long_page(seed_raw: str, copies: int) -> str:
    """The seed's head, its body ``copies`` times over (each copy with full-width digits, an
    indented line with trailing spaces, a zero-width line and a blank line of its own), and
    its foot: a newspaper year in one file, in small."""
    lines = seed_raw.split("\n")
    head, body, foot = lines[:3], lines[3:20], lines[20:]
    extra = ["\u3000\u3000第{n}篇：１９９７年，我們取得了新的成績。\u3000", "\u200b", "", "本段為第{n}段,內容完整。"]
    middle = []
    for n in range(copies):
        middle += body[1:] + [x.format(n=n) for x in extra]
    return "\n".join(head + body[:1] + middle + foot)


def test_long_text_in_blocks_cleans_as_one_page(seed_raw, monkeypatch):
    import analysis.text.cleaning as cleaning

    raw = _long_page(seed_raw, 12)
    whole = clean_text(raw)  # under BLOCK_CHARS: one page
    monkeypatch.setattr(cleaning, "BLOCK_CHARS", 3_000)
    spans = cleaning._blocks(raw)
    assert len(spans) >= 10 and all(raw[b] == "\n" for _, b in spans[:-1])
    for workers in (1, 2):
        blocks = clean_text(raw, workers=workers)
        assert blocks.text == whole.text
        assert blocks.removed == whole.removed
        assert blocks.substitutions == whole.substitutions
        assert (blocks.title, blocks.published, blocks.prev_title, blocks.next_title) == \
            ("局長在計生理事專題會講話", pd.Timestamp("2022-05-17 10:38:00"),
             "局長在司法行政交流大會發言", "道路景觀構造與城市文化結合思索")
        assert blocks.rebuild(raw) == blocks.text
    # Every copy's pinyin went, in every block; the head and foot went once each.
    counts = blocks.counts()
    assert counts["pinyin"] == whole.counts()["pinyin"] > 12 * 100
    assert (counts["title"], counts["footer"]) == (1, 1)


def test_long_text_block_deleted_whole_gives_up_its_line_break(monkeypatch):
    """A block whose text all goes (here the last: a site's footer) leaves no line break
    behind: the break before it is reported deleted, as on one page."""
    import analysis.text.cleaning as cleaning

    prose = "我們要堅持以人民為中心的發展思想，推動高質量發展取得新成效。"
    foot = "- 上一篇:局長在司法行政交流大會發言\n- 下一篇:道路景觀構造與城市文化結合思索"
    raw = "\n".join([prose] * 6) + "\n" + foot
    whole = clean_text(raw)
    monkeypatch.setattr(cleaning, "BLOCK_CHARS", 60)
    spans = cleaning._blocks(raw)
    assert raw[slice(*spans[-1])] == foot and len(spans) == 7
    r = clean_text(raw)
    assert r.text == whole.text == "\n".join([prose] * 6)
    assert r.removed == whole.removed
    assert [(x.kind, x.text) for x in r.removed] == [("whitespace", "\n"), ("footer", foot)]
    assert r.next_title == whole.next_title == "道路景觀構造與城市文化結合思索"


_PORTAL_PAGE = (
    "青山市人民政府门户网站\n首页 > 新闻中心 > 领导讲话\n市长在全市经济工作会议上的讲话\n"
    "来源：青山市人民政府办公室 发布时间：2015-03-02 09:30 浏览次数：1234\n【字体：大 中 小】 【打印】 【关闭】\n\n"
    "同志们：\n\n今年全市经济工作的总体要求是，坚持稳中求进，全年地区生产总值增长7%左右。\n\n"
    "各级政府要切实加强领导，确保各项任务落到实处。\n\n\n版权所有：青山市人民政府 京ICP备12345678号\n"
    "主办单位：青山市人民政府办公室\n")


def test_counts_are_the_same_whatever_the_line_ends():
    lf = clean_text(_PORTAL_PAGE)
    crlf = clean_text(_PORTAL_PAGE.replace("\n", "\r\n"))
    assert crlf.text == lf.text
    assert len(crlf.removed) > len(lf.removed)  # the CRs, and LFs reported apart from their lines
    assert crlf.counts() == lf.counts()
    assert {k: v for k, v in lf.counts().items() if v} == {"title": 1, "meta": 2, "toolbar": 1, "legal": 1,
                                                            "whitespace": 4}
    assert crlf.rebuild(_PORTAL_PAGE.replace("\n", "\r\n")) == crlf.text


def test_removals_list_a_crlf_page_as_its_counts_do(tmp_path):
    """``removals`` lists a CRLF page's deletions as the counts count them: each line's CR
    inside its line's deletion (not a title in two rows and a CR between), and the CRs of the
    kept lines as ``line end`` rows. Its rows by kind, line ends aside, are the LF page's
    rows and the corpus's ``removed_<kind>`` counts (a new user's trial: the chart and the
    table of notebook 00 disagreed, 13 titles against 26 rows)."""
    from analysis import load_corpus, removals

    (tmp_path / "lf.txt").write_text(_PORTAL_PAGE, encoding="utf-8", newline="")
    (tmp_path / "crlf.txt").write_text(_PORTAL_PAGE.replace("\n", "\r\n"), encoding="utf-8", newline="")
    with pytest.warns(UserWarning, match="repeat another's text word for word"):
        corpus = load_corpus(tmp_path, cache=False)
    audit = removals(corpus, substitutions=False)
    lf, crlf = (audit[audit["speech_id"] == sid] for sid in ("lf", "crlf"))
    assert crlf["kind"].value_counts().get(LINE_END) == 2 and LINE_END not in set(lf["kind"])  # 同志们：, a prose line
    assert crlf.loc[crlf["kind"] != LINE_END, "kind"].tolist() == lf["kind"].tolist()
    assert crlf.loc[crlf["kind"] == "title", "text"].tolist() == ["市长在全市经济工作会议上的讲话\r\n"]
    counts = corpus.set_index("speech_id")[[f"removed_{k}" for k in KINDS]]
    for sid, rows in (("lf", lf), ("crlf", crlf)):
        by_kind = rows.loc[rows["kind"] != LINE_END, "kind"].value_counts()
        assert {k: int(n) for k, n in counts.loc[sid].items() if n} == \
            {f"removed_{k}": int(n) for k, n in by_kind.items()}


@pytest.mark.parametrize("line, published", [
    ("来源：青山市人民政府办公室 发布时间：2015-03-02 09:30 浏览次数：1234", "2015-03-02 09:30"),
    ("2016-03-05 09:12:33\u3000来源：江南日报\u3000作者：记者 张三", "2016-03-05 09:12:33"),
    ("發布時間：2015-03-02 來源：青山市人民政府辦公室", "2015-03-02"),
    ("来源：新华社", None),
])
def test_a_posting_time_is_read_from_a_page_information_line_wherever_it_stands(line, published):
    page = f"市长在全市经济工作会议上的讲话\n{line}\n\n同志们：\n\n今年要坚持稳中求进。\n\n各级政府要切实加强领导。\n"
    r = clean_text(page)
    assert r.text == "同志们：\n今年要坚持稳中求进。\n各级政府要切实加强领导。"
    assert (r.published == pd.Timestamp(published)) if published else pd.isna(r.published)


@pytest.mark.parametrize("note", ["编者按：近日，市委召开全市工作会议。现将讲话全文刊发如下。",
                                  "【編者按】近日，市委召開全市工作會議。現將講話全文刊發如下。",
                                  "編者的話：現將講話全文刊發如下。"])
def test_an_editors_note_above_the_speech_is_a_lede(note):
    page = f"市长在全市经济工作会议上的讲话\n发布时间：2015-03-02\n{note}\n同志们：\n\n今年要坚持稳中求进。\n"
    r = clean_text(page)
    assert r.text == "同志们：\n今年要坚持稳中求进。"
    assert [x.text.rstrip("\n") for x in r.removed if x.kind == "lede"] == [note]


@pytest.mark.parametrize("source", ["来源：青山市人民政府办公室 发布时间：2015-03-02 09:30\n", ""])
def test_a_sites_name_over_its_breadcrumb_trail_is_not_the_title(source):
    # 網站名 ⏎ 首頁 > … ⏎ the title ⏎ (來源:…) ⏎ toolbar: the title is the line under the trail
    page = (f"青山市人民政府门户网站\n首页 > 新闻中心 > 领导讲话\n市长在全市经济工作会议上的讲话\n{source}"
            "【字体：大 中 小】 【打印】 【关闭】\n\n同志们：\n\n今年要坚持稳中求进。\n")
    r = clean_text(page)
    assert r.title == "市长在全市经济工作会议上的讲话"
    assert r.text == "同志们：\n今年要坚持稳中求进。"
    assert [x.text for x in r.removed if x.kind == "meta"][0] == "青山市人民政府门户网站\n首页 > 新闻中心 > 领导讲话\n"
