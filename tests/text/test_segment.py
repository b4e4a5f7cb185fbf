"""tokenize: jieba on the Simplified text, tokens in the original script with exact spans."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from analysis import corpus_tokens, load_corpus, to_simplified, tokenize
from analysis.text.segment import (
    FLOOR_COUNT,
    TOKEN_COLUMNS,
    _is_floor_phrase,
    _pieces,
    floor_phrases,
    jieba_tokenizer,
    known_words,
    pos_tokenizer,
    stopwords,
    user_dictionary,
)


@pytest.fixture(scope="module")
def seed_tokens(seed_text):
    return tokenize(seed_text)


def test_columns_and_spans(seed_text, seed_tokens):
    assert seed_tokens.columns.tolist() == TOKEN_COLUMNS
    assert all(seed_text[s:e] == t for s, e, t in
               zip(seed_tokens.start, seed_tokens.end, seed_tokens.token))
    assert (seed_tokens.simplified == seed_tokens.token.map(to_simplified)).all()
    # Tokens tile the text: only whitespace (the newlines) lies between them.
    gaps = [seed_text[e:s] for e, s in zip(seed_tokens.end[:-1], seed_tokens.start[1:])]
    assert set(gaps) == {"", "\n"}
    assert gaps.count("\n") == 16


# 計劃生育 occurs 9 times, 5 of them inside the alias-group words 計劃生育協會 (4) and
# 人口和計劃生育 (1), which are words of their own.
@pytest.mark.parametrize("term, count", [("計生協會", 17), ("雙降", 7), ("流動人口", 5),
                                         ("計劃生育", 9 - 4 - 1), ("計劃生育協會", 4), ("優生優育", 2)])
def test_domain_terms_are_one_token_at_every_occurrence(seed_text, seed_tokens, term, count):
    inside = seed_text.count("計劃生育協會") + seed_text.count("人口和計劃生育") if term == "計劃生育" else 0
    assert seed_text.count(term) - inside == count
    assert (seed_tokens.token == term).sum() == count


def test_traditional_and_simplified_input_segment_alike(seed_text, seed_tokens):
    simplified = tokenize(to_simplified(seed_text))
    assert simplified.token.tolist() == seed_tokens.simplified.tolist()
    assert simplified.pos.tolist() == seed_tokens.pos.tolist()


def test_pos_stop_and_punct(seed_tokens):
    first = seed_tokens.head(6)[["token", "pos", "is_stop", "is_punct"]].values.tolist()
    assert first == [["同志們", "n", False, False], ["：", "x", False, True],
                     ["在", "p", True, False], ["全市", "n", False, False],
                     ["上下", "f", False, False], ["認真", "ad", False, False]]
    assert seed_tokens[seed_tokens.token == "雙降"].pos.unique().tolist() == ["j"]
    assert seed_tokens[seed_tokens.token == "的"].is_stop.all()


def test_user_dictionary_and_stopwords_are_data_files():
    words = user_dictionary()
    assert {"计生协", "计生协会", "双降", "流动人口", "人口计生", "计划生育", "利益导向机制", "生殖健康",
            "优生优育", "晚婚晚育", "会员之家", "幸福工程", "生育关怀"} <= set(words.word)
    assert words.pos.notna().all() and words.word.is_unique
    assert {"的", "和", "是"} <= stopwords() and "工作" not in stopwords()


def test_segmenting_is_quiet_and_writes_no_cache(tmp_path):
    # The engine reads jieba's dictionary through jieba-rs and posseg's tables: jieba's own
    # tokenizer (which prints "Building prefix dict" and writes jieba.cache) is never started.
    code = "import analysis; analysis.tokenize('計生協會'); print('ok')"
    env = {"SPEECHES_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin", "TMPDIR": str(tmp_path)}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True)
    assert run.stdout == "ok\n" and run.stderr == ""
    assert list(tmp_path.iterdir()) == []


def test_default_cache_folder_is_the_projects():
    code = "from analysis.config import CACHE_DIR, ROOT; print(CACHE_DIR == ROOT / '.cache')"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin"}, check=True)
    assert run.stdout == "True\n"


def test_corpus_tokens_have_speech_ids(tmp_path, seed_text):
    (tmp_path / "a.txt").write_text(seed_text, encoding="utf-8")
    (tmp_path / "b.txt").write_text(to_simplified(seed_text), encoding="utf-8")
    with pytest.warns(UserWarning, match="word for word once cleaned .*: a = b"):   # one speech in two scripts
        corpus = load_corpus(tmp_path)
    tokens = corpus_tokens(corpus)
    assert tokens.columns.tolist()[:2] == ["speech_id", "token"]
    assert {"part", "section", "point"} <= set(tokens.columns)
    a, b = tokens[tokens.speech_id == "a"], tokens[tokens.speech_id == "b"]
    assert len(a) == len(b) == len(tokenize(seed_text))
    assert (a.token == "雙降").sum() == 7 and (b.token == "双降").sum() == 7
    assert a.section.dropna().unique().tolist() == [1, 2, 3]


# ---------------------------------------------------------------- segmentation rules

TEMPLATE = re.compile(r"[一二三四五]是要著力在(.+?)上有新作為")


def test_template_headings_segment_into_their_words(seed_text, seed_tokens):
    """要著力在…上有新作為 is 要/著力/在/…/上/有/新/作為: no 上有 fragment (issue 10)."""
    headings = list(TEMPLATE.finditer(seed_text))
    assert len(headings) == 5
    for match in headings:
        start, end = match.start() + 2, match.end()  # from 要 to 為
        inside = seed_tokens[(seed_tokens.start >= start) & (seed_tokens.end <= end)]
        assert inside.start.min() == start and inside.end.max() == end  # no token straddles
        words = inside.token.tolist()
        assert words[:3] == ["要", "著力", "在"], words
        assert words[-4:] == ["上", "有", "新", "作為"], words
        assert "".join(words[3:-4]) == match.group(1)
    assert not (seed_tokens.simplified == "上有").any()


@pytest.mark.parametrize("sentence, words", [
    # The same frame in other words, with 上 and 中 (written for these tests).
    ("要在思想建設上有新提高", ["要", "在", "思想", "建設", "上", "有", "新", "提高"]),
    ("在工作上有新突破", ["在", "工作", "上", "有", "新", "突破"]),
    ("在改革中有新作為", ["在", "改革", "中", "有", "新", "作為"]),
    ("在服务群众上有新举措", ["在", "服务", "群众", "上", "有", "新举措"]),
    ("在經濟上有困難", ["在", "經濟", "上", "有", "困難"]),
    # Floor-count frames and verb phrases of jieba's dictionary come out as their words ...
    ("在思想上、政治上、組織上", ["在", "思想", "上", "、", "政治", "上", "、", "組織", "上"]),
    # (noun compounds such as 宣傳教育 and 服務大局 stay whole: see FLOOR_COUNT) ...
    ("要深入開展宣傳教育", ["要", "深入", "開展", "宣傳教育"]),
    ("發揮優勢，服務大局", ["發揮", "優勢", "，", "服務大局"]),
    # ... the user dictionary still wins, and 上下 stays a word.
    ("國有企業和貨幣政策", ["國有企業", "和", "貨幣政策"]),
    ("流動人口計生家庭", ["流動人口", "計生家庭"]),
    ("在全市上下形成合力", ["在", "全市", "上下", "形成", "合力"]),
    # Taiwan's form of a word jieba lists stays one word (著力: its Simplified text is 着力).
    ("著力解決工作中的問題", ["著力", "解決", "工作", "中", "的", "問題"]),
])
def test_rules_on_other_sentences(sentence, words):
    assert tokenize(sentence).token.tolist() == words


def test_the_rules_are_what_changes_these_tokens():
    sentence = "要著力在实现目标上有新作为，发挥优势"
    plain = [p.word for p in pos_tokenizer(rules=False).cut(sentence)]
    ours = [p.word for p in pos_tokenizer().cut(sentence)]
    assert "上有" in plain and "发挥优势" in plain
    assert "上有" not in ours and ours[-3:] == ["，", "发挥", "优势"]
    assert ours[ours.index("目标") + 1: ours.index("目标") + 3] == ["上", "有"]


def test_floor_phrases():
    phrases = floor_phrases()
    assert FLOOR_COUNT == 3
    # Frames and verb phrases of better-attested words are left out ...
    assert {"发挥优势", "认真学习", "深入开展", "高度重视", "在思想上", "在改革中", "书桌上"} <= phrases
    # ... noun compounds stay (policy terms among them), and so do words whose
    # one-character piece is not a function word in its slot (县, 型, 上 at the start),
    # two-character entries and better-counted ones.
    assert not {"国有企业", "宏观调控", "小康社会", "货币政策", "宜川县", "基因型", "上甲板",
                "上有", "两国", "计划生育"} & phrases
    freq = jieba_tokenizer(user_dict=False, rules=False).FREQ   # jieba's own counts
    assert all(0 < freq[w] <= FLOOR_COUNT and len(w) >= 3 for w in phrases)
    # The project's dictionary no longer offers them, except those the user dictionary lists.
    user = set(user_dictionary().word)
    assert not (phrases - user) & known_words()
    assert (phrases & user) <= known_words()


def test_floor_phrase_rule_on_a_toy_dictionary():
    freq = {"发挥": 50, "优势": 50, "在": 900, "思想": 50, "上": 900, "型": 40, "基因": 60,
            "甲板": 10, "对": 900, "货币": 40, "政策": 80, "国有": 30, "企业": 90}
    tags = {"发挥": "v", "优势": "n", "在": "p", "上": "f", "型": "k", "基因": "n", "对": "p",
            "货币": "n", "政策": "n", "国有": "b", "企业": "n", "思想": "n"}
    assert _pieces("在思想上", freq, tags) == ["在", "思想", "上"]         # p … f: a frame
    assert _is_floor_phrase("在思想上", freq, tags)
    assert _is_floor_phrase("发挥优势", freq, tags)                        # verb + object
    assert not _is_floor_phrase("货币政策", freq, tags)                    # noun compound
    assert not _is_floor_phrase("国有企业", freq, tags)
    assert _pieces("基因型", freq, tags) is None                           # 型 is no function word
    assert _pieces("上甲板", freq, tags) is None                           # locative only at the end
    assert _pieces("思想", freq, tags) is None                             # not two pieces
    freq["甲板"] = 3
    assert _pieces("对甲板", freq, tags) is None                           # 甲板 is at the floor


def test_seed_tokens_hold_no_floor_phrase(seed_tokens):
    listed = floor_phrases() - set(user_dictionary().word)
    assert not set(seed_tokens.simplified) & listed


def test_categorical_of_chunks_with_their_own_dictionaries_equals_the_unified_column():
    """A store's column comes in chunks, each with its own dictionary: the categorical made
    chunk by chunk has the codes and code-point-ordered categories of the unified column."""
    import pandas as pd
    import pyarrow as pa

    from analysis.text.segment import categorical

    chunks = [pa.array(["乙", "甲", None, "丙", "甲"]).dictionary_encode(),
              pa.array([], pa.string()).dictionary_encode(),
              pa.array(["丁", "甲", "𠀀", "a"]).dictionary_encode()]
    got = categorical(pa.chunked_array(chunks))
    assert list(got.categories) == ["a", "丁", "丙", "乙", "甲", "𠀀"]
    assert [None if pd.isna(x) else x for x in got] == ["乙", "甲", None, "丙", "甲", "丁", "甲", "𠀀", "a"]
    one = categorical(pa.chunked_array(chunks).unify_dictionaries().combine_chunks())
    assert list(got.codes) == list(one.codes) and list(got.categories) == list(one.categories)


def test_texts_cut_together_are_cut_as_each_text_alone():
    """token_table cuts a group of texts in one go (Engine.cut_words: one dictionary of the
    group's words, a word posseg cuts in pieces replaced by them): each text's rows are the
    ones it gets alone, a piece takes the tag posseg gave it, and the dictionaries hold only
    the words of the rows (no whitespace, no word that was cut in pieces)."""
    import pyarrow.compute as pc

    from analysis.text.segment import token_table

    texts = ["一是加强领导，二是落实。\n\n  三是 2012年增长3.5%。", "計生協會一是", "", " \u3000\n",
             "中有很强的地发展已经一是"]
    whole = token_table(texts)
    rows = list(zip(*(whole[c].to_pylist() for c in ("speech", "token", "pos", "start", "end"))))
    assert rows[:10] == [(0, "一", "m", 0, 1), (0, "是", "v", 1, 2), (0, "加强", "v", 2, 4), (0, "领导", "n", 4, 6),
                         (0, "，", "x", 6, 7), (0, "二", "m", 7, 8), (0, "是", "v", 8, 9), (0, "落实", "a", 9, 11),
                         (0, "。", "x", 11, 12), (0, "三", "m", 16, 17)]
    assert [r[1:3] for r in rows if r[0] == 1] == [("計生協會", "nt"), ("一", "m"), ("是", "v")]
    assert set(whole["speech"].to_pylist()) == {0, 1, 4}  # the empty and the blank text have no rows
    for i, text in enumerate(texts):
        alone = token_table([text]).drop_columns(["speech"])
        mine = whole.filter(pc.equal(whole["speech"], i)).drop_columns(["speech"])
        assert {c: mine[c].to_pylist() for c in mine.column_names} == \
            {c: alone[c].to_pylist() for c in alone.column_names}
    for name in ("token", "simplified", "term"):
        column = whole[name].combine_chunks()
        assert sorted(column.dictionary.to_pylist()) == sorted(set(column.to_pylist()))
    assert "一是" not in whole["simplified"].combine_chunks().dictionary.to_pylist()


def _unknown_runs(texts) -> list[str]:
    from analysis.text.segment import _HAN, engine

    eng = engine()
    return sorted({w for text in texts for w in eng.rs.cut(to_simplified(text), True)
                   if len(w) > 1 and w not in eng.tags and _HAN.search(w)})


def _posseg_detail(run: str) -> list[tuple[str, str]]:
    import jieba.posseg

    return [(pair.word, pair.flag) for pair in jieba.posseg.dt._POSTokenizer__cut_detail(run)]


def test_vectorised_hmm_is_possegs_own_on_every_unknown_run_of_the_seed(seed_text):
    """PossegHMM (numpy) against jieba.posseg's own unknown-word step, on every word
    jieba-rs's HMM made up in the seed: the same words and the same tags."""
    from analysis.text.segment import PossegHMM

    runs = _unknown_runs([seed_text])
    assert len(runs) == 16  # 一是, 三是, 中有 …: the cleaned seed's words jieba-rs's HMM made (著力,
    # Taiwan's form, was one until the Simplified text read it as 着力, which jieba lists)
    hmm = PossegHMM()
    assert [r for r in runs if hmm.cut(r) != _posseg_detail(r)] == []


def test_vectorised_hmm_is_possegs_own_on_every_unknown_run_of_the_reports(gwr_dir):
    from analysis.text.segment import PossegHMM

    runs = _unknown_runs(p.read_text(encoding="utf-8") for p in sorted(gwr_dir.glob("*.txt")))
    assert len(runs) > 1000
    hmm = PossegHMM()
    assert [r for r in runs if hmm.cut(r) != _posseg_detail(r)] == []


def test_the_engine_takes_rjiebas_class_without_its_default_dictionary():
    """rjieba's package builds a Jieba() of its own at import (jieba-rs's whole dictionary)
    that the engine never uses: the engine loads the compiled module alone, and a later
    ``import rjieba`` finds that module instead of loading it again (计划生育协会: the
    project's user dictionary is in the engine, not in rjieba's own)."""
    code = ("import sys\n"
            "from analysis.text.segment import engine\n"
            "words = engine().rs.cut('加强计划生育协会建设', True)\n"
            "print('rjieba' in sys.modules, 'rjieba.rjieba' in sys.modules)\n"
            "import rjieba\n"
            "print(type(engine().rs) is rjieba.Jieba, rjieba.cut('加强领导', False), words)\n")
    assert _printed(code) == ["False True", "True ['加强', '领导'] ['加强', '计划生育协会', '建设']"]


def _printed(code: str) -> list[str]:
    """The lines ``code`` prints in a fresh process (which must end well)."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_a_released_engine_is_freed_at_once_without_a_collection():
    """release_engine() clears the caches and nothing more: the engine, posseg's HMM and
    jieba-rs's dictionary hold no reference cycles, so they are freed there and then (the
    collector off), and the next cut builds them again."""
    code = ("import gc, weakref\n"
            "from analysis.text import segment\n"
            "gc.disable()\n"
            "refs = [weakref.ref(segment.engine()), weakref.ref(segment.posseg_cut_detail().__self__)]\n"
            "segment.release_engine()\n"
            "print([r() is None for r in refs], segment.engine_loaded())\n"
            "print(segment.engine().rs.cut('加强计划生育协会建设', True), segment.engine_loaded())\n")
    assert _printed(code) == ["[True, True] False", "['加强', '计划生育协会', '建设'] True"]
