"""make export: the cited tables as CSV and XLSX, with passage ids, on a corpus of two speeches
written for the test (in our own words)."""
from __future__ import annotations

import pandas as pd
import pytest

from analysis.output.export import export_tables, main, write_tables

SPEECH_A = ("同志們：\n今年要實現“雙降”目標。講三點。\n一、抓好目標\n第一，要抓好“五有”（有場所、有制度、有隊伍、"
            "有器材、有計劃）。雙降很重要！\n第二，要做好群眾工作。\n二、加強服務\n要建好服務網絡，聯系群眾。還要宣傳？\n"
            "同志們，讓我們共同努力。")
SPEECH_B = "同志們：\n今年的雙降目標已經實現。群眾工作要做好，服務站要建好。\n謝謝大家。"


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("speeches")
    (folder / "a.txt").write_text(SPEECH_A, encoding="utf-8")
    (folder / "b.txt").write_text(SPEECH_B, encoding="utf-8")
    out = tmp_path_factory.mktemp("export")
    assert main(["--corpus-dir", str(folder), "--out", str(out), "--terms", "雙降,群眾"]) == 0
    return folder, out


def test_every_table_as_csv_and_as_a_sheet(exported):
    from openpyxl import load_workbook

    _, out = exported
    names = ["kwic", "formulas", "campaigns", "campaign_mentions", "theme_hits", "keyness_general",
             "keyness_reports", "term_counts", "frequencies"]
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{n}.csv" for n in names] + ["tables.xlsx", "README.md"])
    book = load_workbook(out / "tables.xlsx", read_only=True)
    assert book.sheetnames == names
    for name in names:
        csv = pd.read_csv(out / f"{name}.csv", encoding="utf-8-sig", keep_default_na=False, dtype=str)
        rows = list(book[name].values)
        assert list(rows[0]) == csv.columns.tolist()
        assert len(rows) - 1 == len(csv), name


def test_the_concordance_rows_carry_their_passages(exported):
    _, out = exported
    kwic = pd.read_csv(out / "kwic.csv", encoding="utf-8-sig")
    twice = kwic[kwic.term == "雙降"]
    # 雙降: speech a, preamble sentence 1 (“雙降”目標) and point 1.1, sentence 2 (雙降很重要);
    # speech b, its preamble's first sentence.
    assert twice[["speech_id", "passage"]].values.tolist() == [["a", "a:pre:s1"], ["a", "a:1.1:s2"],
                                                               ["b", "b:pre:s1"]]
    masses = kwic[kwic.term == "群眾"]
    # Section 二 starts with its heading line, its first sentence: 聯系群眾 stands in the second.
    assert masses["passage"].tolist() == ["a:1.2:s1", "a:2:s2", "b:pre:s2"]


def test_formulas_lists_are_joined_and_every_hit_table_has_passages(exported):
    _, out = exported
    formulas = pd.read_csv(out / "formulas.csv", encoding="utf-8-sig").set_index(["speech_id", "formula"])
    assert formulas.loc[("a", "五有"), "expansion"] == "有場所、有制度、有隊伍、有器材、有計劃"
    assert formulas.loc[("a", "五有"), "passage"] == "a:1.1:s1"
    for name in ("kwic", "formulas", "campaigns", "campaign_mentions", "theme_hits"):
        table = pd.read_csv(out / f"{name}.csv", encoding="utf-8-sig")
        assert table["passage"].str.match(r"^[ab]:(pre|sal|end|txt|\d+(\.\d+)?):s\d+$").all(), name


def test_term_counts_and_the_readme(exported):
    _, out = exported
    counts = pd.read_csv(out / "term_counts.csv", encoding="utf-8-sig").set_index("term")
    # 群眾 is never a word here (群眾工作 twice, 聯系群眾 once): 0 as a word, 3 inside words.
    assert counts.loc["群眾", ["word", "within"]].tolist() == [0, 3]
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert "| `kwic.csv` | 6 |" in readme and "`keyness_reports`: against government work reports 1954–2025" in readme


def test_write_tables_is_the_one_writer(tmp_path):
    frame = pd.DataFrame({"name": ["五有"], "items": [["有甲", "有乙"]], "n": [pd.NA]}).astype({"n": "Int64"})
    paths = write_tables({"demo": frame}, tmp_path / "out", readme="# demo\n")
    assert [p.name for p in paths] == ["demo.csv", "tables.xlsx", "README.md"]
    assert (tmp_path / "out" / "demo.csv").read_text(encoding="utf-8-sig") == "name,items,n\n五有,有甲、有乙,\n"
    # Through the project's table writer: a speech id a spreadsheet would run is made inert.
    write_tables({"demo": pd.DataFrame({"speech_id": ["=1+1"]})}, tmp_path / "evil")
    assert (tmp_path / "evil" / "demo.csv").read_text(encoding="utf-8-sig") == "speech_id\n'=1+1\n"


def test_the_tables_of_the_seed(seed_corpus):
    tables, readme = export_tables(terms=["雙降"])
    assert tables["kwic"]["passage"].tolist()[0] == "000_8ebf5a98b5b66884:1.2:s2"
    assert len(tables["kwic"]) == 7 and "keyness_reports" in tables
    assert "government work reports 2008–2016" in readme
