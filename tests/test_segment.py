"""tokenize: jieba on the Simplified text, tokens in the original script with exact spans."""
from __future__ import annotations

import subprocess
import sys

import pytest

from analysis import corpus_tokens, load_corpus, to_simplified, tokenize
from analysis.segment import TOKEN_COLUMNS, stopwords, user_dictionary


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
                     ["上下", "f", False, False], ["認真學習", "n", False, False]]
    assert seed_tokens[seed_tokens.token == "雙降"].pos.unique().tolist() == ["j"]
    assert seed_tokens[seed_tokens.token == "的"].is_stop.all()


def test_user_dictionary_and_stopwords_are_data_files():
    words = user_dictionary()
    assert {"计生协", "计生协会", "双降", "流动人口", "人口计生", "计划生育", "利益导向机制", "生殖健康",
            "优生优育", "晚婚晚育", "会员之家", "幸福工程", "生育关怀"} <= set(words.word)
    assert words.pos.notna().all() and words.word.is_unique
    assert {"的", "和", "是"} <= stopwords() and "工作" not in stopwords()


def test_jieba_is_quiet_and_caches_in_the_project(tmp_path):
    code = "import analysis; analysis.tokenize('計生協會'); print('ok')"
    env = {"SPEECHES_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True)
    assert run.stdout == "ok\n" and run.stderr == ""
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("jieba")] == ["jieba.cache"]


def test_default_cache_folder_is_the_projects():
    code = "from analysis.config import CACHE_DIR, ROOT; print(CACHE_DIR == ROOT / '.cache')"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin"}, check=True)
    assert run.stdout == "True\n"


def test_corpus_tokens_have_speech_ids(tmp_path, seed_text):
    (tmp_path / "a.txt").write_text(seed_text, encoding="utf-8")
    (tmp_path / "b.txt").write_text(to_simplified(seed_text), encoding="utf-8")
    tokens = corpus_tokens(load_corpus(tmp_path))
    assert tokens.columns.tolist()[:2] == ["speech_id", "token"]
    assert {"part", "section", "point"} <= set(tokens.columns)
    a, b = tokens[tokens.speech_id == "a"], tokens[tokens.speech_id == "b"]
    assert len(a) == len(b) == len(tokenize(seed_text))
    assert (a.token == "雙降").sum() == 7 and (b.token == "双降").sum() == 7
    assert a.section.dropna().unique().tolist() == [1, 2, 3]
