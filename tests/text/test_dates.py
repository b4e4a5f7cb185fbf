"""Speech dates: each rule on its own, their order of trust, and the seed and shared corpus."""
from __future__ import annotations

import datetime

import pandas as pd
import pytest

from analysis import load_corpus
from analysis.text.dates import (
    SpeechDate,
    dateline,
    filename_date,
    own_year,
    parse_date_value,
    parse_year_value,
    session_year,
    speech_date,
)


@pytest.mark.parametrize("head, expected", [
    ("關於2020年工作的報告\n（2020年2月3日）\n同志們：", "2020-02-03"),
    ("政府工作报告\n\n——2024年3月5日在第十四届全国人民代表大会第二次会议上\n\n各位代表：", "2024-03-05"),
    ("在全省宣傳工作會議上的講話\n一九八二年十一月三十日\n同志們：", "1982-11-30"),
    ("决议\n（2013年3月17日第十二届全国人民代表大会第一次会议通过）\n会议听取了报告。", "2013-03-17"),
    ("講話\n（２０１９年１２月２日）\n同志們：", "2019-12-02"),            # full-width digits
    ("講話\n2011-03-05\n同志們：", "2011-03-05"),
])
def test_datelines_in_the_head(head, expected):
    found = dateline(head)
    assert found.date == pd.Timestamp(expected) and found.year == int(expected[:4])
    assert found.source == "text" and found.evidence in head


@pytest.mark.parametrize("head", [
    "同志們：\n2011年3月，我們召開了全市會議，部署了工作。",   # a sentence opening with a date
    "同志們：\n今天我們開會。\n" + "這是正文。" * 200 + "\n（2015年1月1日）",   # not in the head
    "講話\n（2019年2月30日）\n同志們：",                        # no such day
    "講話\n（1850年2月3日）\n同志們：",                         # outside 1900-2100
])
def test_no_dateline(head):
    assert dateline(head).source is None


def test_session_named_in_the_opening_dates_the_year_only():
    found = session_year("第十二届全国人民代表大会第一次会议听取和审议了国务院总理所作的政府工作报告。")
    assert (found.year, found.source, found.evidence) == (2013, "text", "第十二届全国人民代表大会第一次会议")
    assert pd.isna(found.date)
    assert session_year("各位代表：\n我們第一届全國人民代表大會第一次會議，已經光榮地完成了……").year == 1954
    assert session_year("十二届全国人大一次会议的各位代表，").year == 2013
    assert session_year("中国人民政治协商会议第十三届全国委员会第二次会议，").year == 2019


@pytest.mark.parametrize("opening", [
    "从去年9月第五届全国人民代表大会第三次会议到现在，已经过去了一年零两个月。",   # looking back
    "第十二届全国人民代表大会第一次会议以来，我们做了大量工作。",
    "第十二届全国人民代表大会常务委员会第五次会议通过。",                   # a standing committee
    "同志们：\n今天的会议很重要。\n第十二届全国人民代表大会第一次会议要求……",   # not the opening
])
def test_sessions_that_do_not_date_the_speech(opening):
    assert session_year(opening).source is None


@pytest.mark.parametrize("name, date, year", [
    ("2011-03-05_x", "2011-03-05", 2011),
    ("x_20120305", "2012-03-05", 2012),
    ("speech.2019.12.02", "2019-12-02", 2019),
    ("gwr-2013", None, 2013),
    ("gwr_1954.txt", None, 1954),
])
def test_dates_in_file_names(name, date, year):
    found = filename_date(name)
    assert found.year == year and found.source == "filename"
    assert (pd.isna(found.date) if date is None else found.date == pd.Timestamp(date))


@pytest.mark.parametrize("name", ["000_8ebf5a98b5b66884", "a2012b", "report_2011_2012", "x_20121340", "speech"])
def test_file_names_that_say_nothing(name):
    # A hash, a year glued to letters, two different years, a month 13.
    assert filename_date(name).source is None


def test_the_year_a_text_speaks_of_as_its_own():
    found = own_year("部署了全市2012年度工作。2011年的工作很好。對2012年度工作提出要求。")
    assert (found.year, found.source, found.evidence) == (2012, "text", "2012年度 (2 times)")
    assert pd.isna(found.date)
    assert own_year("今年（2015年）要做好三件事。").year == 2015
    assert own_year("一九九五年度計劃").year == 1995
    # A tie goes to the later year: a speech looks ahead.
    assert own_year("2011年度總結，2012年度計劃。").year == 2012
    assert own_year("2011年，我們做了很多工作。").source is None
    # Full-width digits as written (the evidence quotes the text); no year inside a longer number.
    assert own_year("今年（２０１６年）").evidence == "今年（２０１６年） (1 time)"
    assert own_year("編號12012年度").source is None


def test_order_of_trust():
    text = "講話\n（2020年2月3日）\n部署了2019年度工作。"
    meta = SpeechDate(pd.Timestamp("2020-01-01"), 2020, "metadata", "metadata.csv date=2020-01-01")
    assert speech_date(text, "2018-05-05_x", meta) == meta
    assert speech_date(text, "2018-05-05_x").date == pd.Timestamp("2020-02-03")     # head over name
    assert speech_date("部署了2019年度工作。", "2018-05-05_x").year == 2018          # name over own year
    assert speech_date("部署了2019年度工作。", "x").year == 2019
    assert speech_date("沒有年份。", "x") == SpeechDate()


@pytest.mark.parametrize("value, expected", [
    ("2012-03-05", ("2012-03-05", 2012)),
    ("2012/3/5", ("2012-03-05", 2012)),
    ("2012/03/05", ("2012-03-05", 2012)),
    ("2012.03.05", ("2012-03-05", 2012)),
    ("20120305", ("2012-03-05", 2012)),
    ("2012年3月5日", ("2012-03-05", 2012)),
    ("２０１２年３月５日", ("2012-03-05", 2012)),        # full-width digits
    ("二〇一二年三月五日", ("2012-03-05", 2012)),
    (" 2012-03-05 ", ("2012-03-05", 2012)),
    ("2012-03-05 10:00", ("2012-03-05", 2012)),        # a scraper's timestamp: dated to the day
    ("2012-03-05T10:00:00+08:00", ("2012-03-05", 2012)),
    ("2012/3/5 9:05:01", ("2012-03-05", 2012)),
    (pd.Timestamp("2012-03-05"), ("2012-03-05", 2012)),
    (datetime.date(2012, 3, 5), ("2012-03-05", 2012)),
    # Partial dates: the year, and no invented day.
    ("2012-03", (None, 2012)),
    ("2012/3", (None, 2012)),
    ("2012年3月", (None, 2012)),
    ("二〇一二年三月", (None, 2012)),
    ("2012", (None, 2012)),
    ("2012年", (None, 2012)),
    (2012.0, (None, 2012)),                           # a year read as a number from a DataFrame
])
def test_metadata_date_forms_accepted(value, expected):
    date, year = parse_date_value(value)
    if expected[0] is None:
        assert pd.isna(date)
    else:
        assert date == pd.Timestamp(expected[0])
    assert year == expected[1]


@pytest.mark.parametrize("value, why", [
    ("18/3/5", r"'18/3/5' is ambiguous: a two-digit year"),
    ("120305", r"'120305' is ambiguous: a two-digit year"),
    ("3/5/2018", r"'3/5/2018' is ambiguous: day and month order cannot be told apart"),
    ("5/3/2018", r"'5/3/2018' is ambiguous: day and month order cannot be told apart"),
    ("05.03.2018", r"'05.03.2018' is ambiguous: day and month order"),
    ("March 2018", r"'March 2018' is not a date in a supported form"),
    ("5 March 2018", r"'5 March 2018' is not a date in a supported form"),
    ("next spring", r"'next spring' is not a date in a supported form"),
    ("2018-03/05", r"'2018-03/05' is not a date in a supported form"),
    ("2012-13-40", r"'2012-13-40' is not a real date"),
    ("2012-02-30", r"'2012-02-30' is not a real date \(month 2, day 30\)"),
    ("2012-13", r"'2012-13' is not a real date \(month 13\)"),
    ("2012-03-05 noon", r"'2012-03-05 noon' is not a date in a supported form"),
    ("1850-01-01", r"'1850-01-01' is not a date between 1900 and 2100"),
])
def test_metadata_date_forms_refused(value, why):
    with pytest.raises(ValueError, match=why):
        parse_date_value(value)


def test_a_refused_date_says_which_forms_are_accepted():
    with pytest.raises(ValueError, match=r"write it as one of 2018-03-05 \(a time after it is ignored\), "
                                         r"2018/03/05, 2018\.03\.05, 20180305, "
                                         r"2018年3月5日 .*\(2018-03, 2018/03, 2018年3月\) or the year alone"):
        parse_date_value("3/5/2018")


def test_metadata_years():
    assert parse_year_value("2012") == parse_year_value(2012.0) == parse_year_value("2012年") == 2012
    for bad in ("12", "1850", "two thousand"):
        with pytest.raises(ValueError):
            parse_year_value(bad)


def test_the_seed_is_dated_2012_from_its_text_not_by_the_page(seed_corpus):
    row = seed_corpus.iloc[0]
    assert row.year == 2012 and pd.isna(row.date)
    assert row.date_source == "text" and row.date_evidence == "2012年度 (4 times)"
    assert row.text.count("2012年度") == 4
    assert row.published == pd.Timestamp("2022-05-17 10:38")   # the page's posting time stays apart


def test_files_named_by_date_load_dated_from_their_names(tmp_path, seed_text):
    (tmp_path / "2011-03-05_a.txt").write_text("同志們：\n今天開會。", encoding="utf-8")
    (tmp_path / "b_20120306.txt").write_text("同志們：\n今天開大會。", encoding="utf-8")
    (tmp_path / "c.txt").write_text("同志們：\n今天開小會。", encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert corpus["date"].tolist()[:2] == [pd.Timestamp("2011-03-05"), pd.Timestamp("2012-03-06")]
    assert corpus["date_source"].tolist()[:2] == ["filename", "filename"]
    assert pd.isna(corpus["year"].iloc[2]) and pd.isna(corpus["date_source"].iloc[2])
    assert str(corpus["year"].dtype) == "Int64"


def test_the_shared_reports_are_dated_by_their_text_alone(gwr_dir):
    # Without metadata, the text and file-name rules date every report to its own year.
    corpus = load_corpus(gwr_dir, metadata=False)
    reports = corpus[corpus.speech_id.str.startswith("gwr_")]
    assert (reports["year"] == reports["speech_id"].str[-4:].astype(int)).all()
    assert reports.set_index("speech_id").loc["gwr_2024", "date"] == pd.Timestamp("2024-03-05")
    # The 1981 report looks back on the previous session: that session does not date it.
    assert reports.set_index("speech_id").loc["gwr_1981", "date_source"] == "filename"
    resolutions = corpus[corpus.speech_id.str.startswith("npc_resolution_")]
    assert resolutions.set_index("speech_id").loc["npc_resolution_12_1", "year"] == 2013
    assert resolutions.set_index("speech_id").loc["npc_resolution_02_3", "year"] == 1962
