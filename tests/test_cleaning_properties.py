"""Property-based tests of clean_text (hypothesis): on any Unicode, and on text built from
the pieces scraped pages are made of, cleaning never raises, is idempotent, and accounts for
every character it takes out."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.cleaning import HAN_RE, clean_text

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
