"""Property-based tests of clean_text (hypothesis): on any Unicode, and on text built from
the pieces scraped pages are made of, cleaning never raises, is idempotent, and accounts for
every character it takes out."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.text.cleaning import HAN_RE, clean_text

# Pieces of scraped speech pages, so that the search reaches the cleaner's real branches
# (headers, footers, pinyin, markers, line ends) and not only random noise.
PIECES = [
    "局長講話", "時間:2022-05-17 10:38:00", "導語:本文來源于網友上傳,不代表本站觀點。", "來源:某某網",
    "同志們:", "協(xié)會", "各縣(區(qū))", "村(居)民", "(即有活動場所、有活動制度)", "計(ji)生(sheng)",
    "綠(lǜ)色", "……此处隐藏3163个字……", "……(某某網省略440字,正式會員可完整閱讀)……", "試讀結束,請購買",
    "- 上一篇:局長發言", "- 下一篇:道路景觀", "相關文章:", "首頁 > 範文 > 講話", "您現在的位置：首頁",
    "分享到：", "【打印】", "字號：大 中 小", "一、提高認識", "第一,加強", "一是要",
    "10:38", "1,000", "(a)", "中國(China)", "\n", "\r\n", "\r", " ", "\u3000", "\t", "\ufeff", "\u200b",
    "。", "，", ",", ";", ":", "!", "?", "(", ")", "（", "）", "“雙降”", "《通報》", "…", "...",
]
page_text = st.lists(
    st.one_of(st.sampled_from(PIECES), st.text(max_size=4)), max_size=40
).map("".join)
any_text = st.one_of(st.text(max_size=200), page_text)

SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(any_text)
def test_never_raises_and_is_idempotent(raw):
    once = clean_text(raw).text
    assert clean_text(once).text == once


@SETTINGS
@given(any_text)
def test_removals_account_exactly_for_what_is_missing(raw):
    result = clean_text(raw)
    # Each removal is a real, non-overlapping slice of raw.
    previous_end = 0
    for r in result.removed:
        assert raw[r.start:r.end] == r.text and r.end > r.start
        assert r.start >= previous_end
        previous_end = r.end
    # Deleting those slices and applying the reported one-for-one substitutions gives text.
    assert result.rebuild(raw) == result.text


@SETTINGS
@given(any_text)
def test_every_han_character_is_kept_in_order_or_reported_removed(raw):
    result = clean_text(raw)
    removed_at = set()
    for r in result.removed:
        removed_at.update(range(r.start, r.end))
    kept_han = [c for i, c in enumerate(raw) if HAN_RE.match(c) and i not in removed_at]
    assert kept_han == HAN_RE.findall(result.text)


# ------------------------------------------------------------------ random furniture around random speech
# Speech text is drawn from characters common in speeches; furniture is drawn kind by kind, in
# Traditional and Simplified, with random site names and numbers, and placed where sites put it.
# Whatever is drawn, cleaning must give back the speech's paragraphs exactly.
POOL = ("人民群眾众發展发展經濟经济社會社会建設建设工作推進推进加強加强改革創新创新服務服务管理制度提高質量质量水平"
        "基層基层組織组织領導领导幹部干部學習学习實踐实践落實落实任務任务目標目标農村农村城市教育科技文化衛生卫生"
        "環境环境生態生态安全保障穩定稳定和諧和谐開放开放合作")
POOL = "".join(dict.fromkeys(POOL))
SITE = st.text(alphabet="東南西北山河海天星雲云龍龙鳳凤華华", min_size=2, max_size=3)
NUMBER = st.integers(min_value=1, max_value=99999).map(str)


@st.composite
def sentence(draw):
    chunks = draw(st.lists(st.text(alphabet=POOL, min_size=4, max_size=14), min_size=1, max_size=3))
    return "，".join(chunks) + "。"


@st.composite
def speech(draw):
    """Paragraphs: an optional salutation, prose, numbered headings, and prose last."""
    paragraphs = ["同志們：" if draw(st.booleans()) else "同志们："] if draw(st.booleans()) else []
    for n in range(draw(st.integers(min_value=1, max_value=6))):
        if draw(st.booleans()):
            heading = draw(st.text(alphabet=POOL, min_size=4, max_size=12))
            paragraphs.append("一二三四五六"[n] + "、" + heading)
        paragraphs.append("".join(draw(st.lists(sentence(), min_size=1, max_size=3))))
    return paragraphs


FURNITURE_KINDS = ["toolbar", "seo", "code", "legal", "related", "page", "meta", "title", "unseen"]


@st.composite
def furniture(draw, kind):
    """(lines above the speech, lines below it, lines between pages) for one kind."""
    site = draw(SITE)
    n = draw(NUMBER)
    trad = draw(st.booleans())
    if kind == "toolbar":
        line = draw(st.sampled_from([
            "【字體：大 中 小】【打印本頁】【關閉窗口】", "【字体：大 中 小】 【打印】 【关闭】",
            "分享到：微信 微博 QQ空間", "收藏本页 | 打印 | 关闭", "扫一扫在手机打开当前页",
            "【我要糾錯】【打印本頁】【關閉】"]))
        return ([line], [line], [])
    if kind == "seo":
        top = f"{draw(st.text(alphabet=POOL, min_size=4, max_size=10))}講話稿_範文大全_{site}範文網"
        return ([top, f"关键词：{draw(st.text(alphabet=POOL, min_size=2, max_size=6))} 讲话稿 范文"], [], [])
    if kind == "code":
        css = f".article-{site and 'body'} p{{text-indent:2em;line-height:{n}px;}}"
        js = draw(st.sampled_from(["var _hmt = _hmt || [];", "document.write('<div id=\"ad\"></div>');",
                                   f"<script src=\"https://example.com/{n}.js\"></script>"]))
        return ([css, js], [js], [])
    if kind == "legal":
        lines = [f"版權所有 © 2012-2023 {site}網 All Rights Reserved" if trad else f"版权所有：{site}网",
                 f"{site}ICP備{n}號" if trad else f"{site}ICP备{n}号-1",
                 "本站部分文章來源於網絡，如有侵權請聯繫刪除。" if trad
                 else "免责声明：本站文章仅代表作者观点，不代表本站立场。"]
        return ([], draw(st.permutations(lines)), [])
    if kind == "related":
        titles = [draw(st.text(alphabet=POOL, min_size=4, max_size=12)) + "講話" for _ in range(draw(
            st.integers(min_value=1, max_value=4)))]
        return ([], [draw(st.sampled_from(["相關文章", "相关阅读：", "推荐范文", "猜你喜歡"])), *titles], [])
    if kind == "page":
        header = f"{site}市人民政府文件"
        style = draw(st.sampled_from(["- {} -", "第 {} 頁", "第{}页 共9页", "{}"]))
        return ([header], [], [header, style])
    if kind == "meta":
        lines = [f"責任編輯：{site}" if trad else f"责任编辑：{site}",
                 f"來源：{site}日報" if trad else f"来源：{site}日报",
                 f"作者：{site}", f"瀏覽次數：{n}" if trad else f"浏览次数：{n}"]
        chosen = draw(st.lists(st.sampled_from(lines), min_size=1, max_size=4, unique=True))
        return (chosen[:1], chosen[1:], [])
    if kind == "title":
        return ([draw(st.text(alphabet=POOL, min_size=4, max_size=16)) + "會議上的講話"], [], [])
    # Furniture no word list knows: a menu above, a short line after a known footer line.
    menu = " ".join(draw(st.lists(st.text(alphabet=POOL, min_size=2, max_size=4), min_size=3, max_size=5)))
    return ([menu], [f"責任編輯：{site}", f"{site}{draw(st.text(alphabet=POOL, min_size=2, max_size=6))}中心"], [])


@st.composite
def furnished_page(draw):
    paragraphs = draw(speech())
    kinds = draw(st.lists(st.sampled_from(FURNITURE_KINDS), min_size=1, max_size=4, unique=True))
    above, below, between = [], [], []
    for kind in kinds:
        top, bottom, page_lines = draw(furniture(kind))
        above += top
        below += bottom
        between += page_lines
    layout = draw(st.sampled_from(["lines", "blank", "indent"]))
    body = []
    for k, p in enumerate(paragraphs):
        if between and k and k % 2 == 0:  # a page break every two paragraphs: number, header
            body += [between[1].format(k // 2), between[0]]
        body.append("\u3000\u3000" + p if layout == "indent" else p)
    if between:
        body.append(between[1].format((len(paragraphs) + 1) // 2))  # the last page's number
    sep = "\n\n" if layout == "blank" else "\n"
    return sep.join(draw(st.permutations(above)) + body + below) + "\n", "\n".join(paragraphs)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(furnished_page())
def test_random_furniture_around_random_speech_goes_and_the_speech_stays(case):
    raw, expected = case
    result = clean_text(raw)
    assert result.text == expected
    assert result.rebuild(raw) == result.text
    assert clean_text(result.text).text == result.text
