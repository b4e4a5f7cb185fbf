"""Published heads (analysis.text.heads): 《在…上的讲话》（2020年2月3日）王明 in every layout a page
gives it, read into the corpus's date and speaker, removed and reported by the cleaner.

Every text here is written for the test, in the project's own words.
"""
from __future__ import annotations

import pandas as pd
import pytest

from analysis import load_corpus, read_head
from analysis.measures.trends import group_column, speech_groups, term_trends
from analysis.text.cleaning import clean_text
from analysis.text.dates import speech_date
from analysis.text.heads import byline_between, find_head, is_date_line, name_like, speaker_name

BODY = "同志们：\n今天我们召开全市春耕生产工作会议，研究部署今年的春耕工作。\n一、抓好春耕\n各县要早安排、早落实。"
BODY_T = "同志們：\n今天我們召開全市春耕生產工作會議，研究部署今年的春耕工作。\n一、抓好春耕\n各縣要早安排、早落實。"
TITLE = "在全市春耕生产工作会议上的讲话"
TITLE_T = "在全市春耕生產工作會議上的講話"
FLAT = "同志们：今天我们召开全市春耕生产工作会议，研究部署今年的春耕工作。各县要早安排、早落实。"  # a flattened page
FLAT_BODY = FLAT
SECTIONS = ("同志们：\n今天我们召开全市春耕生产工作会议，研究部署今年的春耕工作。\n"
            "一、抓好春耕。各县要早安排、早落实。\n二、抓好防汛。各县要早准备、早检查。")

# file stem: (raw text, title, date, date_evidence, speaker, the body once cleaned,
#             the deletions [(kind, text)] other than whitespace)
LAYOUTS = {
    # The head on a line of its own, all three parts run together.
    "a_own_line": (f"《{TITLE}》（2020年2月3日）王明\n{BODY}", TITLE, "2020-02-03", "（2020年2月3日）", "王明", BODY,
                   [("title", f"《{TITLE}》"), ("date", "（2020年2月3日）"), ("byline", "王明\n")]),
    # A flattened page: the head runs on into the body, a space before the salutation.
    "b_joined_space": (f"《{TITLE}》（2020年2月3日）王明 {FLAT}", TITLE, "2020-02-03", "（2020年2月3日）", "王明",
                       FLAT_BODY, [("title", f"《{TITLE}》"), ("date", "（2020年2月3日）"), ("byline", "王明 ")]),
    # … and with nothing between the name and the salutation.
    "c_joined_tight": (f"《{TITLE}》（2020年2月3日）王明{FLAT}", TITLE, "2020-02-03", "（2020年2月3日）", "王明",
                       FLAT_BODY, [("title", f"《{TITLE}》"), ("date", "（2020年2月3日）"), ("byline", "王明")]),
    # A flattened page with numbered sections: the head comes off, the sections are split.
    "c_joined_sections": (f"《{TITLE}》（2020年2月3日）王明 {SECTIONS.replace(chr(10), '')}", TITLE, "2020-02-03",
                          "（2020年2月3日）", "王明", SECTIONS,
                          [("title", f"《{TITLE}》"), ("date", "（2020年2月3日）"), ("byline", "王明 ")]),
    # Each part on its own line, the title without 《》.
    "d_date_own_line": (f"{TITLE}\n（2020年2月3日）\n王明\n{BODY}", TITLE, "2020-02-03", "（2020年2月3日）", "王明",
                        BODY, [("title", f"{TITLE}\n"), ("date", "（2020年2月3日）\n"), ("byline", "王明\n")]),
    # Title and date on one line, the speaker under them (taken for the title before).
    "e_speaker_below": (f"《{TITLE}》（2020年2月3日）\n王明\n{BODY}", TITLE, "2020-02-03", "（2020年2月3日）", "王明",
                        BODY, [("title", f"《{TITLE}》"), ("date", "（2020年2月3日）\n"), ("byline", "王明\n")]),
    # Traditional, the date in Chinese numerals with 〇.
    "f_traditional": (f"《{TITLE_T}》（二〇二〇年二月三日）王明\n{BODY_T}", TITLE_T, "2020-02-03",
                      "（二〇二〇年二月三日）", "王明", BODY_T,
                      [("title", f"《{TITLE_T}》"), ("date", "（二〇二〇年二月三日）"), ("byline", "王明\n")]),
    # Half-width brackets, ○ in the year, no 《》, a bare title run on into the body.
    "g_half_width": (f"{TITLE}(二○一九年十二月二十日)王明 {FLAT}", TITLE, "2019-12-20",
                     "(二○一九年十二月二十日)", "王明", FLAT_BODY,
                     [("title", TITLE), ("date", "(二○一九年十二月二十日)"), ("byline", "王明 ")]),
    # Half-width title marks, Traditional, the date on a line of its own with the occasion.
    "h_half_marks": (f"<<{TITLE_T}>>\n(2021年3月1日在全市春耕生產工作會議上)\n李　華\n{BODY_T}", TITLE_T, "2021-03-01",
                     "(2021年3月1日在全市春耕生產工作會議上)", "李華", BODY_T,
                     [("title", f"<<{TITLE_T}>>\n"), ("date", "(2021年3月1日在全市春耕生產工作會議上)\n"),
                      ("byline", "李　華\n")]),
    # A dash dateline and a byline of two lines, office then name spaced out.
    "i_dash_office": ("工作报告\n——2019年3月6日在全县人民代表大会第一次会议上\n县长\n张　某\n"
                      "各位代表：\n现在，我代表县人民政府作报告。", "工作报告", "2019-03-06",
                      "——2019年3月6日在全县人民代表大会第一次会议上", "张某",
                      "各位代表：\n现在，我代表县人民政府作报告。",
                      [("title", "工作报告\n"), ("date", "——2019年3月6日在全县人民代表大会第一次会议上\n"),
                       ("byline", "县长\n张　某\n")]),
    # Title, speaker, then the date.
    "j_speaker_before_date": (f"{TITLE}\n王明\n（2020年2月3日）\n{BODY}", TITLE, "2020-02-03",
                              "（2020年2月3日）", "王明", BODY,
                              [("title", f"{TITLE}\n"), ("byline", "王明\n"), ("date", "（2020年2月3日）\n")]),
    # No title: the date and the speaker alone (the name was taken for the title before).
    "k_no_title": (f"（2020年2月3日）\n王明\n{BODY}", None, "2020-02-03", "（2020年2月3日）", "王明", BODY,
                   [("date", "（2020年2月3日）\n"), ("byline", "王明\n")]),
}


@pytest.fixture(scope="module")
def layouts(tmp_path_factory):
    folder = tmp_path_factory.mktemp("heads")
    for stem, (raw, *_) in LAYOUTS.items():
        (folder / f"{stem}.txt").write_text(raw, encoding="utf-8")
    with pytest.warns(UserWarning, match="word for word once cleaned"):   # one body under many heads
        return load_corpus(folder, cache=False).set_index("speech_id")


@pytest.mark.parametrize("stem", LAYOUTS)
def test_each_layout_gives_the_date_and_the_speaker(layouts, stem):
    _, title, date, evidence, speaker, text, _ = LAYOUTS[stem]
    row = layouts.loc[stem]
    assert row["date"] == pd.Timestamp(date) and row["year"] == int(date[:4])
    assert (row["date_source"], row["date_evidence"]) == ("text", evidence)
    assert (row["speaker"], row["speaker_source"]) == (speaker, "text")
    assert (row["title"] if pd.notna(row["title"]) else None) == title
    assert row["text"] == text
    assert pd.isna(row["published"])   # a head's date is the speech's, not the page's


@pytest.mark.parametrize("stem", LAYOUTS)
def test_each_head_is_removed_part_by_part_and_reported(stem):
    raw, *_, text, removed = LAYOUTS[stem]
    r = clean_text(raw)
    assert r.text == text and r.rebuild(raw) == text
    assert [(x.kind, x.text) for x in r.removed if x.kind != "whitespace"] == removed
    # Nothing but the head and whitespace goes: no Han character of the body is lost.
    head = "".join(t for _, t in removed)
    assert sorted(c for c in raw if "\u4e00" <= c <= "\u9fff") == sorted(
        c for c in head + text if "\u4e00" <= c <= "\u9fff")
    assert r.counts()["byline"] == 1 and clean_text(r.text).text == r.text


def test_a_head_under_a_pages_furniture(tmp_path):
    # A portal's name, its label for the page and the posting time above a flattened head:
    # the head's title is the speech's, the posting time stays in published.
    raw = (f"某某市人民政府门户网站\n领导讲话\n时间:2022-05-17 10:38:00\n《{TITLE}》（2020年2月3日）王明 {FLAT}\n"
           "责任编辑：张三")
    r = clean_text(raw)
    assert (r.text, r.title, r.published) == (FLAT, TITLE, pd.Timestamp("2022-05-17 10:38"))
    assert [(x.kind, x.text) for x in r.removed if x.kind != "whitespace"] == [
        ("meta", "某某市人民政府门户网站\n领导讲话\n"), ("date", "时间:2022-05-17 10:38:00\n"),
        ("title", f"《{TITLE}》"), ("date", "（2020年2月3日）"), ("byline", "王明 "), ("meta", "责任编辑：张三")]
    (tmp_path / "page.txt").write_text(raw, encoding="utf-8")
    row = load_corpus(tmp_path, cache=False).iloc[0]
    assert (row["date"], row["date_evidence"], row["speaker"]) == (
        pd.Timestamp("2020-02-03"), "（2020年2月3日）", "王明")


def test_a_head_joined_to_the_body_is_read_from_the_text_as_given():
    # Without cleaning (speech_date on the text itself), the head's date is read all the same.
    found = speech_date(f"《{TITLE}》（2020年2月3日）王明 {FLAT}")
    assert (found.date, found.source, found.evidence) == (pd.Timestamp("2020-02-03"), "text", "（2020年2月3日）")
    head = read_head(f"{TITLE}\n（2020年2月3日）\n国务院总理\n李　强\n{BODY}")
    assert (head.title, head.date, head.byline, head.speaker) == (
        TITLE, pd.Timestamp("2020-02-03"), "国务院总理\n李　强", "李强")
    assert head.evidence == f"{TITLE} （2020年2月3日） 国务院总理 李　强"
    dated = read_head("1957年6月26日在全省代表会议上\n张三\n同志们：")
    assert (dated.date, dated.title, dated.speaker) == (pd.Timestamp("1957-06-26"), None, "张三")


@pytest.mark.parametrize("raw", [
    "今天（2020年2月3日）我们召开会议，研究春耕工作。\n大家要抓好落实。",          # a sentence that opens with a date
    "《关于春耕的通知》（2020年2月3日）指出，要抓好春耕。\n大家要抓好落实。",        # a document the speech cites
    "（2020年2月3日） 今天我们召开会议，研究春耕工作。\n大家要抓好落实。",           # a date, a space, a sentence
    "在全市会议上（2020年2月3日）王明今天讲了话，研究春耕工作。\n大家要抓好落实。",  # no break between head and body
])
def test_a_body_that_starts_with_a_date_is_not_a_head(raw):
    assert find_head(raw.split("\n")[0]) is None
    r = clean_text(raw)
    assert r.text == raw.replace("） ", "）")   # only the space between CJK text goes
    assert [x.kind for x in r.removed] in ([], ["spacing"])
    assert speech_date(r.text).source is None


def test_the_metadata_speaker_wins_and_levels_are_read(tmp_path):
    (tmp_path / "a.txt").write_text(LAYOUTS["a_own_line"][0], encoding="utf-8")
    (tmp_path / "b.txt").write_text(LAYOUTS["k_no_title"][0], encoding="utf-8")
    (tmp_path / "c.txt").write_text(BODY, encoding="utf-8")
    (tmp_path / "metadata.csv").write_text(
        "speech_id,speaker,level,place,meeting\na,李华,市级,某市,全市春耕生产工作会议\nb,,County,某县,\nc,,中央,,\n",
        encoding="utf-8")
    with pytest.warns(UserWarning, match="word for word once cleaned"):   # one body under three heads
        corpus = load_corpus(tmp_path, cache=False)
    assert corpus["speaker"].iloc[:2].tolist() == ["李华", "王明"] and pd.isna(corpus["speaker"].iloc[2])
    assert corpus["speaker_source"].iloc[:2].tolist() == ["metadata", "text"]
    assert pd.isna(corpus["speaker_source"].iloc[2])
    assert corpus["level"].tolist() == ["city", "county", "central"]
    assert list(corpus["level"].cat.categories) == ["central", "provincial", "city", "county", "township"]
    assert list(corpus.columns[:10]) == ["speech_id", "title", "date", "year", "date_source", "date_evidence",
                                         "speaker", "speaker_source", "level", "place"]
    assert corpus["meeting"].iloc[0] == "全市春耕生产工作会议"
    # Grouping by level runs from the centre down, whatever the order of the rows.
    assert speech_groups(pd.Series(["a", "b", "c"]), by="level", corpus=corpus).cat.categories[0] == "central"


def test_an_unknown_level_is_named(tmp_path):
    from analysis import CorpusError
    from analysis.corpus.metadata import MetadataWarning

    (tmp_path / "a.txt").write_text(BODY, encoding="utf-8")
    (tmp_path / "metadata.csv").write_text("speech_id,level\na,ministerial\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"row 2 \(a\), column level: 'ministerial' is not a level; write one "
                                          r"of central, provincial, city, county, township"):
        load_corpus(tmp_path, cache=False)
    with pytest.warns(MetadataWarning, match="'ministerial' is not a level"):
        corpus = load_corpus(tmp_path, cache=False, errors="warn")
    assert pd.isna(corpus["level"].iloc[0])


def test_grouping_takes_the_metadata_columns(tmp_path):
    from analysis import corpus_tokens, theme_density

    texts = {"a": "同志们：\n我们要做好计划生育工作，计划生育很重要。", "b": "同志们：\n计划生育工作要落实。",
             "c": "同志们：\n今天讲春耕工作。"}
    for stem, text in texts.items():
        (tmp_path / f"{stem}.txt").write_text(text, encoding="utf-8")
    (tmp_path / "metadata.csv").write_text(
        "speech_id,year,speaker,level,place\na,2011,王明,county,甲县\nb,2012,王明,provincial,乙省\nc,2012,李华,county,甲县\n",
        encoding="utf-8")
    corpus = load_corpus(tmp_path, cache=False)
    tokens = corpus_tokens(corpus, cache=False)
    by_speaker = term_trends(tokens, ["计划生育"], by="speaker", corpus=corpus)
    assert by_speaker[["speaker", "count", "n_docs"]].values.tolist() == [["李华", 0, 1], ["王明", 3, 2]]
    by_level = term_trends(tokens, ["计划生育"], by="level", corpus=corpus)
    assert by_level[["level", "count", "docs"]].values.tolist() == [["provincial", 1, 1], ["county", 2, 1]]
    assert theme_density(corpus, by="place", tokens=tokens)["place"].unique().tolist() == ["乙省", "甲县"]
    assert group_column(corpus, by="level") == "level" and group_column(corpus) == "year"
    with pytest.raises(ValueError, match=r"by='meeting': the corpus has no such column \(give it in metadata.csv"):
        group_column(corpus, by="meeting")


def test_name_and_speaker_rules():
    assert [speaker_name(b) for b in ("国务院总理 李强", "李　强", "国务院总理李强", "习近平", "局長")] == [
        "李强", "李强", "李强", "习近平", "局長"]
    assert [name_like(t) for t in ("司马义·艾买提", "第一部分", "前言", "谢谢大家", "关于春耕的说明", "局长讲话")] == [
        True, False, False, False, False, False]
    assert byline_between(TITLE, "王明") and not byline_between(TITLE, "春耕讲话")
    lines = ("（2020年2月3日）", "——2024年3月5日在会议上", "時間:2022-05-17 10:38:00", "2022年5月17日 10:38",
             "2012年3月，我们开会。")
    assert [is_date_line(t) for t in lines] == [True, True, False, False, False]


def test_the_reports_name_their_speakers(gwr_dir):
    # Six reports of the shared corpus carry a published head with a byline (國務院總理 ⏎ 李克強);
    # the table gives no speaker, so the bylines fill the column, and nothing else does.
    corpus = load_corpus(gwr_dir).set_index("speech_id")
    named = corpus[corpus["speaker"].notna()]
    assert named["speaker"].to_dict() == {"gwr_1957": "周恩来", "gwr_2017": "李克强", "gwr_2021": "李克强",
                                          "gwr_2022": "李克强", "gwr_2023": "李克强", "gwr_2024": "李强"}
    assert set(named["speaker_source"]) == {"text"}
    assert int(corpus["removed_byline"].sum()) == 6 and int(corpus["removed_meta"].sum()) == 0
