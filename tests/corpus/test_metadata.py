"""Metadata tables joined on speech_id: columns kept, and every mismatch named, never a silent NaN."""
from __future__ import annotations

import warnings

import pandas as pd
import pytest

from analysis import CorpusError, load_corpus
from analysis.corpus.metadata import MetadataWarning

SPEECH = "同志們：\n今天我們召開全市計生協會工作會議。"


def speech_of(name: str) -> str:
    """SPEECH with a closing line of its own (no digit, no date): speeches of one text
    word for word would be named as copies on every load."""
    return SPEECH + "\n" + "、".join("".join("甲乙丙丁戊己庚辛壬癸"[int(d)] for d in str(ord(c))) for c in name) + "。"


@pytest.fixture
def folder(tmp_path):
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.txt").write_text(speech_of(name), encoding="utf-8")
    return tmp_path


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("encoding", ["cp950", "gb18030", "utf-8-sig"])
def test_a_table_saved_by_a_chinese_spreadsheet_loads_in_its_code_page(folder, encoding):
    """Excel on a Chinese Windows saves CSV in the system's code page (Big5, GBK) with CRLF
    line ends: read as a speech file is, not refused for not being UTF-8 (a new user's trial)."""
    (folder / "metadata.csv").write_bytes("speech_id,date,speaker\r\na,2012-03-05,高雄市長\r\nb,2013,臺北市長\r\n"
                                          "c,2014,新北市長\r\n".encode(encoding))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        corpus = load_corpus(folder)
    assert corpus["speaker"].tolist() == ["高雄市長", "臺北市長", "新北市長"]
    assert corpus["year"].tolist() == [2012, 2013, 2014]


def test_a_table_in_no_encoding_names_the_line_and_says_what_to_do(folder):
    data = b"speech_id,date\na,2012-03-05\n" + b"b,2013\xff\xfe\n"
    (folder / "metadata.csv").write_bytes(data)
    with pytest.raises(CorpusError) as raised:
        load_corpus(folder)
    assert str(raised.value) == (
        f"{folder / 'metadata.csv'}: cannot be read as a CSV table: not UTF-8 (invalid start byte (bytes ff) at "
        "byte offset 34, line 3), nor GB18030/GBK or Big5; save it as UTF-8 (Excel: Save As, CSV UTF-8)")


def test_a_metadata_sheet_is_named_as_one(folder):
    """A metadata.xlsx beside the speeches was named only as "not a .txt speech file", and every
    date and speaker was silently missing (a new user's trial)."""
    (folder / "metadata.xlsx").write_bytes(b"PK\x03\x04")
    with pytest.warns(MetadataWarning) as caught:
        corpus = load_corpus(folder)
    assert [str(w.message) for w in caught if isinstance(w.message, MetadataWarning)] == [
        f"{folder / 'metadata.xlsx'}: a metadata table is read only as metadata.csv or metadata.tsv; save the "
        "sheet as CSV beside the speeches (its dates, speakers and places are not used)"]
    assert corpus["speech_id"].tolist() == ["a", "b", "c"]


def test_every_column_is_kept_and_dates_come_first(folder):
    write(folder / "metadata.csv", "speech_id,date,speaker,level,place\n"
                                   "a,2012-03-05,局長,municipal,某市\n"
                                   "b,2013,書記,provincial,某省\n"
                                   "c,,主任,county,\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # a clean table loads without a word
        corpus = load_corpus(folder)
    # level is read as one of the levels of government ("municipal" is city level).
    assert corpus[["speaker", "level", "place"]].values.tolist()[:2] == [["局長", "city", "某市"],
                                                                        ["書記", "provincial", "某省"]]
    assert corpus["speaker_source"].tolist() == ["metadata"] * 3
    assert pd.isna(corpus["place"].iloc[2])
    assert corpus["date"].tolist()[0] == pd.Timestamp("2012-03-05") and pd.isna(corpus["date"].iloc[1])
    assert corpus["year"].tolist()[:2] == [2012, 2013]
    assert corpus["date_source"].tolist()[:2] == ["metadata", "metadata"]
    assert corpus["date_evidence"].tolist()[:2] == ["metadata.csv date=2012-03-05", "metadata.csv date=2013"]
    # No metadata date for c, and nothing in its text or name: undated, not a silent guess.
    assert pd.isna(corpus["year"].iloc[2]) and pd.isna(corpus["date_source"].iloc[2])
    assert list(corpus.columns[:9]) == ["speech_id", "title", "date", "year", "date_source", "date_evidence",
                                        "speaker", "speaker_source", "level"]


def test_year_alone_and_tsv(folder):
    write(folder / "metadata.tsv", "speech_id\tyear\tgenre\na\t2011\treport\nb\t2012\treport\nc\t2013\tspeech\n")
    corpus = load_corpus(folder)
    assert corpus["year"].tolist() == [2011, 2012, 2013] and corpus["date"].isna().all()
    assert corpus["date_evidence"].iloc[0] == "metadata.tsv year=2011"


def test_a_table_given_as_a_path_or_a_frame_or_turned_off(folder, tmp_path_factory):
    elsewhere = write(tmp_path_factory.mktemp("meta") / "my-table.csv",
                      "speech_id,year\na,2001\nb,2002\nc,2003\n")
    assert load_corpus(folder, metadata=elsewhere)["year"].tolist() == [2001, 2002, 2003]
    frame = pd.DataFrame({"speech_id": ["a", "b", "c"], "year": [2004, 2005, 2006], "speaker": ["x", "y", "z"]})
    loaded = load_corpus(folder, metadata=frame)
    assert loaded["year"].tolist() == [2004, 2005, 2006] and loaded["speaker"].tolist() == ["x", "y", "z"]
    write(folder / "metadata.csv", "speech_id,year\na,2001\nb,2002\nc,2003\n")
    assert load_corpus(folder, metadata=False)["year"].isna().all()


def test_a_metadata_title_replaces_the_page_heading(folder):
    write(folder / "metadata.csv", "speech_id,title\na,在全市會議上的講話\nb,\nc,\n")
    corpus = load_corpus(folder)
    assert corpus["title"].iloc[0] == "在全市會議上的講話"
    assert pd.isna(corpus["title"].iloc[1])   # no page heading either


def test_rows_without_files_and_files_without_rows_are_named(folder):
    write(folder / "metadata.csv", "speech_id,year\na,2001\nzz,2002\nqq,2003\n")
    with pytest.warns(MetadataWarning) as caught:
        corpus = load_corpus(folder)
    messages = [str(w.message) for w in caught]
    assert any("2 row(s) name no speech file: row 3 (zz), row 4 (qq)" in m for m in messages)
    assert any("2 speech file(s) have no row: b, c" in m for m in messages)
    assert corpus["year"].tolist()[0] == 2001 and corpus["year"].isna().tolist()[1:] == [True, True]


def test_a_row_for_a_file_that_could_not_be_read_says_so(folder):
    """A file that is there but unreadable (empty) is named by the load with its reason; its
    metadata row is said to be that file's, not to name no speech file."""
    (folder / "b.txt").write_bytes(b"")
    write(folder / "metadata.csv", "speech_id,year\na,2001\nb,2002\nc,2003\nzz,2004\n")
    with pytest.warns(UserWarning) as caught:
        corpus = load_corpus(folder, errors="warn", cache=False)
    messages = [str(w.message) for w in caught]
    assert any("skipped 1 of 3 speech files" in m and "b.txt: empty file" in m for m in messages)
    assert any("1 row(s) are for speech files that could not be read (named with their reasons in the load's "
               "message): row 3 (b)" in m for m in messages)
    assert any("1 row(s) name no speech file: row 5 (zz)" in m for m in messages), messages
    assert corpus["speech_id"].tolist() == ["a", "c"] and corpus["year"].tolist() == [2001, 2003]


def test_a_duplicate_id_is_an_error_naming_its_rows(folder):
    write(folder / "metadata.csv", "speech_id,year\na,2001\nb,2002\na,2003\n")
    with pytest.raises(CorpusError, match=r"duplicate speech_id: 'a' on rows 2, 4"):
        load_corpus(folder)


def test_a_metadata_file_s_faults_are_named_at_once(folder):
    """A duplicate id, a row without one, a date and a level that cannot be read: one error
    names them all, so a fix is not followed by the next fault (found by a new user's trial)."""
    write(folder / "metadata.csv", "speech_id,date,level\na,2001-01-05,省\n,2002-01-05,市\na,2003-01-05,县\n"
                                   "b,15/01/2012,部\n")
    with pytest.raises(CorpusError) as raised:
        load_corpus(folder)
    message = str(raised.value)
    said = [message.find(f) for f in ("metadata.csv: rows 3 have no speech_id;",
                                      "metadata.csv: duplicate speech_id: 'a' on rows 2, 4;",
                                      "metadata.csv, row 5 (b), column date: '15/01/2012' is ambiguous",
                                      "metadata.csv, row 5 (b), column level: '部' is not a level")]
    assert -1 not in said and said == sorted(said), message


def test_a_date_that_does_not_parse_names_row_column_and_value(folder):
    write(folder / "metadata.csv", "speech_id,date,year\na,2012-03-05,\nb,next spring,\nc,,20133\n")
    with pytest.raises(CorpusError) as raised:
        load_corpus(folder)
    message = str(raised.value)
    assert "2 metadata value(s) cannot be read" in message
    assert "row 3 (b), column date: 'next spring' is not a date" in message
    assert "row 4 (c), column year: '20133' is not a year" in message
    with pytest.warns(MetadataWarning) as caught:
        corpus = load_corpus(folder, errors="warn")
    said = " ".join(str(w.message) for w in caught)
    assert "row 3 (b), column date" in said and "row 4 (c), column year: '20133'" in said
    assert corpus["year"].tolist()[0] == 2012 and corpus["year"].isna().tolist()[1:] == [True, True]


def test_a_date_and_year_that_disagree_are_named(folder):
    write(folder / "metadata.csv", "speech_id,date,year\na,2012-03-05,2011\nb,,\nc,,\n")
    with pytest.warns(MetadataWarning, match="row 2 \\(a\\): date 2012-03-05 and year 2011 disagree"):
        corpus = load_corpus(folder)
    assert corpus["year"].iloc[0] == 2012


def test_an_ambiguous_date_is_an_error_naming_file_row_and_value(folder):
    write(folder / "metadata.csv", "speech_id,date\na,2012-03-05\nb,3/5/2018\nc,18/3/5\n")
    with pytest.raises(CorpusError) as raised:
        load_corpus(folder)
    message = str(raised.value)
    assert "2 metadata value(s) cannot be read" in message
    assert "metadata.csv, row 3 (b), column date: '3/5/2018' is ambiguous: day and month order" in message
    assert "metadata.csv, row 4 (c), column date: '18/3/5' is ambiguous: a two-digit year" in message
    assert "write it as one of 2018-03-05" in message
    with pytest.warns(MetadataWarning) as caught:
        corpus = load_corpus(folder, errors="warn")
    said = " ".join(str(w.message) for w in caught)
    assert "row 3 (b), column date: '3/5/2018' is ambiguous" in said and "row 4 (c), column date: '18/3/5'" in said
    assert corpus["year"].tolist()[0] == 2012 and corpus["year"].isna().tolist()[1:] == [True, True]


def test_partial_dates_keep_the_year_and_invent_no_day(folder):
    write(folder / "metadata.csv", "speech_id,date\na,2018-03\nb,2018年3月\nc,2018年\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        corpus = load_corpus(folder)
    assert corpus["date"].isna().all()
    assert corpus["year"].tolist() == [2018, 2018, 2018]
    assert corpus["date_source"].tolist() == ["metadata"] * 3
    assert corpus["date_evidence"].tolist() == ["metadata.csv date=2018-03", "metadata.csv date=2018年3月",
                                                "metadata.csv date=2018年"]


def test_a_metadata_date_that_the_text_or_file_name_contradicts_is_named(tmp_path):
    (tmp_path / "2021-02-20_c.txt").write_text("講話\n（2021年2月20日）\n同志們：\n今天開會。", encoding="utf-8")
    write(tmp_path / "metadata.csv", "speech_id,date\n2021-02-20_c,2019-02-20\n")
    with pytest.warns(MetadataWarning) as caught:
        corpus = load_corpus(tmp_path)
    messages = sorted(str(w.message) for w in caught if issubclass(w.category, MetadataWarning))
    assert messages == [
        "2021-02-20_c: the metadata date 2019-02-20 (metadata.csv date=2019-02-20) and the file name "
        "2021-02-20 (2021-02-20_c) disagree; the metadata date is used",
        "2021-02-20_c: the metadata date 2019-02-20 (metadata.csv date=2019-02-20) and the text's dateline "
        "2021-02-20 (（2021年2月20日）) disagree; the metadata date is used",
    ]
    assert corpus["date"].iloc[0] == pd.Timestamp("2019-02-20") and corpus["date_source"].iloc[0] == "metadata"


def test_a_different_day_is_named_a_year_alone_only_by_its_year(tmp_path):
    (tmp_path / "2021-02-20_a.txt").write_text(speech_of("a"), encoding="utf-8")
    (tmp_path / "2021-02-20_b.txt").write_text(speech_of("b"), encoding="utf-8")
    (tmp_path / "gwr-2020.txt").write_text(speech_of("gwr"), encoding="utf-8")
    write(tmp_path / "metadata.csv", "speech_id,date\n2021-02-20_a,2021-02-21\n2021-02-20_b,2021\ngwr-2020,2021\n")
    with pytest.warns(MetadataWarning) as caught:
        load_corpus(tmp_path)
    messages = sorted(str(w.message) for w in caught if issubclass(w.category, MetadataWarning))
    assert messages == [
        "2021-02-20_a: the metadata date 2021-02-21 (metadata.csv date=2021-02-21) and the file name "
        "2021-02-20 (2021-02-20_a) disagree; the metadata date is used",
        "gwr-2020: the metadata date 2021 (metadata.csv date=2021) and the file name 2020 (gwr-2020) disagree; "
        "the metadata date is used",
    ]


def test_no_warning_when_the_metadata_text_and_file_name_agree(tmp_path):
    (tmp_path / "2021-02-20_c.txt").write_text("講話\n（2021年2月20日）\n同志們：\n今天開會。", encoding="utf-8")
    (tmp_path / "2021-03-01_d.txt").write_text(speech_of("d"), encoding="utf-8")   # year only in the table: agrees
    (tmp_path / "e.txt").write_text(speech_of("e"), encoding="utf-8")              # nothing else dates it
    write(tmp_path / "metadata.csv", "speech_id,date\n2021-02-20_c,2021年2月20日\n2021-03-01_d,2021-03\n"
                                     "e,1999-01-01\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        corpus = load_corpus(tmp_path)
    assert corpus["year"].tolist() == [2021, 2021, 1999]


@pytest.mark.parametrize("table, message", [
    ("id,year\na,2001\n", "no speech_id column"),
    ("speech_id,text\na,hello\n", r"column\(s\) \['text'\] would replace what the loader computes"),
    ("speech_id,year\n,2001\n", "rows 2 have no speech_id"),
])
def test_tables_that_cannot_be_joined(folder, table, message):
    write(folder / "metadata.csv", table)
    with pytest.raises(CorpusError, match=message):
        load_corpus(folder)


def test_both_csv_and_tsv_is_ambiguous(folder):
    write(folder / "metadata.csv", "speech_id,year\na,2001\n")
    write(folder / "metadata.tsv", "speech_id\tyear\na\t2001\n")
    with pytest.raises(CorpusError, match="both metadata.csv and metadata.tsv"):
        load_corpus(folder)


def test_the_metadata_file_is_not_warned_about_as_a_non_speech(folder):
    write(folder / "metadata.csv", "speech_id,year\na,2001\nb,2002\nc,2003\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_corpus(folder)


def test_the_shared_corpus_loads_as_it_is(gwr_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("error", MetadataWarning)   # every file has its row, every row its file
        corpus = load_corpus(gwr_dir)
    assert len(corpus) == 72
    reports = corpus[corpus.genre == "report"]
    assert len(reports) == 52
    assert (reports["date_source"] == "metadata").all()
    assert reports["year"].notna().all() and reports["source"].str.startswith("https://zh.wikisource.org/").all()
    assert (reports["year"] == reports["speech_id"].str[-4:].astype(int)).all()
    # The resolutions have no year in the table: their text dates them by the session they name.
    resolutions = corpus[corpus.genre == "resolution"]
    assert len(resolutions) == 20 and (resolutions["date_source"] == "text").all()
    assert resolutions.set_index("speech_id").loc["npc_resolution_14_3", "year"] == 2025


def test_a_number_in_a_numbered_sequence_of_file_names_is_not_a_year(tmp_path):
    """doc_1950 among doc_0001 … doc_0012 is the 1,950th document, not one of 1950: its name
    is not read as a year (the text's own year dates it, else nothing), with a warning; a
    folder named by years (gwr-2013) keeps them."""
    numbered = tmp_path / "numbered"
    numbered.mkdir()
    for i in [*range(1, 13), 1950]:
        write(numbered / f"doc_{i:04d}.txt", SPEECH)
    write(numbered / "doc_2011.txt", SPEECH + "\n部署了2012年度工作。")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        corpus = load_corpus(numbered).set_index("speech_id")
    assert corpus.loc["doc_1950", ["year", "date_source"]].tolist() == [pd.NA, pd.NA]
    assert corpus.loc["doc_2011", ["year", "date_source"]].tolist() == [2012, "text"]
    said = [str(w.message) for w in caught if issubclass(w.category, MetadataWarning)]
    assert said == ["2 file name(s) number a sequence (doc_1950, doc_2011): their numbers are not read as "
                    "years; a metadata table's year column dates them"]
    by_year = tmp_path / "by_year"
    by_year.mkdir()
    for year in range(2001, 2013):
        write(by_year / f"gwr-{year}.txt", speech_of(f"gwr-{year}"))
    assert load_corpus(by_year)["year"].tolist() == list(range(2001, 2013))


def test_a_numbered_file_the_metadata_dates_is_dated_by_it_without_a_word(tmp_path):
    for i in [*range(1, 13), 1950]:
        write(tmp_path / f"doc_{i:04d}.txt", speech_of(f"doc_{i:04d}"))
    write(tmp_path / "metadata.csv", "speech_id,year\n" + "".join(f"doc_{i:04d},2001\n" for i in [*range(1, 13), 1950]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        corpus = load_corpus(tmp_path).set_index("speech_id")
    assert corpus.loc["doc_1950", ["year", "date_source"]].tolist() == [2001, "metadata"]


def test_many_mismatches_are_counted_and_named_in_part(tmp_path):
    """Thousands of rows without a file, or of dates that disagree, would print thousands of
    names (found by a new user's trial on 20,000 speeches): each list names 20 and says how
    many more, and more than 5 date disagreements are one warning with the first 5."""
    rows = ["speech_id,date"]
    for n in range(8):  # the text's dateline says 2012, the table 2013
        write(tmp_path / f"s{n}.txt",
              f"在全市计划生育协会工作会议上的讲话\n（2012年3月{n + 1}日）\n各位代表：\n今年要抓好第{n}项工作。\n")
        rows.append(f"s{n},2013-03-0{n + 1}")
    rows += [f"gone{n:02d},2013-01-01" for n in range(30)]
    write(tmp_path / "metadata.csv", "\n".join(rows) + "\n")
    with pytest.warns(MetadataWarning) as caught:
        load_corpus(tmp_path, cache=False)
    said = [str(w.message) for w in caught if w.category is MetadataWarning]
    [orphans] = [m for m in said if "name no speech file" in m]
    assert orphans.endswith("30 row(s) name no speech file: " + ", ".join(
        f"row {n + 10} (gone{n:02d})" for n in range(20)) + " and 10 more")
    [dates] = [m for m in said if "metadata notes" in m]
    assert dates.startswith("8 metadata notes; the first 5:\n- s0: the metadata date 2013-03-01")
    assert dates.count("\n- ") == 5 and dates.endswith("\nand 3 more")
