"""Bad input and faults (issue 21): every input here is written by the test itself, and each
either loads correctly or fails with a CorpusError that names the file and the reason.

Metadata with trailing commas, two files that would be one speech, symbolic link loops and
broken links, file names shaped like spreadsheet formulas, an interrupted figure write, and
UTF-16/32 without a byte-order mark.
"""
from __future__ import annotations

import ast
import codecs
import csv
import os
import shutil
import stat
import warnings
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from matplotlib.figure import Figure

from analysis import CorpusError, load_corpus, removals, save_figure, setup_matplotlib
from analysis.common.atomic import TEMP_SUFFIX, replacing
from analysis.corpus.metadata import MetadataWarning
from analysis.corpus.read import decode_bytes
from analysis.output.plots import plot_corpus_overview
from analysis.output.tables import escape_formulas, unescape_formulas, write_csv, write_xlsx
from analysis.text.chars import count_han

from .conftest import SEED

# Our own words, not the corpus's: a short speech in Traditional characters.
SPEECH = "同志們：\n今天我們召開全市計生協會工作會議，總結一年來的工作。\n"


def speeches(folder: Path, *names: str) -> Path:
    """Files of SPEECH, each with a closing line of its own (no digit, no date): speeches of
    one text word for word would be named as copies on every load."""
    for name in names:
        own = "、".join("".join("甲乙丙丁戊己庚辛壬癸"[int(d)] for d in str(ord(c))) for c in name)
        (folder / f"{name}.txt").write_text(f"{SPEECH}\n{own}。", encoding="utf-8")
    return folder


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(TEMP_SUFFIX))


# --- 1. metadata that can't vanish --------------------------------------------------------------

def test_a_table_whose_rows_end_in_a_trailing_comma_loads_every_cell(tmp_path):
    folder = speeches(tmp_path, "a", "b", "c")
    (folder / "metadata.csv").write_text("speech_id,date,speaker\n"
                                         "a,2012-03-05,局長,\n"
                                         "b,2013,書記,\n"
                                         "c,,主任,\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # nothing to warn about: every row is read as written
        corpus = load_corpus(folder)
    assert corpus["speaker"].tolist() == ["局長", "書記", "主任"]
    assert corpus["year"].tolist()[:2] == [2012, 2013] and pd.isna(corpus["year"].iloc[2])
    assert corpus["date"].iloc[0] == pd.Timestamp("2012-03-05")
    assert corpus["date_source"].tolist()[:2] == ["metadata", "metadata"]
    assert "Unnamed: 3" not in corpus.columns


def test_trailing_separators_in_the_header_too_and_in_a_tsv(tmp_path):
    folder = speeches(tmp_path, "a", "b")
    (folder / "metadata.tsv").write_text("speech_id\tyear\tgenre\t\na\t2011\treport\t\nb\t2012\tspeech\t\t\n",
                                         encoding="utf-8")
    corpus = load_corpus(folder)
    assert corpus[["year", "genre"]].values.tolist() == [[2011, "report"], [2012, "speech"]]


def test_a_bad_cell_in_a_trailing_comma_table_names_its_own_row_and_column(tmp_path):
    folder = speeches(tmp_path, "a", "b", "c")
    (folder / "metadata.csv").write_text("speech_id,date,speaker\n"
                                         "a,2012-03-05,局長,\n"
                                         "b,next spring,書記,\n"
                                         "c,2014,主任,\n", encoding="utf-8")
    with pytest.raises(CorpusError) as raised:
        load_corpus(folder)
    assert str(raised.value).startswith(f"1 metadata value(s) cannot be read: {folder / 'metadata.csv'}, "
                                        "row 3 (b), column date: 'next spring' is not a date")


def test_a_value_past_the_last_column_is_an_error_naming_row_and_speech(tmp_path):
    # An unquoted comma inside a cell: pandas would shift or drop a field without a word.
    folder = speeches(tmp_path, "a", "b")
    (folder / "metadata.csv").write_text("speech_id,year,speaker\na,2011,局長\nb,2012,張三,李四\n",
                                         encoding="utf-8")
    with pytest.raises(CorpusError) as raised:
        load_corpus(folder)
    assert str(raised.value) == (f"{folder / 'metadata.csv'}, row 3 (b): 4 fields where the header has 3 "
                                 "(an extra value '李四'); a cell holding the separator must be quoted")
    # Quoted, the same cell loads whole.
    (folder / "metadata.csv").write_text('speech_id,year,speaker\na,2011,局長\nb,2012,"張三,李四"\n',
                                         encoding="utf-8")
    assert load_corpus(folder)["speaker"].tolist() == ["局長", "張三,李四"]


def test_blank_rows_are_skipped_and_row_numbers_stay_the_files_lines(tmp_path):
    folder = speeches(tmp_path, "a", "b")
    (folder / "metadata.csv").write_text("speech_id,date\n\na,2012-03-05\n,,\n"
                                         'b,"bad\nvalue"\n', encoding="utf-8")
    with pytest.raises(CorpusError, match=r"row 5 \(b\), column date: 'bad\\nvalue' is not a date"):
        load_corpus(folder)


def test_a_column_without_a_name_that_holds_values_is_an_error(tmp_path):
    folder = speeches(tmp_path, "a")
    (folder / "metadata.csv").write_text("speech_id,,year\na,x,2011\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"column\(s\) \[2\] have no name in the header line"):
        load_corpus(folder)


def test_a_repeated_column_name_is_an_error(tmp_path):
    folder = speeches(tmp_path, "a")
    (folder / "metadata.csv").write_text("speech_id,year,year\na,2011,2012\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"names column\(s\) \['year'\] more than once"):
        load_corpus(folder)


def test_rows_and_speeches_that_do_not_join_are_named_with_a_hint(tmp_path):
    folder = speeches(tmp_path, "a", "b")
    (folder / "metadata.csv").write_text("speech_id,year\nA.txt,2011\nzz,2012\n", encoding="utf-8")
    with pytest.warns(MetadataWarning) as caught:
        corpus = load_corpus(folder)
    messages = [str(w.message) for w in caught]
    name = folder / "metadata.csv"
    assert f"{name}: 2 row(s) name no speech file: row 2 (A.txt; the file a.txt?), row 3 (zz)" in messages
    assert (f"{name}: no row joins any speech, so no metadata is used; speech_id must be the file name "
            "without .txt (such as 'a')") in messages
    assert f"{name}: 2 speech file(s) have no row: a, b" in messages
    assert corpus["year"].isna().all()


# --- 2. two files, one speech -------------------------------------------------------------------

def _case_sensitive(folder: Path) -> bool:
    (folder / "probe.txt").write_text("x")
    try:
        return not (folder / "PROBE.TXT").exists()
    finally:
        (folder / "probe.txt").unlink()


@pytest.mark.parametrize("errors", ["raise", "warn"])
def test_two_files_that_would_be_one_speech_are_an_error_naming_both(tmp_path, errors):
    if not _case_sensitive(tmp_path):
        pytest.skip("case-insensitive file system: x.txt and x.TXT cannot both exist")
    folder = speeches(tmp_path, "a", "x")
    (folder / "x.TXT").write_text("同志們：\n另一篇講話，不是同一篇。\n", encoding="utf-8")
    with pytest.raises(CorpusError) as raised:
        load_corpus(folder, errors=errors)
    assert str(raised.value) == (f"1 speech id(s) given by more than one file: {folder / 'x.TXT'} and "
                                 f"{folder / 'x.txt'} would both be speech 'x'; rename or remove one of each")


def test_names_that_differ_in_more_than_the_extension_stay_two_speeches(tmp_path):
    if not _case_sensitive(tmp_path):
        pytest.skip("case-insensitive file system: X.txt and x.txt cannot both exist")
    folder = speeches(tmp_path, "x", "X")
    assert load_corpus(folder)["speech_id"].tolist() == ["X", "x"]


# --- 3. links that lead nowhere, folders named *.txt --------------------------------------------

def _bad_entries(folder: Path) -> dict[str, str]:
    """Write every kind of .txt entry that cannot be read; returns name → expected reason."""
    try:
        os.symlink("self.txt", folder / "self.txt")
    except (OSError, NotImplementedError):
        pytest.skip("this system cannot make symbolic links")
    os.symlink("ring_b.txt", folder / "ring_a.txt")
    os.symlink("ring_a.txt", folder / "ring_b.txt")
    os.symlink("gone.txt", folder / "dangling.txt")
    (folder / "chapter.txt").mkdir()
    loop = "symbolic link loop (following its links never reaches a file)"
    expected = {"self.txt": loop, "ring_a.txt": loop, "ring_b.txt": loop,
                "dangling.txt": "broken symbolic link (its target 'gone.txt' does not exist)",
                "chapter.txt": "a folder, not a speech file"}
    if hasattr(os, "mkfifo"):
        os.mkfifo(folder / "pipe.txt")   # never opened: reading it would wait forever
        expected["pipe.txt"] = "not a regular file (a FIFO)"
    return expected


def test_link_loops_broken_links_and_txt_folders_raise_naming_each(tmp_path):
    folder = speeches(tmp_path, "good")
    expected = _bad_entries(folder)
    with pytest.raises(CorpusError) as raised:
        load_corpus(folder)
    message = str(raised.value)
    assert message.startswith(f"{len(expected)} of {len(expected) + 1} speech files cannot be loaded: ")
    for name, reason in expected.items():
        assert f"{folder / name}: {reason}" in message


def test_with_warn_they_are_named_and_the_rest_loads(tmp_path):
    folder = speeches(tmp_path, "good")
    expected = _bad_entries(folder)
    os.symlink("nowhere", folder / "other.md")   # not a .txt: named as not loaded
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        corpus = load_corpus(folder, errors="warn")
    assert corpus["speech_id"].tolist() == ["good"]
    assert corpus.attrs["skipped"] == {str(folder / name): reason for name, reason in sorted(expected.items())}
    said = [str(w.message) for w in caught]
    assert said[0] == f"not loaded (not a .txt speech file): {folder / 'other.md'}"
    assert said[1].startswith(f"skipped {len(expected)} of {len(expected) + 1} speech files: ")
    assert all(f"{folder / name}: {reason}" in said[1] for name, reason in expected.items())


def test_a_subfolder_of_speeches_is_named_not_passed_over_in_silence(tmp_path):
    """A corpus is one folder: a subfolder is not looked into, but one that holds .txt files
    is named in a warning (its speeches would otherwise be lost without a word); a subfolder
    of other things (figures, notes) is not."""
    folder = speeches(tmp_path, "good")
    (folder / "2013").mkdir()
    (folder / "2013" / "nested.txt").write_text((folder / "good.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "figures").mkdir()
    (folder / "figures" / "chart.png").write_bytes(b"\x89PNG")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        corpus = load_corpus(folder)
    assert corpus["speech_id"].tolist() == ["good"]
    said = [str(w.message) for w in caught if "not loaded" in str(w.message)]
    assert said == ["not loaded (a subfolder holding .txt files; a corpus is one folder: load it on its own, or "
                    f"move its files up): {folder / '2013'}"]


def test_a_speech_that_cleaning_empties_is_named(tmp_path):
    """A page made of nothing but a copyright line and site links loads (its record says
    what was removed) but is named, not passed over in silence, on every load."""
    folder = speeches(tmp_path, "good")
    (folder / "empty.txt").write_text("本站文章均为网友投稿，版权归原作者所有。如有侵权请联系删除。\n"
                                      "联系我们 | 关于本站 | 网站地图\n", encoding="utf-8")
    for _ in range(2):  # cold, then from the store
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            corpus = load_corpus(folder)
        assert corpus.set_index("speech_id")["n_chars"].eq(0).tolist() == [True, False]
        said = [str(w.message) for w in caught if "no text left" in str(w.message)]
        assert said == ["1 speech(es) have no text left after cleaning (all of it was taken as page furniture: "
                        "analysis.removals(corpus) lists what): empty"]


def test_a_page_of_furniture_with_no_speech_is_named_not_loaded_as_its_site_name(tmp_path):
    """A portal page whose speech is missing (a site's name, its menus, a breadcrumb, the
    title, the posting line, toolbars and the footer): no paragraph is prose, so all of it
    is the page's head. The title and posting time are read, every line is a reported
    deletion, and the speech is named as empty, not loaded as the site's name and title."""
    folder = speeches(tmp_path, "good")
    (folder / "bare.txt").write_text("青山市人民政府门户网站\n首页 | 政务公开 | 政务服务 | 互动交流\n"
                                     "当前位置：首页 > 政务公开 > 领导讲话\n市长在全市经济工作会议上的讲话\n"
                                     "来源：青山市人民政府办公室 发布时间：2005-01-02 09:30\n【打印本页】【关闭窗口】\n"
                                     "上一篇：市委书记在全市党建工作会议上的讲话\n版权所有：青山市人民政府\n",
                                     encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        corpus = load_corpus(folder)
    row = corpus.set_index("speech_id").loc["bare"]
    assert (row["n_chars"], row["title"], row["published"]) == (0, "市长在全市经济工作会议上的讲话",
                                                                pd.Timestamp("2005-01-02 09:30"))
    removed = removals(corpus)
    assert removed.loc[removed["speech_id"] == "bare", "kind"].tolist() == [
        "meta", "furniture", "meta", "title", "meta", "toolbar", "footer", "legal"]
    said = [str(w.message) for w in caught if "no text left" in str(w.message)]
    assert said == ["1 speech(es) have no text left after cleaning (all of it was taken as page furniture: "
                    "analysis.removals(corpus) lists what): bare"]


def test_a_link_given_as_the_path_itself_is_named(tmp_path):
    try:
        os.symlink("gone.txt", tmp_path / "dangling.txt")
    except (OSError, NotImplementedError):
        pytest.skip("this system cannot make symbolic links")
    os.symlink("self.txt", tmp_path / "self.txt")
    with pytest.raises(CorpusError, match=r"dangling.txt: broken symbolic link \(its target 'gone.txt'"):
        load_corpus(tmp_path / "dangling.txt")
    with pytest.raises(CorpusError, match=r"self.txt: symbolic link loop"):
        load_corpus(tmp_path / "self.txt")


def test_a_link_to_a_speech_file_loads_it(tmp_path):
    speeches(tmp_path, "real")
    try:
        os.symlink("real.txt", tmp_path / "alias.txt")
    except (OSError, NotImplementedError):
        pytest.skip("this system cannot make symbolic links")
    with pytest.warns(UserWarning, match="word for word once cleaned .*: alias = real"):   # a link is a copy
        corpus = load_corpus(tmp_path)
    assert corpus["speech_id"].tolist() == ["alias", "real"] and corpus["text"].nunique() == 1


def test_a_file_that_may_not_be_read_is_named(tmp_path, monkeypatch):
    folder = speeches(tmp_path, "good", "secret")
    secret = folder / "secret.txt"
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # root reads any file whatever its mode: the refusal is what the system would say.
        real = Path.read_bytes

        def refuse(self):
            if self == secret:
                raise PermissionError(13, "Permission denied", str(self))
            return real(self)

        monkeypatch.setattr(Path, "read_bytes", refuse)
    secret.chmod(0)
    try:
        with pytest.warns(UserWarning, match=r"secret.txt: cannot be read \(Permission denied\)"):
            corpus = load_corpus(folder, errors="warn")
    finally:
        secret.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert corpus["speech_id"].tolist() == ["good"]
    assert corpus.attrs["skipped"] == {str(secret): "cannot be read (Permission denied)"}


# --- 7. cells shaped like formulas --------------------------------------------------------------

FORMULA_IDS = ['=HYPERLINK("example.org","click")', "@SUM(1+1)", "+1+1", "-2+3", " =1+1"]


def test_formula_shaped_speech_ids_are_escaped_in_a_figure_csv(tmp_path):
    (tmp_path / "speeches").mkdir()
    folder = speeches(tmp_path / "speeches", *FORMULA_IDS, "plain-name")
    corpus = load_corpus(folder)
    assert sorted(corpus["speech_id"]) == sorted([*FORMULA_IDS, "plain-name"])   # the ids are kept as they are
    setup_matplotlib()
    save_figure(plot_corpus_overview(corpus), "00-overview", figures_dir=tmp_path / "figures")
    with open(tmp_path / "figures" / "00-overview.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["speech_id", "n_chars", "year"]
    ids = [row[0] for row in rows[1:]]
    assert sorted(ids) == sorted(["'" + sid for sid in FORMULA_IDS] + ["plain-name"])
    written = [str(count_han((folder / f"{sid}.txt").read_text(encoding="utf-8"))) for sid in corpus["speech_id"]]
    assert sorted(row[1] for row in rows[1:]) == sorted(written)   # numbers are numbers, never escaped
    back = unescape_formulas(pd.read_csv(tmp_path / "figures" / "00-overview.csv", keep_default_na=False))
    assert sorted(back["speech_id"]) == sorted(corpus["speech_id"])


def test_write_csv_escapes_cells_and_names_but_not_numbers(tmp_path):
    frame = pd.DataFrame({"speech_id": ["=cmd|' /C calc'!A0", "a-b", "\tx", "'=x", None],
                          "=total": [-1.5, 2.0, 3.0, 4.0, 5.0],
                          "group": pd.Categorical(["-", "b", "-", "b", "b"])})
    path = write_csv(frame, tmp_path / "out" / "table.csv")
    assert path.read_text(encoding="utf-8") == ("speech_id,'=total,group\n"
                                                "'=cmd|' /C calc'!A0,-1.5,'-\n"
                                                "a-b,2.0,b\n"
                                                "'\tx,3.0,'-\n"
                                                "''=x,4.0,b\n"
                                                ",5.0,b\n")
    back = unescape_formulas(pd.read_csv(path))
    assert back.columns.tolist() == ["speech_id", "=total", "group"]
    assert back["speech_id"].tolist()[:4] == frame["speech_id"].tolist()[:4]
    assert escape_formulas(frame)["group"].tolist() == ["'-", "b", "'-", "b", "b"]
    assert frame["speech_id"].iloc[0] == "=cmd|' /C calc'!A0"   # the frame given is not changed


def test_write_xlsx_stores_formula_shaped_cells_as_quoted_text(tmp_path):
    frame = pd.DataFrame({"speech_id": [*FORMULA_IDS, "#N/A", "plain"], "n": [-1, 2, 3, 4, 5, 6, 7]})
    path = write_xlsx({"speeches": frame}, tmp_path / "tables.xlsx")
    sheet = openpyxl.load_workbook(path)["speeches"]
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [c.value for c in cells] == frame["speech_id"].tolist()          # exactly as written
    assert all(c.data_type == "s" for c in cells)                             # text, never a formula
    assert [c.quotePrefix for c in cells] == [True] * len(FORMULA_IDS) + [False, False]
    assert [row[1].value for row in sheet.iter_rows(min_row=2)] == [-1, 2, 3, 4, 5, 6, 7]
    assert pd.read_excel(path)["speech_id"].tolist()[:len(FORMULA_IDS)] == FORMULA_IDS


def test_write_xlsx_is_byte_identical_on_rerun_and_refuses_what_excel_would_cut(tmp_path):
    frames = {"a": pd.DataFrame({"x": [1.5, None], "when": pd.to_datetime(["2012-03-05", None])}),
              "b": pd.DataFrame({"word": ["計生", "協會\x0b"]})}
    first = write_xlsx(frames, tmp_path / "1.xlsx").read_bytes()
    second = write_xlsx(frames, tmp_path / "2.xlsx").read_bytes()
    assert first == second
    assert openpyxl.load_workbook(tmp_path / "1.xlsx")["b"]["A3"].value == "協會\u240b"   # visible, not dropped
    with pytest.raises(ValueError, match=r"sheet 'long', row 1, column 'text': 40,000 characters; an Excel cell"):
        write_xlsx({"long": pd.DataFrame({"text": ["計" * 40_000]})}, tmp_path / "3.xlsx")
    with pytest.raises(ValueError, match="sheet name 'a/b'"):
        write_xlsx({"a/b": frames["a"]}, tmp_path / "4.xlsx")
    assert not (tmp_path / "3.xlsx").exists() and leftovers(tmp_path) == []


def test_only_the_tables_module_writes_csv_or_excel_files():
    """Every CSV and XLSX the project writes goes through analysis.output.tables: no other module
    hands a path to to_csv/to_excel or uses openpyxl or ExcelWriter itself."""
    package = Path(__file__).resolve().parents[1] / "analysis"
    offenders = []
    for module in sorted(package.rglob("*.py")):
        if module.relative_to(package).as_posix() == "output/tables.py":
            continue
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in ("to_csv", "to_excel") and node.args:
                offenders.append(f"{module.name}:{node.lineno} {node.func.attr}")
            if isinstance(node, ast.Attribute) and node.attr == "ExcelWriter":
                offenders.append(f"{module.name}:{node.lineno} ExcelWriter")
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                if any(n.split(".")[0] in ("openpyxl", "xlsxwriter") for n in names):
                    offenders.append(f"{module.name}:{node.lineno} import")
    assert offenders == []


# --- 8. figures written whole or not at all -----------------------------------------------------

def bars() -> Figure:
    setup_matplotlib()
    fig = Figure(figsize=(4, 3))
    ax = fig.subplots()
    ax.bar(["人口", "計生"], [3, -1])
    fig.plotted_data = pd.DataFrame({"label": ["人口", "計生"], "value": [3, -1]})
    return fig


def _old_figure(folder: Path) -> dict[str, bytes]:
    save_figure(bars(), "01-bars", figures_dir=folder)
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("fails", ["png", "svg"])
def test_an_interrupted_figure_write_leaves_the_old_files_whole(tmp_path, monkeypatch, fails):
    before = _old_figure(tmp_path)
    assert sorted(before) == ["01-bars.csv", "01-bars.png", "01-bars.svg"]
    real = Figure.savefig

    def savefig_then_die(self, fname, *args, format=None, **kwargs):
        if format != fails:
            return real(self, fname, *args, format=format, **kwargs)
        with open(fname, "wb") as handle:
            handle.write(before[f"01-bars.{fails}"][:100])   # half a file, then the kernel dies
        raise KeyboardInterrupt

    monkeypatch.setattr(Figure, "savefig", savefig_then_die)
    fig = bars()
    fig.plotted_data = pd.DataFrame({"label": ["新"], "value": [9]})
    with pytest.raises(KeyboardInterrupt):
        save_figure(fig, "01-bars", figures_dir=tmp_path)
    assert {p.name: p.read_bytes() for p in sorted(tmp_path.iterdir())} == before   # old files, no temp file


def test_an_interrupted_csv_write_leaves_the_old_csv_and_figure_whole(tmp_path, monkeypatch):
    before = _old_figure(tmp_path)

    def to_csv_then_die(self, path, *args, **kwargs):
        Path(path).write_text("label,val", encoding="utf-8")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", to_csv_then_die)
    with pytest.raises(OSError, match="No space left"):
        save_figure(bars(), "01-bars", figures_dir=tmp_path, data=pd.DataFrame({"x": [1]}))
    assert {p.name: p.read_bytes() for p in sorted(tmp_path.iterdir())} == before


def test_a_refused_figure_leaves_the_last_good_one(tmp_path):
    before = _old_figure(tmp_path)
    crowded = Figure(figsize=(3, 2))
    labels = [f"第{i}個很長的類別" for i in range(40)]
    crowded.subplots().bar(labels, range(40))
    crowded.plotted_data = pd.DataFrame({"label": labels})
    with pytest.raises(ValueError, match="tick labels overprint"):
        save_figure(crowded, "01-bars", figures_dir=tmp_path)
    assert {p.name: p.read_bytes() for p in sorted(tmp_path.iterdir())} == before


def test_replacing_keeps_the_mode_a_plain_write_gives(tmp_path):
    (tmp_path / "plain.csv").write_text("a\n")
    with replacing(tmp_path / "atomic.csv") as part:
        part.write_text("a\n")
    mode = [stat.S_IMODE((tmp_path / name).stat().st_mode) for name in ("atomic.csv", "plain.csv")]
    assert mode[0] == mode[1]
    assert leftovers(tmp_path) == []


def test_an_interrupted_table_write_leaves_the_old_table(tmp_path, monkeypatch):
    path = write_csv(pd.DataFrame({"a": [1]}), tmp_path / "t.csv")
    xlsx = write_xlsx(pd.DataFrame({"a": [1]}), tmp_path / "t.xlsx")
    old_csv, old_xlsx = path.read_bytes(), xlsx.read_bytes()
    monkeypatch.setattr(os, "replace", lambda *a: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        write_csv(pd.DataFrame({"a": [2]}), path)
    with pytest.raises(KeyboardInterrupt):
        write_xlsx(pd.DataFrame({"a": [2]}), xlsx)
    assert path.read_bytes() == old_csv and xlsx.read_bytes() == old_xlsx and leftovers(tmp_path) == []


# --- 9. encodings and their messages ------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_without_a_bom_load(tmp_path, seed_raw, seed_text, encoding):
    (tmp_path / "speech.txt").write_bytes(seed_raw.replace("\n", "\r\n").encode(encoding))
    corpus = load_corpus(tmp_path)
    assert corpus["encoding"].iloc[0] == encoding and corpus["text"].iloc[0] == seed_text


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_short_utf16_without_a_bom_with_few_ascii_characters(encoding):
    # 一 is U+4E00: its NUL byte falls where an ASCII character's does in the other byte order.
    text = "一一一一，一二三。\n"
    assert decode_bytes(text.encode(encoding), "short") == (text, encoding)


def test_utf16_cut_by_one_byte_is_called_possibly_utf16(tmp_path):
    bad = tmp_path / "cut.txt"
    bad.write_bytes(("同志們：\nabc\n" * 4).encode("utf-16-le") + b"\x0a")
    with pytest.raises(CorpusError) as raised:
        load_corpus(tmp_path)
    assert f"{bad}: binary file, or possibly UTF-16-LE without a byte-order mark" in str(raised.value)


def test_binary_files_are_still_binary():
    stray_nul = "同志們：\n第二行\n".encode() + b"\x00"   # a few NULs tell nothing about UTF-16
    for data in (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", bytes(range(256)) * 4, stray_nul):
        with pytest.raises(CorpusError, match=r"^x: binary file"):
            decode_bytes(data, "x")


def test_english_in_utf16_without_a_bom_says_what_it_was_read_as():
    with pytest.raises(CorpusError, match=r"no Chinese text after decoding \(read as UTF-16-LE without a byte-order"):
        decode_bytes("plain notes\n".encode("utf-16-le"), "x")


def test_an_undecodable_file_names_the_byte_offset_and_line(tmp_path):
    before = "同志們：\n第二行。\n".encode()
    (tmp_path / "broken.txt").write_bytes(before + b"\xff\xff" + "第三行。".encode())
    with pytest.raises(CorpusError) as raised:
        load_corpus(tmp_path)
    message = str(raised.value)
    assert f"{tmp_path / 'broken.txt'}: cannot be decoded as UTF-8, GB18030/GBK or Big5 (as UTF-8, " \
           f"invalid start byte (bytes ff) at byte offset {len(before)}, line 3;" in message


def test_a_file_whose_bom_lies_names_the_byte_offset_and_line():
    before = codecs.BOM_UTF8 + "同志們：\n第二行。\n".encode()
    data = before + b"\xc3("
    with pytest.raises(CorpusError) as raised:
        decode_bytes(data, "x")
    assert str(raised.value) == ("x: starts with a UTF-8 byte-order mark but is not UTF-8: invalid "
                                 f"continuation byte (bytes c3) at byte offset {len(before)}, line 3")


def test_control_characters_are_named_with_their_line():
    data = ("同志們：\n第二行\n" + "\x01\x02\x03\x04\x05").encode()
    with pytest.raises(CorpusError, match=r"binary file \(5 control characters in the first 14 decoded characters, "
                                          r"the first, '\\x01', on line 3\)"):
        decode_bytes(data, "x")


def test_the_seed_still_loads_unchanged(tmp_path, seed_text):
    shutil.copy(SEED, tmp_path / "seed.txt")
    assert load_corpus(tmp_path)["text"].iloc[0] == seed_text


def test_a_legacy_file_with_characters_its_encoding_lost_is_named(tmp_path):
    """A program saving a file in Big5 writes '?' for a character Big5 cannot hold (着, 们):
    the character is gone before the loader sees the file, and cleaning makes the '?' a
    full-width ？, a false question mark. The load names such files on every load (a new
    user's Big5 speeches read 下降到10.06？。); a UTF-8 file's question marks are its own."""
    folder = tmp_path / "c"
    folder.mkdir()
    text = "人口自然增長率下降到10.06?。\n各縣要抓好雙降工作，隨?經濟發展而調整。\n"
    (folder / "big5.txt").write_bytes(text.encode("cp950"))
    (folder / "utf8.txt").write_text("這是什麼?各縣要抓好雙降工作。\n", encoding="utf-8")
    for _ in range(2):  # cold, then from the store
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            load_corpus(folder)
        said = [str(w.message) for w in caught if "beside Chinese text" in str(w.message)]
        assert said == ["1 speech(es) saved in GB18030/GBK or Big5 hold '?' beside Chinese text, most likely "
                        "characters the encoding could not hold, replaced when the file was saved (they are lost; "
                        "save the source as UTF-8 to keep them): big5 (2, the first on line 1)"]
