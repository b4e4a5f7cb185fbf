"""load_corpus: one row per speech file, any encoding and line end, loud errors."""
from __future__ import annotations

import codecs
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest

from analysis import CorpusError, load_corpus, removals
from analysis.corpus.read import decode_bytes
from analysis.text.chars import HAN_RE

from ..conftest import SEED


def test_seed_row(seed_corpus):
    assert len(seed_corpus) == 1
    row = seed_corpus.iloc[0]
    assert row.speech_id == "000_8ebf5a98b5b66884"
    assert row.title == "局長在計生理事專題會講話"
    assert row.published == pd.Timestamp("2022-05-17 10:38")
    assert row.prev_title == "局長在司法行政交流大會發言"
    assert row.next_title == "道路景觀構造與城市文化結合思索"
    assert row.encoding == "utf-8"
    assert row.raw == SEED.read_text(encoding="utf-8")
    assert row.n_chars == 2459
    assert row.text_simplified.startswith("同志们：\n在全市上下认真学习贯彻全国“两会”精神之际")
    assert len(row.text_simplified) == len(row.text)
    assert (row.removed_title, row.removed_date, row.removed_lede, row.removed_footer,
            row.removed_pinyin, row.removed_marker) == (1, 1, 1, 1, 132, 0)
    audit = removals(seed_corpus)
    deleted = audit[audit.new == ""]
    assert len(deleted) == 137
    assert deleted.kind.value_counts().to_dict() == {"pinyin": 132, "title": 1, "date": 1, "lede": 1,
                                                     "whitespace": 1, "footer": 1}
    # The other changes: 130 half-width marks made full width, each one character.
    assert audit[audit.new != ""].kind.value_counts().to_dict() == {"punctuation": 130}
    assert all(row.raw[a:b] == t for a, b, t in zip(audit.start, audit.end, audit.text))


def test_printing_shows_title_year_and_where_the_date_came_from(seed_corpus):
    printed = repr(seed_corpus)
    assert "局長在計生理事專題會講話" in printed and "2012" in printed and " text " in printed
    assert printed.splitlines()[0].split() == ["speech_id", "title", "year", "date_source", "n_chars"]


def test_seed_file_is_byte_for_byte_the_original():
    original = SEED.parents[2] / "shared" / "seeds" / SEED.name
    if not original.exists():
        pytest.skip("shared/seeds is not beside this checkout")
    assert SEED.read_bytes() == original.read_bytes()


@pytest.mark.parametrize(
    "encoding, strip_pinyin",
    [("utf-8-sig", False), ("utf-16", False), ("utf-16-be", False), ("gb18030", False),
     ("gbk", False), ("big5", True), ("cp950", True)],
)
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_any_encoding_and_line_end_gives_the_same_text(
    tmp_path, seed_raw, seed_text, seed_without_pinyin, encoding, strip_pinyin, newline
):
    raw = (seed_without_pinyin if strip_pinyin else seed_raw).replace("\n", newline)
    data = raw.encode(encoding)
    if encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    (tmp_path / "speech.txt").write_bytes(data)
    corpus = load_corpus(tmp_path)
    assert corpus.text.iloc[0] == seed_text
    assert corpus.title.iloc[0] == "局長在計生理事專題會講話"


def test_short_big5_and_gbk_snippets_decode(seed_text):
    snippet = seed_text[:120]
    for encoding in ("big5", "gb18030"):
        text, _ = decode_bytes(snippet.encode(encoding), "snippet")
        assert text == snippet


@pytest.mark.parametrize("text, encoding, reported", [
    ("双降", "gbk", "gb18030"),                # read as Big5 it was 邧蔥
    ("五有", "gbk", "gb18030"),
    ("雙降", "cp950", "cp950"),
    ("三進", "cp950", "cp950"),
    ("计划生育，利国利民", "gbk", "gb18030"),
    ("　　“讲学习，讲政治，讲正气”，“为人民、靠人民、爱人民”。\n", "gbk", "gb18030"),   # was undecodable
    ("　　“講學習，講政治，講正氣”，“為人民、靠人民、愛人民”。\n", "cp950", "cp950"),  # was undecodable
])
def test_a_text_of_a_few_characters_decodes_in_the_encoding_that_gives_common_chinese(text, encoding, reported):
    """Too short for charset-normalizer to judge: the strict decoding whose characters are
    common Chinese (GB2312's first level, CJK punctuation) by a clear margin is taken."""
    assert decode_bytes(text.encode(encoding), "speech") == (text, reported)


def test_passages_of_the_shared_reports_decode_from_gb18030_and_from_big5(gwr_dir):
    """Passages of 20 and 60 characters at 8 places of each report (seeded), saved in GB18030
    and in Big5 (OpenCC s2tw), decode to their text. Before the plausibility check, 10 of
    the 20-character passages in GB18030 came back wrong or undecodable."""
    import random

    import opencc

    to_traditional = opencc.OpenCC("s2tw")
    rng = random.Random(1)
    wrong, checked = [], 0
    for path in sorted(gwr_dir.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for _ in range(8):
            at = rng.randrange(len(text))
            for size in (20, 60):
                chunk = text[at:at + size]
                if not HAN_RE.search(chunk):
                    continue
                for form, codec in ((chunk, "gb18030"), (to_traditional.convert(chunk), "cp950")):
                    try:
                        data = form.encode(codec)
                    except UnicodeEncodeError:
                        continue
                    if codec == "cp950" and data.decode("big5hkscs", errors="replace") != form:
                        continue  # Big5 and Big5-HKSCS read these bytes differently: either is Big5
                    checked += 1
                    try:
                        decoded = decode_bytes(data, path.name)[0]
                    except CorpusError as exc:
                        decoded = str(exc)
                    if decoded != form:
                        wrong.append((path.name, codec, form, decoded[:80]))
    assert checked > 2000 and wrong == []


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
@pytest.mark.parametrize("text", [
    "　　县委书记指出：“抓发展，保稳定，惠民生”，“讲政治、顾大局、守纪律”。我们要保持清醒头脑，防止工作出现反复。"
    "各乡镇要同全县干部群众一道，努力完成全年任务。\n",
    "　　书记强调：“早部署，早落实，早见效”，“抓班子、带队伍、促发展”。我们要保持高度警惕，防止出现滑坡。\n\n"
    "　　各位同志！\n\n　　回顾过去，展望未来，我们充满信心。\n",
])
def test_a_short_indented_gbk_speech_dense_with_slogans_decodes(text, encoding):
    # charset-normalizer finds no match for these bytes at any mess threshold under 0.5 (the
    # full-width indents and quoted slogans); they decode strictly, and load with every character.
    assert decode_bytes(text.encode(encoding), "speech") == (text, "gb18030")


PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"


@pytest.mark.parametrize("page", sorted(p.name for p in PAGES.glob("*.txt")))
def test_a_gb18030_page_with_zero_width_spaces_decodes(tmp_path, page):
    """A scraped page keeps zero-width spaces (U+200B); saved in GB18030, most of the test
    pages were reported undecodable (charset-normalizer found no match at its default mess
    threshold), though their bytes decode strictly. They load, with every character."""
    text = (PAGES / page).read_text(encoding="utf-8").replace("。", "。\u200b")
    (tmp_path / "page.txt").write_bytes(text.encode("gb18030"))
    assert decode_bytes((tmp_path / "page.txt").read_bytes(), page) == (text, "gb18030")
    assert load_corpus(tmp_path, cache=False)["raw"].iloc[0] == text


def test_every_shared_report_decodes_from_gb18030_and_from_big5(gwr_dir):
    """Each of the 72 reports saved in GB18030, and in Big5 where its Traditional form can be
    (OpenCC s2tw; zero-width spaces left out, which Big5 lacks), decodes to its text: two of
    them were reported undecodable before."""
    import opencc

    to_traditional = opencc.OpenCC("s2tw")
    wrong, checked = [], 0
    for path in sorted(gwr_dir.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for form, codec in ((text, "gb18030"), (to_traditional.convert(text).replace("\u200b", ""), "cp950")):
            try:
                data = form.encode(codec)
            except UnicodeEncodeError:
                continue
            checked += 1
            try:
                decoded, _ = decode_bytes(data, path.name)
            except CorpusError as exc:
                decoded = str(exc)
            if decoded != form:
                wrong.append((path.name, codec, decoded[:200]))
    assert checked > 100 and wrong == []


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "empty file"),
        (b"  \n\r\n ", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary file"),
        (b"\xff" * 64, "cannot be decoded"),
        (b"plain ASCII notes, no Chinese at all\n", "no Chinese text"),
    ],
)
def test_bad_file_raises_naming_file_and_reason(tmp_path, content, reason):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    with pytest.raises(CorpusError) as err:
        load_corpus(tmp_path)
    assert str(bad) in str(err.value) and reason in str(err.value)


@pytest.mark.parametrize("name", ["metadata.csv", "speeches.TSV", "metadata.xlsx"])
def test_a_table_given_instead_of_its_folder_is_refused(tmp_path, name):
    """A metadata.csv decodes as text: given as the corpus, it loaded as one speech of its
    cells, without a word (a new user's trial)."""
    (tmp_path / "a.txt").write_text("各縣要抓好雙降工作。\n", encoding="utf-8")
    (tmp_path / name).write_text("speech_id,date\na,2012-03-05\n", encoding="utf-8")
    with pytest.raises(CorpusError) as raised:
        load_corpus(tmp_path / name)
    assert str(raised.value) == (f"{tmp_path / name}: a table, not a speech file; load_corpus takes a folder of "
                                 f".txt speeches (with its metadata.csv beside them: {tmp_path}) or one .txt file")
    assert load_corpus(tmp_path / "a.txt", cache=False)["speech_id"].tolist() == ["a"]


def test_folder_without_speeches_raises(tmp_path):
    (tmp_path / "README.md").write_text("notes")
    with pytest.raises(CorpusError, match="no speech files"):
        load_corpus(tmp_path)
    with pytest.raises(CorpusError, match="no such file or folder"):
        load_corpus(tmp_path / "missing")


def _mixed_folder(tmp_path, seed_raw):
    shutil.copy(SEED, tmp_path / "b_seed.txt")
    (tmp_path / "a_simplified.txt").write_text("同志们：\n我们要做好计划生育协会工作。\n", encoding="utf-8")
    (tmp_path / "c_empty.txt").write_bytes(b"")
    (tmp_path / "d_binary.txt").write_bytes(b"\x00\x01\x02\x03" * 20)
    (tmp_path / "e_undecodable.txt").write_bytes(b"\xff\xfe\xfd\xfc" * 3 + b"\xff")
    (tmp_path / "f_speech.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    (tmp_path / "README.md").write_text("what these are")
    return tmp_path


def test_mixed_folder_raises_once_naming_every_bad_file(tmp_path, seed_raw):
    folder = _mixed_folder(tmp_path, seed_raw)
    with pytest.warns(UserWarning, match="f_speech.doc"), pytest.raises(CorpusError) as err:
        load_corpus(folder)
    message = str(err.value)
    assert message.startswith("3 of 5 speech files cannot be loaded")
    for name, why in [("c_empty.txt", "empty file"), ("d_binary.txt", "binary file"),
                      ("e_undecodable.txt", "")]:
        assert f"{folder / name}: {why}" in message


def test_mixed_folder_with_warn_loads_the_good_ones(tmp_path, seed_raw):
    folder = _mixed_folder(tmp_path, seed_raw)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        corpus = load_corpus(folder, errors="warn")
    assert corpus.speech_id.tolist() == ["a_simplified", "b_seed"]  # sorted by file name
    messages = [str(w.message) for w in caught]
    assert len(messages) == 2
    assert "f_speech.doc" in messages[0] and "README" not in messages[0]
    assert messages[1].startswith("skipped 3 of 5 speech files")
    assert sorted(corpus.attrs["skipped"]) == [str(folder / n) for n in
                                               ("c_empty.txt", "d_binary.txt", "e_undecodable.txt")]
    assert corpus.title.tolist()[1] == "局長在計生理事專題會講話"
    assert pd.isna(corpus.published.iloc[0]) and corpus.title.iloc[0] is None


def test_single_file_path(tmp_path):
    corpus = load_corpus(SEED)
    assert corpus.speech_id.tolist() == ["000_8ebf5a98b5b66884"]


def test_errors_argument_is_checked():
    with pytest.raises(ValueError):
        load_corpus(errors="ignore")


def test_readme_txt_in_a_speech_folder_is_not_a_speech(tmp_path):
    shutil.copy(SEED, tmp_path / "speech.txt")
    (tmp_path / "README.txt").write_text("where these came from", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_corpus(tmp_path).speech_id.tolist() == ["speech"]


def test_removals_of_a_frame_without_its_columns_says_what_to_pass(seed_corpus):
    with pytest.raises(ValueError, match=r"no column speech_id; .*\(speech_id is its index here: "
                                         r"corpus.reset_index\(\)\)"):
        removals(seed_corpus.set_index("speech_id"))
    with pytest.raises(ValueError, match="no column raw, removed_spans; pass the frame load_corpus returned$"):
        removals(seed_corpus[["speech_id", "text"]])
